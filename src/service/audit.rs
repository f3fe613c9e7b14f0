//! The audit log (审计日志): append-only and hash-chained. Every write appends its entry in the
//! same transaction; `verify` recomputes the chain and names the first row that does not match.

use super::{Actor, now_text};
use crate::domain::Result;
use entity::audit_log;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an entry: SHA-256 over the previous hash and every field, separated by a unit
/// separator so that no two different entries hash the same text.
pub fn entry_hash(e: &audit_log::Model) -> String {
    let mut h = Sha256::new();
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
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// Appends one entry after the last one.
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
    let last = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Seq)
        .limit(1)
        .one(db)
        .await?;
    let (seq, prev_hash) = match last {
        Some(l) => (l.seq + 1, l.hash),
        None => (1, GENESIS.to_string()),
    };
    let mut entry = audit_log::Model {
        seq,
        at: now_text(),
        actor: actor.username.clone(),
        action: action.to_string(),
        entity: entity.to_string(),
        entity_id: entity_id.to_string(),
        before_json: serde_json::to_string(before).unwrap_or_default(),
        after_json: serde_json::to_string(after).unwrap_or_default(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    let row = audit_log::ActiveModel {
        seq: Set(entry.seq),
        at: Set(entry.at),
        actor: Set(entry.actor),
        action: Set(entry.action),
        entity: Set(entry.entity),
        entity_id: Set(entry.entity_id),
        before_json: Set(entry.before_json),
        after_json: Set(entry.after_json),
        prev_hash: Set(entry.prev_hash),
        hash: Set(entry.hash),
    };
    audit_log::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

/// The outcome of `audit verify`.
#[derive(Debug, Serialize)]
pub struct Verification {
    pub entries: u64,
    /// The first entry whose link or hash does not match, with the reason.
    pub first_bad: Option<(i64, String)>,
    pub last_hash: String,
}

/// Recomputes the chain in pages of 1,000 entries.
///
/// # Errors
/// A database error.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<Verification> {
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1_i64;
    let mut count = 0_u64;
    loop {
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
            let bad = if e.seq != expected_seq {
                Some(format!("序号不连续: 应为 {expected_seq}"))
            } else if e.prev_hash != prev {
                Some("prev_hash 与上一条的 hash 不符".to_string())
            } else if entry_hash(&e) != e.hash {
                Some("hash 与内容不符 (记录被改动)".to_string())
            } else {
                None
            };
            if let Some(reason) = bad {
                return Ok(Verification {
                    entries: count,
                    first_bad: Some((e.seq, reason)),
                    last_hash: prev,
                });
            }
            prev = e.hash;
            expected_seq += 1;
        }
    }
    Ok(Verification {
        entries: count,
        first_bad: None,
        last_hash: prev,
    })
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
    pub hash: String,
    pub prev_hash: String,
}

/// A page of the log, oldest first.
///
/// # Errors
/// A database error.
pub async fn list<C: ConnectionTrait>(db: &C, limit: u64, offset: u64) -> Result<(Vec<EntryView>, u64)> {
    use sea_orm::PaginatorTrait;
    let total = audit_log::Entity::find().count(db).await?;
    let rows = audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Seq)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    let items = rows
        .into_iter()
        .map(|e| EntryView {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            hash: e.hash,
            prev_hash: e.prev_hash,
        })
        .collect();
    Ok((items, total))
}
