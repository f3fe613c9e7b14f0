//! Ledger seals (账簿状态印记): the digest of every ledger row an audit entry leaves behind.
//!
//! The ledger's rows fall into aggregates, each rooted at a region, household, project, asset,
//! yield or distribution plan (a plan's steps, allocations and account entries belong to the
//! plan). Every audit entry seals the aggregates its write touched: the digest of each of their
//! rows, as the transaction leaves them, goes into the entry and so under the hash chain. Replaying
//! the log gives the state every row must be in now; a row that differs, is missing, or exists
//! without an entry was changed behind the service's back (see [`super::audit::verify`]).

use crate::domain::Result;
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What one aggregate's rows were left as: table → row id → digest.
pub type Seal = BTreeMap<String, BTreeMap<String, String>>;

/// The seals of one audit entry: aggregate key (`household:17`) → its rows.
pub type Seals = BTreeMap<String, Seal>;

/// The root of an aggregate of ledger rows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Aggregate {
    /// 区划
    Region(String),
    /// 户 and its status history
    Household(i32),
    /// 项目 with its villages and funding lines
    Project(i32),
    /// 资产 with its ownership, status, contracts, caretakers, disposal and disposal proceeds
    Asset(i32),
    /// 收益 with its credits and account entries
    Yield(i32),
    /// 收益分配方案 with its steps, allocations, payment results and account entries
    Distribution(i32),
}

impl Aggregate {
    /// The aggregate an audit entry's `entity` and `entity_id` name, if it is one.
    pub fn of_entity(entity: &str, id: &str) -> Option<Aggregate> {
        let n = || id.parse::<i32>().ok();
        Some(match entity {
            "region" => Aggregate::Region(id.to_string()),
            "household" => Aggregate::Household(n()?),
            "project" => Aggregate::Project(n()?),
            "asset" => Aggregate::Asset(n()?),
            "yield" => Aggregate::Yield(n()?),
            "distribution" => Aggregate::Distribution(n()?),
            _ => return None,
        })
    }

    fn kind(&self) -> Kind {
        match self {
            Aggregate::Region(_) => Kind::Region,
            Aggregate::Household(_) => Kind::Household,
            Aggregate::Project(_) => Kind::Project,
            Aggregate::Asset(_) => Kind::Asset,
            Aggregate::Yield(_) => Kind::Yield,
            Aggregate::Distribution(_) => Kind::Distribution,
        }
    }

    fn root(&self) -> Value {
        match self {
            Aggregate::Region(code) => code.clone().into(),
            Aggregate::Household(id)
            | Aggregate::Project(id)
            | Aggregate::Asset(id)
            | Aggregate::Yield(id)
            | Aggregate::Distribution(id) => (*id).into(),
        }
    }

    /// The key under which an entry's seals name this aggregate.
    pub fn key(&self) -> String {
        match self {
            Aggregate::Region(code) => format!("region:{code}"),
            Aggregate::Household(id)
            | Aggregate::Project(id)
            | Aggregate::Asset(id)
            | Aggregate::Yield(id)
            | Aggregate::Distribution(id) => format!("{}:{id}", self.kind().as_str()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Region,
    Household,
    Project,
    Asset,
    Yield,
    Distribution,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Region => "region",
            Kind::Household => "household",
            Kind::Project => "project",
            Kind::Asset => "asset",
            Kind::Yield => "yield",
            Kind::Distribution => "distribution",
        }
    }
}

/// A ledger table as part of an aggregate: `root` is the column naming the aggregate's root, and
/// the rows whose `null_cols` are set belong to another aggregate (an account entry of a yield is
/// the yield's, not the asset's).
struct Part {
    table: &'static str,
    kind: Kind,
    id: &'static str,
    root: &'static str,
    null_cols: &'static [&'static str],
}

const fn part(table: &'static str, kind: Kind, root: &'static str) -> Part {
    Part {
        table,
        kind,
        id: "id",
        root,
        null_cols: &[],
    }
}

