#include "ConfigPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <cmath>

namespace meprop {

namespace {

QString numberText(double v)
{
    return QString::number(v, 'g', 10);
}

QString rangeText(const FieldSpec& s)
{
    if (s.min > s.max) return {};
    return QStringLiteral(" in [%1, %2]").arg(numberText(s.min), numberText(s.max));
}

QString jsonText(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Double: return numberText(v.toDouble());
    case QJsonValue::String: return v.toString();
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    default: return {};
    }
}

}  // namespace

ConfigPanel::ConfigPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* presetRow = new QHBoxLayout();
    auto* presetLabel = new QLabel(tr("&Preset:"), this);
    m_presetBox = new QComboBox(this);
    m_presetBox->setObjectName(QStringLiteral("presetBox"));
    m_presetBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    presetLabel->setBuddy(m_presetBox);
    presetRow->addWidget(presetLabel);
    presetRow->addWidget(m_presetBox, 1);
    layout->addLayout(presetRow);
    m_presetInfo = new QLabel(this);
    m_presetInfo->setWordWrap(true);
    m_presetInfo->setStyleSheet(QStringLiteral("color: #555;"));
    layout->addWidget(m_presetInfo);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // The form follows the panel's width (editors shrink); only vertical scrolling.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* content = new QWidget(scroll);
    m_form = new QFormLayout(content);
    m_form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    m_form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    m_form->setVerticalSpacing(4);
    scroll->setWidget(content);
    layout->addWidget(scroll, 1);

    m_crossMessage = new QLabel(this);
    m_crossMessage->setObjectName(QStringLiteral("crossMessage"));
    m_crossMessage->setWordWrap(true);
    m_crossMessage->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold;"));
    m_crossMessage->hide();
    layout->addWidget(m_crossMessage);

    connect(m_presetBox, &QComboBox::activated, this, [this](int i) {
        if (i > 0) applyPreset(m_presetBox->itemText(i));
    });
}

void ConfigPanel::setSchema(const QList<FieldSpec>& fields)
{
    m_silent = true;
    while (m_form->rowCount() > 0) m_form->removeRow(0);
    m_fields = fields;
    m_rows.clear();
    for (const FieldSpec& spec : m_fields) {
        Field f;
        f.spec = spec;
        buildField(f);
        m_rows.append(f);
    }
    for (Field& f : m_rows) {
        writeField(f, f.spec.defaultValue);
        updateHints(f);
    }
    m_silent = false;
    updateVisibility();
    validateAll();
}

void ConfigPanel::setPresets(const QList<PresetSpec>& presets)
{
    m_presets = presets;
    m_presetBox->clear();
    m_presetBox->addItem(tr("(custom)"));
    for (const PresetSpec& p : presets) {
        m_presetBox->addItem(p.name);
        m_presetBox->setItemData(m_presetBox->count() - 1, p.description, Qt::ToolTipRole);
    }
    m_presetInfo->clear();
}

void ConfigPanel::setTaskKey(const QString& key)
{
    m_taskKey = key;
    updateVisibility();
    validateAll();
}

void ConfigPanel::setCrossValidator(std::function<QString(const QJsonObject&)> validator)
{
    if (!validator) return setFieldCrossValidator({});
    setFieldCrossValidator([validator = std::move(validator)](const QJsonObject& v) { return FieldProblem{QString(), validator(v)}; });
}

void ConfigPanel::setFieldCrossValidator(std::function<FieldProblem(const QJsonObject&)> validator)
{
    m_cross = std::move(validator);
    validateAll();
}

