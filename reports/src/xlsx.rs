//! Spreadsheets: the asset ledger (资产台账, also as CSV) and the performance report (绩效报告).
//!
//! Every sheet has a title row, a bold shaded header row of Chinese column names frozen under it,
//! column widths fitted to the content, and typed cells: money as numbers in yuan shown with two
//! decimals (`#,##0.00`), counts as integers, dates as dates, rates as percentages.

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartFormat, ChartSolidFill, ChartType, ColNum, Color, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};

use crate::performance::flags_joined;
pub use crate::performance::{Performance, PerformanceItem, TownshipRate};
use crate::yuan;

/// One asset of the 资产台账.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub asset_code: String,
    pub asset_name: String,
    pub project_code: String,
    pub project_name: String,
    pub township: String,
    pub village: String,
    /// 资产类别, e.g. "经营性".
    pub class_label: String,
    /// 资产形态, e.g. "固定资产".
    pub form_label: String,
    /// 资产价值.
    pub value_fen: i64,
    /// The asset's share of each funding source: (source label, e.g. "中央财政衔接资金", amount).
    pub funding: Vec<(String, i64)>,
    /// 产权归属, e.g. "南关村 60.00%; 北关村 40.00%".
    pub owners: String,
    /// 经营方式.
    pub operation_label: String,
    /// 经营主体.
    pub operator: String,
    /// 资产状态.
    pub status_label: String,
    /// 形成日期, "YYYY-MM-DD" (written as a date cell when it is one).
    pub formed_on: String,
    /// 累计收益.
    pub cumulative_income_fen: i64,
}

/// The 资产台账 as an XLSX workbook with one sheet: a column per funding source label (in the
/// order first seen) and their 资金合计, and a last 合计 row of every money column.
///
/// # Panics
/// Only if the ledger has more rows than a sheet holds (1,048,574 assets).
pub fn ledger_xlsx(title: &str, rows: &[LedgerRow]) -> Vec<u8> {
    finish(write_ledger(title, rows))
}

/// The 资产台账 as CSV: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), the same header
/// and columns as [`ledger_xlsx`] and no totals row; amounts in yuan without separators
/// (`"1234.56"`).
pub fn ledger_csv(rows: &[LedgerRow]) -> Vec<u8> {
    let sources = funding_sources(rows);
    let mut w = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    // Writing to a Vec cannot fail, and every record has the header's length.
    let ok = "writing CSV to memory";
    w.write_record(ledger_header(&sources)).expect(ok);
    for row in rows {
        w.write_record(ledger_cells(row, &sources).iter().map(Cell::plain))
            .expect(ok);
    }
    w.into_inner().expect(ok)
}

/// The 绩效报告 as an XLSX workbook: sheet 汇总 with the totals, the summary sentences and the
/// yield rate of every township (with a column chart), and sheet 明细 with one row per item.
///
/// # Panics
/// Only if the report has more items than a sheet holds (1,048,573).
pub fn performance_xlsx(p: &Performance) -> Vec<u8> {
    finish(write_performance(p))
}

fn finish(result: Result<Vec<u8>, XlsxError>) -> Vec<u8> {
    result.unwrap_or_else(|e| panic!("the workbook could not be written: {e}"))
}

/// The most characters (UTF-16 units) a cell holds.
const MAX_CELL_TEXT: usize = 32_767;
/// Column widths in characters of the default font.
const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 48.0;
/// The sheets' first rows: the title, then the column header; data starts below.
const TITLE_ROW: RowNum = 0;
const HEADER_ROW: RowNum = 1;
const FIRST_DATA_ROW: RowNum = 2;
/// Page setup: A4 in Excel's paper numbering.
const A4: u8 = 9;

/// A typed cell value.
enum Cell {
    Text(String),
    /// Money in fen, written as yuan.
    Money(i64),
    Integer(i64),
    /// A date "YYYY-MM-DD", or any other text.
    Date(String),
    /// A decimal like "5.23%" (a percentage) or "1180.5", or any other text.
    Decimal(String),
    Blank,
}

