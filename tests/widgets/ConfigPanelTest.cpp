// ConfigPanel: values typed are checked at once, the message says why, validity is signalled,
// presets and task filtering work, and disabled choices (GPU) cannot be used.
#include "ConfigPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

using namespace meprop;

namespace {

QList<FieldSpec> schema()
{
    QList<FieldSpec> f;
    FieldSpec task;
    task.key = "task";
    task.type = FieldSpec::Type::Choice;
    task.choices = {"image", "pos"};
    task.defaultValue = "image";
    f << task;
    FieldSpec hidden;
    hidden.key = "hidden";
    hidden.type = FieldSpec::Type::Int;
    hidden.defaultValue = 500;
    hidden.min = 1;
    hidden.max = 10000;
    f << hidden;
    FieldSpec k;
    k.key = "k";
    k.type = FieldSpec::Type::Int;
    k.defaultValue = 20;
    k.min = 1;
    k.max = 10000;
    f << k;
    FieldSpec lr;
    lr.key = "lr";
    lr.type = FieldSpec::Type::Float;
    lr.defaultValue = 0.001;
    lr.min = 1e-6;
    lr.max = 10;
    f << lr;
    FieldSpec emb;
    emb.key = "embedding";
    emb.type = FieldSpec::Type::Int;
    emb.defaultValue = 50;
    emb.min = 1;
    emb.max = 1000;
    emb.tasks = {"pos"};
    f << emb;
    FieldSpec device;
    device.key = "device";
    device.type = FieldSpec::Type::Choice;
    device.choices = {"cpu", "gpu"};
    device.defaultValue = "cpu";
    device.disabledChoices.insert("gpu", "this build has no GPU support");
    f << device;
    FieldSpec shuffle;
    shuffle.key = "shuffle";
    shuffle.type = FieldSpec::Type::Bool;
    shuffle.defaultValue = true;
    f << shuffle;
    FieldSpec data;
    data.key = "data";
    data.type = FieldSpec::Type::Folder;
    data.defaultValue = "/data";
    data.check = [](const QJsonValue& v, const QJsonObject&) { return v.toString().isEmpty() ? QString("choose a data folder") : QString(); };
    f << data;
    return f;
}

}  // namespace

class ConfigPanelTest : public QObject {
    Q_OBJECT
private slots:
    void defaultsAreValid()
    {
        ConfigPanel panel;
        panel.setSchema(schema());
        QVERIFY(panel.isValid());
        const QJsonObject v = panel.values();
        QCOMPARE(v.value("hidden").toInt(), 500);
        QCOMPARE(v.value("lr").toDouble(), 0.001);
        QCOMPARE(v.value("device").toString(), QString("cpu"));
        QCOMPARE(v.value("shuffle").toBool(), true);
        QCOMPARE(v.value("data").toString(), QString("/data"));
    }

    void typingABadNumberExplainsAndSignals()
    {
        ConfigPanel panel;
        panel.setSchema(schema());
        QSignalSpy validity(&panel, &ConfigPanel::validityChanged);
        auto* lr = qobject_cast<QLineEdit*>(panel.editor("lr"));
        QVERIFY(lr);
        lr->clear();
        QTest::keyClicks(lr, "0.0x1");
        QVERIFY(!panel.isValid());
        QCOMPARE(validity.count(), 1);
        QCOMPARE(validity.takeFirst().at(0).toBool(), false);
        QVERIFY2(panel.message("lr").contains("not a number"), qPrintable(panel.message("lr")));
        QVERIFY(panel.firstError().startsWith("lr: "));

        lr->clear();
        QTest::keyClicks(lr, "0.01");
        QVERIFY(panel.isValid());
        QCOMPARE(validity.count(), 1);
        QCOMPARE(validity.takeFirst().at(0).toBool(), true);
        QCOMPARE(panel.value("lr").toDouble(), 0.01);
    }

    void outOfRangeAndNonIntegers()
    {
        ConfigPanel panel;
        panel.setSchema(schema());
        auto* hidden = qobject_cast<QLineEdit*>(panel.editor("hidden"));
        hidden->setText("0");
        QVERIFY(panel.message("hidden").contains("out of range"));
        QVERIFY(panel.message("hidden").contains("[1, 10000]"));
        hidden->setText("12.5");
        QVERIFY(panel.message("hidden").contains("not an integer"));
        hidden->setText("");
        QVERIFY(panel.message("hidden").contains("required"));
        hidden->setText("64");
        QVERIFY(panel.isValid());
    }

