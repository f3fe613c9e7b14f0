//! 扶贫项目资产收益绩效报告: a region's yearly totals, the summary, a chart of the townships' yield
//! rates and every asset's line, on A4 landscape.

use std::ops::Range;

use printpdf::{FontId, PdfPage};

use super::{A4_LANDSCAPE, Align, Band, Canvas, Table, grey, paginate, rgb, text_width, wrap};
use crate::numerals::{permille_percent, yuan_grouped};
use crate::performance::{Performance, PerformanceItem, TownshipRate, flags_joined};

const LEFT: f32 = 15.0;
const WIDTH: f32 = 267.0;
/// Where the content starts below the heading.
const CONTENT_TOP: f32 = 27.0;
/// Nothing but the footer goes below this.
const CONTENT_LIMIT: f32 = 192.0;
const FOOTER_BASELINE: f32 = 202.0;

const SIZE: f32 = 8.0;
const HEADER_ROW: f32 = 7.0;
const ROW: f32 = 6.0;
const SUMMARY_ROW: f32 = 7.0;
const SENTENCE_SIZE: f32 = 9.5;
const SENTENCE_LINE: f32 = 5.2;
const GAP: f32 = 5.0;
/// A table that cannot show this many rows under the chart starts on the next page.
const MIN_FIRST_ROWS: usize = 3;
/// Below the last row: the totals row and the note.
const CLOSING_HEIGHT: f32 = ROW + 8.0;

const COLUMNS: [&str; 14] = [
    "序号",
    "项目名称",
    "资产编号",
    "资产名称",
    "乡镇",
    "类型",
    "投资额",
    "年度净收益",
    "收益率",
    "户数",
    "人口",
    "人均受益",
    "等效小时",
    "预警标记",
];
const WIDTHS: [f32; 14] = [
    9.0, 35.0, 22.0, 38.0, 15.0, 15.0, 23.0, 22.0, 14.0, 10.0, 10.0, 17.0, 15.0, 22.0,
];
const ALIGNS: [Align; 14] = [
    Align::Center,
    Align::Left,
    Align::Center,
    Align::Left,
    Align::Center,
    Align::Center,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Center,
];
const TABLE: Table = Table {
    left: LEFT,
    widths: &WIDTHS,
    aligns: &ALIGNS,
};
/// The totals row spans 序号..类型.
const TOTALS: Table = Table {
    left: LEFT,
    widths: &[134.0, 23.0, 22.0, 14.0, 10.0, 10.0, 17.0, 15.0, 22.0],
    aligns: &[
        Align::Center,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Center,
        Align::Center,
    ],
};

/// The report as an A4 landscape PDF: on the first page the totals, the summary sentences and a
/// bar chart of the townships' yield rates, then the items table with its header on every page,
/// flagged items shaded, the totals at its end and 第 N 页 共 M 页 under every page.
pub fn performance_pdf(p: &Performance) -> Vec<u8> {
    let title = p.title();
    super::save(&title, |font| {
        let layout = Layout::new(p);
        let count = layout.pages();
        (0..count).map(|i| page(font, p, &title, &layout, i, count)).collect()
    })
}

/// Where everything goes: the summary's lines and the chart flow down from the totals, starting
/// a new page when one is full; the table follows.
struct Layout {
    /// (page, baseline, x offset, text) of each line of the summary.
    lines: Vec<(usize, f32, f32, String)>,
    /// (page, top) of the chart.
    chart: Option<(usize, f32)>,
    /// The page and top of the table's start.
    table_page: usize,
    table_top: f32,
    /// The items on each page from `table_page` on.
    rows: Vec<Range<usize>>,
}