void ConfigPanel::buildField(Field& f)
{
    const FieldSpec& s = f.spec;
    auto* row = new QWidget();
    auto* v = new QVBoxLayout(row);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(1);
    QString tip = s.help;
    if ((s.type == FieldSpec::Type::Int || s.type == FieldSpec::Type::Float) && s.min <= s.max)
        tip += (tip.isEmpty() ? QString() : QStringLiteral("\n")) + tr("Range: %1 to %2").arg(numberText(s.min), numberText(s.max));

    switch (s.type) {
    case FieldSpec::Type::Choice: {
        auto* box = new QComboBox(row);
        box->addItems(s.choices);
        connect(box, &QComboBox::currentIndexChanged, this, &ConfigPanel::onEdited);
        f.editor = box;
        v->addWidget(box);
        break;
    }
    case FieldSpec::Type::Bool: {
        auto* box = new QCheckBox(row);
        connect(box, &QCheckBox::toggled, this, &ConfigPanel::onEdited);
        f.editor = box;
        v->addWidget(box);
        break;
    }
    case FieldSpec::Type::Folder: {
        auto* h = new QHBoxLayout();
        auto* edit = new QLineEdit(row);
        auto* browse = new QPushButton(tr("Browse..."), row);
        browse->setObjectName(s.key + QStringLiteral("_browse"));
        connect(edit, &QLineEdit::textChanged, this, &ConfigPanel::onEdited);
        connect(browse, &QPushButton::clicked, this, [this, edit, key = s.key] {
            const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the folder for %1").arg(key), edit->text());
            if (!dir.isEmpty()) edit->setText(dir);
        });
        h->addWidget(edit, 1);
        h->addWidget(browse);
        v->addLayout(h);
        f.editor = edit;
        break;
    }
    default: {
        auto* edit = new QLineEdit(row);
        if (s.type != FieldSpec::Type::String) edit->setPlaceholderText(tr("a number%1").arg(rangeText(s)));
        connect(edit, &QLineEdit::textChanged, this, &ConfigPanel::onEdited);
        f.editor = edit;
        v->addWidget(edit);
        break;
    }
    }
    f.editor->setObjectName(s.key);
    f.editor->setToolTip(tip);

    f.message = new QLabel(row);
    f.message->setObjectName(s.key + QStringLiteral("_message"));
    f.message->setStyleSheet(QStringLiteral("color: #b00020;"));
    // Messages wrap (they may name long paths) so that the form never grows wider than its column.
    f.message->setWordWrap(true);
    f.message->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Minimum);
    f.message->hide();
    v->addWidget(f.message);
    f.hint = new QLabel(row);
    // No word wrap for the short grey hints; a long one is cut at the column's width (the tooltip
    // holds it all) rather than widening the form.
    f.hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    f.hint->setStyleSheet(QStringLiteral("color: #777;"));
    f.hint->hide();
    v->addWidget(f.hint);

    f.label = new QLabel((s.label.isEmpty() ? s.key : s.label) + QStringLiteral(":"));
    f.label->setToolTip(tip);
    f.label->setBuddy(f.editor);
    f.row = row;
    m_form->addRow(f.label, row);
}

void ConfigPanel::updateHints(Field& f)
{
    QStringList hints;
    if (!f.spec.enabled && !f.spec.disabledReason.isEmpty()) hints << f.spec.disabledReason;
    if (auto* box = qobject_cast<QComboBox*>(f.editor)) {
        auto* model = qobject_cast<QStandardItemModel*>(box->model());
        for (int i = 0; i < box->count(); ++i) {
            const QString reason = f.spec.disabledChoices.value(box->itemText(i));
            if (model) {
                QStandardItem* item = model->item(i);
                item->setEnabled(reason.isEmpty());
                item->setToolTip(reason);
            }
            if (!reason.isEmpty()) hints << tr("%1 unavailable: %2").arg(box->itemText(i), reason);
        }
    }
    f.editor->setEnabled(f.spec.enabled);
    if (auto* edit = qobject_cast<QLineEdit*>(f.editor))
        for (auto* b : f.row->findChildren<QPushButton*>()) b->setEnabled(f.spec.enabled && edit->isEnabled());
    // Long reasons (e.g. a CUDA driver message) are elided so the form keeps its width; the
    // tooltip has the whole text.
    QStringList shown;
    for (const QString& h : hints) shown << (h.size() > 90 ? h.left(87) + QStringLiteral("...") : h);
    f.hint->setText(shown.join(QLatin1Char('\n')));
    f.hint->setToolTip(hints.join(QLatin1Char('\n')));
    f.hint->setVisible(!hints.isEmpty());
}