impl Cell {
    /// The value as the caller wrote it, for CSV: money as `"1234.56"`.
    fn plain(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Date(s) | Cell::Decimal(s) => s.clone(),
            Cell::Money(fen) => yuan(*fen),
            Cell::Integer(n) => n.to_string(),
            Cell::Blank => String::new(),
        }
    }

    /// Roughly how many characters wide the shown value is.
    fn shown_width(&self) -> f64 {
        match self {
            Cell::Money(fen) => crate::numerals::yuan_grouped(*fen).len() as f64,
            Cell::Integer(n) => (n.to_string().len() * 4 / 3) as f64,
            Cell::Date(_) => 10.0,
            other => display_width(&other.plain()),
        }
    }
}

/// Width of `text` in characters of the default font: a CJK or full-width character takes two.
fn display_width(text: &str) -> f64 {
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                1.0
            } else if wide(c) {
                2.05
            } else {
                1.2
            }
        })
        .sum()
}

fn wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Text cut to what a cell holds.
fn cell_text(text: &str) -> &str {
    if text.len() <= MAX_CELL_TEXT {
        return text;
    }
    let mut units = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_TEXT {
            return &text[..i];
        }
    }
    text
}

/// A decimal written as text ("5.23", "-0.5") as (digits without the point, decimals), e.g.
/// (523, 2); `None` for anything else.
fn parse_decimal(text: &str) -> Option<(i64, usize)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || body.ends_with('.') || body.len() > 15 {
        return None;
    }
    let digits: i64 = format!("{whole}{fraction}").parse().ok()?;
    Some((if negative { -digits } else { digits }, fraction.len()))
}

/// `digits` / 10^`scale` as the double nearest to that decimal: both are exact integers below
/// 2^53 and IEEE division rounds correctly, so the cell shows back exactly the decimal.
fn decimal_value(digits: i64, scale: usize) -> f64 {
    digits as f64 / 10f64.powi(scale as i32)
}

/// Yuan from fen, for a number cell; only at this output boundary is money a float. The value is
/// exact to the fen because it has two decimals: fen is an exact f64 and dividing it by 100 rounds
/// correctly, so the cell holds the double nearest to the two-decimal amount, which Excel (keeping
/// 15 significant digits, i.e. below 10^13 yuan) and the `#,##0.00` format show back exactly.
fn yuan_value(fen: i64) -> f64 {
    decimal_value(fen, 2)
}

/// The number format showing `decimals` places (`0.00`, or `0` for none), with a suffix.
fn decimal_format(decimals: usize, grouped: bool, suffix: &str) -> String {
    let whole = if grouped { "#,##0" } else { "0" };
    if decimals == 0 {
        format!("{whole}{suffix}")
    } else {
        format!("{whole}.{}{suffix}", "0".repeat(decimals))
    }
}

/// The workbook's cell styles.
struct Styles {
    title: Format,
    unit: Format,
    header: Format,
    label: Format,
    text: Format,
    money: Format,
    integer: Format,
    date: Format,
    /// Data cells that need attention (预警).
    flag: Format,
    total: Format,
    total_money: Format,
    total_integer: Format,
}

const HEADER_FILL: u32 = 0xD9E1F2;
const TOTAL_FILL: u32 = 0xF2F2F2;
const FLAG_FILL: u32 = 0xFCE4D6;
const FLAG_FONT: u32 = 0xC00000;
const MONEY_FORMAT: &str = "#,##0.00";
const INTEGER_FORMAT: &str = "#,##0";

impl Styles {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let total = cell.clone().set_bold().set_background_color(Color::RGB(TOTAL_FILL));
        Self {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::VerticalCenter),
            unit: Format::new()
                .set_align(FormatAlign::Right)
                .set_align(FormatAlign::Bottom),
            header: cell
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(HEADER_FILL))
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            label: cell.clone().set_background_color(Color::RGB(TOTAL_FILL)),
            text: cell.clone(),
            money: cell.clone().set_num_format(MONEY_FORMAT),
            integer: cell.clone().set_num_format(INTEGER_FORMAT),
            date: cell.clone().set_num_format("yyyy-mm-dd").set_align(FormatAlign::Center),
            flag: cell
                .clone()
                .set_font_color(Color::RGB(FLAG_FONT))
                .set_background_color(Color::RGB(FLAG_FILL)),
            total_money: total.clone().set_num_format(MONEY_FORMAT),
            total_integer: total.clone().set_num_format(INTEGER_FORMAT),
            total,
        }
    }
}

