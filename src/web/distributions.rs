//! Distribution plans (收益分配方案): the list, the plan form with a server-computed preview of
//! every household's amount (预览, saved only by 保存草稿), and the plan page with its parts, the
//! next step (see `plan_steps`), every household's line and the documents to download.

use super::Form;
use super::form::{FormState, remap};
use super::layout::{error_page, may, money, money_cell, options, page};
use super::places::Places;
use super::session::WebUser;
use crate::api::AppState;
use crate::api::extract::Id;
use crate::domain::distribution::{Computed, DividendRule, Incentive, LabourFactors, Post};
use crate::domain::vocab::{DividendBasis, HouseholdStatus, PlanState, RegionLevel, Role};
use crate::domain::{Error, Fen};
use crate::service::access::Duty;
use crate::service::distributions::{self, NewPlan};
use crate::service::{accounts, households, plan_preview};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;

/// The Chinese name of a recorded plan step.
fn step_label(step: &str) -> String {
    let fixed = match step {
        "publicize" => "决议公开 (公示)",
        "review" => "乡镇审核",
        "file" => "县级备案",
        "pay" => "发放",
        "results" => "结果公开",
        "cancel" => "取消",
        other => return crate::domain::vocab::DeliberationStep::label_of(other),
    };
    fixed.to_string()
}

#[derive(Debug, Deserialize)]
pub struct PlanQuery {
    pub village_code: Option<String>,
    pub year: Option<String>,
    pub state: Option<String>,
}

/// `/distributions`
pub async fn list(State(s): State<AppState>, u: WebUser, Query(q): Query<PlanQuery>) -> Response {
    let f = distributions::PlanFilter {
        village_code: q.village_code.clone().filter(|v| !v.is_empty()),
        year: q.year.as_deref().and_then(|y| y.trim().parse().ok()),
        state: q.state.clone().filter(|v| !v.is_empty()),
    };
    let loaded = async {
        let places = Places::load(&s.store, &u.actor).await?;
        let list = distributions::list(&s.store, &u.actor, &f).await?;
        Ok::<_, Error>((places, list))
    };
    let (places, list) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let st = FormState::new(HashMap::from([
        ("village_code".to_string(), q.village_code.clone().unwrap_or_default()),
        ("year".to_string(), q.year.clone().unwrap_or_default()),
        ("state".to_string(), q.state.clone().unwrap_or_default()),
    ]));
    let mut villages = vec![("", "全部")];
    villages.extend(places.of_level(RegionLevel::Village));
    let body = html! {
        form.filters method="get" {
            (st.select("village_code", "村", &villages))
            (st.input("year", "年度", "number"))
            (st.select("state", "状态", &options(PlanState::ALL, PlanState::as_str, PlanState::label, Some("全部"))))
            button { "筛选" }
            @if may(&u.actor, Duty::Village) { a.btn.secondary href="/distributions/new" { "编制分配方案" } }
        }
        table {
            tr { th { "编号" } th { "村" } th { "年度" } th { "基准日" } th { "状态" } th.num { "分配金额 (元)" } }
            @for p in &list {
                tr {
                    td { a href=(format!("/distributions/{}", p.id)) { "#" (p.id) } }
                    td { (places.name(&p.village_code)) } td { (p.year) } td { (p.record_date) }
                    td { (PlanState::label_of(&p.state)) }
                    (money_cell(p.amount))
                }
            }
        }
        p.muted { "共 " (list.len()) " 个方案" }
    };
    page(&u.actor, &u.region_name, "收益分配方案", body)
}

/// `/distributions/{id}`: parts, steps, every household's line and the documents.
pub async fn show(State(s): State<AppState>, u: WebUser, Id(id): Id) -> Response {
    render_plan(&s, &u, id, None).await
}

