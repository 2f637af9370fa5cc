#include "views/PaperView.h"

#include "ReproduceController.h"
#include "RunController.h"
#include "charts/ErrorBarChart.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace meprop {

namespace {

enum Column { RowCol, NCol, PaperCol, OursCol, DeltaCol, SpeedupCol, VerdictCol, ColumnCount };

// "table6" -> "Table 6", "fig4-middle" -> "Fig. 4 middle".
QString shortName(const QString& id)
{
    if (id.startsWith(QLatin1String("table"))) return QStringLiteral("Table %1").arg(id.mid(5));
    if (id.startsWith(QLatin1String("fig4-"))) return QStringLiteral("Fig. 4 %1").arg(id.mid(5));
    return id;
}

// The panels' titles short enough for a third of the window; the paper's caption is the tooltip.
QString panelTitle(const QString& id)
{
    if (id == QLatin1String("fig4-left")) return QObject::tr("Fig. 4 left: accuracy vs k");
    if (id == QLatin1String("fig4-middle")) return QObject::tr("Fig. 4 middle: top-k vs random");
    if (id == QLatin1String("fig4-right")) return QObject::tr("Fig. 4 right: meProp k vs dense h = k");
    return shortName(id);
}

QString minutes(double seconds)
{
    if (!(seconds >= 0)) return QStringLiteral("?");
    if (seconds < 90) return QStringLiteral("~%1 s").arg(std::lround(seconds));
    if (seconds < 5400) return QStringLiteral("~%1 min").arg(std::lround(seconds / 60));
    return QStringLiteral("~%1 h").arg(seconds / 3600, 0, 'f', 1);
}

// "accuracy: holds; speed: fails" -> "acc. holds · speed fails" (the column stays narrow at 1024 pixels).
QString compactVerdict(QString v)
{
    v.replace(QStringLiteral("accuracy: "), QStringLiteral("acc. "));
    v.replace(QStringLiteral("; speed: "), QStringLiteral(" · speed "));
    v.replace(QStringLiteral("speed: "), QStringLiteral("speed "));
    return v;
}

// The report's colours (engine/reproduce/Report.cpp's CSS), light enough for black text.
QColor verdictColor(PaperVerdict v)
{
    switch (v) {
    case PaperVerdict::Holds: return QColor(0xe3, 0xf4, 0xe3);
    case PaperVerdict::Fails: return QColor(0xf8, 0xdc, 0xdc);
    case PaperVerdict::Inconclusive: return QColor(0xf6, 0xf0, 0xd8);
    case PaperVerdict::None: break;
    }
    return {};
}

}  // namespace