/// A sheet being written: tracks each column's width from what goes into it.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    styles: &'a Styles,
    widths: Vec<f64>,
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet, styles: &'a Styles, name: &str) -> Result<Self, XlsxError> {
        ws.set_name(name)?;
        ws.set_paper_size(A4);
        Ok(Self {
            ws,
            styles,
            widths: Vec::new(),
        })
    }

    fn fit(&mut self, col: ColNum, width: f64) {
        let col = usize::from(col);
        if self.widths.len() <= col {
            self.widths.resize(col + 1, MIN_WIDTH);
        }
        self.widths[col] = self.widths[col].max(width + 2.0);
    }

    /// The title, merged over the columns but the last, and "单位：元" in the last.
    fn title(&mut self, title: &str, columns: ColNum) -> Result<(), XlsxError> {
        self.ws.set_row_height(TITLE_ROW, 24)?;
        let last = columns.saturating_sub(2);
        if last > 0 {
            self.ws
                .merge_range(TITLE_ROW, 0, TITLE_ROW, last, cell_text(title), &self.styles.title)?;
        } else {
            self.ws
                .write_string_with_format(TITLE_ROW, 0, cell_text(title), &self.styles.title)?;
        }
        self.ws
            .write_string_with_format(TITLE_ROW, last + 1, "单位：元", &self.styles.unit)?;
        Ok(())
    }

    /// The header row at `row`, frozen with the rows above it and `frozen_columns` columns, with
    /// a filter over the data below and repeated on every printed page.
    fn header(&mut self, row: RowNum, titles: &[String], frozen_columns: ColNum) -> Result<(), XlsxError> {
        for (col, title) in (0..).zip(titles) {
            self.ws
                .write_string_with_format(row, col, cell_text(title), &self.styles.header)?;
            self.fit(col, display_width(title) * 1.1);
        }
        self.ws.set_row_height(row, 30)?;
        self.ws.set_freeze_panes(row + 1, frozen_columns)?;
        self.ws.set_repeat_rows(row, row)?;
        Ok(())
    }

    /// A filter on the header at `header` over the data rows down to `last_row`.
    fn filter(&mut self, header: RowNum, last_row: RowNum, columns: ColNum) -> Result<(), XlsxError> {
        if columns > 0 {
            self.ws.autofilter(header, 0, last_row.max(header), columns - 1)?;
        }
        Ok(())
    }

    /// One data row; `alert` marks the columns to highlight.
    fn row(&mut self, row: RowNum, cells: &[Cell], alert: impl Fn(ColNum) -> bool) -> Result<(), XlsxError> {
        for (col, cell) in (0..).zip(cells) {
            let s = self.styles;
            let text_format = if alert(col) { &s.flag } else { &s.text };
            self.cell(row, col, cell, text_format, &s.money, &s.integer, &s.date)?;
        }
        Ok(())
    }

    /// The totals row: bold, shaded.
    fn totals(&mut self, row: RowNum, cells: &[Cell]) -> Result<(), XlsxError> {
        let s = self.styles;
        for (col, cell) in (0..).zip(cells) {
            self.cell(row, col, cell, &s.total, &s.total_money, &s.total_integer, &s.total)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn cell(
        &mut self,
        row: RowNum,
        col: ColNum,
        cell: &Cell,
        text: &Format,
        money: &Format,
        integer: &Format,
        date: &Format,
    ) -> Result<(), XlsxError> {
        self.fit(col, cell.shown_width());
        let ws = &mut *self.ws;
        match cell {
            Cell::Text(s) => ws.write_string_with_format(row, col, cell_text(s), text)?,
            Cell::Money(fen) => ws.write_number_with_format(row, col, yuan_value(*fen), money)?,
            Cell::Integer(n) => ws.write_number_with_format(row, col, *n as f64, integer)?,
            Cell::Date(s) => match parse_date(s) {
                Some(d) => ws.write_datetime_with_format(row, col, d, date)?,
                None => ws.write_string_with_format(row, col, cell_text(s), text)?,
            },
            Cell::Decimal(s) => {
                let (number, percent) = match s.strip_suffix('%') {
                    Some(n) => (n, true),
                    None => (s.as_str(), false),
                };
                match parse_decimal(number) {
                    Some((digits, decimals)) => {
                        let (value, suffix) = if percent {
                            (decimal_value(digits, decimals + 2), "%")
                        } else {
                            (decimal_value(digits, decimals), "")
                        };
                        let format = text
                            .clone()
                            .set_num_format(decimal_format(decimals, !percent, suffix))
                            .set_align(FormatAlign::Right);
                        ws.write_number_with_format(row, col, value, &format)?
                    }
                    None => ws.write_string_with_format(row, col, cell_text(s), text)?,
                }
            }
            Cell::Blank => ws.write_blank(row, col, text)?,
        };
        Ok(())
    }

    fn set_widths(&mut self) -> Result<(), XlsxError> {
        for (col, &width) in (0..).zip(&self.widths) {
            self.ws.set_column_width(col, width.clamp(MIN_WIDTH, MAX_WIDTH))?;
        }
        Ok(())
    }
}

/// "YYYY-MM-DD" as a date; `None` for anything else.
fn parse_date(text: &str) -> Option<ExcelDateTime> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return None;
    }
    let (year, month, day) = (
        text[..4].parse().ok()?,
        text[5..7].parse().ok()?,
        text[8..].parse().ok()?,
    );
    ExcelDateTime::from_ymd(year, month, day).ok()
}