/// The plan page, with the refusal of the last step when there was one.
pub async fn render_plan(s: &AppState, u: &WebUser, id: i32, error: Option<String>) -> Response {
    let loaded = async {
        let places = Places::load(&s.store, &u.actor).await?;
        let p = distributions::get(&s.store, &u.actor, id).await?;
        Ok::<_, Error>((places, p))
    };
    let (places, p) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let frozen = !matches!(
        PlanState::parse(&p.state),
        Some(PlanState::Draft | PlanState::Cancelled)
    );
    let account = accounts::account(&s.store, &u.actor, &p.village_code, Some(p.year))
        .await
        .ok();
    let body = html! {
        p { "状态: " strong { (PlanState::label_of(&p.state)) } " · 基准日 " (p.record_date) " · " (places.name(&p.village_code)) }
        @if let Some(acc) = &account { p.muted { "本村 " (p.year) " 年度未分配余额 " (money(acc.balance)) " 元, 可分配 " (money(acc.available)) " 元" } }
        @for w in &p.warnings { p { span.flag { "提示" } (w.message) } }
        @if let Some(e) = &error { div.alert role="alert" { "未能完成: " (e) } }
        (super::plan_steps::next_step(&u.actor, &p))
        (parts_table(p.amount, &[p.parts.retention, p.parts.management, p.parts.public_works, p.parts.post_wages, p.parts.incentives, p.parts.dividends]))
        @if frozen {
            div.actions {
                a.btn.secondary href=(format!("/api/v1/distributions/{id}/notice.pdf")) { "公示表 PDF" }
                a.btn.secondary href=(format!("/api/v1/distributions/{id}/statements.pdf")) { "全部分红明细单 PDF" }
                @if u.actor.role != Role::Auditor { a.btn.secondary href=(format!("/api/v1/distributions/{id}/payments.csv")) { "发放花名册 CSV" } }
            }
        }
        h3 { "程序记录 (四议两公开)" }
        table {
            tr { th { "步骤" } th { "日期" } th { "到会 / 文号" } th { "记录人" } }
            @for st in &p.steps {
                tr {
                    td { (step_label(&st.step)) } td { (st.date) @if let Some(to) = st.to { " 至 " (to) } }
                    td { (st.attendance.as_deref().or(st.reference.as_deref()).unwrap_or("")) " " (st.minutes_ref.as_deref().unwrap_or("")) }
                    td { (st.recorded_by.as_deref().unwrap_or("")) }
                }
            }
        }
        h3 { "分配到户 (" (p.allocations.len()) " 户)" @if !frozen { " · 草案预览, 决议时按基准日重新计算" } }
        table {
            tr { th { "户编号" } th { "户主" } th.num { "人口" } th { "户类别" } th.num { "权重" } th.num { "分红" } th.num { "岗位工资" } th.num { "奖励" } th.num { "合计" } @if frozen { th { "明细单" } } }
            @for a in &p.allocations {
                tr {
                    td { (a.number) } td { (a.head_name) } td.num { (a.members) } td { (HouseholdStatus::label_of(&a.status)) } td.num { (a.weight) }
                    (money_cell(a.dividend)) (money_cell(a.post_wage)) (money_cell(a.incentive)) (money_cell(a.total))
                    @if frozen { td { a href=(format!("/api/v1/distributions/{id}/statements/{}.pdf", a.household_id)) { "下载" } } }
                }
            }
        }
    };
    page(
        &u.actor,
        &u.region_name,
        &format!("{} 年度收益分配方案 #{id}", p.year),
        body,
    )
}

/// The plan's amount and its parts, in the order they are carved out.
fn parts_table(amount: Fen, parts: &[Fen; 6]) -> Markup {
    html! {
        table {
            tr { th.num { "分配金额" } th.num { "集体留存" } th.num { "管理费" } th.num { "小型公益事业" } th.num { "公益岗位工资" } th.num { "奖励补助" } th.num { "分红" } }
            tr { (money_cell(amount)) @for f in parts { (money_cell(*f)) } }
        }
    }
}

