//! The pages: dashboard, projects, assets, households, distribution plans and the audit log, each a
//! list with filters and a page per item.

use super::layout::{login_page, money, money_cell, page, pager};
use super::session::WebUser;
use crate::api::AppState;
use crate::api::extract::Id;
use crate::domain::Error;
use crate::domain::vocab::{
    AssetClass, AssetStatus, HouseholdStatus, Labour, OperationMode, PlanState, ProjectStatus, YieldKind,
};
use crate::service::{self, Paging, accounts, asset_life, assets, distributions, households, projects, reconciliation};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

/// Rows per list page.
const PAGE: u64 = 100;

fn error_page(u: &WebUser, e: Error) -> Response {
    let (status, text) = match &e {
        Error::NotFound(what) => (StatusCode::NOT_FOUND, format!("{what}不存在")),
        Error::Forbidden(why) => (StatusCode::FORBIDDEN, why.clone()),
        Error::Internal(cause) => {
            tracing::error!(%cause, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误".into())
        }
        other => (StatusCode::UNPROCESSABLE_ENTITY, other.to_string()),
    };
    let mut resp = page(
        &u.actor,
        &u.region_name,
        "出错了",
        html! { p.bad { (text) } p { a href="/" { "返回首页" } } },
    );
    *resp.status_mut() = status;
    resp
}

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
pub struct YearQuery {
    pub year: Option<i32>,
}

/// `/`: the year's totals in the user's scope; the login form when not logged in.
pub async fn dashboard(
    State(s): State<AppState>,
    user: Result<WebUser, Response>,
    Query(q): Query<YearQuery>,
) -> Response {
    let Ok(u) = user else { return login_page(None, "") };
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&service::today()) - 1);
    let rec = match reconciliation::reconcile(
        &s.store,
        &u.actor,
        &reconciliation::ReportQuery {
            region_code: None,
            year: Some(year),
        },
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return error_page(&u, e),
    };
    let all_assets = match assets::list(&s.store, &u.actor, &assets::AssetFilter::default()).await {
        Ok(a) => a,
        Err(e) => return error_page(&u, e),
    };
    let count = |class: AssetClass| all_assets.iter().filter(|a| a.class == class.as_str()).count();
    let flagged: Vec<&assets::AssetView> = all_assets
        .iter()
        .filter(|a| !a.confirmed || a.status == AssetStatus::Idle.as_str() || a.status == AssetStatus::Damaged.as_str())
        .collect();
    let body = html! {
        form.filters method="get" {
            label { "年度" input name="year" type="number" value=(year); }
            button { "查看" }
            a.btn href=(format!("/api/v1/reports/performance.pdf?year={year}")) { "绩效报告 PDF" }
            a.btn href=(format!("/api/v1/reports/performance.xlsx?year={year}")) { "绩效报告 XLSX" }
            a.btn href="/api/v1/reports/ledger.xlsx" { "资产台账 XLSX" }
        }
        div.cards {
            div.card { "本年收益 (净额)" div.v { (money(rec.posted_net_yields)) " 元" } }
            div.card { "分配到户" div.v { (money(rec.distributed)) " 元" } }
            div.card { "集体留存及管理费" div.v { (money(rec.retained)) " 元" } }
            div.card { "期末未分配余额" div.v { (money(rec.undistributed_balance)) " 元" } }
            div.card { "资产 (经营性/公益性/到户类)" div.v { (count(AssetClass::Operating)) " / " (count(AssetClass::PublicWelfare)) " / " (count(AssetClass::Household)) } }
            div.card { "对账" div.v { @if rec.balanced { span.ok { "平衡" } } @else { span.bad { "不平衡" } } } }
        }
        h3 { "对账明细" }
        table {
            tr { th { "核对项" } th.num { "左" } th.num { "右" } th { "结果" } }
            @for c in &rec.checks {
                tr { td { (c.name) } (money_cell(c.left)) (money_cell(c.right)) td { @if c.ok { span.ok { "一致" } } @else { span.bad { "不一致" } } } }
            }
        }
        h3 { "需关注的资产 (" (flagged.len()) ")" }
        table {
            tr { th { "资产编号" } th { "名称" } th { "状态" } th { "确权" } }
            @for a in flagged.iter().take(50) {
                tr {
                    td { a href=(format!("/assets/{}", a.id)) { (a.code) } }
                    td { (a.name) }
                    td { (AssetStatus::label_of(&a.status)) }
                    td { @if a.confirmed { "已确权" } @else { span.flag { "未确权" } } }
                }
            }
        }
    };
    page(&u.actor, &u.region_name, &format!("{year}年度概况"), body)
}

