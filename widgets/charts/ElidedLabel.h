#pragma once
// A one-line label that elides its text to the width it is given (the full text in its tooltip), so
// that a long chart title never widens the chart or is cut mid-letter.
#include <QLabel>
#include <QResizeEvent>

#include <algorithm>

namespace meprop {

class ElidedLabel : public QLabel {
public:
    explicit ElidedLabel(QWidget* parent = nullptr) : QLabel(parent) { setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); }

    void setFullText(const QString& text)
    {
        m_full = text;
        setToolTip(text);
        updateText();
    }
    const QString& fullText() const { return m_full; }

protected:
    void resizeEvent(QResizeEvent* event) override
    {
        QLabel::resizeEvent(event);
        updateText();
    }

private:
    void updateText() { setText(fontMetrics().elidedText(m_full, Qt::ElideRight, std::max(20, width() - 4))); }

    QString m_full;
};

}  // namespace meprop