/// Every sealed ledger table, by aggregate.
const PARTS: &[Part] = &[
    Part {
        table: "regions",
        kind: Kind::Region,
        id: "code",
        root: "code",
        null_cols: &[],
    },
    part("households", Kind::Household, "id"),
    part("household_statuses", Kind::Household, "household_id"),
    part("projects", Kind::Project, "id"),
    part("project_villages", Kind::Project, "project_id"),
    part("funding_lines", Kind::Project, "project_id"),
    part("assets", Kind::Asset, "id"),
    part("ownership_periods", Kind::Asset, "asset_id"),
    part("ownership_shares", Kind::Asset, "asset_id"),
    part("asset_statuses", Kind::Asset, "asset_id"),
    part("asset_operations", Kind::Asset, "asset_id"),
    part("asset_caretakers", Kind::Asset, "asset_id"),
    part("asset_disposals", Kind::Asset, "asset_id"),
    Part {
        null_cols: &["yield_id", "distribution_id"],
        ..part("income_entries", Kind::Asset, "asset_id")
    },
    part("yields", Kind::Yield, "id"),
    part("yield_credits", Kind::Yield, "yield_id"),
    part("income_entries", Kind::Yield, "yield_id"),
    part("distributions", Kind::Distribution, "id"),
    part("distribution_steps", Kind::Distribution, "distribution_id"),
    part("allocations", Kind::Distribution, "distribution_id"),
    part("payment_results", Kind::Distribution, "distribution_id"),
    Part {
        null_cols: &["yield_id"],
        ..part("income_entries", Kind::Distribution, "distribution_id")
    },
];

/// The sealed tables, each once, in a fixed order, with the column that identifies a row.
pub fn tables() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for p in PARTS {
        if !out.iter().any(|(t, _)| *t == p.table) {
            out.push((p.table, p.id));
        }
    }
    out
}

/// The digest of one row: SHA-256 over the table name and the row as canonical JSON (keys
/// sorted), cut to 64 bits — enough that nobody can forge another row with the same digest.
pub fn row_digest(table: &str, row: &serde_json::Value) -> String {
    text_digest(table, &row.to_string())
}

/// [`row_digest`] of a row already written as canonical JSON.
fn text_digest(table: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(table.as_bytes());
    h.update([0x1f]);
    h.update(canonical.as_bytes());
    hex::encode(&h.finalize()[..8])
}

