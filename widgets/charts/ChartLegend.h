#pragma once
// The legend of our charts, drawn by us rather than by Qt Charts (whose legend shrinks entries to
// bare colour squares once a few series are shown): one entry per series or series group with its
// full name beside a sample of its line, in a column beside the plot that scrolls when the entries
// do not fit. Clicking an entry hides or shows its series. paint() draws the same entries, never
// elided, into exported PNG/SVG files.
#include <QColor>
#include <QList>
#include <QString>
#include <QWidget>

class QScrollArea;

namespace meprop {

struct LegendEntry {
    QString name;
    QColor color;
    Qt::PenStyle pen = Qt::SolidLine;
    bool markers = false;
    bool bar = false;     // a filled box (bar sets) instead of a line sample
    bool visible = true;  // false: its series are hidden (drawn greyed out)
};

class ChartLegend : public QWidget {
    Q_OBJECT
public:
    explicit ChartLegend(QWidget* parent = nullptr);

    void setEntries(const QList<LegendEntry>& entries);
    const QList<LegendEntry>& entries() const { return m_entries; }
    // The width the column wants for the full names (before the chart caps it).
    int fullWidth() const;
    // Caps the column's width (e.g. a share of the chart); names longer than that are elided
    // on screen (the tooltip has them in full).
    void setMaximumColumnWidth(int width);
    // The text entry i shows on screen (elided or not).
    QString shownText(int i) const;
    // The entry under a point of the list widget (-1: none), for clicks and tests.
    int entryAt(const QPoint& pos) const;
    // Toggles entry i as a click does.
    void toggle(int i);

    // Draws `entries` with full names into `rect` in as many columns as needed; returns the size
    // used. fullSize() gives that size for a height limit, for laying out exports.
    static QSize fullSize(const QList<LegendEntry>& entries, const QFont& font, int maxHeight);
    static void paint(QPainter& painter, const QRect& rect, const QList<LegendEntry>& entries, const QFont& font);

signals:
    void entryToggled(const QString& name, bool visible);

private:
    class List;
    QScrollArea* m_scroll = nullptr;
    List* m_list = nullptr;
    QList<LegendEntry> m_entries;
    int m_maxColumn = 10000;
};

}  // namespace meprop
