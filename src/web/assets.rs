//! Assets (资产台账): the ledger with filters and paging, and a page per asset with its owners
//! (产权主体), operation contracts, status and caretakers, its yields, and for county staff the
//! ownership confirmation (确权), the yield (收益登记) and the reversal (红字冲销) forms.

use super::Form;
use super::form::{FormState, remap};
use super::layout::{error_page, may, money, money_cell, options, page, pager};
use super::places::Places;
use super::session::WebUser;
use crate::api::AppState;
use crate::api::extract::Id;
use crate::domain::Error;
use crate::domain::vocab::{AssetClass, AssetStatus, OperationMode, RegionLevel, YieldKind};
use crate::service::access::Duty;
use crate::service::assets::{self, Confirmation, NewOwner};
use crate::service::yields::{self, Deductions, NewYield, Reversal};
use crate::service::{Paging, asset_life};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;

/// Rows per ledger page unless `limit` says otherwise (at most 1000).
const PAGE: u64 = 100;

/// The asset table of the ledger and of a project page, owners by name.
pub fn asset_table(list: &[assets::AssetView], places: &Places) -> Markup {
    html! {
        table {
            tr { th { "资产编号" } th { "名称" } th { "类别" } th.num { "原值 (元)" } th { "经营方式" } th { "经营主体" } th { "状态" } th { "产权主体" } }
            @for a in list {
                tr {
                    td { a href=(format!("/assets/{}", a.id)) { (a.code) } }
                    td { (a.name) }
                    td { (AssetClass::label_of(&a.class)) }
                    (money_cell(a.value))
                    td { (a.operation_mode.as_deref().map(OperationMode::label_of).unwrap_or_default()) }
                    td { (a.operator.as_deref().unwrap_or_default()) }
                    td { (AssetStatus::label_of(&a.status)) }
                    td { @if a.owners.is_empty() { span.flag { "未确权" } } @else { (a.owners.iter().map(|o| o.region_code.as_deref().map_or(o.key.as_str(), |c| places.name(c))).collect::<Vec<_>>().join("、")) } }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AssetQuery {
    pub class: Option<String>,
    pub status: Option<String>,
    pub village_code: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// `/assets`: the ledger with filters (class, status, owner village) and paging (`limit` ≤ 1000).
pub async fn list(State(s): State<AppState>, u: WebUser, Query(q): Query<AssetQuery>) -> Response {
    let blank_none = |v: &Option<String>| v.clone().filter(|c| !c.is_empty());
    let f = assets::AssetFilter {
        class: blank_none(&q.class),
        status: blank_none(&q.status),
        village_code: blank_none(&q.village_code),
        ..Default::default()
    };
    let limit = q.limit.unwrap_or(PAGE).clamp(1, 1000);
    let loaded = async {
        let places = Places::load(&s.store, &u.actor).await?;
        let all = assets::list(&s.store, &u.actor, &f).await?;
        let list = Paging {
            limit: Some(limit),
            offset: q.offset,
        }
        .page(all)?;
        Ok::<_, Error>((places, list))
    };
    let (places, list) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let base = format!(
        "/assets?class={}&status={}&village_code={}&limit={limit}",
        q.class.as_deref().unwrap_or(""),
        q.status.as_deref().unwrap_or(""),
        q.village_code.as_deref().unwrap_or("")
    );
    let st = FormState::new(HashMap::from([
        ("class".to_string(), q.class.clone().unwrap_or_default()),
        ("status".to_string(), q.status.clone().unwrap_or_default()),
        ("village_code".to_string(), q.village_code.clone().unwrap_or_default()),
        ("limit".to_string(), limit.to_string()),
    ]));
    let mut villages = vec![("", "全部")];
    villages.extend(places.of_level(RegionLevel::Village));
    let body = html! {
        form.filters method="get" {
            (st.select("class", "类别", &options(AssetClass::ALL, AssetClass::as_str, AssetClass::label, Some("全部"))))
            (st.select("status", "状态", &options(AssetStatus::ALL, AssetStatus::as_str, AssetStatus::label, Some("全部"))))
            (st.select("village_code", "产权村", &villages))
            (st.select("limit", "每页", &[("100", "100 条"), ("500", "500 条"), ("1000", "1000 条")]))
            button { "筛选" }
            a.btn.secondary href="/watch" { "监管清单" }
        }
        (asset_table(&list.items, &places))
        (pager(&base, q.offset.unwrap_or(0), limit, list.total))
    };
    page(&u.actor, &u.region_name, "资产台账", body)
}

/// Which form of the asset page was submitted, with its state.
enum Submitted {
    Ownership(FormState),
    Yield(FormState),
    Reverse(i32, FormState),
}

/// `/assets/{id}`
pub async fn show(State(s): State<AppState>, u: WebUser, Id(id): Id) -> Response {
    render(&s, &u, id, None).await
}

/// Today's date as a form default.
fn today() -> String {
    crate::service::today().to_string()
}

async fn render(s: &AppState, u: &WebUser, id: i32, submitted: Option<Submitted>) -> Response {
    let loaded = async {
        let places = Places::load(&s.store, &u.actor).await?;
        let d = asset_life::detail(&s.store.db, &u.actor, id).await?;
        let ys = yields::list_for_asset(&s.store, &u.actor, id).await?;
        Ok::<_, Error>((places, d, ys))
    };
    let (places, d, ys) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let failed = submitted.is_some();
    let (mut own, mut yld, mut rev) = (FormState::default(), FormState::default(), None);
    match submitted {
        Some(Submitted::Ownership(f)) => own = f,
        Some(Submitted::Yield(f)) => yld = f,
        Some(Submitted::Reverse(y, f)) => rev = Some((y, f)),
        None => {}
    }
    let a = &d.asset;
    if !failed {
        own.set("confirmed_on", today());
        own.set("owners[0].investment", a.value.to_string());
        yld.set("received_on", today());
    }
    let writer = may(&u.actor, Duty::County) && a.status != AssetStatus::Disposed.as_str();
    let owner_name = |o: &assets::OwnerView| match &o.region_code {
        Some(code) => places.name(code).to_string(),
        None => format!("农户 {}", o.key),
    };
    let body = html! {
        table {
            tr { th { "资产编号" } td { (a.code) } th { "类别" } td { (AssetClass::label_of(&a.class)) } }
            tr { th { "原值 (元)" } td.num { (money(a.value)) } th { "状态" } td { (AssetStatus::label_of(&a.status)) } }
            tr { th { "经营方式" } td { (a.operation_mode.as_deref().map(OperationMode::label_of).unwrap_or_default()) } th { "经营主体" } td { (a.operator.as_deref().unwrap_or_default()) } }
            tr { th { "装机容量 (kW)" } td { (a.pv_capacity_kw.as_deref().unwrap_or("—")) } th { "形成日期" } td { (a.formed_on) } }
            tr { th { "所属项目" } td colspan="3" { a href=(format!("/projects/{}", a.project_id)) { "查看项目" } } }
        }
        h3 { "产权主体" @if let Some(d) = a.confirmed_on { " (自 " (d) " 起)" } }
        @if a.owners.is_empty() { p { span.flag { "未确权" } " 确权前不能登记收益。" } } @else {
            table {
                tr { th { "产权主体" } th.num { "份额 (元)" } }
                @for o in &a.owners { tr { td { (owner_name(o)) } (money_cell(o.investment)) } }
            }
        }
        @if writer { (ownership_form(a, &places, &own)) }
        h3 { "收益记录" }
        table {
            tr { th { "类型" } th { "期间" } th { "到账日期" } th.num { "上网电量 (kWh)" } th.num { "电价" } th.num { "收入" } th.num { "净收益" } th { "凭证/说明" } @if writer { th { "冲销" } } }
            @for y in &ys {
                tr {
                    td { (YieldKind::label_of(&y.kind)) }
                    td { (y.period_start) " 至 " (y.period_end) }
                    td { (y.received_on.map_or_else(|| "应收未到账".to_string(), |d| d.to_string())) }
                    td.num { (y.kwh.as_deref().unwrap_or("")) } td.num { (y.tariff.as_deref().unwrap_or("")) }
                    (money_cell(y.revenue)) (money_cell(y.net))
                    td {
                        (y.voucher.as_deref().unwrap_or(""))
                        @if let Some(r) = y.reverses_id { "冲销第 " (r) " 号: " (y.reason.as_deref().unwrap_or("")) }
                        @if y.reversed_by.is_some() { " " span.flag { "已冲销" } }
                    }
                    @if writer {
                        td {
                            @if y.reverses_id.is_none() && y.reversed_by.is_none() {
                                @let blank = FormState::default();
                                @let st = rev.as_ref().filter(|(rid, _)| *rid == y.id).map_or(&blank, |(_, f)| f);
                                form.filters method="post" action=(format!("/yields/{}/reverse", y.id)) {
                                    (st.input("reason", "冲销原因", "text"))
                                    (st.others())
                                    button.secondary { "红字冲销" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if writer && !a.owners.is_empty() { (yield_form(a, &yld)) }
        h3 { "经营合同" }
        table {
            tr { th { "经营方式" } th { "经营主体" } th { "起止" } th.num { "年租金/保底收益" } th { "合同编号" } }
            @for o in &d.operations { tr { td { (OperationMode::label_of(&o.operation_mode)) } td { (o.operator) } td { (o.start) " 至 " (o.end) } (money_cell(o.annual_amount)) td { (o.contract_ref) } } }
        }
        h3 { "状态变更与管护" }
        ul {
            @for st in &d.status_history { li { (st.effective_date) " " (AssetStatus::label_of(&st.status)) " " (st.reason) } }
            @for c in &d.caretakers { li { "管护责任人: " (c.name) " " (c.phone) " (自 " (c.from) " 起)" } }
        }
        @if let Some(disp) = &d.disposal {
            h3 { "处置" }
            p { (disp.disposed_on) " " (crate::domain::vocab::DisposalMethod::label_of(&disp.method)) ", 处置收入 " (money(disp.proceeds)) " 元" }
        }
    };
    let mut resp = page(&u.actor, &u.region_name, &a.name, body);
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

fn ownership_form(a: &assets::AssetView, places: &Places, st: &FormState) -> Markup {
    let n = st.lines("owners", 1);
    let household = a.class == AssetClass::Household.as_str();
    let regions = places.owners();
    let choices: Vec<(&str, &str)> = regions.iter().map(|(c, l)| (c.as_str(), l.as_str())).collect();
    let fields = html! {
        div.row { (st.input("confirmed_on", "确权日期", "date")) }
        (st.errors_of("owners"))
        @for i in 0..n {
            div.row {
                @if household {
                    (st.input(&format!("owners[{i}].household_id"), "农户 ID", "number"))
                } @else {
                    (st.select(&format!("owners[{i}].region_code"), "产权主体 (集体)", &choices))
                }
                (st.input(&format!("owners[{i}].investment"), "份额 (元)", "text"))
            }
        }
        (st.line_buttons("owners", n))
    };
    html! {
        form.edit method="post" action=(format!("/assets/{}/ownership", a.id)) {
            strong { @if a.owners.is_empty() { "确权" } @else { "移交 / 重新确权" } }
            p.muted { "各产权主体份额之和应等于资产原值 " (money(a.value)) " 元。" }
            (st.others())
            (fields)
            div.actions { button type="submit" name="op" value="save" { "确认产权" } }
        }
    }
}

const DEDUCTIONS: [(&str, &str); 5] = [
    ("om", "运维费"),
    ("rent", "租金"),
    ("tax", "税费"),
    ("insurance", "保险"),
    ("other", "其他扣除"),
];

fn yield_form(a: &assets::AssetView, st: &FormState) -> Markup {
    let kinds = options(YieldKind::ALL, YieldKind::as_str, YieldKind::label, None);
    let fields = html! {
        div.row {
            (st.select("kind", "收益类型", &kinds))
            (st.input("period_start", "期间开始", "date"))
            (st.input("period_end", "期间结束", "date"))
            (st.input("received_on", "到账日期 (未到账留空)", "date"))
        }
        div.row {
            (st.input("kwh", "上网电量 (kWh)", "text"))
            (st.input("tariff", "电价 (元/kWh)", "text"))
            (st.input("revenue", "收入 (元)", "text"))
            (st.input("voucher", "凭证号", "text"))
        }
        div.row { @for (k, l) in DEDUCTIONS { (st.input(&format!("deductions.{k}"), l, "text")) } }
    };
    html! {
        form.edit method="post" action=(format!("/assets/{}/yields", a.id)) {
            strong { "登记收益" }
            p.muted { "光伏收益可不填收入: 按上网电量 × 电价计算, 四舍五入到分。" }
            (st.others())
            (fields)
            div.actions { button type="submit" { "登记收益" } }
        }
    }
}

/// `POST /assets/{id}/ownership`
pub async fn confirm(
    State(s): State<AppState>,
    u: WebUser,
    Id(id): Id,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::County) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let mut st = FormState::new(form);
    if st.reshaping("owners") {
        return render(&s, &u, id, Some(Submitted::Ownership(st))).await;
    }
    let n = st.lines("owners", 1);
    let used = st.filled("owners", n, &["investment"]);
    let mut owners = Vec::new();
    for &i in &used {
        let household_id = st.int(&format!("owners[{i}].household_id"));
        let region = st.text(&format!("owners[{i}].region_code"));
        owners.push(NewOwner {
            region_code: (!region.is_empty()).then_some(region),
            household_id,
            investment: st.money_required(&format!("owners[{i}].investment")),
        });
    }
    let confirmed_on = st.date_required("confirmed_on");
    if st.has_errors() {
        return render(&s, &u, id, Some(Submitted::Ownership(st))).await;
    }
    match assets::confirm(&s.store, &u.actor, id, Confirmation { confirmed_on, owners }).await {
        Ok(_) => Redirect::to(&format!("/assets/{id}")).into_response(),
        Err(e @ Error::Forbidden(_)) => error_page(&u.actor, &u.region_name, e),
        Err(e) => {
            st.take_error(&remap(e, "owners", &used));
            render(&s, &u, id, Some(Submitted::Ownership(st))).await
        }
    }
}

/// `POST /assets/{id}/yields`: PV revenue left blank is kWh × tariff (the service computes it).
pub async fn post_yield(
    State(s): State<AppState>,
    u: WebUser,
    Id(id): Id,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::County) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let mut st = FormState::new(form);
    let kind = st.choice("kind", YieldKind::parse);
    let mut deductions = Deductions::default();
    for (k, _) in DEDUCTIONS {
        let v = st.money(&format!("deductions.{k}"));
        match k {
            "om" => deductions.om = v,
            "rent" => deductions.rent = v,
            "tax" => deductions.tax = v,
            "insurance" => deductions.insurance = v,
            _ => deductions.other = v,
        }
    }
    let voucher = st.text("voucher");
    let input = NewYield {
        kind: kind.unwrap_or(YieldKind::Other),
        period_start: st.date_required("period_start"),
        period_end: st.date_required("period_end"),
        received_on: st.date("received_on"),
        revenue: st.money("revenue"),
        deductions,
        kwh: st.decimal("kwh"),
        tariff: st.decimal("tariff"),
        voucher: (!voucher.is_empty()).then_some(voucher),
    };
    if st.has_errors() {
        return render(&s, &u, id, Some(Submitted::Yield(st))).await;
    }
    match yields::post(&s.store, &u.actor, id, input).await {
        Ok(_) => Redirect::to(&format!("/assets/{id}")).into_response(),
        Err(e @ Error::Forbidden(_)) => error_page(&u.actor, &u.region_name, e),
        Err(e) => {
            st.take_error(&e);
            render(&s, &u, id, Some(Submitted::Yield(st))).await
        }
    }
}

/// `POST /yields/{id}/reverse`: a red counter-entry (红字冲销) dated today.
pub async fn reverse(
    State(s): State<AppState>,
    u: WebUser,
    Id(id): Id,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::County) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let asset_id = match yields::get(&s.store, &u.actor, id).await {
        Ok(y) => y.asset_id,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let mut st = FormState::new(form);
    let reason = st.required("reason");
    if st.has_errors() {
        return render(&s, &u, asset_id, Some(Submitted::Reverse(id, st))).await;
    }
    let input = Reversal {
        reason,
        reversed_on: None,
    };
    match yields::reverse(&s.store, &u.actor, id, input).await {
        Ok(_) => Redirect::to(&format!("/assets/{asset_id}")).into_response(),
        Err(e @ Error::Forbidden(_)) => error_page(&u.actor, &u.region_name, e),
        Err(e) => {
            st.take_error(&e);
            render(&s, &u, asset_id, Some(Submitted::Reverse(id, st))).await
        }
    }
}