impl Layout {
    fn new(p: &Performance) -> Self {
        let mut page = 0;
        let mut y = CONTENT_TOP + 2.0 * SUMMARY_ROW + GAP;
        let mut lines = Vec::new();
        for (i, sentence) in p.summary.iter().enumerate() {
            let number = format!("{}. ", i + 1);
            let indent = text_width(&number, SENTENCE_SIZE);
            for (j, line) in wrap(sentence, SENTENCE_SIZE, WIDTH - indent).into_iter().enumerate() {
                let (on, top) = place(SENTENCE_LINE, &mut y, &mut page);
                let baseline = top + SENTENCE_LINE * 0.75;
                lines.push((on, baseline, 0.0, if j == 0 { number.clone() } else { String::new() }));
                lines.push((on, baseline, indent, line));
            }
        }
        let chart = (!p.townships.is_empty()).then(|| {
            y += GAP;
            place(CHART_HEIGHT, &mut y, &mut page)
        });
        y += GAP;
        // Room for the header and a few rows, or for all rows and the closing when they are few.
        let needed = if p.items.len() <= MIN_FIRST_ROWS {
            p.items.len() as f32 * ROW + CLOSING_HEIGHT
        } else {
            MIN_FIRST_ROWS as f32 * ROW
        };
        if y + HEADER_ROW + needed > CONTENT_LIMIT {
            page += 1;
            y = CONTENT_TOP;
        }
        let (table_page, table_top) = (page, y);
        let rows = paginate(p.items.len(), |page, last| {
            let top = if page == 0 { table_top } else { CONTENT_TOP };
            let closing = if last { CLOSING_HEIGHT } else { 0.0 };
            ((CONTENT_LIMIT - top - HEADER_ROW - closing) / ROW).floor() as isize
        });
        Self {
            lines,
            chart,
            table_page,
            table_top,
            rows,
        }
    }

    fn pages(&self) -> usize {
        self.table_page + self.rows.len()
    }
}

fn page(font: &FontId, p: &Performance, title: &str, layout: &Layout, index: usize, count: usize) -> PdfPage {
    let mut page = Canvas::new(font, A4_LANDSCAPE);
    heading(&mut page, p, title);
    if index == 0 {
        totals(&mut page, p);
    }
    for (_, baseline, indent, text) in layout.lines.iter().filter(|l| l.0 == index) {
        page.text(LEFT + indent, *baseline, SENTENCE_SIZE, text);
    }
    if let Some((_, top)) = layout.chart.filter(|c| c.0 == index) {
        chart(&mut page, top, &p.townships);
    }
    if let Some(items) = index.checked_sub(layout.table_page).and_then(|i| layout.rows.get(i)) {
        let mut top = if index == layout.table_page {
            layout.table_top
        } else {
            CONTENT_TOP
        };
        TABLE.header(&mut page, Band::new(top, HEADER_ROW), SIZE, &COLUMNS);
        top += HEADER_ROW;
        for (i, item) in p.items[items.clone()].iter().enumerate() {
            item_row(&mut page, top, items.start + i + 1, item);
            top += ROW;
        }
        if index + 1 == count {
            totals_row(&mut page, top, p);
            let note = "注：底色标出的为有预警标记（闲置、低收益、亏损、未确权等）的资产。";
            page.text(LEFT, top + ROW + 5.0, SIZE, note);
        }
    }
    let footer = format!("第 {} 页 共 {count} 页", index + 1);
    page.text_aligned(Align::Center, LEFT + WIDTH / 2.0, FOOTER_BASELINE, 9.0, &footer);
    page.into_page()
}

/// Places a block of `height` at `y` on `page`, or at the top of the next page when it does not
/// fit; returns the (page, top) and moves `y` below the block.
fn place(height: f32, y: &mut f32, page: &mut usize) -> (usize, f32) {
    if *y + height > CONTENT_LIMIT {
        *page += 1;
        *y = CONTENT_TOP;
    }
    let at = *y;
    *y += height;
    (*page, at)
}

/// Title, region and year, and the unit of the amounts.
fn heading(page: &mut Canvas, p: &Performance, title: &str) {
    page.text_aligned(Align::Center, LEFT + WIDTH / 2.0, 16.0, 16.0, title);
    let place = format!("区域：{}    年度：{}年", p.region_name, p.year);
    page.text(LEFT, 23.0, 9.0, &place);
    page.text_aligned(Align::Right, LEFT + WIDTH, 23.0, 9.0, "单位：元");
}

