//! 收益分配到户明细单: one A4 page per household telling it what it received and why.

use printpdf::{FontId, PdfPage};

use super::{A4_PORTRAIT, Align, Band, Canvas, NONE, Table, save, text_width};
use crate::numerals::{capital_yuan, yuan_grouped};

/// One asset's part of a household's dividend (收益来源).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementAsset {
    pub asset_code: String,
    pub asset_name: String,
    pub amount_fen: i64,
}

/// 收益分配到户明细单: what one household received from one distribution plan. Strings are
/// formatted by the caller; money is in fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub county: String,
    pub township: String,
    pub village: String,
    pub year: i32,
    pub plan_id: i32,
    /// 决议日期, e.g. "2025-07-04".
    pub resolution_date: Option<String>,
    pub household_number: String,
    pub head_name: String,
    pub members: i32,
    pub id_number_masked: String,
    pub status_label: String,
    pub labour_label: String,
    pub dividend_fen: i64,
    pub post_wage_fen: i64,
    pub incentive_fen: i64,
    pub tax_withheld_fen: i64,
    pub total_fen: i64,
    /// The dividend traced back to the assets that earned it.
    pub assets: Vec<StatementAsset>,
    pub paid_on: Option<String>,
    pub payment_reference: Option<String>,
    pub verification_code: String,
}

const TITLE: &str = "收益分配到户明细单";
const LEFT: f32 = 18.0;
const WIDTH: f32 = 174.0;
const ROW: f32 = 7.5;
const ASSET_ROW: f32 = 6.5;
const SIZE: f32 = 10.0;
/// Rows the 收益来源 table has room for; more assets are summed up in its last row.
const MAX_ASSET_ROWS: usize = 10;

/// The statement of one household as a one-page PDF.
pub fn statement_pdf(s: &Statement) -> Vec<u8> {
    statements_pdf(std::slice::from_ref(s))
}

/// The statements of many households as one PDF, one page each, with the font subset once.
pub fn statements_pdf(all: &[Statement]) -> Vec<u8> {
    save(TITLE, |font| all.iter().map(|s| page(font, s)).collect())
}

fn page(font: &FontId, s: &Statement) -> PdfPage {
    let mut page = Canvas::new(font, A4_PORTRAIT);
    page.text_aligned(Align::Center, LEFT + WIDTH / 2.0, 24.0, 18.0, TITLE);
    let mut top = plan_block(&mut page, 32.0, s);
    top = household_block(&mut page, top + 4.0, s);
    top = amounts(&mut page, top + 6.0, s);
    top = sources(&mut page, top + 6.0, &s.assets);
    top = payment(&mut page, top + 6.0, s);
    signatures(&mut page, top + 16.0);
    page.into_page()
}

/// 县/乡镇/村, 年度, 方案编号 and 决议日期.
fn plan_block(page: &mut Canvas, top: f32, s: &Statement) -> f32 {
    let year = format!("{}年度", s.year);
    let plan_id = s.plan_id.to_string();
    let date = s.resolution_date.as_deref().unwrap_or(NONE);
    let rows = [
        ["县", &s.county, "乡镇", &s.township],
        ["村", &s.village, "年度", &year],
        ["方案编号", &plan_id, "决议日期", date],
    ];
    info_grid(page, top, &rows)
}

/// 户编号, 户主, 家庭人口, 身份证号, 户类别 and 劳动能力.
fn household_block(page: &mut Canvas, top: f32, s: &Statement) -> f32 {
    let members = format!("{} 人", s.members);
    let rows = [
        ["户编号", &s.household_number, "户主", &s.head_name],
        ["家庭人口", &members, "身份证号", &s.id_number_masked],
        ["户类别", &s.status_label, "劳动能力", &s.labour_label],
    ];
    info_grid(page, top, &rows)
}

/// Label–value pairs, two to a row, with shaded labels; returns the bottom.
fn info_grid(page: &mut Canvas, top: f32, rows: &[[&str; 4]]) -> f32 {
    const WIDTHS: [f32; 4] = [26.0, 61.0, 26.0, 61.0];
    let table = Table {
        left: LEFT,
        widths: &WIDTHS,
        aligns: &[Align::Center, Align::Left, Align::Center, Align::Left],
    };
    let mut band = Band::new(top, ROW);
    for row in rows {
        page.shade(LEFT, band, WIDTHS[0]);
        page.shade(LEFT + WIDTHS[0] + WIDTHS[1], band, WIDTHS[2]);
        table.row(page, band, SIZE, row);
        band.top += ROW;
    }
    band.top
}