#[derive(Debug, Deserialize)]
pub struct ProjectQuery {
    pub year: Option<i32>,
    pub kind: Option<String>,
    pub status: Option<String>,
}

/// `/projects`
pub async fn projects(State(s): State<AppState>, u: WebUser, Query(q): Query<ProjectQuery>) -> Response {
    let none_if_empty = |v: &Option<String>| v.clone().filter(|t| !t.is_empty());
    let f = projects::ProjectFilter {
        county_code: None,
        year: q.year,
        kind: none_if_empty(&q.kind),
        status: none_if_empty(&q.status),
    };
    let list = match projects::list(&s.store, &u.actor, &f).await {
        Ok(l) => l,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        form.filters method="get" {
            label { "年度" input name="year" type="number" value=[q.year]; }
            label { "类型" input name="kind" value=[q.kind.as_deref()] placeholder="photovoltaic"; }
            label { "状态" select name="status" {
                option value="" { "全部" }
                @for st in ProjectStatus::ALL { option value=(st.as_str()) selected[q.status.as_deref() == Some(st.as_str())] { (st.label()) } }
            } }
            button { "筛选" }
        }
        table {
            tr { th { "项目编号" } th { "名称" } th { "年度" } th { "类型" } th { "状态" } th.num { "投资 (元)" } th { "资产" } }
            @for p in &list {
                tr {
                    td { a href=(format!("/projects/{}", p.id)) { (p.code) } }
                    td { (p.name) } td { (p.year) } td { (p.kind) }
                    td { (ProjectStatus::label_of(&p.status)) }
                    (money_cell(p.investment))
                    td { (p.assets.len()) }
                }
            }
        }
        p.muted { "共 " (list.len()) " 个项目" }
    };
    page(&u.actor, &u.region_name, "项目库", body)
}

/// `/projects/{id}`
pub async fn project(State(s): State<AppState>, u: WebUser, Id(id): Id) -> Response {
    let p = match projects::get(&s.store, &u.actor, id).await {
        Ok(p) => p,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        table {
            tr { th { "项目编号" } td { (p.code) } th { "年度" } td { (p.year) } }
            tr { th { "实施单位" } td { (p.implementing_unit) } th { "状态" } td { (ProjectStatus::label_of(&p.status)) } }
            tr { th { "总投资 (元)" } td.num { (money(p.investment)) } th { "验收日期" } td { (p.accepted_on.map(|d| d.to_string()).unwrap_or_default()) } }
            tr { th { "受益村" } td colspan="3" { (p.village_codes.join("、")) } }
        }
        h3 { "资金来源" }
        table {
            tr { th { "来源" } th.num { "金额 (元)" } th { "资金年度" } th { "文号" } }
            @for f in &p.funding { tr { td { (f.source.label()) } (money_cell(f.amount)) td { (f.fiscal_year) } td { (f.document) } } }
        }
        h3 { "形成资产" }
        (asset_table(&p.assets))
    };
    page(&u.actor, &u.region_name, &p.name, body)
}

