//! Projects (项目库): the list with filters, the register form with its funding lines (资金来源),
//! the lifecycle buttons, the acceptance form that splits the investment into assets (竣工验收),
//! and a page per project.

use super::Form;
use super::assets::asset_table;
use super::form::{FormState, remap};
use super::layout::{error_page, may, money, money_cell, options, page};
use super::places::Places;
use super::session::WebUser;
use crate::api::AppState;
use crate::api::extract::Id;
use crate::domain::Error;
use crate::domain::vocab::{AssetClass, FundingSource, OperationMode, ProjectKind, ProjectStatus, RegionLevel, Role};
use crate::service::access::Duty;
use crate::service::projects::{self, Acceptance, Funding, NewAsset, NewProject, StatusChange};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
pub struct ProjectQuery {
    pub year: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub township: Option<String>,
}

fn some(v: &Option<String>) -> Option<String> {
    v.clone().filter(|t| !t.trim().is_empty())
}

/// `/projects`: filters by year, kind, status and township.
pub async fn list(State(s): State<AppState>, u: WebUser, Query(q): Query<ProjectQuery>) -> Response {
    let f = projects::ProjectFilter {
        county_code: None,
        year: some(&q.year).and_then(|y| y.trim().parse().ok()),
        kind: some(&q.kind),
        status: some(&q.status),
    };
    let loaded = async {
        let places = Places::load(&s.store, &u.actor).await?;
        let list = projects::list(&s.store, &u.actor, &f).await?;
        Ok::<_, Error>((places, list))
    };
    let (places, list) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let township = some(&q.township);
    let township_of = |village: &str| {
        places
            .all
            .iter()
            .find(|r| r.code == village)
            .and_then(|r| r.township_code.clone())
    };
    let shown: Vec<&projects::ProjectView> = list
        .iter()
        .filter(|p| {
            township
                .as_deref()
                .is_none_or(|t| p.village_codes.iter().any(|v| township_of(v).as_deref() == Some(t)))
        })
        .collect();
    let st = FormState::new(HashMap::from([
        ("year".to_string(), q.year.clone().unwrap_or_default()),
        ("kind".to_string(), q.kind.clone().unwrap_or_default()),
        ("status".to_string(), q.status.clone().unwrap_or_default()),
        ("township".to_string(), q.township.clone().unwrap_or_default()),
    ]));
    let mut townships = vec![("", "全部")];
    townships.extend(places.of_level(RegionLevel::Township));
    let body = html! {
        form.filters method="get" {
            (st.input("year", "年度", "number"))
            (st.select("kind", "类型", &options(ProjectKind::ALL, ProjectKind::as_str, ProjectKind::label, Some("全部"))))
            (st.select("status", "状态", &options(ProjectStatus::ALL, ProjectStatus::as_str, ProjectStatus::label, Some("全部"))))
            (st.select("township", "乡镇", &townships))
            button { "筛选" }
            @if may(&u.actor, Duty::County) { a.btn.secondary href="/projects/new" { "登记项目" } }
        }
        table {
            tr { th { "项目编号" } th { "名称" } th { "年度" } th { "类型" } th { "受益村" } th { "状态" } th.num { "投资 (元)" } th.num { "资产" } }
            @for p in &shown {
                tr {
                    td { a href=(format!("/projects/{}", p.id)) { (p.code) } }
                    td { (p.name) } td { (p.year) } td { (ProjectKind::label_of(&p.kind)) }
                    td { (p.village_codes.iter().map(|v| places.name(v)).collect::<Vec<_>>().join("、")) }
                    td { (ProjectStatus::label_of(&p.status)) }
                    (money_cell(p.investment))
                    td.num { (p.assets.len()) }
                }
            }
        }
        p.muted { "共 " (shown.len()) " 个项目" }
    };
    page(&u.actor, &u.region_name, "项目库", body)
}

