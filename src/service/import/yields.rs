//! Monthly PV meter readings (光伏电站上网电量结算单), the form grid companies report them in:
//! 电站/资产编号, 月份, 上网电量 (kWh), 电价 (元/kWh), and optionally 电费 (the grid's own amount;
//! left out it is kWh × tariff, half-up to the fen), 运维费, 到账日期 (default the month's last
//! day) and 结算单号. Each row becomes a `pv_sales` yield (光伏售电收入) for that month through
//! the same service as `POST /assets/{id}/yields`. Yields are keyed by asset + month: a month
//! already posted with the same figures is left alone, never posted twice; one posted with other
//! figures is refused (a posted yield is corrected by a reversal, 红字冲销, not by a re-import).

use super::{Columns, Field, Report, RowError, month_end, parse_date, parse_month};
use crate::domain::vocab::{AssetStatus, YieldKind};
use crate::domain::{Error, Fen, Result, decimal};
use crate::service::access::Duty;
use crate::service::assets::{owners_on, periods_of};
use crate::service::yields::{Deductions, NewYield, post_in};
use crate::service::{Actor, Store};
use crate::sheet::Sheet;
use chrono::NaiveDate;
use entity::{assets, regions, yields};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};

const FIELDS: &[Field] = &[
    (
        "asset",
        &["资产编号", "电站编号", "电站/资产编号", "电站资产编号"],
        true,
    ),
    ("month", &["月份", "结算月份", "电费月份", "所属月份"], true),
    (
        "kwh",
        &[
            "上网电量",
            "上网电量(kWh)",
            "上网电量（kWh）",
            "上网电量kWh",
            "结算电量",
        ],
        true,
    ),
    (
        "tariff",
        &["电价", "上网电价", "结算电价", "电价(元/kWh)", "电价（元/kWh）"],
        true,
    ),
    ("revenue", &["电费", "结算电费", "电费金额", "售电收入"], false),
    ("om", &["运维费", "运维费用"], false),
    ("received_on", &["到账日期", "收款日期", "结算日期"], false),
    ("voucher", &["结算单号", "凭证号", "单据号"], false),
];

/// A checked row.
struct Row {
    n: usize,
    asset_id: i32,
    month: NaiveDate,
    input: NewYield,
}

fn decimal_cell(text: &str, positive: bool) -> std::result::Result<Decimal, String> {
    if text.is_empty() {
        return Err("不能为空".into());
    }
    let d = decimal::parse(text).map_err(|_| format!("应为数字, 如 \"0.3949\" (收到 \"{text}\")"))?;
    if d < Decimal::ZERO || (positive && d == Decimal::ZERO) {
        return Err(if positive { "应大于零" } else { "不能为负数" }.into());
    }
    Ok(d)
}

fn money_cell(text: &str) -> std::result::Result<Option<Fen>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    Fen::parse_non_negative(text).map(Some).map_err(|e| e.to_string())
}

/// Whether a stored yield carries exactly the figures of a row.
fn same_figures(y: &yields::Model, input: &NewYield, revenue: Fen) -> bool {
    y.kwh == input.kwh.map(decimal::format)
        && y.tariff == input.tariff.map(decimal::format)
        && y.revenue_fen == revenue.0
        && y.om_fen == input.deductions.om.unwrap_or(Fen::ZERO).0
}

/// The revenue a row will post: the 电费 column, else kWh × tariff half-up to the fen.
fn revenue_of(input: &NewYield) -> Option<Fen> {
    match (input.revenue, input.kwh, input.tariff) {
        (Some(r), _, _) => Some(r),
        (None, Some(k), Some(t)) => crate::domain::money::yuan_product_to_fen(k, t).ok(),
        _ => None,
    }
}

