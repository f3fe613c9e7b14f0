//! The audit log (审计日志): append-only and hash-chained. Every write appends its entry in the
//! same transaction, with the seals of the ledger rows it left behind ([`super::seal`]); `verify`
//! recomputes the chain and names the first entry that does not match, then checks every ledger
//! row against the state the log says it was left in.

use super::seal::{self, Aggregate, Seals};
use super::{Actor, now_text};
use crate::domain::Result;
use entity::audit_log;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The hash that precedes the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an entry: SHA-256 over the previous hash and every field, separated by a unit
/// separator so that no two different entries hash the same text. The seals and the region count
/// when present (entries written before they existed hash as they did).
pub fn entry_hash(e: &audit_log::Model) -> String {
    let mut h = Sha256::new();
    let later = !e.state_json.is_empty() || e.region_code.is_some();
    let seals = later.then_some([e.state_json.as_str(), e.region_code.as_deref().unwrap_or("")]);
    for part in [
        e.prev_hash.as_str(),
        &e.seq.to_string(),
        &e.at,
        &e.actor,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.before_json,
        &e.after_json,
    ]
    .into_iter()
    .chain(seals.into_iter().flatten())
    {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// What an entry says happened, before it is chained.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before_json: String,
    pub after_json: String,
    /// The region the write was in; left out, the region of the aggregate the entry names.
    pub region_code: Option<String>,
}

impl<'a> Change<'a> {
    pub fn new(
        action: &'a str,
        entity: &'a str,
        entity_id: impl ToString,
        before: &impl Serialize,
        after: &impl Serialize,
    ) -> Self {
        Change {
            action,
            entity,
            entity_id: entity_id.to_string(),
            before_json: serde_json::to_string(before).unwrap_or_default(),
            after_json: serde_json::to_string(after).unwrap_or_default(),
            region_code: None,
        }
    }

    /// The aggregate the entry is about, sealed with it.
    pub fn aggregate(&self) -> Option<Aggregate> {
        Aggregate::of_entity(self.entity, &self.entity_id)
    }
}

/// Appends one entry after the last one, sealing the aggregate it names.
///
/// # Errors
/// A database error (a concurrent append to the same position fails on the primary key).
pub async fn append<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    before: &impl Serialize,
    after: &impl Serialize,
) -> Result<()> {
    append_change(db, actor, Change::new(action, entity, entity_id, before, after), &[]).await
}

/// Appends one entry that also seals `also`: the other aggregates its write created or changed
/// (the assets a project's acceptance forms, the households a bulk insert adds).
///
/// # Errors
/// A database error.
pub async fn append_change<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    change: Change<'_>,
    also: &[Aggregate],
) -> Result<()> {
    let aggregates: Vec<Aggregate> = change.aggregate().into_iter().chain(also.iter().cloned()).collect();
    let seals = seal::seal(db, &aggregates).await?;
    chain_in(db, actor, change, aggregates.first(), &seals).await
}

/// Appends one entry with seals the caller made of rows it has just written (see
/// [`seal::seal_written`]), adding the seal of the aggregate the entry names.
///
/// # Errors
/// A database error.
pub async fn append_with_seals<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    change: Change<'_>,
    mut seals: seal::Seals,
) -> Result<()> {
    let own = change.aggregate();
    if let Some(a) = &own {
        seals.extend(seal::seal(db, std::slice::from_ref(a)).await?);
    }
    chain_in(db, actor, change, own.as_ref(), &seals).await
}

/// Chains the entry after the last one and stores it.
async fn chain_in<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    mut change: Change<'_>,
    first: Option<&Aggregate>,
    seals: &seal::Seals,
) -> Result<()> {
    if change.region_code.is_none() {
        change.region_code = match (change.entity, first) {
            ("village", _) => Some(change.entity_id.clone()),
            (_, Some(a)) => seal::region_of(db, a).await?,
            _ => None,
        };
    }
    let (seq, prev_hash) = last(db).await?;
    let mut entry = chained(seq + 1, prev_hash, now_text(), actor, change, seals);
    entry.hash = entry_hash(&entry);
    audit_log::Entity::insert(active(entry))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The last entry's number and hash (0 and [`GENESIS`] on an empty log).
///
/// # Errors
/// A database error.
pub async fn last<C: ConnectionTrait>(db: &C) -> Result<(i64, String)> {
    let last = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Seq)
        .limit(1)
        .one(db)
        .await?;
    Ok(match last {
        Some(l) => (l.seq, l.hash),
        None => (0, GENESIS.to_string()),
    })
}