/// `/projects/{id}`: funding lines, assets, and for county staff the next lifecycle step.
pub async fn show(State(s): State<AppState>, u: WebUser, Id(id): Id) -> Response {
    let loaded = async {
        let places = Places::load(&s.store, &u.actor).await?;
        let p = projects::get(&s.store, &u.actor, id).await?;
        Ok::<_, Error>((places, p))
    };
    let (places, p) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let status = ProjectStatus::parse(&p.status);
    let next = match status {
        Some(ProjectStatus::Planned) => Some((ProjectStatus::Approved, "批复立项")),
        Some(ProjectStatus::Approved) => Some((ProjectStatus::UnderConstruction, "开工建设")),
        _ => None,
    };
    let writer = may(&u.actor, Duty::County);
    let body = html! {
        table {
            tr { th { "项目编号" } td { (p.code) } th { "年度" } td { (p.year) } }
            tr { th { "类型" } td { (ProjectKind::label_of(&p.kind)) } th { "状态" } td { (ProjectStatus::label_of(&p.status)) } }
            tr { th { "实施单位" } td { (p.implementing_unit) } th { "验收日期" } td { (p.accepted_on.map(|d| d.to_string()).unwrap_or_default()) } }
            tr { th { "总投资 (元)" } td.num { (money(p.investment)) } th { "所属县" } td { (places.name(&p.county_code)) } }
            tr { th { "受益村" } td colspan="3" { (p.village_codes.iter().map(|v| places.name(v)).collect::<Vec<_>>().join("、")) } }
        }
        @if writer {
            div.actions {
                @if let Some((to, label)) = next {
                    form method="post" action=(format!("/projects/{id}/status")) {
                        input type="hidden" name="status" value=(to.as_str());
                        button { (label) }
                    }
                }
                @if status == Some(ProjectStatus::UnderConstruction) { a.btn href=(format!("/projects/{id}/accept")) { "竣工验收" } }
                @if matches!(status, Some(ProjectStatus::Planned | ProjectStatus::Approved | ProjectStatus::UnderConstruction)) {
                    form method="post" action=(format!("/projects/{id}/status")) {
                        input type="hidden" name="status" value=(ProjectStatus::Cancelled.as_str());
                        button.secondary { "取消项目" }
                    }
                }
            }
        }
        h3 { "资金来源" }
        table {
            tr { th { "来源" } th.num { "金额 (元)" } th { "资金年度" } th { "文号" } }
            @for f in &p.funding { tr { td { (f.source.label()) } (money_cell(f.amount)) td { (f.fiscal_year) } td { (f.document) } } }
        }
        h3 { "形成资产" }
        @if p.assets.is_empty() { p.muted { "尚未验收, 未形成资产" } } @else { (asset_table(&p.assets, &places)) }
    };
    page(&u.actor, &u.region_name, &p.name, body)
}

/// `POST /projects/{id}/status`
pub async fn change_status(
    State(s): State<AppState>,
    u: WebUser,
    Id(id): Id,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::County) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let Some(status) = form.get("status").and_then(|t| ProjectStatus::parse(t)) else {
        return error_page(&u.actor, &u.region_name, Error::field("status", "未知的项目状态"));
    };
    match projects::change_status(&s.store, &u.actor, id, StatusChange { status }).await {
        Ok(_) => Redirect::to(&format!("/projects/{id}")).into_response(),
        Err(e) => error_page(&u.actor, &u.region_name, e),
    }
}

const FUNDING_KEYS: [&str; 2] = ["amount", "document"];