fn column(n: usize) -> ColNum {
    ColNum::try_from(n).unwrap_or(ColNum::MAX)
}

// ---------------------------------------------------------------------------------------------
// 资产台账

/// The funding source labels of all rows, each once, in the order first seen.
fn funding_sources(rows: &[LedgerRow]) -> Vec<String> {
    let mut sources: Vec<String> = Vec::new();
    for (label, _) in rows.iter().flat_map(|r| &r.funding) {
        if !sources.contains(label) {
            sources.push(label.clone());
        }
    }
    sources
}

/// Columns before the funding sources; 资产价值 is the last of them.
const LEDGER_LEADING: [&str; 9] = [
    "资产编号",
    "资产名称",
    "项目编号",
    "项目名称",
    "乡镇",
    "村",
    "资产类别",
    "资产形态",
    "资产价值",
];
/// Columns after the funding sources.
const LEDGER_TRAILING: [&str; 7] = [
    "资金合计",
    "产权归属",
    "经营方式",
    "经营主体",
    "资产状态",
    "形成日期",
    "累计收益",
];

fn ledger_header(sources: &[String]) -> Vec<String> {
    LEDGER_LEADING
        .iter()
        .map(|s| (*s).to_owned())
        .chain(sources.iter().cloned())
        .chain(LEDGER_TRAILING.iter().map(|s| (*s).to_owned()))
        .collect()
}

/// The asset's amount from a source: the sum of its lines with that label, if it has any.
fn source_amount(row: &LedgerRow, source: &str) -> Option<i64> {
    row.funding
        .iter()
        .filter(|(label, _)| label == source)
        .map(|(_, fen)| *fen)
        .reduce(|a, b| a + b)
}

fn ledger_cells(r: &LedgerRow, sources: &[String]) -> Vec<Cell> {
    let mut cells = vec![
        Cell::Text(r.asset_code.clone()),
        Cell::Text(r.asset_name.clone()),
        Cell::Text(r.project_code.clone()),
        Cell::Text(r.project_name.clone()),
        Cell::Text(r.township.clone()),
        Cell::Text(r.village.clone()),
        Cell::Text(r.class_label.clone()),
        Cell::Text(r.form_label.clone()),
        Cell::Money(r.value_fen),
    ];
    cells.extend(
        sources
            .iter()
            .map(|s| source_amount(r, s).map_or(Cell::Blank, Cell::Money)),
    );
    cells.extend([
        Cell::Money(r.funding.iter().map(|(_, fen)| fen).sum()),
        Cell::Text(r.owners.clone()),
        Cell::Text(r.operation_label.clone()),
        Cell::Text(r.operator.clone()),
        Cell::Text(r.status_label.clone()),
        Cell::Date(r.formed_on.clone()),
        Cell::Money(r.cumulative_income_fen),
    ]);
    cells
}