fn asset_table(list: &[assets::AssetView]) -> Markup {
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
                    td { (a.operator.clone().unwrap_or_default()) }
                    td { (AssetStatus::label_of(&a.status)) }
                    td { @if a.owners.is_empty() { span.flag { "未确权" } } @else { (a.owners.iter().map(|o| o.key.clone()).collect::<Vec<_>>().join("、")) } }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AssetQuery {
    pub class: Option<String>,
    pub status: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// `/assets`: the asset ledger (资产台账) with filters and paging.
pub async fn assets(State(s): State<AppState>, u: WebUser, Query(q): Query<AssetQuery>) -> Response {
    let f = assets::AssetFilter {
        class: q.class.clone().filter(|c| !c.is_empty()),
        status: q.status.clone().filter(|c| !c.is_empty()),
        ..Default::default()
    };
    let limit = q.limit.unwrap_or(PAGE).clamp(1, 1000);
    let list = match assets::list(&s.store, &u.actor, &f).await.and_then(|l| {
        Paging {
            limit: Some(limit),
            offset: q.offset,
        }
        .page(l)
    }) {
        Ok(l) => l,
        Err(e) => return error_page(&u, e),
    };
    let base = format!(
        "/assets?class={}&status={}&limit={limit}",
        q.class.as_deref().unwrap_or(""),
        q.status.as_deref().unwrap_or("")
    );
    let body = html! {
        form.filters method="get" {
            label { "类别" select name="class" {
                option value="" { "全部" }
                @for c in AssetClass::ALL { option value=(c.as_str()) selected[q.class.as_deref() == Some(c.as_str())] { (c.label()) } }
            } }
            label { "状态" select name="status" {
                option value="" { "全部" }
                @for st in AssetStatus::ALL { option value=(st.as_str()) selected[q.status.as_deref() == Some(st.as_str())] { (st.label()) } }
            } }
            button { "筛选" }
            a.btn href="/api/v1/reports/contracts" { "到期合同 (JSON)" }
        }
        (asset_table(&list.items))
        (pager(&base, q.offset.unwrap_or(0), limit, list.total))
    };
    page(&u.actor, &u.region_name, "资产台账", body)
}

/// `/assets/{id}`
pub async fn asset(State(s): State<AppState>, u: WebUser, Id(id): Id) -> Response {
    let d = match asset_life::detail(&s.store.db, &u.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&u, e),
    };
    let ys = service::yields::list_for_asset(&s.store, &u.actor, id)
        .await
        .unwrap_or_default();
    let a = &d.asset;
    let body = html! {
        table {
            tr { th { "资产编号" } td { (a.code) } th { "类别" } td { (AssetClass::label_of(&a.class)) } }
            tr { th { "原值 (元)" } td.num { (money(a.value)) } th { "状态" } td { (AssetStatus::label_of(&a.status)) } }
            tr { th { "经营主体" } td { (a.operator.clone().unwrap_or_default()) } th { "装机容量 (kW)" } td { (a.pv_capacity_kw.clone().unwrap_or_default()) } }
            tr { th { "所属项目" } td { a href=(format!("/projects/{}", a.project_id)) { "查看项目" } } th { "形成日期" } td { (a.formed_on) } }
        }
        h3 { "产权主体" @if let Some(d) = a.confirmed_on { " (自 " (d) " 起)" } }
        table {
            tr { th { "产权主体" } th.num { "份额 (元)" } }
            @for o in &a.owners { tr { td { (o.key) } (money_cell(o.investment)) } }
        }
        h3 { "收益记录" }
        table {
            tr { th { "类型" } th { "期间" } th { "到账日期" } th.num { "收入" } th.num { "净收益" } th { "备注" } }
            @for y in &ys {
                tr {
                    td { (YieldKind::label_of(&y.kind)) }
                    td { (y.period_start) " 至 " (y.period_end) }
                    td { (y.received_on.map(|d| d.to_string()).unwrap_or_else(|| "应收未到账".into())) }
                    (money_cell(y.revenue)) (money_cell(y.net))
                    td { @if let Some(r) = y.reverses_id { "冲销第 " (r) " 号: " (y.reason.clone().unwrap_or_default()) } @if y.reversed_by.is_some() { span.flag { "已冲销" } } }
                }
            }
        }
        h3 { "经营合同" }
        table {
            tr { th { "经营方式" } th { "经营主体" } th { "起止" } th.num { "年租金/保底收益" } th { "合同编号" } }
            @for o in &d.operations { tr { td { (o.operation_mode) } td { (o.operator) } td { (o.start) " 至 " (o.end) } (money_cell(o.annual_amount)) td { (o.contract_ref) } } }
        }
        h3 { "状态变更与管护" }
        ul {
            @for st in &d.status_history { li { (st.effective_date) " " (AssetStatus::label_of(&st.status)) " " (st.reason) } }
            @for c in &d.caretakers { li { "管护责任人: " (c.name) " " (c.phone) " (自 " (c.from) ")" } }
        }
        @if let Some(disp) = &d.disposal {
            h3 { "处置" }
            p { (disp.disposed_on) " " (disp.method) ", 处置收入 " (money(disp.proceeds)) " 元" }
        }
    };
    page(&u.actor, &u.region_name, &a.name, body)
}

#[derive(Debug, Deserialize)]
pub struct HouseholdQuery {
    pub village_code: Option<String>,
    pub q: Option<String>,
    pub offset: Option<u64>,
}

/// `/households`: the roster with search by number or name.
pub async fn households(State(s): State<AppState>, u: WebUser, Query(q): Query<HouseholdQuery>) -> Response {
    let village = q.village_code.clone().filter(|v| !v.is_empty());
    let list = match households::list(&s.store, &u.actor, village.as_deref()).await {
        Ok(l) => l,
        Err(e) => return error_page(&u, e),
    };
    let needle = q.q.clone().unwrap_or_default();
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
        Err(e) => return error_page(&u, e),
    };
    let base = format!(
        "/households?village_code={}&q={needle}",
        village.as_deref().unwrap_or("")
    );
    let body = html! {
        form.filters method="get" {
            label { "村 (区划代码)" input name="village_code" value=[village.as_deref()]; }
            label { "户编号或户主" input name="q" value=(needle); }
            button { "查询" }
        }
        table {
            tr { th { "户编号" } th { "户主" } th { "身份证号" } th { "人口" } th { "户类别" } th { "劳动能力" } th { "残疾" } th { "村" } }
            @for h in &page_of.items {
                tr {
                    td { a href=(format!("/households/{}", h.id)) { (h.number) } }
                    td { (h.head_name) } td { (h.id_number) } td { (h.members) }
                    td { (HouseholdStatus::label_of(&h.status)) }
                    td { (Labour::label_of(&h.labour)) }
                    td { @if h.disabled { "是" } @else { "否" } }
                    td { (h.village_code) }
                }
            }
        }
        (pager(&base, q.offset.unwrap_or(0), PAGE, page_of.total))
    };
    page(&u.actor, &u.region_name, "农户花名册", body)
}

