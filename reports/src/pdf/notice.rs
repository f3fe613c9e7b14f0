//! 收益分配公示表: the village's distribution to every household, posted for public scrutiny.

use std::ops::Range;

use printpdf::{FontId, PdfPage};

use super::{A4_LANDSCAPE, Align, Band, Canvas, NONE, Table};
use crate::numerals::yuan_grouped;

/// One household's line of the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeLine {
    /// 户编号.
    pub number: String,
    pub head_name: String,
    pub id_number_masked: String,
    pub members: i32,
    pub status_label: String,
    /// 权重, formatted by the caller.
    pub weight: String,
    pub dividend_fen: i64,
    pub post_wage_fen: i64,
    pub incentive_fen: i64,
    pub total_fen: i64,
}

/// 收益分配公示表: how a village's yield was split and what every household received. Strings
/// are formatted by the caller; money is in fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub county: String,
    pub township: String,
    pub village: String,
    pub year: i32,
    pub plan_id: i32,
    /// 分配总额.
    pub amount_fen: i64,
    /// 集体留存.
    pub retention_fen: i64,
    /// 管理费.
    pub management_fen: i64,
    /// 小型公益事业.
    pub public_works_fen: i64,
    /// 公益岗位工资.
    pub post_wages_fen: i64,
    /// 奖励补助.
    pub incentives_fen: i64,
    /// 分红.
    pub dividends_fen: i64,
    /// First day of the 公示期.
    pub notice_from: Option<String>,
    /// Last day of the 公示期.
    pub notice_to: Option<String>,
    /// The deliberation steps (四议) as (step, date), e.g. ("村党组织提议", "2025-06-20").
    pub deliberations: Vec<(String, String)>,
    /// 监督电话.
    pub supervision_phone: String,
    pub lines: Vec<NoticeLine>,
}

const LEFT: f32 = 15.0;
const WIDTH: f32 = 267.0;
const SIZE: f32 = 9.0;
const HEADER_ROW: f32 = 7.0;
const ROW: f32 = 6.0;
/// Where the household table starts on the first page (below the summary) and on the others.
const FIRST_TABLE_TOP: f32 = 43.0;
const TABLE_TOP: f32 = 27.0;
/// The table must end above this, leaving room for the page number.
const TABLE_LIMIT: f32 = 192.0;
/// Height of 公示期, deliberations, 监督电话 and the signature and seal places on the last page.
const CLOSING_HEIGHT: f32 = 55.0;

const COLUMNS: [&str; 11] = [
    "序号",
    "户编号",
    "户主",
    "身份证号",
    "人口",
    "户类别",
    "权重",
    "分红",
    "岗位工资",
    "奖励",
    "合计",
];
const WIDTHS: [f32; 11] = [10.0, 24.0, 22.0, 42.0, 11.0, 24.0, 16.0, 30.0, 28.0, 26.0, 34.0];
const ALIGNS: [Align; 11] = [
    Align::Center,
    Align::Center,
    Align::Left,
    Align::Center,
    Align::Center,
    Align::Center,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
];
const TABLE: Table = Table {
    left: LEFT,
    widths: &WIDTHS,
    aligns: &ALIGNS,
};
/// The totals row spans 序号..身份证号 and 户类别..权重.
const TOTALS: Table = Table {
    left: LEFT,
    widths: &[98.0, 11.0, 40.0, 30.0, 28.0, 26.0, 34.0],
    aligns: &[
        Align::Center,
        Align::Center,
        Align::Center,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
    ],
};

/// The notice as an A4 landscape PDF, as many pages as the households need, each with the
/// table header and 第 N 页 共 M 页; the last page closes with the totals, 公示期, the
/// deliberation dates, 监督电话 and the places to sign and seal.
pub fn notice_pdf(n: &Notice) -> Vec<u8> {
    let title = format!("{}{}年度收益分配公示表", n.village, n.year);
    super::save(&title, |font| {
        let pages = paginate(n.lines.len());
        let count = pages.len();
        pages
            .into_iter()
            .enumerate()
            .map(|(i, range)| page(font, n, &title, i + 1, count, range))
            .collect()
    })
}

fn page(font: &FontId, n: &Notice, title: &str, number: usize, count: usize, lines: Range<usize>) -> PdfPage {
    let mut page = Canvas::new(font, A4_LANDSCAPE);
    heading(&mut page, n, title);
    let mut top = TABLE_TOP;
    if number == 1 {
        summary(&mut page, n);
        top = FIRST_TABLE_TOP;
    }
    TABLE.header(&mut page, Band::new(top, HEADER_ROW), SIZE, &COLUMNS);
    top += HEADER_ROW;
    for (i, line) in n.lines[lines.clone()].iter().enumerate() {
        line_row(&mut page, top, lines.start + i + 1, line);
        top += ROW;
    }
    if number == count {
        totals_row(&mut page, top, &n.lines);
        closing(&mut page, top + ROW, n);
    }
    let footer = format!("第 {number} 页 共 {count} 页");
    page.text_aligned(Align::Center, LEFT + WIDTH / 2.0, 202.0, SIZE, &footer);
    page.into_page()
}

/// Title, place and plan, and the unit of the amounts.
fn heading(page: &mut Canvas, n: &Notice, title: &str) {
    page.text_aligned(Align::Center, LEFT + WIDTH / 2.0, 16.0, 16.0, title);
    let place = format!("{}{}{}    方案编号：{}", n.county, n.township, n.village, n.plan_id);
    page.text(LEFT, 23.0, SIZE, &place);
    page.text_aligned(Align::Right, LEFT + WIDTH, 23.0, SIZE, "单位：元");
}