QJsonValue ConfigPanel::readField(const Field& f, QString* error) const
{
    const FieldSpec& s = f.spec;
    QString err;
    QJsonValue out;
    switch (s.type) {
    case FieldSpec::Type::Choice: {
        const QString text = static_cast<QComboBox*>(f.editor)->currentText();
        out = text;
        if (!s.choices.contains(text)) err = tr("expected one of %1").arg(s.choices.join(QStringLiteral(", ")));
        else if (s.disabledChoices.contains(text)) err = tr("%1 is not available: %2").arg(text, s.disabledChoices.value(text));
        break;
    }
    case FieldSpec::Type::Bool: out = static_cast<QCheckBox*>(f.editor)->isChecked(); break;
    case FieldSpec::Type::String:
    case FieldSpec::Type::Folder: out = static_cast<QLineEdit*>(f.editor)->text(); break;
    case FieldSpec::Type::Int:
    case FieldSpec::Type::Float: {
        const QString text = static_cast<QLineEdit*>(f.editor)->text().trimmed();
        bool ok = false;
        if (s.type == FieldSpec::Type::Int) {
            const qlonglong n = text.toLongLong(&ok);
            if (!ok) {
                out = text;
                err = text.isEmpty() ? tr("required: an integer%1").arg(rangeText(s))
                                     : tr("\"%1\" is not an integer%2").arg(text, rangeText(s).isEmpty() ? QString() : tr(", expected one") + rangeText(s));
            } else {
                out = static_cast<double>(n);
                if (s.min <= s.max && (n < s.min || n > s.max)) err = tr("%1 is out of range: expected an integer%2").arg(text, rangeText(s));
            }
        } else {
            const double x = text.toDouble(&ok);
            if (!ok || !std::isfinite(x)) {
                out = text;
                err = text.isEmpty() ? tr("required: a number%1").arg(rangeText(s))
                                     : tr("\"%1\" is not a number%2").arg(text, rangeText(s).isEmpty() ? QString() : tr(", expected one") + rangeText(s));
            } else {
                out = x;
                if (s.min <= s.max && (x < s.min || x > s.max)) err = tr("%1 is out of range: expected a number%2").arg(text, rangeText(s));
            }
        }
        break;
    }
    }
    if (error && err.isEmpty() && s.check) err = s.check(out, values());  // values() reads without checks
    if (error) *error = err;
    return out;
}

void ConfigPanel::writeField(Field& f, const QJsonValue& v)
{
    const bool silent = m_silent;
    m_silent = true;
    switch (f.spec.type) {
    case FieldSpec::Type::Choice: {
        auto* box = static_cast<QComboBox*>(f.editor);
        const QString text = jsonText(v);
        int i = box->findText(text);
        if (i < 0 && !text.isEmpty()) {
            // Keep an unknown value visible so that its error can be shown (e.g. from a config file).
            box->addItem(text);
            i = box->count() - 1;
        }
        box->setCurrentIndex(i);
        break;
    }
    case FieldSpec::Type::Bool:
        static_cast<QCheckBox*>(f.editor)->setChecked(v.isBool() ? v.toBool() : jsonText(v) == QLatin1String("true"));
        break;
    default: static_cast<QLineEdit*>(f.editor)->setText(jsonText(v)); break;
    }
    m_silent = silent;
}

void ConfigPanel::onEdited()
{
    if (m_silent) return;
    updateVisibility();
    validateAll();
    emit valuesChanged();
}

void ConfigPanel::updateVisibility()
{
    const Field* task = find(m_taskKey);
    const QString current = task ? readField(*task, nullptr).toString() : QString();
    for (Field& f : m_rows) {
        const bool applies = f.spec.tasks.isEmpty() || f.spec.tasks.contains(QStringLiteral("all")) ||
                             current.isEmpty() || f.spec.tasks.contains(current);
        m_form->setRowVisible(f.row, applies);
    }
}

void ConfigPanel::validateAll()
{
    QMap<QString, QString> errors;
    for (Field& f : m_rows) {
        QString err;
        readField(f, &err);
        if (!isFieldVisible(f.spec.key)) err.clear();  // a key of another task does not block Start
        if (!err.isEmpty()) errors.insert(f.spec.key, err);
    }
    if (errors.isEmpty() && m_cross) {
        const FieldProblem p = m_cross(values());
        if (!p.message.isEmpty()) errors.insert(find(p.key) && isFieldVisible(p.key) ? p.key : QString(), p.message);
    }
    for (Field& f : m_rows) {
        const QString err = errors.value(f.spec.key);
        f.message->setText(err);
        f.message->setVisible(!err.isEmpty());
        if (auto* edit = qobject_cast<QLineEdit*>(f.editor))
            edit->setStyleSheet(err.isEmpty() ? QString() : QStringLiteral("QLineEdit { border: 1px solid #b00020; }"));
        else if (auto* box = qobject_cast<QComboBox*>(f.editor))
            box->setStyleSheet(err.isEmpty() ? QString() : QStringLiteral("QComboBox { border: 1px solid #b00020; }"));
    }
    m_crossMessage->setText(errors.value(QString()));
    m_crossMessage->setVisible(errors.contains(QString()));
    m_errors = errors;
    const bool valid = errors.isEmpty();
    if (valid != m_valid) {
        m_valid = valid;
        if (!m_silent) emit validityChanged(valid);
    }
}