/// The preview of a plan not yet saved: parts, warnings and every household's amount.
fn preview_block(c: &Computed, amount: Fen) -> Markup {
    let total = Fen::sum(c.lines.iter().map(|l| l.total)).unwrap_or_default();
    html! {
        section.preview {
            h3 { "预览 (尚未保存)" }
            @for w in &c.warnings { p { span.flag { "提示" } (w.message) } }
            (parts_table(amount, &[c.retention, c.management, c.public_works, c.post_wages, c.incentives, c.dividends]))
            p.muted { (c.lines.len()) " 户, 到户合计 " (money(total)) " 元" }
            table {
                tr { th { "户编号" } th { "户主" } th.num { "人口" } th { "户类别" } th.num { "权重" } th.num { "分红" } th.num { "岗位工资" } th.num { "奖励" } th.num { "合计" } }
                @for l in &c.lines {
                    tr {
                        td { (l.number) } td { (l.head_name) } td.num { (l.members) } td { (l.status.label()) } td.num { (l.weight.normalize()) }
                        (money_cell(l.dividend)) (money_cell(l.post_wage)) (money_cell(l.incentive)) (money_cell(l.total))
                    }
                }
            }
        }
    }
}

/// The form's lists and hints, loaded for the village chosen.
struct PlanContext {
    places: Places,
    /// `(id, "number head")` of the village's households, for the post and incentive selects.
    households: Vec<(String, String)>,
    available: Option<Fen>,
}

async fn context(s: &AppState, u: &WebUser, village: String) -> crate::domain::Result<PlanContext> {
    let places = Places::load(&s.store, &u.actor).await?;
    let (households, available) = if village.is_empty() {
        (Vec::new(), None)
    } else {
        let list = households::list(&s.store, &u.actor, Some(&village))
            .await
            .unwrap_or_default();
        let available = accounts::account(&s.store, &u.actor, &village, None)
            .await
            .ok()
            .map(|a| a.available);
        (
            list.into_iter()
                .map(|h| (h.id.to_string(), format!("{} {}", h.number, h.head_name)))
                .collect(),
            available,
        )
    };
    Ok(PlanContext {
        places,
        households,
        available,
    })
}