/// 合计: the count of assets and the sum of every money column.
fn ledger_totals(rows: &[LedgerRow], sources: &[String]) -> Vec<Cell> {
    let sum = |f: &dyn Fn(&LedgerRow) -> i64| rows.iter().map(f).sum::<i64>();
    let mut cells = vec![Cell::Text("合计".into()), Cell::Text(format!("共 {} 项", rows.len()))];
    cells.extend((2..LEDGER_LEADING.len() - 1).map(|_| Cell::Blank));
    cells.push(Cell::Money(sum(&|r| r.value_fen)));
    cells.extend(
        sources
            .iter()
            .map(|s| Cell::Money(sum(&|r| source_amount(r, s).unwrap_or(0)))),
    );
    cells.push(Cell::Money(sum(&|r| r.funding.iter().map(|(_, fen)| fen).sum())));
    cells.extend((0..LEDGER_TRAILING.len() - 2).map(|_| Cell::Blank));
    cells.push(Cell::Money(sum(&|r| r.cumulative_income_fen)));
    cells
}

fn write_ledger(title: &str, rows: &[LedgerRow]) -> Result<Vec<u8>, XlsxError> {
    let sources = funding_sources(rows);
    let header = ledger_header(&sources);
    let columns = column(header.len());
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(cell_text(title)));
    let mut sheet = Sheet::new(workbook.add_worksheet(), &styles, "资产台账")?;
    sheet.ws.set_landscape().set_print_fit_to_pages(1, 0);
    sheet.title(title, columns)?;
    // Freeze 资产编号 and 资产名称 too: the ledger is wide.
    sheet.header(HEADER_ROW, &header, 2)?;
    let mut row = FIRST_DATA_ROW;
    for r in rows {
        sheet.row(row, &ledger_cells(r, &sources), |_| false)?;
        row += 1;
    }
    sheet.filter(HEADER_ROW, row - 1, columns)?;
    sheet.totals(row, &ledger_totals(rows, &sources))?;
    sheet.set_widths()?;
    workbook.save_to_buffer()
}

// ---------------------------------------------------------------------------------------------
// 绩效报告

const ITEM_HEADER: [&str; 15] = [
    "序号",
    "项目编号",
    "项目名称",
    "资产编号",
    "资产名称",
    "乡镇",
    "类型",
    "投资额",
    "年度净收益",
    "收益率",
    "受益户数",
    "受益人口",
    "人均受益",
    "等效利用小时数",
    "预警标记",
];
/// The column of 预警标记.
const FLAG_COLUMN: ColNum = 14;

fn item_cells(index: usize, i: &PerformanceItem) -> Vec<Cell> {
    vec![
        Cell::Integer(index as i64),
        Cell::Text(i.project_code.clone()),
        Cell::Text(i.project_name.clone()),
        Cell::Text(i.asset_code.clone()),
        Cell::Text(i.asset_name.clone()),
        Cell::Text(i.township.clone()),
        Cell::Text(i.kind_label.clone()),
        Cell::Money(i.investment_fen),
        Cell::Money(i.net_income_fen),
        Cell::Decimal(i.yield_rate.clone()),
        Cell::Integer(i.households),
        Cell::Integer(i.people),
        Cell::Money(i.benefit_per_person_fen),
        i.pv_hours.clone().map_or(Cell::Blank, Cell::Decimal),
        Cell::Text(flags_joined(&i.flags)),
    ]
}

/// 合计 of the 明细: the report's totals (households counted once across items).
fn item_totals(p: &Performance) -> Vec<Cell> {
    let mut cells = vec![
        Cell::Text("合计".into()),
        Cell::Text(format!("共 {} 项", p.items.len())),
    ];
    cells.extend((2..7).map(|_| Cell::Blank));
    cells.extend([
        Cell::Money(p.investment_fen),
        Cell::Money(p.net_income_fen),
        Cell::Decimal(p.yield_rate.clone()),
        Cell::Integer(p.households),
        Cell::Integer(p.people),
        Cell::Money(p.benefit_per_person_fen),
        Cell::Blank,
        Cell::Text(format!("预警 {} 项", p.flagged())),
    ]);
    cells
}

