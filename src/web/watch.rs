//! The watch lists (资产监管清单): contracts about to end, rent and guaranteed returns in arrears,
//! idle and damaged assets.

use super::layout::{error_page, money_cell, page};
use super::session::WebUser;
use crate::api::AppState;
use crate::domain::vocab::AssetStatus;
use axum::extract::State;
use axum::response::Response;
use maud::html;

/// `/watch`: contracts ending within 90 days, this year's arrears, idle and damaged assets.
pub async fn watch(State(s): State<AppState>, u: WebUser) -> Response {
    use crate::service::watch;
    let contracts = watch::expiring(
        &s.store,
        &u.actor,
        &watch::ContractsQuery {
            region_code: None,
            as_of: None,
            within_days: None,
        },
    )
    .await;
    let arrears = watch::arrears(
        &s.store,
        &u.actor,
        &watch::ArrearsQuery {
            region_code: None,
            year: None,
        },
    )
    .await;
    let idle = watch::idle(
        &s.store,
        &u.actor,
        &watch::IdleQuery {
            region_code: None,
            as_of: None,
        },
    )
    .await;
    let (contracts, arrears, idle) = match (contracts, arrears, idle) {
        (Ok(c), Ok(a), Ok(i)) => (c, a, i),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(&u.actor, &u.region_name, e),
    };
    let body = html! {
        h3 { "90 天内到期的经营合同 (" (contracts.len()) ")" }
        table {
            tr { th { "资产" } th { "经营主体" } th { "到期日" } th.num { "剩余天数" } th.num { "年租金/保底收益" } }
            @for c in &contracts { tr { td { a href=(format!("/assets/{}", c.asset_id)) { (c.asset_name) } } td { (c.operator) } td { (c.end) } td.num { (c.days_left) } (money_cell(c.annual_amount)) } }
        }
        h3 { "本年欠缴租金和保底收益 (" (arrears.len()) ")" }
        table {
            tr { th { "资产" } th { "经营主体" } th.num { "应收" } th.num { "实收" } th.num { "欠缴" } }
            @for a in &arrears { tr { td { a href=(format!("/assets/{}", a.asset_id)) { (a.asset_name) } } td { (a.operator) } (money_cell(a.due)) (money_cell(a.received)) (money_cell(a.arrears)) } }
        }
        h3 { "闲置和损毁资产 (" (idle.len()) ")" }
        table {
            tr { th { "资产" } th { "状态" } th { "起始日期" } th.num { "持续天数" } th.num { "原值" } }
            @for i in &idle { tr { td { a href=(format!("/assets/{}", i.asset_id)) { (i.asset_name) } } td { (AssetStatus::label_of(&i.status)) } td { (i.since) } td.num { (i.days) } (money_cell(i.value)) } }
        }
    };
    page(&u.actor, &u.region_name, "资产监管清单", body)
}