fn plan_form(u: &WebUser, cx: &PlanContext, st: &FormState, preview: Option<(&Computed, Fen)>) -> Response {
    let villages = cx.places.of_level(RegionLevel::Village);
    let mut people: Vec<(&str, &str)> = vec![("", "请选择农户")];
    people.extend(cx.households.iter().map(|(i, l)| (i.as_str(), l.as_str())));
    let (n_posts, n_incentives) = (st.lines("posts", 1), st.lines("incentives", 1));
    let fields = html! {
        div.row {
            (st.select("village_code", "村", &villages))
            (st.input("year", "年度", "number"))
            (st.input("record_date", "基准日", "date"))
            (st.input("amount", "分配金额 (元)", "text"))
        }
        @if let Some(a) = cx.available { p.muted { "本村当前可分配余额 " (money(a)) " 元" } }
        div.row {
            (st.input("retention_rate", "集体留存比例 (如 0.15)", "text"))
            (st.input("management_rate", "管理费比例 (如 0.05)", "text"))
            (st.input("public_works", "小型公益事业 (元)", "text"))
        }
        h3 { "分红规则" }
        div.row {
            (st.select("dividend.basis", "分红基数", &options(DividendBasis::ALL, DividendBasis::as_str, DividendBasis::label, None)))
            (st.input("dividend.labour_factors.none", "无劳动能力系数", "text"))
            (st.input("dividend.labour_factors.weak", "弱劳动能力系数", "text"))
            (st.input("dividend.labour_factors.full", "有劳动能力系数", "text"))
            (st.input("dividend.monitored_factor", "监测对象系数", "text"))
            (st.input("dividend.disability_factor", "残疾系数", "text"))
            (st.input("dividend.cap", "每户封顶 (元, 可空)", "text"))
            (st.input("dividend.floor", "每户保底 (元, 可空)", "text"))
        }
        fieldset {
            legend { "参与分红的户类别" }
            @for s in HouseholdStatus::ALL { (st.checkbox(&format!("eligible.{}", s.as_str()), s.label())) }
            (st.errors_of("dividend.eligible_statuses"))
        }
        h3 { "公益岗位" }
        @for i in 0..n_posts {
            div.row {
                (st.select(&format!("posts[{i}].household_id"), "农户", &people))
                (st.input(&format!("posts[{i}].post"), "岗位", "text"))
                (st.input(&format!("posts[{i}].months"), "月数", "number"))
                (st.input(&format!("posts[{i}].monthly_wage"), "月工资 (元)", "text"))
            }
        }
        (st.line_buttons("posts", n_posts))
        h3 { "奖励补助" }
        @for i in 0..n_incentives {
            div.row {
                (st.select(&format!("incentives[{i}].household_id"), "农户", &people))
                (st.input(&format!("incentives[{i}].reason"), "事由", "text"))
                (st.input(&format!("incentives[{i}].amount"), "金额 (元)", "text"))
            }
        }
        (st.line_buttons("incentives", n_incentives))
    };
    let body = html! {
        form.edit method="post" action="/distributions/new" {
            (st.others())
            (fields)
            div.actions {
                button type="submit" name="op" value="preview" { "预览" }
                button type="submit" name="op" value="save" { "保存草稿" }
                a href="/distributions" { "返回方案列表" }
            }
        }
        @if let Some((c, amount)) = preview { (preview_block(c, amount)) }
    };
    let mut resp = page(&u.actor, &u.region_name, "编制收益分配方案", body);
    if st.has_errors() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// The policy defaults of a blank plan form.
fn defaults(u: &WebUser) -> FormState {
    let mut st = FormState::default();
    let year = chrono::Datelike::year(&crate::service::today()) - 1;
    st.set("year", year.to_string());
    st.set("record_date", format!("{year}-12-31"));
    st.set("retention_rate", "0.15");
    st.set("management_rate", "0.05");
    let rule = DividendRule::default();
    st.set("dividend.basis", rule.basis.as_str());
    st.set("dividend.labour_factors.none", rule.labour_factors.none.to_string());
    st.set("dividend.labour_factors.weak", rule.labour_factors.weak.to_string());
    st.set("dividend.labour_factors.full", rule.labour_factors.full.to_string());
    st.set("dividend.monitored_factor", rule.monitored_factor.to_string());
    st.set("dividend.disability_factor", rule.disability_factor.to_string());
    for s in &rule.eligible_statuses {
        st.set(&format!("eligible.{}", s.as_str()), "1");
    }
    if u.actor.role == Role::VillageAccountant
        && let Some(r) = &u.actor.region_code
    {
        st.set("village_code", r.clone());
    }
    st
}

/// `GET /distributions/new`
pub async fn new_form(State(s): State<AppState>, u: WebUser) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::Village) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let st = defaults(&u);
    match context(&s, &u, st.text("village_code")).await {
        Ok(cx) => plan_form(&u, &cx, &st, None),
        Err(e) => error_page(&u.actor, &u.region_name, e),
    }
}

/// A factor with its default when left blank.
fn factor(st: &mut FormState, name: &str, default: rust_decimal::Decimal) -> rust_decimal::Decimal {
    st.decimal(name).unwrap_or(default)
}