/// How the pool was split, on the first page.
fn summary(page: &mut Canvas, n: &Notice) {
    let parts = [
        ("分配总额", n.amount_fen),
        ("集体留存", n.retention_fen),
        ("管理费", n.management_fen),
        ("小型公益事业", n.public_works_fen),
        ("公益岗位工资", n.post_wages_fen),
        ("奖励补助", n.incentives_fen),
        ("分红", n.dividends_fen),
    ];
    let widths = [WIDTH / 7.0; 7];
    let table = Table {
        left: LEFT,
        widths: &widths,
        aligns: &[Align::Right; 7],
    };
    let labels = parts.map(|(label, _)| label);
    let amounts = parts.map(|(_, fen)| yuan_grouped(fen));
    table.header(page, Band::new(26.0, ROW), SIZE, &labels);
    table.row(page, Band::new(26.0 + ROW, ROW), SIZE, &amounts);
}

fn line_row(page: &mut Canvas, top: f32, index: usize, l: &NoticeLine) {
    let cells = [
        index.to_string(),
        l.number.clone(),
        l.head_name.clone(),
        l.id_number_masked.clone(),
        l.members.to_string(),
        l.status_label.clone(),
        l.weight.clone(),
        yuan_grouped(l.dividend_fen),
        yuan_grouped(l.post_wage_fen),
        yuan_grouped(l.incentive_fen),
        yuan_grouped(l.total_fen),
    ];
    TABLE.row(page, Band::new(top, ROW), SIZE, &cells);
}

/// 合计: the sums of the lines above (of all pages).
fn totals_row(page: &mut Canvas, top: f32, lines: &[NoticeLine]) {
    let sum = |f: fn(&NoticeLine) -> i64| lines.iter().map(f).sum::<i64>();
    let cells = [
        format!("合计（{} 户）", lines.len()),
        sum(|l| i64::from(l.members)).to_string(),
        String::new(),
        yuan_grouped(sum(|l| l.dividend_fen)),
        yuan_grouped(sum(|l| l.post_wage_fen)),
        yuan_grouped(sum(|l| l.incentive_fen)),
        yuan_grouped(sum(|l| l.total_fen)),
    ];
    TOTALS.row(page, Band::new(top, ROW), SIZE, &cells);
}

/// 公示期, the deliberation dates and 监督电话 in one table, then the places to sign and seal.
fn closing(page: &mut Canvas, top: f32, n: &Notice) {
    let period = format!(
        "{} 至 {}",
        n.notice_from.as_deref().unwrap_or(NONE),
        n.notice_to.as_deref().unwrap_or(NONE)
    );
    let mut labels = vec!["公示期"];
    let mut values = vec![period.as_str()];
    for (step, date) in &n.deliberations {
        labels.push(step);
        values.push(date);
    }
    labels.push("监督电话");
    values.push(&n.supervision_phone);
    let widths = closing_widths(n.deliberations.len());
    let table = Table {
        left: LEFT,
        widths: &widths,
        aligns: &vec![Align::Center; widths.len()],
    };
    let band = Band::new(top + 5.0, HEADER_ROW);
    table.header(page, band, SIZE, &labels);
    table.row(page, Band::new(band.bottom(), HEADER_ROW), SIZE, &values);
    let baseline = band.bottom() + HEADER_ROW + 12.0;
    let places = [
        "村党组织（盖章）",
        "村民委员会（盖章）",
        "村务监督委员会",
        "日期：      年    月    日",
    ];
    for (i, place) in places.iter().enumerate() {
        page.text(LEFT + 4.0 + i as f32 * WIDTH / 4.0, baseline, 10.0, place);
    }
}

/// 公示期 60 mm, 监督电话 40 mm, the deliberation steps share the rest.
fn closing_widths(steps: usize) -> Vec<f32> {
    let step = (WIDTH - 100.0) / steps.max(1) as f32;
    let mut widths = vec![60.0];
    widths.extend(std::iter::repeat_n(step, steps));
    widths.push(if steps == 0 { WIDTH - 60.0 } else { 40.0 });
    widths
}

/// Splits `lines` households into pages: full pages, then a last page that also has room for
/// the totals row and the closing block. Always at least one page.
fn paginate(lines: usize) -> Vec<Range<usize>> {
    super::paginate(lines, |page, last| {
        let top = if page == 0 { FIRST_TABLE_TOP } else { TABLE_TOP };
        let room = TABLE_LIMIT - top - HEADER_ROW;
        let closing = if last { ROW + CLOSING_HEIGHT } else { 0.0 };
        ((room - closing) / ROW).floor() as isize
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(lines: usize) -> Vec<usize> {
        paginate(lines).iter().map(ExactSizeIterator::len).collect()
    }

    #[test]
    fn pagination_keeps_every_line_in_order() {
        for lines in [0, 1, 12, 13, 14, 30, 250, 2000] {
            let pages = paginate(lines);
            assert_eq!(pages.first().unwrap().start, 0);
            assert_eq!(pages.last().unwrap().end, lines);
            assert!(pages.windows(2).all(|w| w[0].end == w[1].start), "{lines}: {pages:?}");
        }
    }

    #[test]
    fn pages_are_full_except_the_last_which_has_room_to_close() {
        // The first page holds 23 lines (13 if it is also the last), the others 26 (16).
        assert_eq!(sizes(0), [0]);
        assert_eq!(sizes(13), [13]);
        assert_eq!(sizes(14), [13, 1]);
        assert_eq!(sizes(23), [22, 1]);
        assert_eq!(sizes(39), [23, 16]);
        assert_eq!(sizes(40), [23, 16, 1]);
        assert_eq!(sizes(23 + 26 + 16), [23, 26, 16]);
    }
}