fn write_performance(p: &Performance) -> Result<Vec<u8>, XlsxError> {
    let title = p.title();
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(cell_text(&title)));
    summary_sheet(workbook.add_worksheet(), &styles, p, &title)?;
    items_sheet(workbook.add_worksheet(), &styles, p, &title)?;
    workbook.save_to_buffer()
}

const SUMMARY_SHEET: &str = "汇总";

/// 汇总: 指标 / 数值 / 单位, the summary sentences, and the townships' yield rates with a chart.
fn summary_sheet(ws: &mut Worksheet, styles: &Styles, p: &Performance, title: &str) -> Result<(), XlsxError> {
    let mut sheet = Sheet::new(ws, styles, SUMMARY_SHEET)?;
    sheet.ws.set_row_height(TITLE_ROW, 24)?;
    sheet
        .ws
        .merge_range(TITLE_ROW, 0, TITLE_ROW, 2, cell_text(title), &styles.title)?;
    let header = ["指标", "数值", "单位"].map(String::from);
    sheet.header(HEADER_ROW, &header, 0)?;
    let figures = [
        ("地区", Cell::Text(p.region_name.clone()), ""),
        ("年度", Cell::Text(p.year.to_string()), "年"),
        ("项目资产总投资", Cell::Money(p.investment_fen), "元"),
        ("年度净收益", Cell::Money(p.net_income_fen), "元"),
        ("资产收益率", Cell::Decimal(p.yield_rate.clone()), ""),
        ("受益户数", Cell::Integer(p.households), "户"),
        ("受益人口", Cell::Integer(p.people), "人"),
        ("人均受益", Cell::Money(p.benefit_per_person_fen), "元"),
        ("明细项数", Cell::Integer(p.items.len() as i64), "项"),
        ("预警项数", Cell::Integer(p.flagged() as i64), "项"),
    ];
    let mut row = FIRST_DATA_ROW;
    for (label, value, unit) in figures {
        let unit = Cell::Text(unit.into());
        sheet.row(row, &[Cell::Blank, value, unit], |_| false)?;
        sheet.ws.write_string_with_format(row, 0, label, &styles.label)?;
        sheet.fit(0, display_width(label));
        row += 1;
    }
    if !p.summary.is_empty() {
        row += 1;
        sheet.ws.write_string_with_format(row, 0, "绩效概述", &styles.title)?;
        row += 1;
        for sentence in &p.summary {
            // Left to run on over the empty cells to its right.
            sheet.ws.write_string(row, 0, cell_text(sentence))?;
            row += 1;
        }
    }
    if !p.townships.is_empty() {
        row += 1;
        township_rates(&mut sheet, row, &p.townships)?;
    }
    sheet.set_widths()
}

/// The table 乡镇 / 收益率 at `top`, and a column chart of it to its right.
fn township_rates(sheet: &mut Sheet, top: RowNum, townships: &[TownshipRate]) -> Result<(), XlsxError> {
    let styles = sheet.styles;
    sheet.ws.write_string_with_format(top, 0, "乡镇", &styles.header)?;
    sheet.ws.write_string_with_format(top, 1, "收益率", &styles.header)?;
    let percent = styles.text.clone().set_num_format("0.0%");
    let mut row = top + 1;
    for t in townships {
        sheet.row(row, &[Cell::Text(t.township.clone())], |_| false)?;
        // ‰ → a fraction: an exact integer over 1000, rounded once.
        let rate = decimal_value(t.yield_rate_permille, 3);
        sheet.ws.write_number_with_format(row, 1, rate, &percent)?;
        row += 1;
    }
    let last = row - 1;
    let mut chart = Chart::new(ChartType::Column);
    chart.title().set_name("各乡镇项目资产收益率");
    chart.legend().set_hidden();
    chart.y_axis().set_num_format("0.0%");
    chart.set_width(640).set_height(320);
    chart
        .add_series()
        .set_name("收益率")
        .set_categories((SUMMARY_SHEET, top + 1, 0, last, 0))
        .set_values((SUMMARY_SHEET, top + 1, 1, last, 1))
        .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(0x4472C4))))
        .set_data_label(ChartDataLabel::new().show_value().set_num_format("0.0%"));
    sheet.ws.insert_chart(top, 3, &chart)?;
    Ok(())
}

