//! Villages and households (农户花名册): the roster with search by number or name, a page per
//! household with its status history (属性变更记录), and for village accountants the register
//! form and the status change form. ID numbers and bank accounts stay masked; a form refused
//! does not echo them back.

use super::Form;
use super::form::FormState;
use super::layout::{error_page, may, page, pager};
use super::places::Places;
use super::session::WebUser;
use crate::api::AppState;
use crate::api::extract::Id;
use crate::domain::Error;
use crate::domain::vocab::{HouseholdStatus, Labour, RegionLevel, Role};
use crate::service::access::Duty;
use crate::service::households::{self, NewHousehold, StatusChange};
use crate::service::{Paging, today};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

/// Rows per roster page.
const PAGE: u64 = 100;

#[derive(Debug, Deserialize)]
pub struct HouseholdQuery {
    pub village_code: Option<String>,
    pub q: Option<String>,
    pub offset: Option<u64>,
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    super::layout::options(
        HouseholdStatus::ALL,
        HouseholdStatus::as_str,
        HouseholdStatus::label,
        None,
    )
}

fn labours() -> Vec<(&'static str, &'static str)> {
    super::layout::options(Labour::ALL, Labour::as_str, Labour::label, None)
}

/// `/households`: the roster with search by household number or head's name.
pub async fn list(State(s): State<AppState>, u: WebUser, Query(q): Query<HouseholdQuery>) -> Response {
    let village = q.village_code.clone().filter(|v| !v.is_empty());
    let loaded = async {
        let places = Places::load(&s.store, &u.actor).await?;
        let list = households::list(&s.store, &u.actor, village.as_deref()).await?;
        Ok::<_, Error>((places, list))
    };
    let (places, list) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let needle = q.q.clone().unwrap_or_default().trim().to_string();
    let found: Vec<households::HouseholdView> = list
        .into_iter()
        .filter(|h| needle.is_empty() || h.number.contains(&needle) || h.head_name.contains(&needle))
        .collect();
    let page_of = match (Paging {
        limit: Some(PAGE),
        offset: q.offset,
    })
    .page(found)
    {
        Ok(p) => p,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    // An ID number typed into the search box (it matches nothing) is not echoed back in full.
    let shown = if crate::domain::identity::IdNumber::parse(&needle).is_ok() {
        crate::domain::identity::mask_id_number(&needle)
    } else {
        needle.clone()
    };
    let base = format!(
        "/households?village_code={}&q={}",
        village.as_deref().unwrap_or(""),
        form_urlencoded::byte_serialize(shown.as_bytes()).collect::<String>()
    );
    let st = FormState::new(HashMap::from([
        ("village_code".to_string(), village.clone().unwrap_or_default()),
        ("q".to_string(), shown),
    ]));
    let mut villages = vec![("", "全部")];
    villages.extend(places.of_level(RegionLevel::Village));
    let body = html! {
        form.filters method="get" {
            (st.select("village_code", "村", &villages))
            (st.input("q", "户编号或户主姓名", "search"))
            button { "查询" }
            @if may(&u.actor, Duty::Village) { a.btn.secondary href="/households/new" { "登记农户" } }
        }
        table {
            tr { th { "户编号" } th { "户主" } th { "身份证号" } th.num { "人口" } th { "户类别" } th { "劳动能力" } th { "残疾" } th { "村" } }
            @for h in &page_of.items {
                tr {
                    td { a href=(format!("/households/{}", h.id)) { (h.number) } }
                    td { (h.head_name) } td { (h.id_number) } td.num { (h.members) }
                    td { (HouseholdStatus::label_of(&h.status)) }
                    td { (Labour::label_of(&h.labour)) }
                    td { @if h.disabled { "是" } @else { "否" } }
                    td { (places.name(&h.village_code)) }
                }
            }
        }
        (pager(&base, q.offset.unwrap_or(0), PAGE, page_of.total))
    };
    page(&u.actor, &u.region_name, "农户花名册", body)
}

/// `/households/{id}`
pub async fn show(State(s): State<AppState>, u: WebUser, Id(id): Id) -> Response {
    let mut st = FormState::default();
    st.set("effective_date", today().to_string());
    render(&s, &u, id, st).await
}

async fn render(s: &AppState, u: &WebUser, id: i32, st: FormState) -> Response {
    let loaded = async {
        let places = Places::load(&s.store, &u.actor).await?;
        let h = households::get(&s.store, &u.actor, id).await?;
        Ok::<_, Error>((places, h))
    };
    let (places, h) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let mut st = st;
    if !st.has_errors() {
        st.set("status", h.status.clone());
        st.set("labour", h.labour.clone());
    }
    let fields = html! {
        div.row {
            (st.select("status", "户类别", &statuses()))
            (st.select("labour", "劳动能力", &labours()))
            (st.input("effective_date", "生效日期", "date"))
        }
    };
    let body = html! {
        table {
            tr { th { "户编号" } td { (h.number) } th { "身份证号" } td { (h.id_number) } }
            tr { th { "家庭人口" } td { (h.members) } th { "银行账号" } td { (h.bank_account) } }
            tr { th { "户类别" } td { (HouseholdStatus::label_of(&h.status)) } th { "劳动能力" } td { (Labour::label_of(&h.labour)) } }
            tr { th { "村" } td { (places.name(&h.village_code)) } th { "村民小组" } td { (h.group) } }
            tr { th { "家庭成员有残疾" } td { @if h.disabled { "是" } @else { "否" } } th { "建档生效日期" } td { (h.effective_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) } }
        }
        h3 { "属性变更记录" }
        table {
            tr { th { "生效日期" } th { "户类别" } th { "劳动能力" } }
            @for st in &h.status_history {
                tr { td { (st.effective_date.map(|d| d.to_string()).unwrap_or_else(|| "建档时".into())) } td { (HouseholdStatus::label_of(&st.status)) } td { (Labour::label_of(&st.labour)) } }
            }
        }
        @if may(&u.actor, Duty::Village) {
            form.edit method="post" action=(format!("/households/{id}/status")) {
                strong { "变更户类别或劳动能力" }
                (st.others())
                (fields)
                div.actions { button { "保存变更" } }
            }
        }
    };
    let mut resp = page(&u.actor, &u.region_name, &format!("农户 {}", h.head_name), body);
    if st.has_errors() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// `POST /households/{id}/status`: appends to the history.
pub async fn change_status(
    State(s): State<AppState>,
    u: WebUser,
    Id(id): Id,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::Village) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let mut st = FormState::new(form);
    let status = st.choice("status", HouseholdStatus::parse);
    let labour = st.choice("labour", Labour::parse);
    let effective_date = st.date_required("effective_date");
    let (Some(status), Some(labour), false) = (status, labour, st.has_errors()) else {
        return render(&s, &u, id, st).await;
    };
    let input = StatusChange {
        status,
        labour,
        effective_date,
    };
    match households::change_status(&s.store, &u.actor, id, input).await {
        Ok(_) => Redirect::to(&format!("/households/{id}")).into_response(),
        Err(e @ Error::Forbidden(_)) => error_page(&u.actor, &u.region_name, e),
        Err(e) => {
            st.take_error(&e);
            render(&s, &u, id, st).await
        }
    }
}

fn household_form(u: &WebUser, places: &Places, st: &FormState) -> Response {
    let villages = places.of_level(RegionLevel::Village);
    let fields = html! {
        div.row {
            (st.select("village_code", "村", &villages))
            (st.input("number", "户编号", "text"))
            (st.input("head_name", "户主姓名", "text"))
            (st.input("id_number", "户主身份证号", "text"))
            (st.input("members", "家庭人口", "number"))
        }
        div.row {
            (st.select("status", "户类别", &statuses()))
            (st.select("labour", "劳动能力", &labours()))
            (st.input("group", "村民小组", "text"))
            (st.input("bank_account", "银行账号 (一卡通)", "text"))
            (st.input("effective_date", "建档生效日期 (可空)", "date"))
            (st.checkbox("disabled", "家庭成员有残疾"))
        }
    };
    let body = html! {
        form.edit method="post" action="/households/new" {
            (st.others())
            @if st.has_errors() { p.muted { "为保护隐私, 身份证号和银行账号需重新填写。" } }
            (fields)
            div.actions { button { "登记农户" } a href="/households" { "返回花名册" } }
        }
    };
    let mut resp = page(&u.actor, &u.region_name, "登记农户", body);
    if st.has_errors() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// `GET /households/new`
pub async fn new_form(State(s): State<AppState>, u: WebUser) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::Village) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let places = match Places::load(&s.store, &u.actor).await {
        Ok(p) => p,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let mut st = FormState::default();
    if u.actor.role == Role::VillageAccountant
        && let Some(r) = &u.actor.region_code
    {
        st.set("village_code", r.clone());
    }
    st.set("members", "1");
    household_form(&u, &places, &st)
}

/// `POST /households/new`
pub async fn create(State(s): State<AppState>, u: WebUser, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::Village) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let places = match Places::load(&s.store, &u.actor).await {
        Ok(p) => p,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let mut st = FormState::new(form);
    let status = st.choice("status", HouseholdStatus::parse);
    let labour = st.choice("labour", Labour::parse);
    let members = st.int_required("members");
    let effective_date = st.date("effective_date");
    let (Some(status), Some(labour), false) = (status, labour, st.has_errors()) else {
        return household_form(&u, &places, &st);
    };
    let optional = |t: String| (!t.is_empty()).then_some(t);
    let input = NewHousehold {
        village_code: st.text("village_code"),
        number: st.text("number"),
        head_name: st.text("head_name"),
        id_number: st.text("id_number"),
        members,
        labour,
        status,
        disabled: !st.blank("disabled"),
        group: optional(st.text("group")),
        bank_account: optional(st.text("bank_account")),
        effective_date,
    };
    match households::create(&s.store, &u.actor, input).await {
        Ok(h) => Redirect::to(&format!("/households/{}", h.id)).into_response(),
        Err(e @ Error::Forbidden(_)) => error_page(&u.actor, &u.region_name, e),
        Err(e) => {
            st.take_error(&e);
            household_form(&u, &places, &st)
        }
    }
}