/// The register form, with what was typed and what was refused.
fn project_form(u: &WebUser, places: &Places, st: &FormState) -> Response {
    let n = st.lines("funding", 2);
    let sources = options(FundingSource::ALL, FundingSource::as_str, FundingSource::label, None);
    let villages = places.of_level(RegionLevel::Village);
    let counties = places.of_level(RegionLevel::County);
    let fields = html! {
        div.row {
            (st.input("code", "项目编号", "text"))
            (st.input("name", "项目名称", "text"))
            (st.select("kind", "项目类型", &options(ProjectKind::ALL, ProjectKind::as_str, ProjectKind::label, None)))
            (st.input("year", "年度", "number"))
            (st.select("county_code", "所属县", &counties))
            (st.input("implementing_unit", "实施单位", "text"))
        }
        fieldset {
            legend { "受益村" }
            @for (code, name) in &villages { (st.checkbox(&format!("village.{code}"), name)) }
            (st.errors_of("village_codes"))
        }
        h3 { "资金来源" }
        (st.errors_of("funding"))
        @for i in 0..n {
            div.row {
                (st.select(&format!("funding[{i}].source"), "来源", &sources))
                (st.input(&format!("funding[{i}].amount"), "金额 (元)", "text"))
                (st.input(&format!("funding[{i}].fiscal_year"), "资金年度 (空则同项目)", "number"))
                (st.input(&format!("funding[{i}].document"), "文号", "text"))
            }
        }
        (st.line_buttons("funding", n))
    };
    let body = html! {
        form.edit method="post" action="/projects/new" {
            (st.others())
            (fields)
            div.actions { button type="submit" name="op" value="save" { "登记项目" } a href="/projects" { "返回项目库" } }
        }
    };
    let mut resp = page(&u.actor, &u.region_name, "登记项目", body);
    if st.has_errors() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// `GET /projects/new`
pub async fn new_form(State(s): State<AppState>, u: WebUser) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::County) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let places = match Places::load(&s.store, &u.actor).await {
        Ok(p) => p,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let mut st = FormState::default();
    let year = chrono::Datelike::year(&crate::service::today());
    st.set("year", year.to_string());
    for i in 0..2 {
        st.set(&format!("funding[{i}].fiscal_year"), year.to_string());
    }
    if u.actor.role == Role::CountyStaff
        && let Some(r) = &u.actor.region_code
    {
        st.set("county_code", r.clone());
    }
    project_form(&u, &places, &st)
}

/// Reads the register form into the service's input; the indices of the funding lines used.
fn read_project(st: &mut FormState, places: &Places) -> (NewProject, Vec<usize>) {
    let n = st.lines("funding", 2);
    let used = st.filled("funding", n, &FUNDING_KEYS);
    let year = st.int_required("year");
    let mut funding = Vec::new();
    for &i in &used {
        let source = st.choice(&format!("funding[{i}].source"), FundingSource::parse);
        let amount = st.money_required(&format!("funding[{i}].amount"));
        let fiscal_year = st.int(&format!("funding[{i}].fiscal_year")).unwrap_or(year);
        funding.push(Funding {
            source: source.unwrap_or(FundingSource::Other),
            amount,
            fiscal_year,
            document: st.text(&format!("funding[{i}].document")),
        });
    }
    let village_codes = places
        .of_level(RegionLevel::Village)
        .into_iter()
        .filter(|(code, _)| !st.blank(&format!("village.{code}")))
        .map(|(code, _)| code.to_string())
        .collect();
    let input = NewProject {
        code: st.text("code"),
        name: st.text("name"),
        county_code: st.text("county_code"),
        kind: st.text("kind"),
        year,
        implementing_unit: st.text("implementing_unit"),
        village_codes,
        funding,
    };
    (input, used)
}

/// `POST /projects/new`: saves, or re-renders with one line more or less, or with the errors.
pub async fn create(State(s): State<AppState>, u: WebUser, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::County) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let places = match Places::load(&s.store, &u.actor).await {
        Ok(p) => p,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let mut st = FormState::new(form);
    if st.reshaping("funding") {
        return project_form(&u, &places, &st);
    }
    let (input, used) = read_project(&mut st, &places);
    if st.has_errors() {
        return project_form(&u, &places, &st);
    }
    match projects::create(&s.store, &u.actor, input).await {
        Ok(p) => Redirect::to(&format!("/projects/{}", p.id)).into_response(),
        Err(e @ Error::Forbidden(_)) => error_page(&u.actor, &u.region_name, e),
        Err(e) => {
            st.take_error(&remap(e, "funding", &used));
            project_form(&u, &places, &st)
        }
    }
}

const ASSET_KEYS: [&str; 3] = ["name", "value", "operator"];