/// `/households/{id}`
pub async fn household(State(s): State<AppState>, u: WebUser, Id(id): Id) -> Response {
    let h = match households::get(&s.store, &u.actor, id).await {
        Ok(h) => h,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        table {
            tr { th { "户编号" } td { (h.number) } th { "身份证号" } td { (h.id_number) } }
            tr { th { "家庭人口" } td { (h.members) } th { "银行账号" } td { (h.bank_account) } }
            tr { th { "户类别" } td { (HouseholdStatus::label_of(&h.status)) } th { "劳动能力" } td { (Labour::label_of(&h.labour)) } }
            tr { th { "村" } td { (h.village_code) } th { "村民小组" } td { (h.group) } }
        }
        h3 { "属性变更记录" }
        table {
            tr { th { "生效日期" } th { "户类别" } th { "劳动能力" } }
            @for st in &h.status_history {
                tr { td { (st.effective_date.map(|d| d.to_string()).unwrap_or_else(|| "建档时".into())) } td { (HouseholdStatus::label_of(&st.status)) } td { (Labour::label_of(&st.labour)) } }
            }
        }
    };
    page(&u.actor, &u.region_name, &format!("农户 {}", h.head_name), body)
}

#[derive(Debug, Deserialize)]
pub struct PlanQuery {
    pub village_code: Option<String>,
    pub year: Option<i32>,
    pub state: Option<String>,
}

/// `/distributions`
pub async fn distributions(State(s): State<AppState>, u: WebUser, Query(q): Query<PlanQuery>) -> Response {
    let f = distributions::PlanFilter {
        village_code: q.village_code.clone().filter(|v| !v.is_empty()),
        year: q.year,
        state: q.state.clone().filter(|v| !v.is_empty()),
    };
    let list = match distributions::list(&s.store, &u.actor, &f).await {
        Ok(l) => l,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        form.filters method="get" {
            label { "村 (区划代码)" input name="village_code" value=[q.village_code.as_deref()]; }
            label { "年度" input name="year" type="number" value=[q.year]; }
            label { "状态" select name="state" {
                option value="" { "全部" }
                @for st in PlanState::ALL { option value=(st.as_str()) selected[q.state.as_deref() == Some(st.as_str())] { (st.label()) } }
            } }
            button { "筛选" }
        }
        table {
            tr { th { "编号" } th { "村" } th { "年度" } th { "基准日" } th { "状态" } th.num { "分配金额 (元)" } }
            @for p in &list {
                tr {
                    td { a href=(format!("/distributions/{}", p.id)) { (p.id) } }
                    td { (p.village_code) } td { (p.year) } td { (p.record_date) }
                    td { (PlanState::label_of(&p.state)) }
                    (money_cell(p.amount))
                }
            }
        }
    };
    page(&u.actor, &u.region_name, "收益分配方案", body)
}

/// `/distributions/{id}`: parts, steps, every household's line and the documents.
pub async fn distribution(State(s): State<AppState>, u: WebUser, Id(id): Id) -> Response {
    render_distribution(&s, &u, id, None).await
}