fn check_row(
    n: usize,
    cells: &[String],
    cols: &Columns,
    assets: &HashMap<String, assets::Model>,
) -> std::result::Result<Row, Vec<RowError>> {
    let mut errors = Vec::new();
    let cell = |field: &str| cols.cell(cells, field);
    let asset = match cell("asset") {
        "" => {
            errors.push(cols.error(n, "asset", "不能为空"));
            None
        }
        code => match assets.get(code) {
            Some(a) if a.status == AssetStatus::Disposed.as_str() => {
                errors.push(cols.error(n, "asset", "资产已处置, 不再登记收益"));
                None
            }
            Some(a) => Some(a),
            None => {
                errors.push(cols.error(n, "asset", "未知的资产编号"));
                None
            }
        },
    };
    let month = parse_month(cell("month"));
    if month.is_none() {
        errors.push(cols.error(n, "month", "月份格式应为 YYYY-MM, 如 2025-03"));
    }
    let kwh = decimal_cell(cell("kwh"), false)
        .map_err(|r| errors.push(cols.error(n, "kwh", r)))
        .ok();
    let tariff = decimal_cell(cell("tariff"), true)
        .map_err(|r| errors.push(cols.error(n, "tariff", r)))
        .ok();
    let revenue = money_cell(cell("revenue"))
        .map_err(|r| errors.push(cols.error(n, "revenue", r)))
        .ok()
        .flatten();
    let om = money_cell(cell("om"))
        .map_err(|r| errors.push(cols.error(n, "om", r)))
        .ok()
        .flatten();
    let received_on = match cell("received_on") {
        "" => month.map(month_end),
        d => {
            let parsed = parse_date(d);
            if parsed.is_none() {
                errors.push(cols.error(n, "received_on", "日期格式应为 YYYY-MM-DD"));
            }
            parsed
        }
    };
    let voucher = Some(cell("voucher").to_string()).filter(|v| !v.is_empty());
    match (asset, month, kwh, tariff, received_on) {
        (Some(asset), Some(month), Some(kwh), Some(tariff), Some(received_on)) if errors.is_empty() => {
            let input = NewYield {
                kind: YieldKind::PvSales,
                period_start: month,
                period_end: month_end(month),
                received_on: Some(received_on),
                revenue,
                deductions: Deductions {
                    om,
                    ..Deductions::default()
                },
                kwh: Some(kwh),
                tariff: Some(tariff),
                voucher,
            };
            match revenue_of(&input) {
                Some(r) if om.is_some_and(|om| om > r) => Err(vec![cols.error(n, "om", "运维费大于电费收入")]),
                Some(_) => Ok(Row {
                    n,
                    asset_id: asset.id,
                    month,
                    input,
                }),
                None => Err(vec![cols.error(n, "kwh", "上网电量 × 电价 超出范围")]),
            }
        }
        _ => Err(errors),
    }
}