/// The acceptance form: the project's investment split into the assets it formed.
fn accept_form(u: &WebUser, p: &projects::ProjectView, st: &FormState) -> Response {
    let n = st.lines("assets", 1);
    let classes = options(AssetClass::ALL, AssetClass::as_str, AssetClass::label, None);
    let modes = options(
        OperationMode::ALL,
        OperationMode::as_str,
        OperationMode::label,
        Some("未定"),
    );
    let fields = html! {
        p { "项目总投资 " strong { (money(p.investment)) " 元" } ", 各项资产原值之和应与之相等。" }
        div.row { (st.input("accepted_on", "验收日期", "date")) }
        (st.errors_of("assets"))
        @for i in 0..n {
            fieldset {
                legend { "资产 " (i + 1) }
                (st.input(&format!("assets[{i}].name"), "资产名称", "text"))
                (st.select(&format!("assets[{i}].class"), "类别", &classes))
                (st.input(&format!("assets[{i}].value"), "原值 (元)", "text"))
                (st.select(&format!("assets[{i}].operation_mode"), "经营方式", &modes))
                (st.input(&format!("assets[{i}].operator"), "经营主体", "text"))
                (st.input(&format!("assets[{i}].pv_capacity_kw"), "光伏装机 (kW)", "text"))
            }
        }
        (st.line_buttons("assets", n))
    };
    let body = html! {
        form.edit method="post" action=(format!("/projects/{}/accept", p.id)) {
            (st.others())
            (fields)
            div.actions { button type="submit" name="op" value="save" { "验收并形成资产" } a href=(format!("/projects/{}", p.id)) { "返回项目" } }
        }
    };
    let mut resp = page(&u.actor, &u.region_name, &format!("竣工验收 · {}", p.name), body);
    if st.has_errors() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// `GET /projects/{id}/accept`
pub async fn accept_page(State(s): State<AppState>, u: WebUser, Id(id): Id) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::County) {
        return error_page(&u.actor, &u.region_name, e);
    }
    match projects::get(&s.store, &u.actor, id).await {
        Ok(p) => {
            let mut st = FormState::default();
            st.set("accepted_on", crate::service::today().to_string());
            st.set("assets[0].name", p.name.clone());
            st.set("assets[0].value", p.investment.to_string());
            st.set("assets[0].class", AssetClass::Operating.as_str());
            accept_form(&u, &p, &st)
        }
        Err(e) => error_page(&u.actor, &u.region_name, e),
    }
}

/// `POST /projects/{id}/accept`
pub async fn accept(
    State(s): State<AppState>,
    u: WebUser,
    Id(id): Id,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::County) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let p = match projects::get(&s.store, &u.actor, id).await {
        Ok(p) => p,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let mut st = FormState::new(form);
    if st.reshaping("assets") {
        return accept_form(&u, &p, &st);
    }
    let n = st.lines("assets", 1);
    let used = st.filled("assets", n, &ASSET_KEYS);
    let mut assets = Vec::new();
    for &i in &used {
        let class = st.choice(&format!("assets[{i}].class"), AssetClass::parse);
        let value = st.money_required(&format!("assets[{i}].value"));
        let mode = st.text(&format!("assets[{i}].operation_mode"));
        let operator = st.text(&format!("assets[{i}].operator"));
        assets.push(NewAsset {
            name: st.text(&format!("assets[{i}].name")),
            class: class.unwrap_or(AssetClass::Operating),
            form: None,
            value,
            operation_mode: OperationMode::parse(&mode),
            operator: (!operator.is_empty()).then_some(operator),
            pv_capacity_kw: st.decimal(&format!("assets[{i}].pv_capacity_kw")),
        });
    }
    let accepted_on = st.date_required("accepted_on");
    if st.has_errors() {
        return accept_form(&u, &p, &st);
    }
    match projects::accept(&s.store, &u.actor, id, Acceptance { accepted_on, assets }).await {
        Ok(_) => Redirect::to(&format!("/projects/{id}")).into_response(),
        Err(e @ Error::Forbidden(_)) => error_page(&u.actor, &u.region_name, e),
        Err(e) => {
            st.take_error(&remap(e, "assets", &used));
            accept_form(&u, &p, &st)
        }
    }
}