void ConfigPanel::revalidate()
{
    validateAll();
}

QString ConfigPanel::firstErrorKey() const
{
    for (const Field& f : m_rows)
        if (m_errors.contains(f.spec.key)) return f.spec.key;
    return QString();
}

void ConfigPanel::focusField(const QString& key)
{
    const Field* f = find(key);
    if (!f) return;
    if (auto* scroll = findChild<QScrollArea*>()) scroll->ensureWidgetVisible(f->row);
    f->editor->setFocus(Qt::OtherFocusReason);
}

QString ConfigPanel::firstError() const
{
    if (m_errors.isEmpty()) return {};
    for (const Field& f : m_rows)
        if (m_errors.contains(f.spec.key)) return f.spec.key + QStringLiteral(": ") + m_errors.value(f.spec.key);
    return m_errors.value(QString());
}

QJsonObject ConfigPanel::values() const
{
    QJsonObject out;
    for (const Field& f : m_rows) out.insert(f.spec.key, readField(f, nullptr));
    return out;
}

QJsonValue ConfigPanel::value(const QString& key) const
{
    const Field* f = find(key);
    return f ? readField(*f, nullptr) : QJsonValue();
}

QStringList ConfigPanel::setValues(const QJsonObject& values, bool resetOthers)
{
    QStringList unknown;
    m_silent = true;
    if (resetOthers)
        for (Field& f : m_rows) writeField(f, f.spec.defaultValue);
    for (auto it = values.begin(); it != values.end(); ++it) {
        Field* f = find(it.key());
        if (!f) {
            unknown << it.key();
            continue;
        }
        writeField(*f, it.value());
    }
    m_silent = false;
    updateVisibility();
    const bool before = m_valid;
    validateAll();
    if (before == m_valid) emit validityChanged(m_valid);  // let listeners refresh their reason text
    emit valuesChanged();
    return unknown;
}

bool ConfigPanel::setValue(const QString& key, const QJsonValue& value)
{
    if (!find(key)) return false;
    setValues(QJsonObject{{key, value}});
    return true;
}

bool ConfigPanel::applyPreset(const QString& name)
{
    for (const PresetSpec& p : m_presets) {
        if (p.name != name) continue;
        setValues(p.values, true);
        m_presetBox->setCurrentIndex(m_presetBox->findText(name));
        m_presetInfo->setText(p.description);
        emit presetApplied(name);
        return true;
    }
    return false;
}

QString ConfigPanel::currentPreset() const
{
    return m_presetBox->currentIndex() > 0 ? m_presetBox->currentText() : QString();
}

void ConfigPanel::setFieldEnabled(const QString& key, bool enabled, const QString& reason)
{
    if (Field* f = find(key)) {
        f->spec.enabled = enabled;
        f->spec.disabledReason = reason;
        updateHints(*f);
    }
}

void ConfigPanel::setChoiceDisabled(const QString& key, const QString& choice, const QString& reason)
{
    if (Field* f = find(key)) {
        if (reason.isEmpty()) f->spec.disabledChoices.remove(choice);
        else f->spec.disabledChoices.insert(choice, reason);
        updateHints(*f);
        validateAll();
    }
}

QWidget* ConfigPanel::editor(const QString& key) const
{
    const Field* f = find(key);
    return f ? f->editor : nullptr;
}

bool ConfigPanel::isFieldVisible(const QString& key) const
{
    const Field* f = find(key);
    if (!f) return false;
    for (int r = 0; r < m_form->rowCount(); ++r)
        if (m_form->itemAt(r, QFormLayout::FieldRole) && m_form->itemAt(r, QFormLayout::FieldRole)->widget() == f->row)
            return m_form->isRowVisible(r);
    return false;
}

ConfigPanel::Field* ConfigPanel::find(const QString& key)
{
    for (Field& f : m_rows)
        if (f.spec.key == key) return &f;
    return nullptr;
}

const ConfigPanel::Field* ConfigPanel::find(const QString& key) const
{
    for (const Field& f : m_rows)
        if (f.spec.key == key) return &f;
    return nullptr;
}

}  // namespace meprop