/// 收益分配金额: the four parts, the total and the total in capital numerals.
fn amounts(page: &mut Canvas, top: f32, s: &Statement) -> f32 {
    const WIDTHS: [f32; 2] = [WIDTH / 2.0; 2];
    let table = Table {
        left: LEFT,
        widths: &WIDTHS,
        aligns: &[Align::Center, Align::Right],
    };
    page.text(LEFT, top + 4.0, 11.0, "收益分配金额");
    let mut band = Band::new(top + 6.0, ROW);
    table.header(page, band, SIZE, &["项目", "金额（元）"]);
    for (label, fen) in [
        ("分红", s.dividend_fen),
        ("公益岗位工资", s.post_wage_fen),
        ("奖励补助", s.incentive_fen),
        ("代扣税费", s.tax_withheld_fen),
        ("合计", s.total_fen),
    ] {
        band.top += ROW;
        table.row(page, band, SIZE, &[label, &yuan_grouped(fen)]);
    }
    band.top += ROW;
    let capital = Table {
        aligns: &[Align::Center, Align::Left],
        ..table
    };
    capital.row(page, band, SIZE, &["合计（大写）", &capital_yuan(s.total_fen)]);
    band.bottom()
}

/// 收益来源: the assets whose yield paid the dividend, with their parts and a subtotal.
fn sources(page: &mut Canvas, top: f32, assets: &[StatementAsset]) -> f32 {
    const WIDTHS: [f32; 3] = [40.0, 87.0, 47.0];
    let table = Table {
        left: LEFT,
        widths: &WIDTHS,
        aligns: &[Align::Left, Align::Left, Align::Right],
    };
    page.text(LEFT, top + 4.0, 11.0, "收益来源");
    let mut band = Band::new(top + 6.0, ASSET_ROW);
    table.header(page, band, SIZE, &["资产编号", "资产名称", "分红金额（元）"]);
    for cells in source_rows(assets) {
        band.top += ASSET_ROW;
        table.row(page, band, SIZE, &cells);
    }
    band.top += ASSET_ROW;
    let subtotal: i64 = assets.iter().map(|a| a.amount_fen).sum();
    table.row(page, band, SIZE, &["", "小计", &yuan_grouped(subtotal)]);
    band.bottom()
}

/// One row per asset, or, past [`MAX_ASSET_ROWS`], the first ones and a row summing the rest.
fn source_rows(assets: &[StatementAsset]) -> Vec<[String; 3]> {
    let row = |a: &StatementAsset| [a.asset_code.clone(), a.asset_name.clone(), yuan_grouped(a.amount_fen)];
    if assets.len() <= MAX_ASSET_ROWS {
        return assets.iter().map(row).collect();
    }
    let (shown, rest) = assets.split_at(MAX_ASSET_ROWS - 1);
    let rest_fen = rest.iter().map(|a| a.amount_fen).sum();
    let mut rows: Vec<_> = shown.iter().map(row).collect();
    rows.push([
        String::new(),
        format!("其余 {} 项资产", rest.len()),
        yuan_grouped(rest_fen),
    ]);
    rows
}

/// 发放日期, 凭证号 and 核验码.
fn payment(page: &mut Canvas, top: f32, s: &Statement) -> f32 {
    let paid_on = s.paid_on.as_deref().unwrap_or("未发放");
    let reference = s.payment_reference.as_deref().unwrap_or(NONE);
    let bottom = info_grid(page, top, &[["发放日期", paid_on, "凭证号", reference]]);
    let table = Table {
        left: LEFT,
        widths: &[26.0, WIDTH - 26.0],
        aligns: &[Align::Center, Align::Left],
    };
    let band = Band::new(bottom, ROW);
    page.shade(LEFT, band, 26.0);
    table.row(page, band, SIZE, &["核验码", &s.verification_code]);
    band.bottom()
}

/// 户主签字, 村会计 and 日期, each with a line to sign on.
fn signatures(page: &mut Canvas, baseline: f32) {
    for (label, x, end) in [
        ("户主签字：", LEFT, 76.0),
        ("村会计：", 86.0, 138.0),
        ("日期：", 148.0, LEFT + WIDTH),
    ] {
        page.text(x, baseline, SIZE, label);
        let start = x + text_width(label, SIZE);
        page.line((start, baseline + 1.0), (end, baseline + 1.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(i: i64) -> StatementAsset {
        StatementAsset {
            asset_code: format!("ZC{i:03}"),
            asset_name: format!("资产{i}"),
            amount_fen: i * 100,
        }
    }

    #[test]
    fn few_assets_get_a_row_each() {
        let assets: Vec<_> = (1..=10).map(asset).collect();
        let rows = source_rows(&assets);
        assert_eq!(rows.len(), 10);
        assert_eq!(rows[9], ["ZC010".to_string(), "资产10".into(), "10.00".into()]);
    }

    #[test]
    fn many_assets_are_summed_up_in_the_last_row() {
        let assets: Vec<_> = (1..=14).map(asset).collect();
        let rows = source_rows(&assets);
        assert_eq!(rows.len(), MAX_ASSET_ROWS);
        assert_eq!(rows[8][0], "ZC009");
        // assets 10..=14 → 10 + 11 + 12 + 13 + 14 = 60 yuan
        assert_eq!(rows[9], [String::new(), "其余 5 项资产".into(), "60.00".into()]);
    }
}
