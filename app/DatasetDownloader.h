#pragma once
// Downloads the files of a catalogue data set (datasets/Catalogue.h) into a folder: each file from
// the entry's mirrors in order (base URL + file name; http(s) or file://), written through
// QSaveFile so that a failure or a cancel never leaves a half-written file, and checked against the
// catalogue's size and SHA-256 before it is committed. Files already present and matching are kept.
// No GUI: MainWindow shows the progress dialog and the message box.
#include "datasets/Catalogue.h"

#include <QCryptographicHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QSaveFile;

namespace meprop {

class DatasetDownloader : public QObject {
    Q_OBJECT
public:
    explicit DatasetDownloader(QObject* parent = nullptr);
    ~DatasetDownloader() override;

    // The default target folder: QStandardPaths::AppDataLocation + "/datasets/" + info.folder.
    static QString defaultFolder(const DatasetInfo& info);
    // "4 files, 11.6 MB" (sizes from the catalogue; "size unknown" when one is not known).
    static QString describeSize(const DatasetInfo& info);

    // Starts downloading every file of `info` into `folder` (created when missing). Returns at
    // once; the outcome is exactly one of finished(folder) or failed(message), emitted from the
    // event loop, or cancelled() from cancel(). False (and nothing emitted) when a download is
    // already running.
    bool start(const DatasetInfo& info, const QString& folder);
    // Aborts the running download: the current file's temporary data is discarded, files already
    // completed (and verified) stay. Emits cancelled(). Does nothing when idle.
    void cancel();
    bool isRunning() const { return m_running; }

    // A transfer that receives nothing for this long fails (and the next mirror is tried).
    void setTransferTimeout(int milliseconds) { m_transferTimeoutMs = milliseconds; }

signals:
    // File `index` of `count` starts downloading from `url` (not emitted for files already present).
    void fileStarted(int index, int count, const QString& file, const QString& url);
    // Bytes of `file` received so far; total is the catalogue's size (or the server's, or -1).
    void progress(const QString& file, qint64 received, qint64 total);
    void finished(const QString& folder);
    // One message naming the file, every URL tried and why each failed (HTTP status, network
    // error, or size / SHA-256 expected vs actual).
    void failed(const QString& message);
    void cancelled();

private:
    void nextFile();
    void tryMirror();
    void onReadyRead();
    void onFinished();
    void mirrorFailed(const QString& why);
    void finishWith(bool ok, const QString& message);
    void dropReply();

    QNetworkAccessManager* m_nam = nullptr;
    QPointer<QNetworkReply> m_reply;
    std::unique_ptr<QSaveFile> m_out;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};

    DatasetInfo m_info;
    QString m_folder;
    int m_file = -1;      // index into m_info.files
    int m_mirror = -1;    // index into m_info.mirrors
    QString m_url;        // the URL being fetched
    qint64 m_received = 0;
    QString m_abortReason;   // set when we abort a transfer ourselves (too large, write error)
    QStringList m_attempts;  // "url: why" for every mirror that failed for the current file
    bool m_running = false;
    int m_transferTimeoutMs = 30000;
};

}  // namespace meprop