    void crossValidatorRunsWhenFieldsAreValid()
    {
        ConfigPanel panel;
        panel.setSchema(schema());
        panel.setCrossValidator([](const QJsonObject& v) {
            return v.value("k").toInt() > v.value("hidden").toInt() ? QString("k must not exceed hidden") : QString();
        });
        QVERIFY(panel.isValid());
        QVERIFY(panel.setValue("k", 600));
        QVERIFY(!panel.isValid());
        QCOMPARE(panel.errors().value(QString()), QString("k must not exceed hidden"));
        QCOMPARE(panel.firstError(), QString("k must not exceed hidden"));
        panel.setValue("hidden", 1000);
        QVERIFY(panel.isValid());
    }

    void disabledChoiceCannotBeUsed()
    {
        ConfigPanel panel;
        panel.setSchema(schema());
        auto* box = qobject_cast<QComboBox*>(panel.editor("device"));
        QVERIFY(box);
        const QModelIndex gpu = box->model()->index(box->findText("gpu"), 0);
        QVERIFY(!(box->model()->flags(gpu) & Qt::ItemIsEnabled));
        QCOMPARE(box->model()->data(gpu, Qt::ToolTipRole).toString(), QString("this build has no GPU support"));
        // A config file asking for the GPU is shown as invalid with the reason.
        panel.setValue("device", "gpu");
        QVERIFY(!panel.isValid());
        QVERIFY(panel.message("device").contains("no GPU support"));
        panel.setChoiceDisabled("device", "gpu", QString());
        QVERIFY(panel.isValid());
    }

    void unknownChoiceFromAFileIsShownAsError()
    {
        ConfigPanel panel;
        panel.setSchema(schema());
        const QStringList unknown = panel.setValues(QJsonObject{{"task", "tpu"}, {"colour", "red"}});
        QCOMPARE(unknown, QStringList{"colour"});
        QVERIFY(!panel.isValid());
        QVERIFY(panel.message("task").contains("expected one of image, pos"));
    }

    void fieldsOfOtherTasksAreHiddenAndDoNotBlock()
    {
        ConfigPanel panel;
        panel.setSchema(schema());
        panel.show();
        QVERIFY(!panel.isFieldVisible("embedding"));
        qobject_cast<QLineEdit*>(panel.editor("embedding"))->setText("-5");
        QVERIFY(panel.isValid());
        panel.setValue("task", "pos");
        QVERIFY(panel.isFieldVisible("embedding"));
        QVERIFY(!panel.isValid());
    }

    void presetsResetThenOverlay()
    {
        ConfigPanel panel;
        panel.setSchema(schema());
        panel.setPresets({{"fast", "small and quick", QJsonObject{{"hidden", 64}, {"k", 8}}}});
        panel.setValue("lr", 0.5);
        QSignalSpy applied(&panel, &ConfigPanel::presetApplied);
        QVERIFY(panel.applyPreset("fast"));
        QCOMPARE(applied.count(), 1);
        QCOMPARE(panel.value("hidden").toInt(), 64);
        QCOMPARE(panel.value("k").toInt(), 8);
        QCOMPARE(panel.value("lr").toDouble(), 0.001);  // back to the default
        QCOMPARE(panel.currentPreset(), QString("fast"));
        QVERIFY(!panel.applyPreset("nope"));
    }

    void folderCheckAndBool()
    {
        ConfigPanel panel;
        panel.setSchema(schema());
        panel.setValue("data", "");
        QCOMPARE(panel.message("data"), QString("choose a data folder"));
        qobject_cast<QCheckBox*>(panel.editor("shuffle"))->setChecked(false);
        QCOMPARE(panel.value("shuffle").toBool(), false);
    }

    void disabledFieldIsGreyedWithReason()
    {
        ConfigPanel panel;
        panel.setSchema(schema());
        panel.setFieldEnabled("lr", false, "fixed by the preset");
        QVERIFY(!panel.editor("lr")->isEnabled());
        panel.setFieldEnabled("lr", true);
        QVERIFY(panel.editor("lr")->isEnabled());
    }
};

QTEST_MAIN(ConfigPanelTest)
#include "ConfigPanelTest.moc"
