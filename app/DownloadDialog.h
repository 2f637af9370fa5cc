#pragma once
// The GUI around DatasetDownloader: the dialog that asks where to download a catalogue data set,
// and the cancellable progress dialog while it downloads. The window hears the outcome through
// finished / failed / cancelled and shows the status texts.
#include "datasets/Catalogue.h"

#include <QMap>
#include <QObject>
#include <QString>

class QProgressDialog;
class QWidget;

namespace meprop {

class DatasetDownloader;

class DownloadDialog : public QObject {
    Q_OBJECT
public:
    // `parent` is the window the dialogs belong to.
    explicit DownloadDialog(QWidget* parent);

    // Asks for the target folder (default DatasetDownloader::defaultFolder). Empty when cancelled.
    static QString askFolder(QWidget* parent, const DatasetInfo& info);

    // Starts downloading `info` into `folder`, with a progress dialog unless `quiet`. False and the
    // reason in *why when a download is already running.
    bool start(const DatasetInfo& info, const QString& folder, bool quiet, QString* why);
    void cancel();
    bool isRunning() const;

signals:
    void status(const QString& text);
    void finished(const QString& folder);
    void failed(const QString& message);
    void cancelled();

private:
    void onProgress(const QString& file, qint64 received, qint64 total);
    void closeProgress();

    QWidget* m_window = nullptr;
    DatasetDownloader* m_downloader = nullptr;
    QProgressDialog* m_progress = nullptr;
    QMap<QString, qint64> m_received;  // file -> bytes so far
    qint64 m_total = 0;                // catalogue sizes summed; 0: unknown
};

}  // namespace meprop
