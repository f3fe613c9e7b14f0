//! Owner income accounts (集体收益台账): credits from yields and disposals, debits from paid
//! plans, carried forward year to year (上期结转 → 本期收入 → 分配 → 本期留存).

use super::{Actor, Store, regions};
use crate::domain::vocab::PlanState;
use crate::domain::{Error, Fen, OnField, Result};
use chrono::NaiveDate;
use entity::{distributions, income_entries};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// Kinds of entry that credit the account (收入).
pub const CREDIT_KINDS: &[&str] = &["yield", "reversal", "disposal"];
/// Paid to households: dividends, post wages, incentives (分配到户).
pub const DISTRIBUTED: &str = "distributed";
/// Collective retention and management (集体留存、管理费).
pub const RETAINED: &str = "retained";
/// Small public works (小型公益事业).
pub const PUBLIC_WORKS: &str = "public_works";

/// The plan states that hold a claim on the balance until paid or cancelled.
pub const RESERVING: &[PlanState] = &[
    PlanState::Resolved,
    PlanState::Publicized,
    PlanState::Reviewed,
    PlanState::Filed,
];

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// One entry of an owner's account (its schema named apart from the audit log's `EntryView`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccountEntry)]
pub struct EntryView {
    pub date: NaiveDate,
    pub kind: String,
    #[schema(value_type = String)]
    pub amount: Fen,
    pub memo: String,
    pub yield_id: Option<i32>,
    pub distribution_id: Option<i32>,
    pub asset_id: Option<i32>,
}

/// `GET /regions/{code}/account?year=`
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub region_code: String,
    pub year: i32,
    #[schema(value_type = String)]
    pub brought_forward: Fen,
    #[schema(value_type = String)]
    pub credited: Fen,
    #[schema(value_type = String)]
    pub distributed: Fen,
    #[schema(value_type = String)]
    pub retained: Fen,
    #[schema(value_type = String)]
    pub public_works: Fen,
    /// brought_forward + credited − distributed − retained − public_works
    #[schema(value_type = String)]
    pub balance: Fen,
    /// Claimed by plans resolved but not yet paid (all years).
    #[schema(value_type = String)]
    pub reserved: Fen,
    /// What a new plan may still distribute: the balance after every entry, less `reserved`.
    #[schema(value_type = String)]
    pub available: Fen,
    pub entries: Vec<EntryView>,
}

/// Every entry of a collective owner, in date order.
async fn entries_of<C: ConnectionTrait>(db: &C, region_code: &str) -> Result<Vec<income_entries::Model>> {
    Ok(income_entries::Entity::find()
        .filter(income_entries::Column::RegionCode.eq(region_code))
        .order_by_asc(income_entries::Column::EntryDate)
        .order_by_asc(income_entries::Column::Id)
        .all(db)
        .await?)
}

/// Σ amounts of plans that reserve the balance, except `except`.
///
/// # Errors
/// A database error.
pub async fn reserved<C: ConnectionTrait>(db: &C, village_code: &str, except: Option<i32>) -> Result<Fen> {
    let states: Vec<&str> = RESERVING.iter().map(|s| s.as_str()).collect();
    let plans = distributions::Entity::find()
        .filter(distributions::Column::VillageCode.eq(village_code))
        .filter(distributions::Column::State.is_in(states))
        .all(db)
        .await?;
    Fen::sum(plans.iter().filter(|p| Some(p.id) != except).map(|p| Fen(p.amount_fen))).on("amount")
}

/// The undistributed balance after every entry (all years), less what other plans reserve.
///
/// # Errors
/// A database error.
pub async fn available<C: ConnectionTrait>(db: &C, region_code: &str, except: Option<i32>) -> Result<Fen> {
    let mut one = available_of(db, &[region_code.to_string()], except).await?;
    Ok(one.remove(region_code).unwrap_or_default())
}

