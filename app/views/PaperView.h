#pragma once
// The Paper tab: the tables and Figure 4 panels of the meProp paper (the engine's reproduction
// plans, as `meprop reproduce`). The user chooses tables, budget, seeds, parallel runs and the
// output folder; Run executes them through the same plan code as the CLI on the reproduction thread
// (ReproduceController), resuming a folder that already holds runs, and the tables fill as runs
// finish: paper | ours mean ± std | delta [95 % CI] | speedup [95 % CI] | verdict, each row coloured
// by its verdict. Figure 4's panels are drawn with error bars. When the runs end the report files of
// the CLI are written (results.csv, cells.csv, report.md, report.html, figures/); Export report
// writes them again for the folder as it is.
#include "PaperData.h"
#include "views/WorkbenchView.h"

#include <QMap>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace meprop {

class ErrorBarChart;
class ReproduceController;

class PaperView : public WorkbenchView {
    Q_OBJECT
public:
    explicit PaperView(const ViewContext& context, QWidget* parent = nullptr);

    // The choices, as a person makes them (each schedules a preview of the folder).
    void setTables(const QStringList& ids);
    QStringList tables() const;
    // False (and the reason) for a budget other than smoke, quick, paper.
    bool setBudget(const QString& budget, QString* why = nullptr);
    void setSeeds(int seeds);  // 0: the budget's default
    void setParallelRuns(int jobs);
    // The reproduction folder; empty: <runs root>/reproduce-<budget> (the CLI's reproduce-<budget>).
    void setOutputFolder(const QString& dir);
    QString outputFolder() const;
    void setRunsRoot(const QString& root);
    PaperRequest request() const;

    // Runs the chosen tables (false and the reason while a run is on or nothing is chosen);
    // runDone() follows after the report files are written.
    bool startRuns(QString* why = nullptr);
    void stopRuns();
    bool exportReport(QString* why = nullptr);
    bool isBusy() const;

    ReproduceController* controller() const { return m_controller; }
    QTableWidget* resultsTable() const { return m_table; }
    // The Figure 4 panels in order (left, middle, right); hidden ones are not chosen.
    QList<ErrorBarChart*> panels() const { return m_panels.values(); }
    ErrorBarChart* panel(const QString& id) const { return m_panels.value(id); }
    QString statusText() const;

signals:
    // After a run: the CLI's exit code (0, 1 a run failed, 2 bad input or conflict, 130 stopped).
    void runDone(int code, const QString& message);
    void reportWritten(const QString& dir, const QString& summary);
    void failed(const QString& message);

private:
    void schedulePreview();
    void showSnapshot(const PaperSnapshot& s);
    void showProgress(const PaperProgress& p);
    void updateCatalogue(const QList<PaperTable>& catalogue);
    void updateControls();
    void chooseFolder();
    void openReport();
    void setStatus(const QString& text);

    ReproduceController* m_controller = nullptr;
    QMap<QString, QCheckBox*> m_tableBoxes;  // by table id, in the paper's order (m_tableOrder)
    QStringList m_tableOrder;
    QWidget* m_tableRow = nullptr;
    QStringList m_wanted;  // chosen before the catalogue arrived
    QComboBox* m_budget = nullptr;
    QSpinBox* m_seeds = nullptr;
    QSpinBox* m_jobs = nullptr;
    QLineEdit* m_folder = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_open = nullptr;
    QLabel* m_status = nullptr;
    QTableWidget* m_table = nullptr;
    QWidget* m_figures = nullptr;
    QMap<QString, ErrorBarChart*> m_panels;
    QTimer* m_previewTimer = nullptr;
    QString m_runsRoot;
    QString m_chosenFolder;  // empty: the default under the runs root
    bool m_afterRun = false;  // the report being written ends a run
    bool m_exportPending = false;  // Export report waits for the folder's snapshot
    int m_runCode = 0;
    QString m_runMessage;
    QString m_planText;
};

}  // namespace meprop