/// 明细: one row per item, flagged items' 预警标记 highlighted, and the report's totals.
fn items_sheet(ws: &mut Worksheet, styles: &Styles, p: &Performance, title: &str) -> Result<(), XlsxError> {
    let mut sheet = Sheet::new(ws, styles, "明细")?;
    sheet.ws.set_landscape().set_print_fit_to_pages(1, 0);
    let columns = column(ITEM_HEADER.len());
    sheet.title(&format!("{title}明细"), columns)?;
    sheet.header(HEADER_ROW, &ITEM_HEADER.map(String::from), 0)?;
    let mut row = FIRST_DATA_ROW;
    for (i, item) in p.items.iter().enumerate() {
        let flagged = !item.flags.is_empty();
        sheet.row(row, &item_cells(i + 1, item), |col| flagged && col == FLAG_COLUMN)?;
        row += 1;
    }
    sheet.filter(HEADER_ROW, row - 1, columns)?;
    sheet.totals(row, &item_totals(p))?;
    sheet.set_widths()
}

// ---------------------------------------------------------------------------------------------
// 导入导出的表格: rosters and lists in the layouts county offices import, and import reports

/// A typed cell of an exported table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableCell {
    Text(String),
    /// Money in fen, written as yuan with two decimals.
    Money(i64),
    Integer(i64),
    /// A date "YYYY-MM-DD" (a date cell), or any other text.
    Date(String),
    /// A decimal such as "1.2" (a number cell), or any other text.
    Decimal(String),
    Blank,
}

impl TableCell {
    fn cell(&self) -> Cell {
        match self {
            TableCell::Text(s) => Cell::Text(s.clone()),
            TableCell::Money(f) => Cell::Money(*f),
            TableCell::Integer(n) => Cell::Integer(*n),
            TableCell::Date(s) => Cell::Date(s.clone()),
            TableCell::Decimal(s) => Cell::Decimal(s.clone()),
            TableCell::Blank => Cell::Blank,
        }
    }
}

/// A table as an XLSX workbook with one sheet named `sheet_name`: the header in row 1 (so the
/// file imports back as it is), frozen and filtered, typed cells below. Text cells stay text, so
/// ID numbers and accounts keep every digit.
///
/// # Panics
/// Only if the table has more rows than a sheet holds.
pub fn table_xlsx(sheet_name: &str, headers: &[String], rows: &[Vec<TableCell>]) -> Vec<u8> {
    finish(write_table(sheet_name, headers, rows))
}

fn write_table(sheet_name: &str, headers: &[String], rows: &[Vec<TableCell>]) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    let mut sheet = Sheet::new(workbook.add_worksheet(), &styles, sheet_name)?;
    sheet.header(0, headers, 1)?;
    let mut row: RowNum = 1;
    for r in rows {
        let cells: Vec<Cell> = r.iter().map(TableCell::cell).collect();
        sheet.row(row, &cells, |_| false)?;
        row += 1;
    }
    sheet.filter(0, row - 1, column(headers.len()))?;
    sheet.set_widths()?;
    workbook.save_to_buffer()
}

/// The same table as CSV: UTF-8 with a byte-order mark, money as `"1234.56"`, dates as
/// `YYYY-MM-DD`.
pub fn table_csv(headers: &[String], rows: &[Vec<TableCell>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    // Writing to a Vec cannot fail, and every record has the header's length.
    let ok = "writing CSV to memory";
    w.write_record(headers).expect(ok);
    for r in rows {
        w.write_record(r.iter().map(|c| c.cell().plain())).expect(ok);
    }
    w.into_inner().expect(ok)
}

/// A bad cell of an import report (导入错误报告): its spreadsheet row (the header is row 1), its
/// column (`None` when the column itself is missing) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub row: usize,
    pub column: Option<usize>,
    pub reason: String,
}

const BAD_FILL: u32 = 0xFF7C80;