/// [`available`] for many villages at once: two queries per 500 villages, two columns each.
///
/// # Errors
/// A database error, or a sum beyond the range of money.
pub async fn available_of<C: ConnectionTrait>(
    db: &C,
    village_codes: &[String],
    except: Option<i32>,
) -> Result<HashMap<String, Fen>> {
    use sea_orm::QuerySelect;
    let mut out: HashMap<String, Fen> = village_codes.iter().map(|c| (c.clone(), Fen(0))).collect();
    let states: Vec<&str> = RESERVING.iter().map(|s| s.as_str()).collect();
    for chunk in village_codes.chunks(500) {
        let credits: Vec<(Option<String>, i64)> = income_entries::Entity::find()
            .select_only()
            .columns([income_entries::Column::RegionCode, income_entries::Column::AmountFen])
            .filter(income_entries::Column::RegionCode.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        let mut claims = distributions::Entity::find()
            .select_only()
            .columns([distributions::Column::VillageCode, distributions::Column::AmountFen])
            .filter(distributions::Column::VillageCode.is_in(chunk.iter().cloned()))
            .filter(distributions::Column::State.is_in(states.clone()));
        if let Some(id) = except {
            claims = claims.filter(distributions::Column::Id.ne(id));
        }
        let claims: Vec<(String, i64)> = claims.into_tuple().all(db).await?;
        let moves = credits
            .into_iter()
            .filter_map(|(code, fen)| Some((code?, Fen(fen))))
            .chain(claims.into_iter().map(|(code, fen)| (code, Fen(fen).negate())));
        for (code, amount) in moves {
            let balance = out.entry(code).or_default();
            *balance = balance.checked_add(amount).on("amount")?;
        }
    }
    Ok(out)
}

/// Sums one year's entries of an account.
pub fn summarize(region_code: &str, year: i32, all: Vec<income_entries::Model>, reserved: Fen) -> Result<AccountView> {
    let sum = |f: &dyn Fn(&income_entries::Model) -> bool| {
        Fen::sum(all.iter().filter(|e| f(e)).map(|e| Fen(e.amount_fen))).on("amount")
    };
    let brought_forward = sum(&|e| e.year < year)?;
    let credited = sum(&|e| e.year == year && CREDIT_KINDS.contains(&e.kind.as_str()))?;
    let distributed = sum(&|e| e.year == year && e.kind == DISTRIBUTED)?.negate();
    let retained = sum(&|e| e.year == year && e.kind == RETAINED)?.negate();
    let public_works = sum(&|e| e.year == year && e.kind == PUBLIC_WORKS)?.negate();
    let balance = sum(&|e| e.year <= year)?;
    let everything = sum(&|_| true)?;
    Ok(AccountView {
        region_code: region_code.to_string(),
        year,
        brought_forward,
        credited,
        distributed,
        retained,
        public_works,
        balance,
        reserved,
        available: everything.checked_sub(reserved).on("amount")?,
        entries: all
            .into_iter()
            .filter(|e| e.year == year)
            .map(|e| EntryView {
                date: e.entry_date,
                kind: e.kind,
                amount: Fen(e.amount_fen),
                memo: e.memo,
                yield_id: e.yield_id,
                distribution_id: e.distribution_id,
                asset_id: e.asset_id,
            })
            .collect(),
    })
}

/// # Errors
/// [`Error::NotFound`]/[`Error::Forbidden`] for the region, [`Error::Invalid`] for a bad year.
pub async fn account(store: &Store, actor: &Actor, code: &str, year: Option<i32>) -> Result<AccountView> {
    let region = regions::get(store, actor, code).await?;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&super::today()));
    if !(1990..=2100).contains(&year) {
        return Err(Error::field("year", "年度应在 1990 至 2100 之间"));
    }
    let all = entries_of(&store.db, &region.code).await?;
    let reserved = reserved(&store.db, &region.code, None).await?;
    summarize(&region.code, year, all, reserved)
}