PaperView::PaperView(const ViewContext& context, QWidget* parent) : WorkbenchView(context, parent)
{
    m_controller = new ReproduceController(this);
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);

    // Row 1: the tables and panels (filled from the engine's catalogue when it arrives).
    m_tableRow = new QWidget();
    auto* tablesLayout = new QHBoxLayout(m_tableRow);
    tablesLayout->setContentsMargins(0, 0, 0, 0);
    tablesLayout->addWidget(new QLabel(tr("Tables:")));
    tablesLayout->addStretch(1);
    v->addWidget(m_tableRow);

    // Row 2: budget, seeds, parallel runs, actions.
    auto* opts = new QHBoxLayout();
    opts->addWidget(new QLabel(tr("Budget:")));
    m_budget = new QComboBox();
    m_budget->setObjectName(QStringLiteral("paperBudget"));
    m_budget->addItems({QStringLiteral("smoke"), QStringLiteral("quick"), QStringLiteral("paper")});
    m_budget->setCurrentText(QStringLiteral("quick"));
    m_budget->setToolTip(tr("smoke: tiny runs that check the pipeline (the numbers mean nothing); quick: about an hour for Tables 1, "
                            "3-6 and Figure 4 on 2 cores; paper: the paper's own sizes"));
    opts->addWidget(m_budget);
    opts->addWidget(new QLabel(tr("Seeds:")));
    m_seeds = new QSpinBox();
    m_seeds->setObjectName(QStringLiteral("paperSeeds"));
    m_seeds->setRange(0, 20);
    m_seeds->setSpecialValueText(tr("default"));
    m_seeds->setToolTip(tr("Seeds 1..N per cell (default: smoke 2, quick 3, paper 5); mean ± std and 95 % intervals over them"));
    opts->addWidget(m_seeds);
    opts->addWidget(new QLabel(tr("Parallel runs:")));
    m_jobs = new QSpinBox();
    m_jobs->setObjectName(QStringLiteral("paperJobs"));
    m_jobs->setRange(1, std::max(1, QThread::idealThreadCount()) * 2);
    m_jobs->setValue(std::max(1, QThread::idealThreadCount()));
    m_jobs->setToolTip(tr("Runs at once (each with one thread; timing-only runs always run alone). Results do not depend on it."));
    opts->addWidget(m_jobs);
    opts->addSpacing(12);
    m_run = new QPushButton(tr("Run"));
    m_run->setObjectName(QStringLiteral("paperRun"));
    m_run->setToolTip(tr("Run what the folder does not hold yet (finished runs are skipped), then write the report"));
    m_stop = new QPushButton(tr("Stop"));
    m_export = new QPushButton(tr("Export report"));
    m_export->setToolTip(tr("Write results.csv, cells.csv, report.md, report.html and figures/ into the folder (as meprop reproduce)"));
    m_open = new QPushButton(tr("Open report"));
    for (QPushButton* b : {m_run, m_stop, m_export, m_open}) opts->addWidget(b);
    opts->addStretch(1);
    v->addLayout(opts);

    // Row 3: the folder.
    auto* folder = new QHBoxLayout();
    folder->addWidget(new QLabel(tr("Output folder:")));
    m_folder = new QLineEdit();
    m_folder->setObjectName(QStringLiteral("paperFolder"));
    m_folder->setToolTip(tr("The reproduction folder: runs/<run>/ and the report files. A folder that already holds runs of "
                            "this plan is continued."));
    folder->addWidget(m_folder, 1);
    auto* browse = new QPushButton(tr("Browse..."));
    folder->addWidget(browse);
    v->addLayout(folder);

    m_status = new QLabel();
    m_status->setObjectName(QStringLiteral("paperStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_status);

    // The tables, then the panels.
    auto* split = new QSplitter(Qt::Vertical);
    m_table = new QTableWidget(0, ColumnCount);
    m_table->setObjectName(QStringLiteral("paperTable"));
    m_table->setHorizontalHeaderLabels({tr("Row"), tr("n"), tr("Paper"), tr("Ours (mean ± std)"), tr("Δ vs baseline [95 % CI]"),
                                        tr("Speedup [95 % CI]"), tr("Verdict")});
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(RowCol, QHeaderView::Stretch);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    split->addWidget(m_table);
    m_figures = new QWidget();
    auto* figs = new QHBoxLayout(m_figures);
    figs->setContentsMargins(0, 0, 0, 0);
    for (const QString& id : {QStringLiteral("fig4-left"), QStringLiteral("fig4-middle"), QStringLiteral("fig4-right")}) {
        auto* chart = new ErrorBarChart();
        chart->setObjectName(id);
        chart->setTitle(panelTitle(id));
        chart->setMinimumHeight(200);
        m_panels.insert(id, chart);
        figs->addWidget(chart);
    }
    split->addWidget(m_figures);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    v->addWidget(split, 1);
    m_figures->hide();

    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(250);
    connect(m_previewTimer, &QTimer::timeout, this, [this] { m_controller->preview(request()); });
    connect(m_budget, &QComboBox::currentTextChanged, this, [this] {
        if (m_chosenFolder.isEmpty()) m_folder->setText(outputFolder());
        schedulePreview();
    });
    connect(m_seeds, &QSpinBox::valueChanged, this, &PaperView::schedulePreview);
    connect(m_jobs, &QSpinBox::valueChanged, this, &PaperView::schedulePreview);
    connect(m_folder, &QLineEdit::editingFinished, this, [this] {
        const QString t = m_folder->text().trimmed();
        m_chosenFolder = t == outputFolder() && m_chosenFolder.isEmpty() ? QString() : t;
        schedulePreview();
    });
    connect(browse, &QPushButton::clicked, this, &PaperView::chooseFolder);
    connect(m_run, &QPushButton::clicked, this, [this] {
        QString why;
        if (!startRuns(&why)) setStatus(why);
    });
    connect(m_stop, &QPushButton::clicked, this, &PaperView::stopRuns);
    connect(m_export, &QPushButton::clicked, this, [this] {
        QString why;
        if (!exportReport(&why)) setStatus(why);
    });
    connect(m_open, &QPushButton::clicked, this, &PaperView::openReport);

    connect(m_controller, &ReproduceController::snapshotReady, this, &PaperView::showSnapshot);
    connect(m_controller, &ReproduceController::progressChanged, this, &PaperView::showProgress);
    connect(m_controller, &ReproduceController::busyChanged, this, &PaperView::updateControls);
    connect(m_controller, &ReproduceController::runDone, this, [this](int code, const QString& message) {
        m_runCode = code;
        m_runMessage = message;
        if (code == 0 || code == 1) {
            // As the CLI: the report follows the runs.
            m_afterRun = true;
            setStatus(tr("%1; writing the report...").arg(message));
            if (m_controller->exportReport(request())) return;
            m_afterRun = false;
        }
        setStatus(code == 2 ? tr("Cannot run: %1").arg(message) : message);
        updateControls();
        emit runDone(code, message);
    });
    connect(m_controller, &ReproduceController::reportWritten, this, [this](const QString& dir, const QString& summary) {
        setStatus(tr("%1. Report written: %2 (%3)").arg(m_afterRun ? m_runMessage : tr("Report exported"),
                                                          QDir(dir).filePath(QStringLiteral("report.html")), summary));
        updateControls();
        emit reportWritten(dir, summary);
        if (m_afterRun) {
            m_afterRun = false;
            emit runDone(m_runCode, m_runMessage);
        }
    });
    connect(m_controller, &ReproduceController::failed, this, [this](const QString& message) {
        setStatus(tr("Error: %1").arg(message));
        updateControls();
        emit failed(message);
        if (m_afterRun) {
            m_afterRun = false;
            emit runDone(m_runCode == 0 ? 1 : m_runCode, message);
        }
    });

    if (runs()) m_runsRoot = runs()->runsRoot();
    m_folder->setText(outputFolder());
    updateControls();
    m_controller->preview(request());  // the catalogue of tables, at once
}

// ---- choices --------------------------------------------------------------------------------

void PaperView::setTables(const QStringList& ids)
{
    m_wanted = ids;
    for (auto it = m_tableBoxes.begin(); it != m_tableBoxes.end(); ++it) {
        const QSignalBlocker block(it.value());
        it.value()->setChecked(ids.contains(it.key()));
    }
    schedulePreview();
}

QStringList PaperView::tables() const
{
    if (m_tableBoxes.isEmpty()) return m_wanted;
    QStringList ids;
    for (const QString& id : m_tableOrder)
        if (m_tableBoxes.value(id)->isChecked()) ids << id;
    return ids;
}

bool PaperView::setBudget(const QString& budget, QString* why)
{
    const int i = m_budget->findText(budget);
    if (i < 0) {
        if (why) *why = tr("budget \"%1\": expected smoke, quick or paper").arg(budget);
        return false;
    }
    m_budget->setCurrentIndex(i);
    return true;
}

void PaperView::setSeeds(int seeds)
{
    m_seeds->setValue(std::max(0, seeds));
}

void PaperView::setParallelRuns(int jobs)
{
    m_jobs->setValue(std::max(1, jobs));
}

void PaperView::setOutputFolder(const QString& dir)
{
    m_chosenFolder = dir.isEmpty() ? QString() : QFileInfo(dir).absoluteFilePath();
    m_folder->setText(outputFolder());
    schedulePreview();
}

QString PaperView::outputFolder() const
{
    if (!m_chosenFolder.isEmpty()) return m_chosenFolder;
    const QString root = m_runsRoot.isEmpty() ? QDir::currentPath() : m_runsRoot;
    return QDir(root).filePath(QStringLiteral("reproduce-") + m_budget->currentText());
}

void PaperView::setRunsRoot(const QString& root)
{
    m_runsRoot = root;
    if (m_chosenFolder.isEmpty()) m_folder->setText(outputFolder());
    schedulePreview();
}

PaperRequest PaperView::request() const
{
    PaperRequest r;
    r.tables = tables();
    r.budget = m_budget->currentText();
    r.seeds = m_seeds->value();
    r.jobs = m_jobs->value();
    r.dir = QFileInfo(outputFolder()).absoluteFilePath();
    return r;
}

void PaperView::schedulePreview()
{
    if (!m_controller->isBusy()) m_previewTimer->start();
}

void PaperView::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the reproduction folder"), outputFolder());
    if (!dir.isEmpty()) setOutputFolder(dir);
}