/// The imported sheet copied as it was read, each row at the row number it had, with every bad
/// cell filled red and given a note with its reason, and a last column 错误原因 listing the
/// reasons of each bad row.
///
/// # Panics
/// Only if the sheet has more rows than a sheet holds.
pub fn marked_xlsx(headers: &[String], rows: &[(usize, Vec<String>)], marks: &[Mark]) -> Vec<u8> {
    finish(write_marked(headers, rows, marks))
}

fn write_marked(headers: &[String], rows: &[(usize, Vec<String>)], marks: &[Mark]) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let bad = styles.text.clone().set_background_color(Color::RGB(BAD_FILL));
    let mut workbook = Workbook::new();
    let mut sheet = Sheet::new(workbook.add_worksheet(), &styles, "错误报告")?;
    let mut titles = headers.to_vec();
    titles.push("错误原因".into());
    let reasons_col = column(headers.len());
    sheet.header(0, &titles, 0)?;
    let mut by_cell: std::collections::HashMap<(usize, Option<usize>), Vec<&str>> = std::collections::HashMap::new();
    let mut by_row: std::collections::BTreeMap<usize, Vec<String>> = std::collections::BTreeMap::new();
    for m in marks {
        by_cell.entry((m.row, m.column)).or_default().push(&m.reason);
        let header = m.column.and_then(|c| headers.get(c)).map_or("", String::as_str);
        by_row
            .entry(m.row)
            .or_default()
            .push(format!("{header} {}", m.reason).trim().to_string());
    }
    let spreadsheet_row = |n: usize| RowNum::try_from(n.saturating_sub(1)).unwrap_or(RowNum::MAX);
    for (n, cells) in rows {
        for (col, text) in (0..).zip(cells) {
            let key = (*n, Some(usize::from(col)));
            let format = if by_cell.contains_key(&key) { &bad } else { &styles.text };
            sheet.fit(col, display_width(text));
            sheet
                .ws
                .write_string_with_format(spreadsheet_row(*n), col, cell_text(text), format)?;
        }
    }
    for ((n, col), reasons) in &by_cell {
        let Some(col) = col else { continue };
        let col = column(*col);
        let row = spreadsheet_row(*n);
        if *n != 1 && rows.iter().all(|(r, cells)| r != n || cells.len() <= usize::from(col)) {
            sheet.ws.write_blank(row, col, &bad)?;
        }
        sheet.ws.insert_note(
            row,
            col,
            &rust_xlsxwriter::Note::new(reasons.join("; ")).set_author("relief-ledger"),
        )?;
    }
    for (n, reasons) in &by_row {
        let text = reasons.join("; ");
        sheet.fit(reasons_col, display_width(&text).min(MAX_WIDTH));
        let format = if *n == 1 { &styles.header } else { &bad };
        sheet
            .ws
            .write_string_with_format(spreadsheet_row(*n), reasons_col, cell_text(&text), format)?;
    }
    sheet.set_widths()?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_to_digits_and_scale() {
        assert_eq!(parse_decimal("5.23"), Some((523, 2)));
        assert_eq!(parse_decimal("-0.5"), Some((-5, 1)));
        assert_eq!(parse_decimal("1180"), Some((1180, 0)));
        for bad in [
            "",
            "-",
            ".5",
            "5.",
            "1e3",
            "inf",
            "NaN",
            "5,23",
            "—",
            "12345678901234567",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn yuan_values_print_back_as_their_two_decimals() {
        for fen in [
            0,
            5,
            10,
            123_456,
            1_234_567_891,
            -99,
            99_999_999_999_999,
            -12_345_678_901_234,
        ] {
            let printed = yuan_value(fen).to_string();
            let expected = yuan(fen);
            let trimmed = expected.trim_end_matches('0').trim_end_matches('.');
            assert_eq!(printed, trimmed, "{fen}");
        }
    }

    #[test]
    fn dates_are_only_plain_iso_dates() {
        assert!(parse_date("2022-06-30").is_some());
        for bad in ["2022-6-30", "2022-02-30", "", "2022/06/30", "２０２２-06-30"] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn cell_text_is_cut_to_what_excel_holds() {
        let long = "户".repeat(40_000);
        assert_eq!(cell_text(&long).chars().count(), MAX_CELL_TEXT);
        assert_eq!(cell_text("短"), "短");
    }
}
