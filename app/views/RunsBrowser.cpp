#include "views/RunsBrowser.h"

#include "Bundle.h"
#include "RunController.h"

#include <QDesktopServices>
#include <QFileInfo>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>

namespace meprop {

RunsBrowser::RunsBrowser(const ViewContext& context, QWidget* parent) : WorkbenchView(context, parent)
{
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    auto* top = new QHBoxLayout();
    m_root = new QLabel();
    m_root->setObjectName(QStringLiteral("runsRoot"));
    m_root->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_root->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* change = new QPushButton(tr("Change..."));
    change->setToolTip(tr("Choose the folder new runs are written to and listed from"));
    connect(change, &QPushButton::clicked, this, &RunsBrowser::chooseFolderRequested);
    auto* open = new QPushButton(tr("Open"));
    open->setToolTip(tr("Open the runs folder in the file manager"));
    connect(open, &QPushButton::clicked, this, [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(runs()->runsRoot())); });
    auto* again = new QPushButton(tr("Rescan"));
    connect(again, &QPushButton::clicked, this, &RunsBrowser::rescan);
    top->addWidget(m_root, 1);
    top->addWidget(change);
    top->addWidget(open);
    top->addWidget(again);
    v->addLayout(top);

    m_table = new QTableWidget(0, 6);
    m_table->setObjectName(QStringLiteral("runsFolderTable"));
    m_table->setHorizontalHeaderLabels({tr("Run"), tr("Config"), tr("State"), tr("Epochs"), tr("Best dev (%)"), tr("Modified")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSortingEnabled(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    for (int c = 2; c <= 5; ++c) m_table->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_table->setWordWrap(false);
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this] { emit loadRequested(selectedFolders()); });
    v->addWidget(m_table, 1);

    auto* bottom = new QHBoxLayout();
    auto* hint = new QLabel(tr("Runs of earlier sessions and CLI runs (meprop train --out DIR) in this folder. "
                               "Resumable: a checkpoint and no summary yet (meprop train --resume DIR continues it)."));
    hint->setWordWrap(true);
    hint->setStyleSheet(QStringLiteral("color: #555;"));
    m_load = new QPushButton(tr("Load into charts"));
    m_load->setObjectName(QStringLiteral("loadRuns"));
    m_load->setEnabled(false);
    connect(m_load, &QPushButton::clicked, this, [this] { emit loadRequested(selectedFolders()); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] { m_load->setEnabled(!selectedFolders().isEmpty()); });
    bottom->addWidget(hint, 1);
    bottom->addWidget(m_load);
    v->addLayout(bottom);
}

void RunsBrowser::refresh()
{
    if (m_scanned != runs()->runsRoot()) rescan();
}

void RunsBrowser::rescan()
{
    const QString root = runs()->runsRoot();
    m_scanned = root;
    m_root->setText(tr("Runs folder: %1").arg(QDir::toNativeSeparators(root)));
    m_root->setToolTip(root);
    const QList<RunFolderInfo> found = scanRunsFolder(root);
    // Folders loaded in this session are marked.
    QStringList loaded;
    for (int id : runs()->ids())
        if (const RunRecord* r = runs()->record(id); r && !r->outDir.isEmpty()) loaded << QFileInfo(r->outDir).absoluteFilePath();
    m_table->setSortingEnabled(false);
    m_table->setRowCount(static_cast<int>(found.size()));
    m_dirs.clear();
    int row = 0;
    for (const RunFolderInfo& f : found) {
        m_dirs << f.dir;
        QString name = QFileInfo(f.dir).fileName();
        if (f.name != name) name = tr("%1 (%2)").arg(f.name, name);
        if (loaded.contains(f.dir)) name += tr(" - in this session");
        const QStringList cells{name, f.summary, f.state,
                                f.plannedEpochs > 0 ? QStringLiteral("%1 / %2").arg(f.epochs).arg(f.plannedEpochs) : QString::number(f.epochs),
                                fmt(f.bestDev), f.modified.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setData(Qt::UserRole, f.dir);
            item->setToolTip(c == 0 ? f.dir : cells[c]);
            if (c >= 3 && c <= 4) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (c == 4 && std::isfinite(f.bestDev)) item->setData(Qt::DisplayRole, QString::number(f.bestDev, 'f', 2));
            m_table->setItem(row, c, item);
        }
        ++row;
    }
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(5, Qt::DescendingOrder);  // newest first
}

QStringList RunsBrowser::selectedFolders() const
{
    QStringList out;
    for (const QModelIndex& i : m_table->selectionModel()->selectedRows()) out << i.data(Qt::UserRole).toString();
    return out;
}

void RunsBrowser::selectFolders(const QStringList& dirs)
{
    m_table->clearSelection();
    for (int r = 0; r < m_table->rowCount(); ++r)
        if (dirs.contains(m_table->item(r, 0)->data(Qt::UserRole).toString()))
            m_table->selectionModel()->select(m_table->model()->index(r, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

}  // namespace meprop