/// The region's totals, on the first page.
fn totals(page: &mut Canvas, p: &Performance) {
    let parts = [
        ("项目资产总投资", yuan_grouped(p.investment_fen)),
        ("年度净收益", yuan_grouped(p.net_income_fen)),
        ("资产收益率", p.yield_rate.clone()),
        ("受益户数", format!("{} 户", p.households)),
        ("受益人口", format!("{} 人", p.people)),
        ("人均受益", yuan_grouped(p.benefit_per_person_fen)),
        ("预警资产", format!("{} / {} 项", p.flagged(), p.items.len())),
    ];
    let widths = [WIDTH / 7.0; 7];
    let table = Table {
        left: LEFT,
        widths: &widths,
        aligns: &[Align::Center; 7],
    };
    let labels = parts.each_ref().map(|(label, _)| *label);
    let values = parts.map(|(_, value)| value);
    table.header(page, Band::new(CONTENT_TOP, SUMMARY_ROW), 9.0, &labels);
    table.row(page, Band::new(CONTENT_TOP + SUMMARY_ROW, SUMMARY_ROW), 10.0, &values);
}

/// Shading of a flagged item's row.
fn flag_fill() -> printpdf::Color {
    rgb(252, 228, 214)
}

fn item_row(page: &mut Canvas, top: f32, index: usize, i: &PerformanceItem) {
    let band = Band::new(top, ROW);
    if !i.flags.is_empty() {
        page.fill(LEFT, band, TABLE.width(), flag_fill());
    }
    let cells = [
        index.to_string(),
        i.project_name.clone(),
        i.asset_code.clone(),
        i.asset_name.clone(),
        i.township.clone(),
        i.kind_label.clone(),
        yuan_grouped(i.investment_fen),
        yuan_grouped(i.net_income_fen),
        i.yield_rate.clone(),
        i.households.to_string(),
        i.people.to_string(),
        yuan_grouped(i.benefit_per_person_fen),
        i.pv_hours.clone().unwrap_or_default(),
        flags_joined(&i.flags),
    ];
    TABLE.wrapping_row(page, band, SIZE, &cells);
}

/// 合计: the report's totals (households counted once across items).
fn totals_row(page: &mut Canvas, top: f32, p: &Performance) {
    let band = Band::new(top, ROW);
    page.shade(LEFT, band, TOTALS.width());
    let cells = [
        format!("合计（{} 项）", p.items.len()),
        yuan_grouped(p.investment_fen),
        yuan_grouped(p.net_income_fen),
        p.yield_rate.clone(),
        p.households.to_string(),
        p.people.to_string(),
        yuan_grouped(p.benefit_per_person_fen),
        String::new(),
        format!("预警 {} 项", p.flagged()),
    ];
    TOTALS.row(page, band, SIZE, &cells);
}

/// Height of the chart block: its title, the plot and the townships' names.
const CHART_HEIGHT: f32 = 66.0;
/// Inside the block: the plot's top and bottom, and the left margin for the axis labels.
const PLOT_TOP: f32 = 11.0;
const PLOT_BOTTOM: f32 = 57.0;
const AXIS_MARGIN: f32 = 16.0;
/// Height of a bar's value label.
const VALUE_LABEL: f32 = 4.5;