void PaperView::openReport()
{
    const QString html = QDir(outputFolder()).filePath(QStringLiteral("report.html"));
    if (QFileInfo::exists(html)) QDesktopServices::openUrl(QUrl::fromLocalFile(html));
    else setStatus(tr("No report in %1 yet: Run or Export report first").arg(outputFolder()));
}

// ---- actions --------------------------------------------------------------------------------

bool PaperView::startRuns(QString* why)
{
    m_previewTimer->stop();
    const PaperRequest r = request();
    if (r.tables.isEmpty()) {
        if (why) *why = tr("Choose at least one table or figure panel");
        return false;
    }
    if (!m_controller->start(r)) {
        if (why) *why = tr("A reproduction is already running");
        return false;
    }
    setStatus(tr("Starting %1 into %2...").arg(r.tables.join(QStringLiteral(", ")), r.dir));
    return true;
}

void PaperView::stopRuns()
{
    if (!m_controller->isBusy()) return;
    m_controller->stop();
    setStatus(tr("Stopping: the runs in progress end now and stay unfinished (Run continues them)"));
}

bool PaperView::exportReport(QString* why)
{
    const PaperRequest r = request();
    if (r.tables.isEmpty()) {
        if (why) *why = tr("Choose at least one table or figure panel");
        return false;
    }
    if (m_controller->isBusy()) {
        if (why) *why = tr("Wait for the runs to end (or Stop them) before exporting");
        return false;
    }
    if (m_controller->latest().dir != r.dir) {
        // The panels of this folder first: the export follows its snapshot (showSnapshot).
        m_exportPending = true;
        m_controller->preview(r);
        return true;
    }
    if (!m_controller->exportReport(r)) {
        if (why) *why = tr("A report is being written; try again in a moment");
        return false;
    }
    return true;
}