/// An entry at `seq` after `prev_hash`, its hash still to be computed.
pub fn chained(
    seq: i64,
    prev_hash: String,
    at: String,
    actor: &Actor,
    change: Change<'_>,
    seals: &Seals,
) -> audit_log::Model {
    audit_log::Model {
        seq,
        at,
        actor: actor.username.clone(),
        action: change.action.to_string(),
        entity: change.entity.to_string(),
        entity_id: change.entity_id,
        before_json: change.before_json,
        after_json: change.after_json,
        state_json: if seals.is_empty() {
            String::new()
        } else {
            serde_json::to_string(seals).unwrap_or_default()
        },
        region_code: change.region_code,
        prev_hash,
        hash: String::new(),
    }
}

/// The row to insert for an entry.
pub fn active(e: audit_log::Model) -> audit_log::ActiveModel {
    audit_log::ActiveModel {
        seq: Set(e.seq),
        at: Set(e.at),
        actor: Set(e.actor),
        action: Set(e.action),
        entity: Set(e.entity),
        entity_id: Set(e.entity_id),
        before_json: Set(e.before_json),
        after_json: Set(e.after_json),
        state_json: Set(e.state_json),
        region_code: Set(e.region_code),
        prev_hash: Set(e.prev_hash),
        hash: Set(e.hash),
    }
}

/// The outcome of `audit verify`.
#[derive(Debug, Serialize)]
pub struct Verification {
    pub entries: u64,
    /// The first entry whose link or hash does not match, with the reason.
    pub first_bad: Option<(i64, String)>,
    pub last_hash: String,
    /// Ledger rows compared with the state the log left them in.
    pub rows_checked: u64,
    /// The first rows that differ from it (at most [`MAX_ROWS_NAMED`]), and how many in all.
    pub rows_bad: Vec<RowMismatch>,
    pub rows_bad_total: u64,
}

/// How many differing rows `verify` names; the rest are counted.
pub const MAX_ROWS_NAMED: usize = 20;

/// A ledger row that is not in the state the log says it was left in.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RowMismatch {
    pub table: &'static str,
    pub id: String,
    /// The entry that last sealed the row, if any did.
    pub seq: Option<i64>,
    pub reason: &'static str,
}

impl std::fmt::Display for RowMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "表 {} id={}: {}", self.table, self.id, self.reason)?;
        if let Some(seq) = self.seq {
            write!(f, " (最后记录于审计日志第 {seq} 条)")?;
        }
        Ok(())
    }
}

/// The state the log says each sealed row is in: (table, row id) → (digest, entry).
#[derive(Default)]
struct Expected {
    rows: HashMap<(&'static str, String), (String, i64)>,
    by_aggregate: HashMap<String, Vec<(&'static str, String)>>,
}

impl Expected {
    /// An entry's seals replace what earlier entries said of the same aggregates.
    fn apply(&mut self, seq: i64, seals: Seals, tables: &[(&'static str, &'static str)]) {
        for (aggregate, seal) in seals {
            for key in self.by_aggregate.remove(&aggregate).unwrap_or_default() {
                self.rows.remove(&key);
            }
            let mut keys = Vec::new();
            for (table, ids) in seal {
                let Some(&(table, _)) = tables.iter().find(|(t, _)| *t == table) else {
                    continue;
                };
                for (id, digest) in ids {
                    self.rows.insert((table, id.clone()), (digest, seq));
                    keys.push((table, id));
                }
            }
            self.by_aggregate.insert(aggregate, keys);
        }
    }
}

/// Recomputes the chain in pages of 1,000 entries, then compares every ledger row with the state
/// the log's seals say it was left in: a row changed, deleted or added behind the service's back
/// is named with the entry that last recorded it.
///
/// # Errors
/// A database error.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<Verification> {
    let tables = seal::tables();
    let mut expected = Expected::default();
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1_i64;
    let mut count = 0_u64;
    let mut first_bad = None;
    'pages: loop {
        let batch = audit_log::Entity::find()
            .order_by_asc(audit_log::Column::Seq)
            .filter(audit_log::Column::Seq.gte(expected_seq))
            .limit(1000)
            .all(db)
            .await?;
        if batch.is_empty() {
            break;
        }
        for e in batch {
            count += 1;
            let seals = if e.state_json.is_empty() {
                Ok(Seals::new())
            } else {
                serde_json::from_str::<Seals>(&e.state_json)
            };
            let bad = if e.seq != expected_seq {
                Some(format!("序号不连续: 应为 {expected_seq}"))
            } else if e.prev_hash != prev {
                Some("prev_hash 与上一条的 hash 不符".to_string())
            } else if entry_hash(&e) != e.hash {
                Some("hash 与内容不符 (记录被改动)".to_string())
            } else if seals.is_err() {
                Some("账簿印记无法读取".to_string())
            } else {
                None
            };
            if let Some(reason) = bad {
                first_bad = Some((e.seq, reason));
                break 'pages;
            }
            expected.apply(e.seq, seals.unwrap_or_default(), &tables);
            prev = e.hash;
            expected_seq += 1;
        }
    }
    let mut v = Verification {
        entries: count,
        first_bad,
        last_hash: prev,
        rows_checked: 0,
        rows_bad: Vec::new(),
        rows_bad_total: 0,
    };
    if v.first_bad.is_none() {
        check_rows(db, &tables, expected, &mut v).await?;
    }
    Ok(v)
}

