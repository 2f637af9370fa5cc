#pragma once
// A form generated from a plain schema: one editor per field (line edits for numbers, so that a
// value is checked as it is typed instead of being clamped silently), a message under each field
// saying why its value is rejected, a preset chooser, and a validity signal that the app wires to
// its Start action. Values travel as a QJsonObject, the same JSON the engine reads.
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QWidget>

#include <functional>

class QComboBox;
class QFormLayout;
class QLabel;

namespace meprop {

struct FieldSpec {
    enum class Type { Int, Float, String, Choice, Bool, Folder };
    QString key;
    Type type = Type::Int;
    QJsonValue defaultValue;
    double min = 0.0;  // Int/Float: inclusive range (ignored when min > max)
    double max = 0.0;
    QStringList choices;                 // Choice
    QString help;                        // tooltip
    QStringList tasks;                   // tasks the key applies to; empty: all
    QString label;                       // empty: the key
    bool enabled = true;                 // false: greyed out with disabledReason shown
    QString disabledReason;
    QMap<QString, QString> disabledChoices;  // Choice: choice -> why it cannot be picked
    // Extra check of a well-typed value (e.g. "the folder holds the MNIST files"), given all the
    // panel's values too; returns the message, empty when fine.
    std::function<QString(const QJsonValue& value, const QJsonObject& all)> check;
};

// A problem found by the cross-field check: `key` names the field it is marked on (empty: the
// config as a whole, shown under the form).
struct FieldProblem {
    QString key;
    QString message;
};

struct PresetSpec {
    QString name;
    QString description;
    QJsonObject values;  // keys overriding the defaults
};

class ConfigPanel : public QWidget {
    Q_OBJECT
public:
    explicit ConfigPanel(QWidget* parent = nullptr);

    // Rebuilds the form; every field takes its default.
    void setSchema(const QList<FieldSpec>& fields);
    const QList<FieldSpec>& schema() const { return m_fields; }
    void setPresets(const QList<PresetSpec>& presets);
    // The key whose value selects which fields apply (FieldSpec::tasks); default "task".
    void setTaskKey(const QString& key);
    // A check over all values, run when every field is valid on its own (e.g. "k <= hidden");
    // returns the message, empty when fine.
    void setCrossValidator(std::function<QString(const QJsonObject&)> validator);
    // The same, naming the field to mark (its message line and red frame, like a field's own check).
    void setFieldCrossValidator(std::function<FieldProblem(const QJsonObject&)> validator);

    // Every field: its parsed value, or the typed text when it does not parse.
    QJsonObject values() const;
    QJsonValue value(const QString& key) const;
    // Sets the given keys (others keep their value; with resetOthers they return to the default).
    // Returns the keys that the schema does not know (they are ignored).
    QStringList setValues(const QJsonObject& values, bool resetOthers = false);
    bool setValue(const QString& key, const QJsonValue& value);
    // Resets to defaults, then overlays the preset. False when there is no such preset.
    bool applyPreset(const QString& name);
    QString currentPreset() const;

    void setFieldEnabled(const QString& key, bool enabled, const QString& reason = {});
    void setChoiceDisabled(const QString& key, const QString& choice, const QString& reason);
    // Re-runs every check (e.g. after a data folder changed on disk).
    void revalidate();

    bool isValid() const { return m_valid; }
    // key -> message for every invalid field; "" holds the cross-field message.
    QMap<QString, QString> errors() const { return m_errors; }
    // The first problem as one sentence ("lr: expected a number in [1e-06, 10]"), empty when valid.
    QString firstError() const;
    // The key of the first invalid field ("" for a problem of the whole config; empty when valid).
    QString firstErrorKey() const;
    // Scrolls to the field of `key` and gives its editor the focus.
    void focusField(const QString& key);
    QString message(const QString& key) const { return m_errors.value(key); }
    // The editor of a key (QLineEdit, QComboBox or QCheckBox; for tests and focus handling).
    QWidget* editor(const QString& key) const;
    bool isFieldVisible(const QString& key) const;

signals:
    void valuesChanged();
    void validityChanged(bool valid);
    void presetApplied(const QString& name);

private:
    struct Field {
        FieldSpec spec;
        QWidget* row = nullptr;      // editor container
        QWidget* editor = nullptr;
        QLabel* label = nullptr;
        QLabel* message = nullptr;
        QLabel* hint = nullptr;      // grey: why something is disabled
    };

    void buildField(Field& f);
    QJsonValue readField(const Field& f, QString* error) const;
    void writeField(Field& f, const QJsonValue& v);
    void onEdited();
    void validateAll();
    void updateVisibility();
    void updateHints(Field& f);
    Field* find(const QString& key);
    const Field* find(const QString& key) const;

    QList<FieldSpec> m_fields;
    QList<Field> m_rows;
    QList<PresetSpec> m_presets;
    QString m_taskKey = QStringLiteral("task");
    std::function<FieldProblem(const QJsonObject&)> m_cross;
    QMap<QString, QString> m_errors;
    bool m_valid = true;
    bool m_silent = false;  // suppress signals while filling the form

    QComboBox* m_presetBox = nullptr;
    QLabel* m_presetInfo = nullptr;
    QFormLayout* m_form = nullptr;
    QLabel* m_crossMessage = nullptr;
};

}  // namespace meprop