/// A row's identifying value as text (`17`, or a region's code).
pub fn row_id(row: &serde_json::Value, col: &str) -> String {
    match &row[col] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The seals of `aggregates` as the connection sees them now (inside the writer's transaction).
/// An aggregate without rows is sealed empty: its rows are expected to be gone.
///
/// # Errors
/// A database error.
pub async fn seal<C: ConnectionTrait>(db: &C, aggregates: &[Aggregate]) -> Result<Seals> {
    let mut seals = Seals::new();
    for a in aggregates {
        seals.entry(a.key()).or_default();
    }
    for p in PARTS {
        let roots: Vec<&Aggregate> = aggregates.iter().filter(|a| a.kind() == p.kind).collect();
        for chunk in roots.chunks(500) {
            let mut cond = Condition::all().add(Expr::col(Alias::new(p.root)).is_in(chunk.iter().map(|a| a.root())));
            for c in p.null_cols {
                cond = cond.add(Expr::col(Alias::new(*c)).is_null());
            }
            for row in rows(db, p.table, p.id, cond, None).await? {
                let key = match p.kind {
                    Kind::Region => format!("region:{}", row_id(&row, p.root)),
                    k => format!("{}:{}", k.as_str(), row_id(&row, p.root)),
                };
                let digest = row_digest(p.table, &row);
                seals
                    .entry(key)
                    .or_default()
                    .entry(p.table.to_string())
                    .or_default()
                    .insert(row_id(&row, p.id), digest);
            }
        }
    }
    Ok(seals)
}

/// Seals rows the transaction has just written, as the insert returned them, instead of reading
/// them back: `rows` must be every row `aggregate` has in `table` (a plan drafted in this
/// transaction: its own row and its allocations).
///
/// # Errors
/// [`crate::domain::Error::Internal`] for a table that is not part of the aggregate.
pub fn seal_written<M: Serialize>(
    seals: &mut Seals,
    aggregate: &Aggregate,
    table: &'static str,
    rows: &[M],
) -> Result<()> {
    let internal = |m: String| crate::domain::Error::Internal(m);
    let part = PARTS
        .iter()
        .find(|p| p.table == table && p.kind == aggregate.kind())
        .ok_or_else(|| internal(format!("{table} is not part of {}", aggregate.key())))?;
    let sealed = seals.entry(aggregate.key()).or_default();
    if rows.is_empty() {
        return Ok(());
    }
    let sealed = sealed.entry(table.to_string()).or_default();
    for m in rows {
        let (canonical, id) = super::canonical_json::of(m, part.id).map_err(|e| internal(e.to_string()))?;
        sealed.insert(id, text_digest(table, &canonical));
    }
    Ok(())
}

/// The region an aggregate's writes are in: a household's or plan's village, a project's or
/// asset's county (a yield's through its asset), a region itself.
///
/// # Errors
/// A database error.
pub async fn region_of<C: ConnectionTrait>(db: &C, aggregate: &Aggregate) -> Result<Option<String>> {
    use entity::{assets, distributions, households, projects, yields};
    let county_of_asset = |id: i32| async move {
        Ok::<_, sea_orm::DbErr>(assets::Entity::find_by_id(id).one(db).await?.map(|a| a.county_code))
    };
    Ok(match aggregate {
        Aggregate::Region(code) => Some(code.clone()),
        Aggregate::Household(id) => households::Entity::find_by_id(*id)
            .one(db)
            .await?
            .map(|h| h.village_code),
        Aggregate::Project(id) => projects::Entity::find_by_id(*id).one(db).await?.map(|p| p.county_code),
        Aggregate::Asset(id) => county_of_asset(*id).await?,
        Aggregate::Yield(id) => match yields::Entity::find_by_id(*id).one(db).await? {
            Some(y) => county_of_asset(y.asset_id).await?,
            None => None,
        },
        Aggregate::Distribution(id) => distributions::Entity::find_by_id(*id)
            .one(db)
            .await?
            .map(|d| d.village_code),
    })
}

/// One page of a sealed table in the order of its identifying column, after `after`.
///
/// # Errors
/// A database error.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    table: &'static str,
    id: &'static str,
    after: Option<&serde_json::Value>,
    limit: u64,
) -> Result<Vec<serde_json::Value>> {
    let mut cond = Condition::all();
    if let Some(last) = after {
        let v: Value = match last {
            serde_json::Value::String(s) => s.clone().into(),
            other => other.as_i64().unwrap_or(i64::MAX).into(),
        };
        cond = cond.add(Expr::col(Alias::new(id)).gt(v));
    }
    rows(db, table, id, cond, Some(limit)).await
}

/// The rows of a sealed table that meet `cond`, as canonical JSON.
async fn rows<C: ConnectionTrait>(
    db: &C,
    table: &str,
    id: &'static str,
    cond: Condition,
    limit: Option<u64>,
) -> Result<Vec<serde_json::Value>> {
    use entity::*;
    macro_rules! by_table {
        ($($t:ident),*) => {
            match table {
                $(stringify!($t) => fetch::<$t::Entity, C>(db, id, cond, limit).await,)*
                other => Err(crate::domain::Error::Internal(format!("no sealed table {other}"))),
            }
        };
    }
    by_table!(
        regions,
        households,
        household_statuses,
        projects,
        project_villages,
        funding_lines,
        assets,
        ownership_periods,
        ownership_shares,
        asset_statuses,
        asset_operations,
        asset_caretakers,
        asset_disposals,
        income_entries,
        yields,
        yield_credits,
        distributions,
        distribution_steps,
        allocations,
        payment_results
    )
}

async fn fetch<E, C>(db: &C, id: &'static str, cond: Condition, limit: Option<u64>) -> Result<Vec<serde_json::Value>>
where
    E: EntityTrait,
    E::Model: Serialize,
    C: ConnectionTrait,
{
    let mut q = E::find().filter(cond).order_by(Expr::col(Alias::new(id)), Order::Asc);
    if let Some(l) = limit {
        q = q.limit(l);
    }
    let models = q.all(db).await?;
    models
        .iter()
        .map(|m| serde_json::to_value(m).map_err(|e| crate::domain::Error::Internal(e.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entity_name_gives_its_aggregate_and_key() {
        assert_eq!(
            Aggregate::of_entity("household", "17").map(|a| a.key()),
            Some("household:17".into())
        );
        assert_eq!(
            Aggregate::of_entity("region", "371622101201").map(|a| a.key()),
            Some("region:371622101201".into())
        );
        assert_eq!(Aggregate::of_entity("user", "3"), None);
        assert_eq!(Aggregate::of_entity("yield", "x"), None);
    }

    #[test]
    fn a_changed_field_changes_the_digest_and_key_order_does_not() {
        let a = serde_json::json!({"id": 1, "members": 3, "head_name": "王建国"});
        let b = serde_json::json!({"head_name": "王建国", "members": 3, "id": 1});
        let c = serde_json::json!({"id": 1, "members": 4, "head_name": "王建国"});
        assert_eq!(row_digest("households", &a), row_digest("households", &b));
        assert_ne!(row_digest("households", &a), row_digest("households", &c));
        assert_ne!(row_digest("households", &a), row_digest("allocations", &a));
        assert_eq!(row_digest("households", &a).len(), 16);
    }

    #[test]
    fn every_sealed_table_is_listed_once() {
        let t = tables();
        assert_eq!(t.len(), 20);
        assert!(t.iter().filter(|(n, _)| *n == "income_entries").count() == 1);
    }
}