/// The plan page, with the refusal of the last step when there was one.
pub async fn render_distribution(s: &AppState, u: &WebUser, id: i32, error: Option<String>) -> Response {
    let p = match distributions::get(&s.store, &u.actor, id).await {
        Ok(p) => p,
        Err(e) => return error_page(u, e),
    };
    let frozen = !matches!(
        PlanState::parse(&p.state),
        Some(PlanState::Draft | PlanState::Cancelled)
    );
    let account = accounts::account(&s.store, &u.actor, &p.village_code, Some(p.year))
        .await
        .ok();
    let body = html! {
        p { "状态: " strong { (PlanState::label_of(&p.state)) } " · 基准日 " (p.record_date) " · 村 " (p.village_code) }
        @if let Some(acc) = &account { p.muted { "本村 " (p.year) " 年度未分配余额 " (money(acc.balance)) " 元, 可分配 " (money(acc.available)) " 元" } }
        @for w in &p.warnings { p { span.flag { "提示" } (w.message) } }
        @if let Some(e) = &error { p.error { "未能完成: " (e) } }
        (super::plan_steps::next_step(&p))
        table {
            tr { th { "分配金额" } th { "集体留存" } th { "管理费" } th { "小型公益事业" } th { "公益岗位工资" } th { "奖励补助" } th { "分红" } }
            tr {
                (money_cell(p.amount)) (money_cell(p.parts.retention)) (money_cell(p.parts.management)) (money_cell(p.parts.public_works))
                (money_cell(p.parts.post_wages)) (money_cell(p.parts.incentives)) (money_cell(p.parts.dividends))
            }
        }
        @if frozen {
            p {
                a.btn href=(format!("/api/v1/distributions/{id}/notice.pdf")) { "公示表 PDF" } " "
                a.btn href=(format!("/api/v1/distributions/{id}/statements.pdf")) { "全部明细单 PDF" } " "
                a.btn href=(format!("/api/v1/distributions/{id}/payments.csv")) { "发放花名册 CSV" }
            }
        }
        h3 { "程序记录 (四议两公开)" }
        table {
            tr { th { "步骤" } th { "日期" } th { "到会/参考" } th { "记录人" } }
            @for st in &p.steps {
                tr {
                    td { (step_label(&st.step)) } td { (st.date) @if let Some(to) = st.to { " 至 " (to) } }
                    td { (st.attendance.clone().or_else(|| st.reference.clone()).unwrap_or_default()) " " (st.minutes_ref.clone().unwrap_or_default()) }
                    td { (st.recorded_by.clone().unwrap_or_default()) }
                }
            }
        }
        h3 { "分配到户 (" (p.allocations.len()) " 户)" }
        table {
            tr { th { "户编号" } th { "户主" } th { "人口" } th { "户类别" } th.num { "权重" } th.num { "分红" } th.num { "岗位工资" } th.num { "奖励" } th.num { "合计" } @if frozen { th { "明细单" } } }
            @for a in &p.allocations {
                tr {
                    td { (a.number) } td { (a.head_name) } td { (a.members) } td { (HouseholdStatus::label_of(&a.status)) } td.num { (a.weight) }
                    (money_cell(a.dividend)) (money_cell(a.post_wage)) (money_cell(a.incentive)) (money_cell(a.total))
                    @if frozen { td { a href=(format!("/api/v1/distributions/{id}/statements/{}.pdf", a.household_id)) { "PDF" } } }
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

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub offset: Option<u64>,
}

/// `/audit`: the log, newest page last, with each entry's hash link.
pub async fn audit(State(s): State<AppState>, u: WebUser, Query(q): Query<AuditQuery>) -> Response {
    if u.actor.role == crate::domain::vocab::Role::VillageAccountant {
        return error_page(&u, Error::Forbidden("村会计无权查看全县审计日志".into()));
    }
    let offset = q.offset.unwrap_or(0);
    let (items, total) = match service::audit::list(&s.store.db, PAGE, offset).await {
        Ok(r) => r,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        table {
            tr { th { "序号" } th { "时间" } th { "操作人" } th { "操作" } th { "对象" } th { "哈希" } }
            @for e in &items {
                tr { td { (e.seq) } td { (e.at) } td { (e.actor) } td { (e.action) } td { (e.entity) " " (e.entity_id) } td.muted { (e.hash.get(..16).unwrap_or("")) "…" } }
            }
        }
        (pager("/audit", offset, PAGE, total))
    };
    page(&u.actor, &u.region_name, "审计日志", body)
}

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
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(&u, e),
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
