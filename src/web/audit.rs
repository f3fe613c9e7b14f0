//! The audit pages (审计): the log with filters (操作人、操作、对象、日期), and the reconciliation
//! (对账) that shows, to the fen, that the county's sums balance.

use super::form::FormState;
use super::layout::{error_page, money, money_cell, page, pager};
use super::session::WebUser;
use crate::api::AppState;
use crate::domain::Error;
use crate::domain::vocab::Role;
use crate::service::audit_search::{self, AuditFilter};
use crate::service::{self, reconciliation};
use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

/// Entries per page of the log.
const PAGE: u64 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub offset: Option<u64>,
}

/// The Chinese name of an audited object.
fn entity_label(entity: &str) -> &str {
    match entity {
        "region" => "区划",
        "household" => "农户",
        "project" => "项目",
        "asset" => "资产",
        "yield" => "收益",
        "distribution" => "分配方案",
        "user" => "用户",
        other => other,
    }
}

/// The Chinese name of an audited action (the identifier itself when it is a new one).
fn action_label(action: &str) -> &str {
    match action {
        "asset.caretaker" => "资产管护责任人",
        "asset.disposal" => "资产处置",
        "asset.operation" => "资产经营合同",
        "asset.ownership" => "资产确权",
        "asset.status" => "资产状态变更",
        "distribution.cancel" => "取消分配方案",
        "distribution.create" => "编制分配方案",
        "distribution.file" => "县级备案",
        "distribution.pay" => "发放",
        "distribution.payment_results" => "发放结果回盘",
        "distribution.publicize" => "决议公开",
        "distribution.resolve" => "四议决议",
        "distribution.results" => "结果公开",
        "distribution.review" => "乡镇审核",
        "household.bulk_insert" | "household.import" => "批量导入农户",
        "household.create" => "登记农户",
        "household.status" => "农户属性变更",
        "household.update" => "修改农户",
        "project.accept" => "竣工验收",
        "project.create" => "登记项目",
        "project.status" => "项目状态变更",
        "region.create" => "新增区划",
        "user.add" => "新增用户",
        "user.passwd" => "重设密码",
        "user.revoke" => "停用用户",
        "yield.post" => "登记收益",
        "yield.receive" => "收益到账",
        "yield.reverse" => "红字冲销",
        other => other,
    }
}

/// `/audit`: newest first; village accountants may not read the county's log.
pub async fn log(State(s): State<AppState>, u: WebUser, Query(q): Query<AuditQuery>) -> Response {
    if u.actor.role == Role::VillageAccountant {
        return error_page(
            &u.actor,
            &u.region_name,
            Error::Forbidden("村会计无权查看全县审计日志".into()),
        );
    }
    let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(String::from);
    let f = AuditFilter {
        actor: clean(&q.actor),
        action: clean(&q.action),
        entity: clean(&q.entity),
        entity_id: clean(&q.entity_id),
        from: clean(&q.from),
        to: clean(&q.to),
    };
    let offset = q.offset.unwrap_or(0);
    let (items, total) = match audit_search::search(&s.store.db, &u.actor, &f, PAGE, offset).await {
        Ok(r) => r,
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let pairs = [
        ("actor", &f.actor),
        ("action", &f.action),
        ("entity", &f.entity),
        ("entity_id", &f.entity_id),
        ("from", &f.from),
        ("to", &f.to),
    ];
    let st = FormState::new(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).clone().unwrap_or_default()))
            .collect::<HashMap<_, _>>(),
    );
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter_map(|(k, v)| v.as_deref().map(|v| (*k, v))))
        .finish();
    let entities = [
        ("", "全部"),
        ("project", "项目"),
        ("asset", "资产"),
        ("yield", "收益"),
        ("household", "农户"),
        ("distribution", "分配方案"),
        ("region", "区划"),
    ];
    let body = html! {
        form.filters method="get" {
            (st.input("actor", "操作人", "text"))
            (st.input("action", "操作代码 (如 yield)", "text"))
            (st.select("entity", "对象", &entities))
            (st.input("entity_id", "对象编号", "text"))
            (st.input("from", "起始日期", "date"))
            (st.input("to", "截止日期", "date"))
            button { "筛选" }
            a.btn.secondary href="/reconciliation" { "对账" }
        }
        table {
            tr { th { "序号" } th { "时间 (UTC)" } th { "操作人" } th { "操作" } th { "对象" } th { "哈希 (前 16 位)" } }
            @for e in &items {
                tr {
                    td.num { (e.seq) } td { (e.at.get(..19).unwrap_or(&e.at).replace('T', " ")) } td { (e.actor) } td { (action_label(&e.action)) " " span.muted { (e.action) } }
                    td { (entity_label(&e.entity)) " " (e.entity_id) }
                    td.muted { code { (e.hash.get(..16).unwrap_or("")) } }
                }
            }
        }
        (pager(&format!("/audit?{query}"), offset, PAGE, total))
    };
    page(&u.actor, &u.region_name, "审计日志", body)
}

#[derive(Debug, Deserialize)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// `/reconciliation`: the year's sums, each compared with an independently computed one.
pub async fn reconciliation(State(s): State<AppState>, u: WebUser, Query(q): Query<YearQuery>) -> Response {
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
        Err(e) => return error_page(&u.actor, &u.region_name, e),
    };
    let rows = [
        ("上期结转", rec.brought_forward),
        ("本年入账收益 (净额)", rec.posted_net_yields),
        ("产权主体收益入账", rec.owner_credits),
        ("资产处置收入", rec.disposal_proceeds),
        ("分配到户", rec.distributed),
        ("集体留存及管理费", rec.retained),
        ("小型公益事业", rec.public_works),
        ("期末未分配余额", rec.undistributed_balance),
    ];
    let body = html! {
        form.filters method="get" {
            label { "年度" input name="year" type="number" value=(year); }
            button { "对账" }
        }
        p {
            "结果: "
            @if rec.balanced { strong.ok { "平衡, 各项核对到分一致" } } @else { strong.bad { "不平衡, 请检查下列不一致的项目" } }
            " · 已发放方案 " (rec.plans_paid) " 个"
        }
        table {
            tr { th { "项目" } th.num { "金额 (元)" } }
            @for (label, f) in rows { tr { td { (label) } (money_cell(f)) } }
        }
        h3 { "核对" }
        table {
            tr { th { "核对项" } th.num { "一方 (元)" } th.num { "另一方 (元)" } th.num { "差额 (元)" } th { "结果" } }
            @for c in &rec.checks {
                tr {
                    td { (c.name) } (money_cell(c.left)) (money_cell(c.right))
                    td.num { (c.left.checked_sub(c.right).map(money).unwrap_or_default()) }
                    td { @if c.ok { span.ok { "一致" } } @else { span.bad { "不一致" } } }
                }
            }
        }
    };
    page(&u.actor, &u.region_name, &format!("{year} 年度对账"), body)
}