/// Reads every sealed table in pages and compares each row with `expected`.
async fn check_rows<C: ConnectionTrait>(
    db: &C,
    tables: &[(&'static str, &'static str)],
    mut expected: Expected,
    v: &mut Verification,
) -> Result<()> {
    let mut bad = Vec::new();
    for &(table, id_col) in tables {
        let mut after: Option<serde_json::Value> = None;
        loop {
            let rows = seal::page(db, table, id_col, after.as_ref(), 1000).await?;
            let Some(last) = rows.last() else { break };
            after = Some(last[id_col].clone());
            for row in &rows {
                v.rows_checked += 1;
                let id = seal::row_id(row, id_col);
                let found = expected.rows.remove(&(table, id.clone()));
                let reason = match found {
                    None => Some((None, "不在审计日志中 (日志之外写入)")),
                    Some((digest, seq)) if digest != seal::row_digest(table, row) => {
                        Some((Some(seq), "与审计日志记录的状态不符 (日志之外改动)"))
                    }
                    Some(_) => None,
                };
                if let Some((seq, reason)) = reason {
                    bad.push(RowMismatch { table, id, seq, reason });
                }
            }
        }
    }
    for ((table, id), (_, seq)) in expected.rows {
        bad.push(RowMismatch {
            table,
            id,
            seq: Some(seq),
            reason: "已不存在 (日志之外删除)",
        });
    }
    v.rows_bad_total = bad.len() as u64;
    bad.sort_by(|a, b| {
        let pos = |t: &str| tables.iter().position(|(n, _)| *n == t);
        (pos(a.table), a.id.parse::<i64>().ok(), &a.id).cmp(&(pos(b.table), b.id.parse::<i64>().ok(), &b.id))
    });
    bad.truncate(MAX_ROWS_NAMED);
    v.rows_bad = bad;
    Ok(())
}

/// One entry as the API lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// The region the write was in (absent for system entries).
    pub region_code: Option<String>,
    pub hash: String,
    pub prev_hash: String,
}

impl From<audit_log::Model> for EntryView {
    fn from(e: audit_log::Model) -> Self {
        EntryView {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            region_code: e.region_code,
            hash: e.hash,
            prev_hash: e.prev_hash,
        }
    }
}

/// A page of the log the actor may read, oldest first.
///
/// # Errors
/// A database error.
pub async fn list<C: ConnectionTrait>(db: &C, actor: &Actor, limit: u64, offset: u64) -> Result<(Vec<EntryView>, u64)> {
    use sea_orm::PaginatorTrait;
    let scope = super::audit_search::in_scope(actor);
    let total = audit_log::Entity::find().filter(scope.clone()).count(db).await?;
    let rows = audit_log::Entity::find()
        .filter(scope)
        .order_by_asc(audit_log::Column::Seq)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows.into_iter().map(EntryView::from).collect(), total))
}
