//! The county dashboard (首页概况): the year's investment by funding source, assets by class and
//! status, income, what was distributed and what is left, people benefited, and the assets that
//! need attention (闲置、低收益、未确权), with plain CSS bar charts.

use super::layout::{error_page, login_page, money, money_cell, page};
use super::session::WebUser;
use crate::api::AppState;
use crate::domain::vocab::{AssetClass, AssetStatus, FundingSource};
use crate::domain::{Error, Fen};
use crate::service::{self, assets, performance, projects, reconciliation};
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// The Chinese word of a performance flag.
fn flag_label(flag: &str) -> &str {
    match flag {
        "idle" => "闲置",
        "low_yield" => "低收益",
        "loss_making" => "亏损",
        "unconfirmed" => "未确权",
        other => other,
    }
}

/// A yield rate (a fraction as text) as a percentage.
fn rate_text(fraction: &str) -> String {
    rust_decimal::Decimal::from_str_exact(fraction).map_or_else(|_| fraction.to_string(), performance::percent)
}

/// A bar chart of labelled amounts, each bar scaled to the largest.
fn bars(rows: &[(String, Fen)], alt: bool) -> Markup {
    let max = rows.iter().map(|(_, f)| f.0).max().unwrap_or(0).max(1);
    html! {
        table.chart {
            @for (label, f) in rows {
                tr {
                    td { (label) }
                    td.track { div.bar.alt[alt] style=(format!("width:{}%", f.0.saturating_mul(100) / max)) {} }
                    (money_cell(*f))
                }
            }
        }
    }
}

/// Investment of the funding lines by source, in the vocabulary's order: of the year's funds,
/// or up to and including the year (累计) when `cumulative`.
fn by_source(list: &[projects::ProjectView], year: i32, cumulative: bool) -> Result<Vec<(String, Fen)>, Error> {
    let mut sums: BTreeMap<usize, Fen> = BTreeMap::new();
    let counted = |y: i32| if cumulative { y <= year } else { y == year };
    for f in list.iter().flat_map(|p| &p.funding).filter(|f| counted(f.fiscal_year)) {
        let i = FundingSource::ALL.iter().position(|s| *s == f.source).unwrap_or(0);
        let e = sums.entry(i).or_default();
        *e = e.checked_add(f.amount).map_err(|m| Error::Internal(m.to_string()))?;
    }
    Ok(sums
        .into_iter()
        .map(|(i, f)| (FundingSource::ALL[i].label().to_string(), f))
        .collect())
}

/// `/`: the year's figures in the user's scope; the login form when not logged in.
pub async fn dashboard(
    State(s): State<AppState>,
    user: Result<WebUser, Response>,
    Query(q): Query<YearQuery>,
) -> Response {
    let Ok(u) = user else { return login_page(None, "") };
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&service::today()) - 1);
    let loaded = async {
        let rec = reconciliation::reconcile(
            &s.store,
            &u.actor,
            &reconciliation::ReportQuery {
                region_code: None,
                year: Some(year),
            },
        )
        .await?;
        let perf = performance::report(
            &s.store,
            &u.actor,
            &performance::PerformanceQuery {
                region_code: None,
                year: Some(year),
                low_yield_threshold: None,
            },
        )
        .await?;
        let all_projects = projects::list(&s.store, &u.actor, &projects::ProjectFilter::default()).await?;
        let all_assets = assets::list(&s.store, &u.actor, &assets::AssetFilter::default()).await?;
        let sources = (
            by_source(&all_projects, year, false)?,
            by_source(&all_projects, year, true)?,
        );
        Ok::<_, Error>((rec, perf, sources, all_assets))
    };
    let (rec, perf, (sources, cumulative), all_assets) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let mut by_class = Vec::new();
    for class in AssetClass::ALL {
        let of_class: Vec<&assets::AssetView> = all_assets.iter().filter(|a| a.class == class.as_str()).collect();
        let value = Fen::sum(of_class.iter().map(|a| a.value)).unwrap_or_default();
        by_class.push((class, of_class, value));
    }
    let flagged: Vec<&performance::PerformanceItem> = perf.items.iter().filter(|i| !i.flags.is_empty()).collect();
    let body = html! {
        form.filters method="get" {
            label { "年度" input name="year" type="number" value=(year); }
            button { "查看" }
            a.btn.secondary href=(format!("/api/v1/reports/performance.pdf?year={year}")) { "绩效报告 PDF" }
            a.btn.secondary href=(format!("/api/v1/reports/performance.xlsx?year={year}")) { "绩效报告 XLSX" }
            a.btn.secondary href="/api/v1/reports/ledger.xlsx" { "资产台账 XLSX" }
        }
        div.cards {
            div.card { "本年资金投入" div.v { (money(Fen::sum(sources.iter().map(|(_, f)| *f)).unwrap_or_default())) " 元" } }
            div.card { "本年收益 (净额)" div.v { (money(rec.posted_net_yields)) " 元" } }
            div.card { "分配到户" div.v { (money(rec.distributed)) " 元" } }
            div.card { "集体留存及管理费" div.v { (money(rec.retained)) " 元" } }
            div.card { "期末未分配余额" div.v { (money(rec.undistributed_balance)) " 元" } }
            div.card { "受益户 / 人" div.v { (perf.households) " 户 / " (perf.people) " 人" } }
            div.card { "资产收益率" div.v { (rate_text(&perf.yield_rate)) } }
            div.card { "对账" div.v { @if rec.balanced { span.ok { "平衡" } } @else { span.bad { "不平衡" } } " " a href=(format!("/reconciliation?year={year}")) { "明细" } } }
        }
        div.charts {
            div {
                h3 { (year) " 年资金投入 (按资金来源)" }
                @if sources.is_empty() { p.muted { "本年没有资金投入记录" } } @else { (bars(&sources, false)) }
            }
            div {
                h3 { "截至 " (year) " 年累计资金投入" }
                @if cumulative.is_empty() { p.muted { "没有资金投入记录" } } @else { (bars(&cumulative, false)) }
            }
        }
        h3 { "资产 (按类别与状态)" }
        table {
            tr { th { "类别" } th.num { "数量" } th.num { "原值 (元)" } @for st in AssetStatus::ALL { th.num { (st.label()) } } th.num { "未确权" } }
            @for (class, list, value) in &by_class {
                tr {
                    td { (class.label()) } td.num { (list.len()) } (money_cell(*value))
                    @for st in AssetStatus::ALL { td.num { (list.iter().filter(|a| a.status == st.as_str()).count()) } }
                    td.num { (list.iter().filter(|a| !a.confirmed).count()) }
                }
            }
        }
        (bars(&by_class.iter().map(|(c, _, v)| (c.label().to_string(), *v)).collect::<Vec<_>>(), true))
        h3 { "需关注的资产 (" (flagged.len()) ")" }
        table {
            tr { th { "资产编号" } th { "名称" } th { "乡镇" } th.num { "投资 (元)" } th.num { "本年净收益 (元)" } th.num { "收益率" } th { "问题" } }
            @for i in flagged.iter().take(50) {
                tr {
                    td { a href=(format!("/assets/{}", i.asset_id)) { (i.asset_code) } }
                    td { (i.asset_name) } td { (i.township) }
                    (money_cell(i.investment)) (money_cell(i.net_income)) td.num { (rate_text(&i.yield_rate)) }
                    td { @for f in &i.flags { span.flag { (flag_label(f)) } } }
                }
            }
        }
        @if flagged.len() > 50 { p.muted { "仅列出前 50 项" } }
    };
    page(&u.actor, &u.region_name, &format!("{year} 年度概况"), body)
}