/// A vertical bar chart of the townships' yield rates with the rate over (or under) each bar.
fn chart(page: &mut Canvas, top: f32, townships: &[TownshipRate]) {
    page.text_aligned(
        Align::Center,
        LEFT + WIDTH / 2.0,
        top + 5.0,
        10.0,
        "各乡镇项目资产收益率",
    );
    let rates = townships.iter().map(|t| t.yield_rate_permille);
    let (mut low, high, step) = axis(rates.clone());
    let plot_left = LEFT + AXIS_MARGIN;
    let plot_width = WIDTH - AXIS_MARGIN;
    let (plot_top, plot_bottom) = (top + PLOT_TOP, top + PLOT_BOTTOM);
    // Room under the lowest bar for its label, or one more step.
    let lowest = rates.min().unwrap_or(0);
    if lowest < 0 && (lowest - low) as f32 / (high - low) as f32 * (plot_bottom - plot_top) < VALUE_LABEL {
        low -= step;
    }
    let y_of = |permille: i64| plot_bottom - (permille - low) as f32 / (high - low) as f32 * (plot_bottom - plot_top);
    // Gridlines and their labels.
    page.with_rules(grey(0.8), 0.3, |page| {
        let mut tick = low;
        while tick <= high {
            let y = y_of(tick);
            page.line((plot_left, y), (plot_left + plot_width, y));
            let label = tick_label(tick, step);
            page.text_aligned(Align::Right, plot_left - 1.5, y + 1.0, 7.0, &label);
            tick += step;
        }
    });
    let slot = plot_width / townships.len() as f32;
    let bar = (slot * 0.6).min(18.0);
    let zero = y_of(0);
    for (i, t) in townships.iter().enumerate() {
        let centre = plot_left + slot * (i as f32 + 0.5);
        let y = y_of(t.yield_rate_permille);
        let negative = t.yield_rate_permille < 0;
        let (band, colour) = if negative {
            (Band::new(zero, y - zero), rgb(214, 96, 77))
        } else {
            (Band::new(y, zero - y), rgb(68, 114, 196))
        };
        if band.height > 0.0 {
            page.fill(centre - bar / 2.0, band, bar, colour);
        }
        let label = permille_percent(t.yield_rate_permille);
        let label_band = if negative {
            Band::new(y + 0.5, VALUE_LABEL - 0.5)
        } else {
            Band::new(y - VALUE_LABEL, VALUE_LABEL - 0.5)
        };
        page.text_fitted(Align::Center, centre, label_band, 7.5, slot - 1.0, &label);
        let name_band = Band::new(plot_bottom + 1.0, 7.0);
        page.text_wrapped(Align::Center, centre, name_band, 8.0, slot - 1.0, &t.township);
    }
    // The axes.
    page.line((plot_left, plot_top), (plot_left, plot_bottom));
    page.line((plot_left, zero), (plot_left + plot_width, zero));
}

/// The value axis in ‰: (lowest, highest, step), with 0 in the range, round steps (1, 2 or 5
/// times a power of ten) and at most six of them.
fn axis(values: impl Iterator<Item = i64>) -> (i64, i64, i64) {
    let (min, max) = values.fold((0, 0), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let mut magnitude = 1;
    loop {
        for step in [magnitude, 2 * magnitude, 5 * magnitude] {
            let low = min.div_euclid(step) * step;
            let high = -((-max).div_euclid(step) * step);
            if (high - low) / step <= 6 {
                return (low, if high == low { low + step } else { high }, step);
            }
        }
        magnitude *= 10;
    }
}

/// A tick of the value axis as a percentage, without ".0" when the steps are whole percents.
fn tick_label(permille: i64, step: i64) -> String {
    if step % 10 == 0 {
        format!("{}%", permille / 10)
    } else {
        permille_percent(permille)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_holds_zero_and_every_value_in_round_steps() {
        assert_eq!(axis([52, 31, 80].into_iter()), (0, 80, 20));
        assert_eq!(axis([0, 0].into_iter()), (0, 1, 1));
        assert_eq!(axis([-12, 40].into_iter()), (-20, 40, 10));
        assert_eq!(axis([3].into_iter()), (0, 3, 1));
        assert_eq!(axis([-7].into_iter()), (-8, 0, 2));
        assert_eq!(axis([-5].into_iter()), (-5, 0, 1));
        assert_eq!(axis([-20, 40].into_iter()), (-20, 40, 10));
        assert_eq!(axis([1234].into_iter()), (0, 1500, 500));
        assert_eq!(tick_label(20, 10), "2%");
        assert_eq!(tick_label(5, 5), "0.5%");
    }
}
