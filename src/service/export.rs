//! Exports in the layouts county offices import (导出): the household roster (花名册) with the
//! headers `import households` reads, so an exported file imports back unchanged, and a plan's
//! allocations (分配明细). The asset ledger (资产台账) is `ledger::rows` with the report renderers.
//!
//! ID numbers and bank accounts are masked unless the export is asked for in full by an admin
//! (the CLI acts as the system admin on the server; nobody else gets them in full).

use super::{Actor, Store, distributions, regions};
use crate::domain::identity::{mask_bank_account, mask_id_number};
use crate::domain::vocab::{HouseholdStatus, Labour, Role};
use crate::domain::{Error, Result};
use entity::{household_statuses, households};
use reports::xlsx::TableCell;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// A table: its header row and its data rows.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<TableCell>>,
}

impl Table {
    fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

/// The roster's columns: the usual headers of `import households`.
pub const ROSTER_HEADERS: [&str; 11] = [
    "户编号",
    "户主姓名",
    "身份证号",
    "家庭人口",
    "劳动能力",
    "户类别",
    "所属村",
    "是否残疾",
    "村民小组",
    "银行账号",
    "纳入日期",
];

/// The households of a region (county, township or village; default the actor's scope) by
/// number, with their current status and labour capacity and the date of their first status
/// entry. `full` writes ID numbers and bank accounts unmasked, for an admin only.
///
/// # Errors
/// [`Error::Forbidden`] for `full` without the admin role or a region outside the scope.
pub async fn households(store: &Store, actor: &Actor, region_code: Option<&str>, full: bool) -> Result<Table> {
    if full && actor.role != Role::Admin {
        return Err(Error::Forbidden("只有管理员可以导出完整的身份证号和银行账号".into()));
    }
    let scope = regions::subtree_codes(store, actor, region_code).await?;
    let rows: Vec<households::Model> = households::Entity::find()
        .order_by_asc(households::Column::Number)
        .all(&store.db)
        .await?
        .into_iter()
        .filter(|h| scope.contains(&h.village_code))
        .collect();
    let mut history: HashMap<i32, Vec<household_statuses::Model>> = HashMap::new();
    let ids: Vec<i32> = rows.iter().map(|h| h.id).collect();
    for chunk in ids.chunks(500) {
        for s in household_statuses::Entity::find()
            .filter(household_statuses::Column::HouseholdId.is_in(chunk.to_vec()))
            .all(&store.db)
            .await?
        {
            history.entry(s.household_id).or_default().push(s);
        }
    }
    let mut table = Table::new(&ROSTER_HEADERS);
    for h in rows {
        let mut hist = history.remove(&h.id).unwrap_or_default();
        hist.sort_by_key(|s| (s.effective_date, s.id));
        let current = hist.last();
        let (id_number, bank) = if full {
            (h.id_number.clone(), h.bank_account.clone())
        } else {
            (mask_id_number(&h.id_number), mask_bank_account(&h.bank_account))
        };
        let text = |s: String| {
            if s.is_empty() {
                TableCell::Blank
            } else {
                TableCell::Text(s)
            }
        };
        table.rows.push(vec![
            TableCell::Text(h.number),
            TableCell::Text(h.head_name),
            TableCell::Text(id_number),
            TableCell::Integer(i64::from(h.members)),
            text(current.map(|s| Labour::label_of(&s.labour)).unwrap_or_default()),
            text(
                current
                    .map(|s| HouseholdStatus::label_of(&s.status))
                    .unwrap_or_default(),
            ),
            TableCell::Text(h.village_code),
            TableCell::Text(if h.disabled { "是" } else { "否" }.into()),
            text(h.group_name),
            text(bank),
            hist.first()
                .and_then(|s| s.effective_date)
                .map_or(TableCell::Blank, |d| TableCell::Date(d.to_string())),
        ]);
    }
    Ok(table)
}

/// A plan's allocations (分配明细), one row per household, and a 合计 row.
///
/// # Errors
/// [`Error::NotFound`] or [`Error::Forbidden`] for the plan.
pub async fn allocations(store: &Store, actor: &Actor, id: i32) -> Result<Table> {
    let plan = distributions::get(store, actor, id).await?;
    let mut table = Table::new(&[
        "户编号",
        "户主姓名",
        "家庭人口",
        "户类别",
        "劳动能力",
        "分配权重",
        "分红金额",
        "公益岗位工资",
        "奖励补助",
        "代扣税款",
        "合计",
    ]);
    let mut totals = [0_i64; 5];
    for a in plan.allocations {
        for (t, v) in totals
            .iter_mut()
            .zip([a.dividend, a.post_wage, a.incentive, a.tax_withheld, a.total])
        {
            *t += v.0;
        }
        table.rows.push(vec![
            TableCell::Text(a.number),
            TableCell::Text(a.head_name),
            TableCell::Integer(i64::from(a.members)),
            TableCell::Text(HouseholdStatus::label_of(&a.status)),
            TableCell::Text(Labour::label_of(&a.labour)),
            TableCell::Decimal(a.weight),
            TableCell::Money(a.dividend.0),
            TableCell::Money(a.post_wage.0),
            TableCell::Money(a.incentive.0),
            TableCell::Money(a.tax_withheld.0),
            TableCell::Money(a.total.0),
        ]);
    }
    let mut last = vec![
        TableCell::Text("合计".into()),
        TableCell::Blank,
        TableCell::Blank,
        TableCell::Blank,
        TableCell::Blank,
        TableCell::Blank,
    ];
    last.extend(totals.into_iter().map(TableCell::Money));
    table.rows.push(last);
    Ok(table)
}
