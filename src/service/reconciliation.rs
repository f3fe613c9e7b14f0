//! Reconciliation (对账): the county's books must balance to the fen. Each check compares two sums
//! drawn from different tables, so a row changed behind the service's back shows as a difference.
//!
//! - every posted yield's credits sum to its net (the split conserved the money);
//! - Σ posted net yields (credits to owners in scope) = Σ owner income credits in the accounts;
//! - disposal proceeds re-split by the owners' shares = Σ disposal credits in the accounts;
//! - every paid plan's parts sum to its amount and its allocation lines to its household parts;
//! - Σ paid plans' parts = Σ account debits (distributed, retained, public works);
//! - brought forward + credits − distributed − retained − public works = Σ closing balances.

use super::assets::{owners_on, periods_of};
use super::{Actor, Store, accounts, regions};
use crate::domain::allocation::allocate;
use crate::domain::vocab::PlanState;
use crate::domain::{Error, Fen, OnField, Result};
use chrono::NaiveDate;
use entity::{allocations, asset_disposals, distributions, households, income_entries, yield_credits, yields};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use utoipa::ToSchema;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub region_code: Option<String>,
    pub year: Option<i32>,
}

/// One comparison of two independently computed sums.
#[derive(Debug, Serialize, ToSchema)]
pub struct Check {
    pub name: String,
    #[schema(value_type = String)]
    pub left: Fen,
    #[schema(value_type = String)]
    pub right: Fen,
    pub ok: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Reconciliation {
    pub region_code: Option<String>,
    pub year: i32,
    #[schema(value_type = String)]
    pub posted_net_yields: Fen,
    #[schema(value_type = String)]
    pub owner_credits: Fen,
    #[schema(value_type = String)]
    pub disposal_proceeds: Fen,
    #[schema(value_type = String)]
    pub brought_forward: Fen,
    #[schema(value_type = String)]
    pub distributed: Fen,
    #[schema(value_type = String)]
    pub retained: Fen,
    #[schema(value_type = String)]
    pub public_works: Fen,
    #[schema(value_type = String)]
    pub undistributed_balance: Fen,
    pub plans_paid: u64,
    pub checks: Vec<Check>,
    pub balanced: bool,
}

fn check(name: &str, left: Fen, right: Fen) -> Check {
    Check {
        name: name.into(),
        left,
        right,
        ok: left == right,
    }
}

/// # Errors
/// [`Error::Forbidden`]/[`Error::NotFound`] for the region, or a database error.
pub async fn reconcile(store: &Store, actor: &Actor, q: &ReportQuery) -> Result<Reconciliation> {
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&super::today()));
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(Error::field("year", "年度有误"));
    };
    let regions_in = regions::subtree_codes(store, actor, q.region_code.as_deref()).await?;
    let codes: Vec<String> = regions_in.iter().cloned().collect();
    let household_ids: HashSet<i32> = households::Entity::find()
        .all(&store.db)
        .await?
        .into_iter()
        .filter(|h| regions_in.contains(&h.village_code))
        .map(|h| h.id)
        .collect();
    let owned = |region: &Option<String>, household: Option<i32>| match (region, household) {
        (Some(r), _) => regions_in.contains(r),
        (None, Some(h)) => household_ids.contains(&h),
        _ => false,
    };
    let mut checks = Vec::new();

    // Yields received in the year and their credits.
    let ys = yields::Entity::find()
        .filter(yields::Column::ReceivedOn.between(first, last))
        .all(&store.db)
        .await?;
    let ids: Vec<i32> = ys.iter().map(|y| y.id).collect();
    let mut credits: HashMap<i32, Vec<yield_credits::Model>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for c in yield_credits::Entity::find()
            .filter(yield_credits::Column::YieldId.is_in(chunk.to_vec()))
            .all(&store.db)
            .await?
        {
            credits.entry(c.yield_id).or_default().push(c);
        }
    }
    let mut posted = Fen::ZERO;
    let mut split_net = Fen::ZERO;
    let mut split_credits = Fen::ZERO;
    for y in &ys {
        let cs = credits.remove(&y.id).unwrap_or_default();
        if !cs.iter().any(|c| owned(&c.region_code, c.household_id)) {
            continue;
        }
        split_net = split_net.checked_add(Fen(y.net_fen)).on("net")?;
        for c in &cs {
            split_credits = split_credits.checked_add(Fen(c.amount_fen)).on("net")?;
            if owned(&c.region_code, c.household_id) {
                posted = posted.checked_add(Fen(c.amount_fen)).on("net")?;
            }
        }
    }
    checks.push(check("每笔收益的分户入账之和 = 收益净额", split_credits, split_net));

    // The owners' accounts.
    let mut entries = Vec::new();
    for chunk in codes.chunks(500) {
        entries.extend(
            income_entries::Entity::find()
                .filter(income_entries::Column::RegionCode.is_in(chunk.to_vec()))
                .all(&store.db)
                .await?,
        );
    }
    if !household_ids.is_empty() {
        entries.extend(
            income_entries::Entity::find()
                .filter(income_entries::Column::HouseholdId.is_not_null())
                .all(&store.db)
                .await?
                .into_iter()
                .filter(|e| e.household_id.is_some_and(|h| household_ids.contains(&h))),
        );
    }
    let sum = |f: &dyn Fn(&income_entries::Model) -> bool| {
        Fen::sum(entries.iter().filter(|e| f(e)).map(|e| Fen(e.amount_fen))).on("amount")
    };
    let owner_credits = sum(&|e| e.year == year && (e.kind == "yield" || e.kind == "reversal"))?;
    let disposal = sum(&|e| e.year == year && e.kind == "disposal")?;
    let brought_forward = sum(&|e| e.year < year)?;
    let distributed = sum(&|e| e.year == year && e.kind == accounts::DISTRIBUTED)?.negate();
    let retained = sum(&|e| e.year == year && e.kind == accounts::RETAINED)?.negate();
    let public_works = sum(&|e| e.year == year && e.kind == accounts::PUBLIC_WORKS)?.negate();
    let closing = sum(&|e| e.year <= year)?;
    checks.push(check("收益净额 = 产权主体入账", posted, owner_credits));
    let proceeds = disposal_proceeds(store, first, last, &|r, h| owned(r, h)).await?;
    checks.push(check("处置收入按份额分配 = 台账处置收入", proceeds, disposal));

    // Paid plans of the year.
    let paid_states = [PlanState::Paid.as_str(), PlanState::ResultsPublicized.as_str()];
    let plans: Vec<distributions::Model> = distributions::Entity::find()
        .filter(distributions::Column::State.is_in(paid_states))
        .filter(distributions::Column::RecordDate.between(first, last))
        .all(&store.db)
        .await?
        .into_iter()
        .filter(|p| regions_in.contains(&p.village_code))
        .collect();
    let (mut plan_amounts, mut plan_parts, mut household_parts, mut line_totals) =
        (Fen::ZERO, Fen::ZERO, Fen::ZERO, Fen::ZERO);
    let (mut plan_distributed, mut plan_retained, mut plan_public) = (Fen::ZERO, Fen::ZERO, Fen::ZERO);
    for p in &plans {
        let to_households =
            Fen::sum([Fen(p.post_wages_fen), Fen(p.incentives_fen), Fen(p.dividends_fen)]).on("amount")?;
        let kept = Fen(p.retention_fen).checked_add(Fen(p.management_fen)).on("amount")?;
        plan_amounts = plan_amounts.checked_add(Fen(p.amount_fen)).on("amount")?;
        plan_parts = Fen::sum([plan_parts, to_households, kept, Fen(p.public_works_fen)]).on("amount")?;
        household_parts = household_parts.checked_add(to_households).on("amount")?;
        plan_distributed = plan_distributed.checked_add(to_households).on("amount")?;
        plan_retained = plan_retained.checked_add(kept).on("amount")?;
        plan_public = plan_public.checked_add(Fen(p.public_works_fen)).on("amount")?;
        let lines = allocations::Entity::find()
            .filter(allocations::Column::DistributionId.eq(p.id))
            .all(&store.db)
            .await?;
        for l in lines {
            line_totals = Fen::sum([line_totals, Fen(l.total_fen), Fen(l.tax_withheld_fen)]).on("amount")?;
        }
    }
    checks.push(check("已发放方案各部分之和 = 方案金额", plan_parts, plan_amounts));
    checks.push(check("分配到户明细合计 = 方案到户部分", line_totals, household_parts));
    checks.push(check("方案到户部分 = 台账分配支出", plan_distributed, distributed));
    checks.push(check("方案留存及管理费 = 台账留存", plan_retained, retained));
    checks.push(check("方案公益事业 = 台账公益支出", plan_public, public_works));
    let flows = Fen::sum([
        brought_forward,
        owner_credits,
        disposal,
        distributed.negate(),
        retained.negate(),
        public_works.negate(),
    ])
    .on("amount")?;
    checks.push(check(
        "上期结转 + 本期收入 − 分配 − 留存 − 公益 = 期末未分配余额",
        flows,
        closing,
    ));
    let balanced = checks.iter().all(|c| c.ok);
    Ok(Reconciliation {
        region_code: q.region_code.clone(),
        year,
        posted_net_yields: posted,
        owner_credits,
        disposal_proceeds: disposal,
        brought_forward,
        distributed,
        retained,
        public_works,
        undistributed_balance: closing,
        plans_paid: plans.len() as u64,
        checks,
        balanced,
    })
}

