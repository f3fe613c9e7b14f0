//! Watch lists (监管清单): contracts running out, and operators in arrears.

use super::asset_life::contracts_of;
use super::assets::periods_of;
use super::{Actor, Store, regions, today};
use crate::domain::money::round_to_fen;
use crate::domain::vocab::{AssetStatus, YieldKind};
use crate::domain::{Error, Fen, OnField, Result};
use chrono::{Datelike, NaiveDate};
use entity::{assets, yields};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractsQuery {
    pub region_code: Option<String>,
    /// Default: today.
    pub as_of: Option<NaiveDate>,
    /// Default: 90.
    pub within_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpiringContract {
    pub asset_id: i32,
    pub asset_name: String,
    pub operator: String,
    pub end: NaiveDate,
    pub days_left: i64,
    #[schema(value_type = String)]
    pub annual_amount: Fen,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArrearsQuery {
    pub region_code: Option<String>,
    pub year: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Arrears {
    pub asset_id: i32,
    pub asset_name: String,
    pub operator: String,
    #[schema(value_type = String)]
    pub due: Fen,
    #[schema(value_type = String)]
    pub received: Fen,
    #[schema(value_type = String)]
    pub arrears: Fen,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdleQuery {
    pub region_code: Option<String>,
    /// Default: today.
    pub as_of: Option<NaiveDate>,
}

/// An asset standing idle or damaged, and since when.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdleAsset {
    pub asset_id: i32,
    pub asset_name: String,
    pub status: String,
    pub since: NaiveDate,
    pub days: i64,
    #[schema(value_type = String)]
    pub value: Fen,
}

/// The assets in scope: of a county in scope, or owned (now) by a region in scope.
async fn assets_in(store: &Store, scope: &HashSet<String>) -> Result<Vec<assets::Model>> {
    let all = assets::Entity::find()
        .order_by_asc(assets::Column::Code)
        .all(&store.db)
        .await?;
    let ids: Vec<i32> = all.iter().map(|a| a.id).collect();
    let periods = periods_of(&store.db, &ids).await?;
    Ok(all
        .into_iter()
        .filter(|a| {
            scope.contains(&a.county_code)
                || periods.get(&a.id).and_then(|ps| ps.last()).is_some_and(|p| {
                    p.owners
                        .iter()
                        .any(|o| o.region_code.as_ref().is_some_and(|r| scope.contains(r)))
                })
        })
        .collect())
}

/// Contracts (not superseded, of assets not disposed) ending within `within_days` of `as_of`.
///
/// # Errors
/// [`Error::Invalid`] for a negative window; region errors.
pub async fn expiring(store: &Store, actor: &Actor, q: &ContractsQuery) -> Result<Vec<ExpiringContract>> {
    let as_of = q.as_of.unwrap_or_else(today);
    let within = q.within_days.unwrap_or(90);
    if !(0..=3650).contains(&within) {
        return Err(Error::field("within_days", "应在 0 至 3650 之间"));
    }
    let scope = regions::subtree_codes(store, actor, q.region_code.as_deref()).await?;
    let live: Vec<assets::Model> = assets_in(store, &scope)
        .await?
        .into_iter()
        .filter(|a| a.status != AssetStatus::Disposed.as_str())
        .collect();
    let names: HashMap<i32, String> = live.iter().map(|a| (a.id, a.name.clone())).collect();
    let ids: Vec<i32> = live.iter().map(|a| a.id).collect();
    let mut out: Vec<ExpiringContract> = contracts_of(&store.db, &ids)
        .await?
        .into_iter()
        .filter(|c| c.superseded_by.is_none())
        .map(|c| (as_of.signed_duration_since(c.end).num_days().saturating_neg(), c))
        .filter(|(days_left, _)| (0..=within).contains(days_left))
        .map(|(days_left, c)| ExpiringContract {
            asset_id: c.asset_id,
            asset_name: names.get(&c.asset_id).cloned().unwrap_or_default(),
            operator: c.operator,
            end: c.end,
            days_left,
            annual_amount: Fen(c.annual_amount_fen),
        })
        .collect();
    out.sort_by_key(|c| (c.end, c.asset_id));
    Ok(out)
}

/// Assets idle or damaged on `as_of`, with the date they became so, longest first.
///
/// # Errors
/// Region errors or a database error.
pub async fn idle(store: &Store, actor: &Actor, q: &IdleQuery) -> Result<Vec<IdleAsset>> {
    let as_of = q.as_of.unwrap_or_else(today);
    let scope = regions::subtree_codes(store, actor, q.region_code.as_deref()).await?;
    let watched = [AssetStatus::Idle.as_str(), AssetStatus::Damaged.as_str()];
    let mut out = Vec::new();
    for a in assets_in(store, &scope).await? {
        let history = entity::asset_statuses::Entity::find()
            .filter(entity::asset_statuses::Column::AssetId.eq(a.id))
            .filter(entity::asset_statuses::Column::EffectiveDate.lte(as_of))
            .order_by_asc(entity::asset_statuses::Column::EffectiveDate)
            .order_by_asc(entity::asset_statuses::Column::Id)
            .all(&store.db)
            .await?;
        let Some(current) = history.last().filter(|s| watched.contains(&s.status.as_str())) else {
            continue;
        };
        // Since the first entry of the unbroken run of idle/damaged entries that ends today.
        let since = history
            .iter()
            .rev()
            .take_while(|s| watched.contains(&s.status.as_str()))
            .last()
            .map_or(current.effective_date, |s| s.effective_date);
        out.push(IdleAsset {
            asset_id: a.id,
            asset_name: a.name,
            status: current.status.clone(),
            since,
            days: (as_of - since).num_days(),
            value: Fen(a.value_fen),
        });
    }
    out.sort_by_key(|i| (std::cmp::Reverse(i.days), i.asset_id));
    Ok(out)
}

/// Days of `[start, end]` that fall in `[first, last]`, both ends counted.
fn overlap_days(start: NaiveDate, end: NaiveDate, first: NaiveDate, last: NaiveDate) -> i64 {
    let from = start.max(first);
    let to = end.min(last);
    if to < from { 0 } else { (to - from).num_days() + 1 }
}

/// What contracts promised for the year (each prorated by days, half-up) against the rent and
/// fixed-return revenue whose period ends in the year; only assets that owe something.
///
/// # Errors
/// [`Error::Invalid`] for a bad year; region errors.
pub async fn arrears(store: &Store, actor: &Actor, q: &ArrearsQuery) -> Result<Vec<Arrears>> {
    let year = q.year.unwrap_or_else(|| today().year());
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(Error::field("year", "年度有误"));
    };
    let days_in_year = (last - first).num_days() + 1;
    let scope = regions::subtree_codes(store, actor, q.region_code.as_deref()).await?;
    let in_scope = assets_in(store, &scope).await?;
    let ids: Vec<i32> = in_scope.iter().map(|a| a.id).collect();
    let mut due: HashMap<i32, (Fen, String, NaiveDate)> = HashMap::new();
    for c in contracts_of(&store.db, &ids).await? {
        let days = overlap_days(c.start, c.end, first, last);
        if days == 0 {
            continue;
        }
        let share = Decimal::from(c.annual_amount_fen) * Decimal::from(days) / Decimal::from(days_in_year);
        let amount = round_to_fen(share).on("annual_amount")?;
        let entry = due
            .entry(c.asset_id)
            .or_insert((Fen::ZERO, c.operator.clone(), c.start));
        entry.0 = entry.0.checked_add(amount).on("annual_amount")?;
        if c.start >= entry.2 {
            entry.1 = c.operator.clone();
            entry.2 = c.start;
        }
    }
    let kinds = [YieldKind::Rent.as_str(), YieldKind::FixedReturn.as_str()];
    let mut received: HashMap<i32, Fen> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = yields::Entity::find()
            .filter(yields::Column::AssetId.is_in(chunk.to_vec()))
            .filter(yields::Column::Kind.is_in(kinds))
            .filter(yields::Column::PeriodEnd.between(first, last))
            .all(&store.db)
            .await?;
        for y in rows {
            let r = received.entry(y.asset_id).or_default();
            *r = r.checked_add(Fen(y.revenue_fen)).on("revenue")?;
        }
    }
    let mut out = Vec::new();
    for a in in_scope {
        let Some((due, operator, _)) = due.remove(&a.id) else {
            continue;
        };
        let got = received.get(&a.id).copied().unwrap_or_default();
        let owed = due.checked_sub(got).on("arrears")?;
        if owed.0 > 0 {
            out.push(Arrears {
                asset_id: a.id,
                asset_name: a.name,
                operator,
                due,
                received: got,
                arrears: owed,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn overlap_counts_both_ends_inside_the_year() {
        assert_eq!(
            overlap_days(d("2024-07-01"), d("2026-06-30"), d("2025-01-01"), d("2025-12-31")),
            365
        );
        assert_eq!(
            overlap_days(d("2025-07-01"), d("2026-06-30"), d("2025-01-01"), d("2025-12-31")),
            184
        );
        assert_eq!(
            overlap_days(d("2023-01-01"), d("2024-12-31"), d("2025-01-01"), d("2025-12-31")),
            0
        );
    }
}