/// Checks every reading, then (unless a dry run or any row is bad) posts them in one
/// transaction, each with its audit entry and its credits to the owners.
///
/// # Errors
/// [`Error::Forbidden`] for an asset outside the actor's county; a database error. Bad rows are in
/// the report.
pub async fn yields(store: &Store, actor: &Actor, sheet: &Sheet, dry_run: bool) -> Result<Report> {
    let mut report = Report::new(sheet);
    let cols = match Columns::locate(sheet, FIELDS, &HashMap::new()) {
        Ok(c) => c,
        Err(missing) => {
            report.errors = missing;
            return Ok(report);
        }
    };
    let w = store.write().await?;
    let codes: Vec<String> = sheet
        .rows
        .iter()
        .map(|(_, cells)| cols.cell(cells, "asset").to_string())
        .filter(|c| !c.is_empty())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut by_code = HashMap::new();
    for chunk in codes.chunks(500) {
        for a in assets::Entity::find()
            .filter(assets::Column::Code.is_in(chunk.to_vec()))
            .all(&*w)
            .await?
        {
            by_code.insert(a.code.clone(), a);
        }
    }
    let mut rows = Vec::new();
    let mut first_seen: HashMap<(i32, NaiveDate), usize> = HashMap::new();
    for (n, cells) in &sheet.rows {
        match check_row(*n, cells, &cols, &by_code) {
            Ok(row) => match first_seen.insert((row.asset_id, row.month), *n) {
                Some(first) => {
                    report
                        .errors
                        .push(cols.error(*n, "month", format!("同一资产同一月份重复 (与第{first}行)")))
                }
                None => rows.push(row),
            },
            Err(errs) => report.errors.extend(errs),
        }
    }
    let ids: Vec<i32> = by_code.values().map(|a| a.id).collect();
    let counties: HashMap<String, regions::Model> = regions::Entity::find()
        .filter(regions::Column::Code.is_in(by_code.values().map(|a| a.county_code.clone()).collect::<HashSet<_>>()))
        .all(&*w)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect();
    for a in by_code.values() {
        if let Some(c) = counties.get(&a.county_code) {
            actor.check_write(Duty::County, c)?;
        }
    }
    let periods = periods_of(&*w, &ids).await?;
    let posted = posted_months(&*w, &ids).await?;
    let mut plan = Vec::new();
    for row in rows {
        let confirmed = periods
            .get(&row.asset_id)
            .and_then(|p| owners_on(p, row.input.period_end))
            .is_some();
        let revenue = revenue_of(&row.input).unwrap_or_default();
        match posted.get(&(row.asset_id, row.month)) {
            _ if !confirmed => {
                report
                    .errors
                    .push(cols.error(row.n, "asset", "资产在该月末尚未确权, 未确权资产不能登记收益"))
            }
            Some(y) if same_figures(y, &row.input, revenue) => report.unchanged += 1,
            Some(y) => report.errors.push(cols.error(
                row.n,
                "month",
                format!(
                    "该月已入账 (收益 #{}: 上网电量 {} kWh, 电费 {} 元), 与本行不同; 更正须先红字冲销",
                    y.id,
                    y.kwh.as_deref().unwrap_or("-"),
                    Fen(y.revenue_fen)
                ),
            )),
            None => plan.push(row),
        }
    }
    if !report.errors.is_empty() {
        report.finish_errors();
        return Ok(report);
    }
    report.created = plan.len();
    if dry_run {
        return Ok(report);
    }
    for row in plan {
        match post_in(&*w, actor, row.asset_id, row.input).await {
            Ok(_) => {}
            Err(Error::Invalid(fields)) => report.errors.extend(fields.into_iter().map(|f| RowError {
                row: row.n,
                column: cols.header("kwh"),
                reason: format!("{}: {}", f.field, f.message),
            })),
            Err(Error::Conflict { message, .. }) => report.errors.push(cols.error(row.n, "asset", message)),
            Err(e) => return Err(e),
        }
    }
    if !report.errors.is_empty() {
        // Dropping the transaction rolls back whatever the rows before posted.
        report.created = 0;
        report.finish_errors();
        return Ok(report);
    }
    w.commit().await?;
    report.written = true;
    Ok(report)
}

/// The standing (not reversed) `pv_sales` yields of these assets that cover exactly one calendar
/// month, by (asset, first day of the month).
async fn posted_months<C: ConnectionTrait>(
    db: &C,
    asset_ids: &[i32],
) -> Result<HashMap<(i32, NaiveDate), yields::Model>> {
    let mut all = Vec::new();
    for chunk in asset_ids.chunks(500) {
        all.extend(
            yields::Entity::find()
                .filter(yields::Column::AssetId.is_in(chunk.to_vec()))
                .filter(yields::Column::Kind.eq(YieldKind::PvSales.as_str()))
                .all(db)
                .await?,
        );
    }
    let reversed: HashSet<i32> = all.iter().filter_map(|y| y.reverses_id).collect();
    Ok(all
        .into_iter()
        .filter(|y| y.reverses_id.is_none() && !reversed.contains(&y.id))
        .filter(|y| y.period_end == month_end(y.period_start))
        .map(|y| ((y.asset_id, y.period_start), y))
        .collect())
}
