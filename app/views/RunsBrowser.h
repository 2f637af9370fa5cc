#pragma once
// The Runs folder tab: every run folder under the runs folder (this and earlier launches of the
// workbench, and CLI runs written there), with its config, state (finished, resumable from a
// checkpoint, stopped, incomplete), epochs and best dev; selected folders load into the run table
// and the charts. The folder is shown and can be changed.
#include "views/WorkbenchView.h"

#include <QStringList>

class QLabel;
class QPushButton;
class QTableWidget;

namespace meprop {

class RunsBrowser : public WorkbenchView {
    Q_OBJECT
public:
    explicit RunsBrowser(const ViewContext& context, QWidget* parent = nullptr);

    void refresh() override;
    // Rescans the folder (refresh() only rescans when it changed or on request).
    void rescan();
    // The folders listed, in order (for tests).
    QStringList folders() const { return m_dirs; }
    // Selects the rows of these folders.
    void selectFolders(const QStringList& dirs);
    QStringList selectedFolders() const;

signals:
    // The user asked to load these run folders.
    void loadRequested(const QStringList& dirs);
    // The user asked for another runs folder.
    void chooseFolderRequested();

private:
    QLabel* m_root = nullptr;
    QTableWidget* m_table = nullptr;
    QPushButton* m_load = nullptr;
    QStringList m_dirs;
    QString m_scanned;
};

}  // namespace meprop