bool PaperView::isBusy() const
{
    return m_controller->isBusy();
}

void PaperView::updateControls()
{
    const bool busy = m_controller->isBusy();
    for (QWidget* w : {static_cast<QWidget*>(m_budget), static_cast<QWidget*>(m_seeds), static_cast<QWidget*>(m_jobs),
                       static_cast<QWidget*>(m_folder), static_cast<QWidget*>(m_run), static_cast<QWidget*>(m_export), m_tableRow})
        w->setEnabled(!busy);
    m_stop->setEnabled(busy);
}

QString PaperView::statusText() const
{
    return m_status->text();
}

void PaperView::setStatus(const QString& text)
{
    m_status->setText(text);
}

// ---- drawing --------------------------------------------------------------------------------

void PaperView::updateCatalogue(const QList<PaperTable>& catalogue)
{
    auto* layout = static_cast<QHBoxLayout*>(m_tableRow->layout());
    if (m_tableBoxes.isEmpty()) {
        const QStringList wanted = m_wanted.isEmpty() ? QStringList{QStringLiteral("table1")} : m_wanted;
        for (const PaperTable& t : catalogue) {
            auto* box = new QCheckBox(shortName(t.id));
            box->setObjectName(QStringLiteral("paper-") + t.id);
            box->setChecked(wanted.contains(t.id));
            connect(box, &QCheckBox::toggled, this, &PaperView::schedulePreview);
            layout->insertWidget(layout->count() - 1, box);
            m_tableBoxes.insert(t.id, box);
            m_tableOrder << t.id;
        }
        if (!catalogue.isEmpty()) schedulePreview();  // the default choice
    }
    for (const PaperTable& t : catalogue)
        if (QCheckBox* box = m_tableBoxes.value(t.id))
            box->setToolTip(tr("%1\n%n run(s) at this budget, %2 one at a time", nullptr, t.runs).arg(t.title, minutes(t.estimatedSeconds)));
}

