#include "charts/ChartLegend.h"

#include <QMouseEvent>
#include <QPainter>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>

namespace meprop {

namespace {

constexpr int kSample = 22;   // width of the line sample
constexpr int kGap = 6;       // between sample and text
constexpr int kPad = 4;       // around the column
constexpr int kColumnGap = 14;

int rowHeight(const QFontMetrics& fm)
{
    return fm.height() + 4;
}

void paintEntry(QPainter& p, const QRect& row, const LegendEntry& e, const QString& text)
{
    const QColor c = e.visible ? e.color : QColor(190, 190, 190);
    const int cy = row.center().y();
    const QRect sample(row.left(), row.top() + 2, kSample, row.height() - 4);
    if (e.bar) {
        p.setPen(c.darker(130));
        p.setBrush(c);
        p.drawRect(QRect(sample.left() + 4, cy - 5, kSample - 8, 10));
    } else {
        QPen pen(c, 2.0, e.pen);
        pen.setCapStyle(Qt::FlatCap);
        p.setPen(pen);
        p.drawLine(QPoint(sample.left(), cy), QPoint(sample.right(), cy));
        if (e.markers) {
            p.setPen(Qt::NoPen);
            p.setBrush(c);
            p.drawEllipse(QPoint(sample.center().x(), cy), 3, 3);
        }
    }
    p.setPen(e.visible ? QColor(30, 30, 30) : QColor(150, 150, 150));
    p.setBrush(Qt::NoBrush);
    const QRect textRect(row.left() + kSample + kGap, row.top(), row.width() - kSample - kGap, row.height());
    p.drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter, text);
}

}  // namespace

// The scrolled list of entries.
class ChartLegend::List : public QWidget {
public:
    explicit List(ChartLegend* owner) : QWidget(owner), m_owner(owner) { setMouseTracking(true); }

    QSize sizeHint() const override
    {
        const QFontMetrics fm(font());
        return QSize(m_owner->fullWidth(), kPad * 2 + rowHeight(fm) * int(m_owner->m_entries.size()));
    }
    QSize minimumSizeHint() const override { return QSize(40, sizeHint().height()); }

    QRect rowRect(int i) const
    {
        const int h = rowHeight(QFontMetrics(font()));
        return QRect(kPad, kPad + i * h, width() - 2 * kPad, h);
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        for (int i = 0; i < m_owner->m_entries.size(); ++i) paintEntry(p, rowRect(i), m_owner->m_entries[i], m_owner->shownText(i));
    }
    void mouseReleaseEvent(QMouseEvent* e) override
    {
        if (e->button() == Qt::LeftButton) m_owner->toggle(m_owner->entryAt(e->pos()));
    }
    bool event(QEvent* e) override
    {
        if (e->type() == QEvent::ToolTip) {
            auto* help = static_cast<QHelpEvent*>(e);
            const int i = m_owner->entryAt(help->pos());
            if (i >= 0)
                QToolTip::showText(help->globalPos(),
                                   tr("%1\nClick to %2").arg(m_owner->m_entries[i].name, m_owner->m_entries[i].visible ? tr("hide") : tr("show")),
                                   this);
            else QToolTip::hideText();
            return true;
        }
        return QWidget::event(e);
    }

private:
    ChartLegend* m_owner;
};

ChartLegend::ChartLegend(QWidget* parent) : QWidget(parent)
{
    m_scroll = new QScrollArea(this);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setWidgetResizable(true);
    m_scroll->setBackgroundRole(QPalette::Base);
    m_list = new List(this);
    m_list->setObjectName(QStringLiteral("legendList"));
    m_scroll->setWidget(m_list);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_scroll);
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
    hide();
}

void ChartLegend::setEntries(const QList<LegendEntry>& entries)
{
    const bool sameNames = [&] {
        if (entries.size() != m_entries.size()) return false;
        for (int i = 0; i < entries.size(); ++i)
            if (entries[i].name != m_entries[i].name) return false;
        return true;
    }();
    m_entries = entries;
    setVisible(!m_entries.isEmpty());
    if (!sameNames) {
        const int scrollbar = m_scroll->verticalScrollBar()->sizeHint().width();
        setFixedWidth(std::min(fullWidth() + scrollbar, m_maxColumn));
        m_list->updateGeometry();
        m_list->adjustSize();
    }
    m_list->update();
}

int ChartLegend::fullWidth() const
{
    const QFontMetrics fm(font());
    int w = 0;
    for (const LegendEntry& e : m_entries) w = std::max(w, fm.horizontalAdvance(e.name));
    return kPad * 2 + kSample + kGap + w + 2;
}

void ChartLegend::setMaximumColumnWidth(int width)
{
    width = std::max(60, width);
    if (width == m_maxColumn) return;
    m_maxColumn = width;
    const int scrollbar = m_scroll->verticalScrollBar()->sizeHint().width();
    setFixedWidth(std::min(fullWidth() + scrollbar, m_maxColumn));
    m_list->update();
}

QString ChartLegend::shownText(int i) const
{
    if (i < 0 || i >= m_entries.size()) return {};
    const int textWidth = m_list->width() - 2 * kPad - kSample - kGap - 2;
    return QFontMetrics(font()).elidedText(m_entries[i].name, Qt::ElideMiddle, std::max(10, textWidth));
}

int ChartLegend::entryAt(const QPoint& pos) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_list->rowRect(i).contains(pos)) return i;
    return -1;
}

void ChartLegend::toggle(int i)
{
    if (i < 0 || i >= m_entries.size()) return;
    m_entries[i].visible = !m_entries[i].visible;
    m_list->update();
    emit entryToggled(m_entries[i].name, m_entries[i].visible);
}

QSize ChartLegend::fullSize(const QList<LegendEntry>& entries, const QFont& font, int maxHeight)
{
    if (entries.isEmpty()) return {};
    const QFontMetrics fm(font);
    const int h = rowHeight(fm);
    const int perColumn = std::max(1, (maxHeight - 2 * kPad) / h);
    const int columns = (int(entries.size()) + perColumn - 1) / perColumn;
    int total = 0;
    for (int c = 0; c < columns; ++c) {
        int w = 0;
        for (int i = c * perColumn; i < std::min<int>(int(entries.size()), (c + 1) * perColumn); ++i)
            w = std::max(w, fm.horizontalAdvance(entries[i].name));
        total += kSample + kGap + w + (c + 1 < columns ? kColumnGap : 0);
    }
    const int rows = std::min<int>(perColumn, int(entries.size()));
    return QSize(total + 2 * kPad + 2, rows * h + 2 * kPad);
}

void ChartLegend::paint(QPainter& painter, const QRect& rect, const QList<LegendEntry>& entries, const QFont& font)
{
    if (entries.isEmpty()) return;
    painter.save();
    painter.setFont(font);
    const QFontMetrics fm(font);
    const int h = rowHeight(fm);
    const int perColumn = std::max(1, (rect.height() - 2 * kPad) / h);
    int x = rect.left() + kPad;
    for (int start = 0; start < entries.size(); start += perColumn) {
        const int end = std::min<int>(int(entries.size()), start + perColumn);
        int w = 0;
        for (int i = start; i < end; ++i) w = std::max(w, fm.horizontalAdvance(entries[i].name));
        for (int i = start; i < end; ++i)
            paintEntry(painter, QRect(x, rect.top() + kPad + (i - start) * h, kSample + kGap + w + 2, h), entries[i], entries[i].name);
        x += kSample + kGap + w + kColumnGap;
    }
    painter.restore();
}

}  // namespace meprop