/// Σ disposal proceeds of the period re-split by the owners' shares on the disposal date, counting
/// the parts of owners in scope: computed from the disposal records, not from the accounts.
async fn disposal_proceeds(
    store: &Store,
    first: NaiveDate,
    last: NaiveDate,
    owned: &(dyn Fn(&Option<String>, Option<i32>) -> bool + Sync),
) -> Result<Fen> {
    let disposals = asset_disposals::Entity::find()
        .filter(asset_disposals::Column::DisposedOn.between(first, last))
        .all(&store.db)
        .await?;
    let ids: Vec<i32> = disposals.iter().map(|d| d.asset_id).collect();
    let periods = periods_of(&store.db, &ids).await?;
    let mut total = Fen::ZERO;
    for d in disposals {
        let Some(owners) = periods.get(&d.asset_id).and_then(|ps| owners_on(ps, d.disposed_on)) else {
            continue;
        };
        let weights: Vec<i64> = owners.owners.iter().map(|o| o.investment.0).collect();
        for (o, part) in owners
            .owners
            .iter()
            .zip(allocate(Fen(d.proceeds_fen), &weights).on("proceeds")?)
        {
            if owned(&o.region_code, o.household_id) {
                total = total.checked_add(part).on("proceeds")?;
            }
        }
    }
    Ok(total)
}
