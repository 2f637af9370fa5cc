// The run table as a tree: a seed group is one expandable row with mean ± std in each metric
// column and its seeds as children; other runs stay rows of their own; inserts and removals keep
// the tree in step; the window's selection of a group row stands for its seeds.
#include "MainWindow.h"
#include "RunController.h"
#include "RunTableModel.h"
#include "RunTreeModel.h"

#include <QAbstractItemModelTester>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace meprop;

namespace {

// A finished run whose best dev accuracy is `dev` (test `test`, linear backprop `bp` seconds).
RunRecord finished(const QString& name, int seedGroup, double dev, double test, double bp)
{
    RunRecord r;
    r.name = name;
    r.seedGroup = seedGroup;
    r.config = QJsonObject{{"mode", "topk"}, {"k", 20}, {"task", "image"}};
    r.start.epochs = 1;
    EpochData e;
    e.epoch = 1;
    e.dev = dev;
    e.test = test;
    e.bpLinear = bp;
    e.best = true;
    r.epochs << e;
    r.row.state = RunState::Finished;
    return r;
}

}  // namespace

class RunTreeModelTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void aSeedGroupIsOneRowWithMeanAndStd()
    {
        RunController runs;
        RunTreeModel tree(&runs);
        // Qt's own checks of index/parent/rowCount and of every insert and removal signal.
        QAbstractItemModelTester tester(&tree, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int a = runs.addImported(finished("alone", 0, 90.0, 89.0, 1.0));
        const int s1 = runs.addImported(finished("topk seed 1", 7, 95.0, 94.0, 2.0));
        const int s2 = runs.addImported(finished("topk seed 2", 7, 97.0, 96.0, 4.0));
        const int s3 = runs.addImported(finished("topk seed 3", 7, 96.0, 95.0, 3.0));
        QCOMPARE(tree.rowCount(), 2);  // the lone run and the group
        const QModelIndex group = tree.indexOfGroup(7);
        QVERIFY(group.isValid());
        QCOMPARE(group.row(), 1);
        QCOMPARE(tree.rowCount(group), 3);
        QCOMPARE(tree.runIds(group), (QList<int>{s1, s2, s3}));
        QCOMPARE(group.data(RunTreeModel::GroupRole).toInt(), 7);
        QCOMPARE(group.data(RunTableModel::IdRole).toInt(), 0);
        // 95, 97, 96: mean 96, sample std 1.
        QCOMPARE(group.siblingAtColumn(RunTableModel::BestDev).data().toString(), QStringLiteral("96.00 ± 1.00"));
        QCOMPARE(group.siblingAtColumn(RunTableModel::Test).data().toString(), QStringLiteral("95.00 ± 1.00"));
        QCOMPARE(group.siblingAtColumn(RunTableModel::BpTime).data().toString(), QStringLiteral("3.000 ± 1.000 s"));
        QCOMPARE(group.siblingAtColumn(RunTableModel::State).data().toString(), QStringLiteral("finished"));
        QVERIFY(group.siblingAtColumn(RunTableModel::Name).data().toString().contains(QStringLiteral("(3 seeds)")));
        QCOMPARE(group.siblingAtColumn(RunTableModel::BestDev).data(RunTableModel::SortRole).toDouble(), 96.0);
        // The children are the seeds, as in the flat table.
        const QModelIndex child = tree.index(1, RunTableModel::BestDev, group);
        QCOMPARE(child.data(RunTableModel::IdRole).toInt(), s2);
        QCOMPARE(child.data().toString(), QStringLiteral("97.00"));
        QCOMPARE(tree.parent(child), group.siblingAtColumn(0));
        QCOMPARE(tree.indexOfRun(s2), child.siblingAtColumn(0));
        QCOMPARE(tree.indexOfRun(a).data(RunTableModel::IdRole).toInt(), a);
        QCOMPARE(tree.rowCount(tree.indexOfRun(a)), 0);

        // The group's check box shows and hides every seed.
        QVERIFY(tree.setData(group.siblingAtColumn(RunTableModel::Show), Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(runs.model()->shownIds(), QList<int>{a});
        QCOMPARE(group.siblingAtColumn(RunTableModel::Show).data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
        runs.model()->setShown(s1, true);
        QCOMPARE(group.siblingAtColumn(RunTableModel::Show).data(Qt::CheckStateRole).toInt(), int(Qt::PartiallyChecked));

        // Removing seeds updates the statistics; the last one takes the group row with it.
        QVERIFY(runs.remove(s2, false));
        QCOMPARE(tree.rowCount(tree.indexOfGroup(7)), 2);
        QCOMPARE(tree.indexOfGroup(7).siblingAtColumn(RunTableModel::BestDev).data().toString(), QStringLiteral("95.50 ± 0.71"));
        QVERIFY(runs.remove(s1, false));
        QCOMPARE(tree.indexOfGroup(7).siblingAtColumn(RunTableModel::BestDev).data().toString(), QStringLiteral("96.00"));  // one seed: no std
        QVERIFY(runs.remove(s3, false));
        QVERIFY(!tree.indexOfGroup(7).isValid());
        QCOMPARE(tree.rowCount(), 1);
        // A new member of a new group appears under a new group row.
        const int t1 = runs.addImported(finished("dense seed 1", 9, 90.0, 90.0, 5.0));
        QCOMPARE(tree.rowCount(), 2);
        QCOMPARE(tree.indexOfRun(t1).parent(), tree.indexOfGroup(9));
    }

    void theWindowSelectsAGroupAsItsSeeds()
    {
        QTemporaryDir dir;
        MainWindow w(dir.filePath(QStringLiteral("runs")));
        RunController* runs = w.runs();
        const int s1 = runs->addImported(finished("topk seed 1", 4, 95.0, 94.0, 2.0));
        const int s2 = runs->addImported(finished("topk seed 2", 4, 97.0, 96.0, 4.0));
        const int lone = runs->addImported(finished("alone", 0, 90.0, 89.0, 1.0));
        auto* view = w.findChild<QTreeView*>(QStringLiteral("runTable"));
        QVERIFY(view);
        QCOMPARE(view->model()->rowCount(), 2);
        // Clicking the group row selects both seeds.
        view->selectionModel()->select(view->model()->index(0, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(w.selectedRunIds(), (QList<int>{s1, s2}));
        // Selecting one seed by id expands its group.
        w.selectRuns({s2, lone});
        QCOMPARE(w.selectedRunIds(), (QList<int>{s2, lone}));
        QVERIFY(view->isExpanded(view->model()->index(0, 0)));
    }
};

QTEST_MAIN(RunTreeModelTest)
#include "RunTreeModelTest.moc"