void PaperView::showSnapshot(const PaperSnapshot& s)
{
    if (!s.catalogue.isEmpty()) updateCatalogue(s.catalogue);
    if (s.dir != request().dir && !m_controller->isBusy()) return;  // an older preview
    if (m_exportPending) {
        m_exportPending = false;
        QTimer::singleShot(0, this, [this] {
            QString why;
            if (!exportReport(&why)) setStatus(why);
        });
    }
    m_seeds->setSpecialValueText(s.seeds > 0 && m_seeds->value() == 0 ? tr("default (%1)").arg(s.seeds) : tr("default"));

    m_table->setRowCount(0);
    QSet<QString> figures;
    for (const PaperTable& t : s.tables) {
        if (t.figure) figures.insert(t.id);
        const int head = m_table->rowCount();
        m_table->insertRow(head);
        // The caption up to its parenthesis ("Table 1. Results based on ... optimizers"); all of it in the tooltip.
        const int paren = t.title.indexOf(QStringLiteral(" ("), std::max<qsizetype>(0, t.title.indexOf(QStringLiteral(". "))));
        auto* title = new QTableWidgetItem(paren > 0 ? t.title.left(paren) : t.title);
        QFont bold = title->font();
        bold.setBold(true);
        title->setFont(bold);
        title->setToolTip(t.claim.isEmpty() ? t.title : t.title + QStringLiteral("\n") + t.claim);
        title->setBackground(palette().alternateBase());
        m_table->setItem(head, RowCol, title);
        m_table->setSpan(head, 0, 1, ColumnCount);
        for (const PaperRow& r : t.rows) {
            const int row = m_table->rowCount();
            m_table->insertRow(row);
            const QString label = r.group + QStringLiteral(" · ") + r.label;
            setTableRow(m_table, row, {label, r.n, r.paper, r.ours, r.baseline ? tr("baseline") : r.delta, r.speedup, compactVerdict(r.verdict)});
            m_table->item(row, VerdictCol)->setToolTip(r.verdict);
            m_table->item(row, RowCol)->setToolTip(label + QStringLiteral("\n") + r.cell);
            m_table->item(row, VerdictCol)->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
            const QColor c = verdictColor(r.level);
            if (c.isValid())
                for (int col = 0; col < ColumnCount; ++col) {
                    m_table->item(row, col)->setBackground(c);
                    m_table->item(row, col)->setForeground(QColor(0x22, 0x22, 0x22));
                }
        }
    }
    for (auto it = m_panels.begin(); it != m_panels.end(); ++it) {
        it.value()->setVisible(figures.contains(it.key()));
        FigurePanel p;
        p.id = it.key();
        for (const FigurePanel& f : s.panels)
            if (f.id == it.key()) p = f;
        if (p.title.isEmpty()) {  // nothing finished yet: the axes without points
            it.value()->setTitle(panelTitle(it.key()));
            it.value()->setData({});
        } else {
            if (p.yLabel.startsWith(QLatin1String("test "))) p.yLabel = p.yLabel.mid(5);  // short enough for a 700-pixel window
            showFigurePanel(it.value(), p, panelTitle(it.key()));
            it.value()->setToolTip(p.title);
        }
    }
    m_figures->setVisible(!figures.isEmpty());

    if (!m_controller->isBusy() && !m_afterRun) {
        const int jobs = std::max(1, m_jobs->value());
        m_planText = s.tables.isEmpty()
                         ? tr("Choose the tables and figure panels to reproduce.")
                         : tr("%n run(s) planned (%1 budget, %2 seeds); %3 already finished in the folder; estimate %4 with %5 parallel run(s)",
                              nullptr, s.runs)
                               .arg(s.budget)
                               .arg(s.seeds)
                               .arg(s.finished)
                               .arg(minutes(s.estimatedSeconds * (s.runs > 0 ? double(s.runs - s.finished) / s.runs : 0.0) / jobs))
                               .arg(jobs);
        setStatus(m_planText);
        m_status->setToolTip(s.notes.join(QLatin1Char('\n')));
    }
}

void PaperView::showProgress(const PaperProgress& p)
{
    QString text = tr("Running: %1 of %2 runs done").arg(p.finishedBefore + p.done).arg(p.total);
    if (p.finishedBefore > 0) text += tr(" (%1 already there)").arg(p.finishedBefore);
    if (p.failed > 0) text += tr(", %1 failed").arg(p.failed);
    if (!p.running.isEmpty()) text += QStringLiteral("; ") + p.running.join(QStringLiteral(", "));
    if (p.etaSeconds >= 0) text += tr("; ETA %1").arg(minutes(p.etaSeconds));
    setStatus(text);
}

}  // namespace meprop