/// Reads the plan form; the form lines used by the posts and the incentives.
fn read_plan(st: &mut FormState) -> (NewPlan, Vec<usize>, Vec<usize>) {
    let d = DividendRule::default();
    let labour_factors = LabourFactors {
        none: factor(st, "dividend.labour_factors.none", d.labour_factors.none),
        weak: factor(st, "dividend.labour_factors.weak", d.labour_factors.weak),
        full: factor(st, "dividend.labour_factors.full", d.labour_factors.full),
    };
    let dividend = DividendRule {
        basis: DividendBasis::parse(&st.text("dividend.basis")).unwrap_or(d.basis),
        eligible_statuses: HouseholdStatus::ALL
            .iter()
            .copied()
            .filter(|s| !st.blank(&format!("eligible.{}", s.as_str())))
            .collect(),
        labour_factors,
        disability_factor: factor(st, "dividend.disability_factor", d.disability_factor),
        monitored_factor: factor(st, "dividend.monitored_factor", d.monitored_factor),
        extra: Vec::new(),
        cap: st.money("dividend.cap"),
        floor: st.money("dividend.floor"),
    };
    let n = st.lines("posts", 1);
    let post_lines = st.filled("posts", n, &["household_id", "post", "monthly_wage"]);
    let mut posts = Vec::new();
    for &i in &post_lines {
        posts.push(Post {
            household_id: st.int_required(&format!("posts[{i}].household_id")),
            post: st.text(&format!("posts[{i}].post")),
            months: st.int_required(&format!("posts[{i}].months")),
            monthly_wage: st.money_required(&format!("posts[{i}].monthly_wage")),
        });
    }
    let n = st.lines("incentives", 1);
    let incentive_lines = st.filled("incentives", n, &["household_id", "reason", "amount"]);
    let mut incentives = Vec::new();
    for &i in &incentive_lines {
        incentives.push(Incentive {
            household_id: st.int_required(&format!("incentives[{i}].household_id")),
            reason: st.text(&format!("incentives[{i}].reason")),
            amount: st.money_required(&format!("incentives[{i}].amount")),
        });
    }
    let plan = NewPlan {
        village_code: st.text("village_code"),
        year: st.int_required("year"),
        record_date: st.date_required("record_date"),
        amount: st.money_required("amount"),
        retention_rate: st.decimal("retention_rate"),
        management_rate: st.decimal("management_rate"),
        public_works: st.money("public_works"),
        posts,
        incentives,
        dividend,
    };
    (plan, post_lines, incentive_lines)
}

/// `POST /distributions/new`: 预览 computes and shows every household's amount, 保存草稿 saves.
pub async fn create(State(s): State<AppState>, u: WebUser, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(e) = u.actor.check_duty(Duty::Village) {
        return error_page(&u.actor, &u.region_name, e);
    }
    let mut st = FormState::new(form);
    let cx = match context(&s, &u, st.text("village_code")).await {
        Ok(cx) => cx,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    if st.reshaping("posts") || st.reshaping("incentives") {
        return plan_form(&u, &cx, &st, None);
    }
    let (plan, post_lines, incentive_lines) = read_plan(&mut st);
    if st.has_errors() {
        return plan_form(&u, &cx, &st, None);
    }
    let remapped = |e: Error| remap(remap(e, "posts", &post_lines), "incentives", &incentive_lines);
    if st.text("op") == "save" {
        return match distributions::create(&s.store, &u.actor, plan).await {
            Ok(p) => Redirect::to(&format!("/distributions/{}", p.id)).into_response(),
            Err(e @ Error::Forbidden(_)) => error_page(&u.actor, &u.region_name, e),
            Err(e) => {
                st.take_error(&remapped(e));
                plan_form(&u, &cx, &st, None)
            }
        };
    }
    match plan_preview::preview(&s.store, &u.actor, &plan).await {
        Ok(c) => plan_form(&u, &cx, &st, Some((&c, plan.amount))),
        Err(e @ Error::Forbidden(_)) => error_page(&u.actor, &u.region_name, e),
        Err(e) => {
            st.take_error(&remapped(e));
            plan_form(&u, &cx, &st, None)
        }
    }
}
