//! The audit log searched (审计日志查询): by actor, action, entity and date, newest first.

use super::audit::EntryView;
use crate::domain::Result;
use entity::audit_log;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

/// Filters of the log; a blank one matches everything.
#[derive(Debug, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    /// A prefix of the action, e.g. `yield` matches `yield.post` and `yield.reverse`.
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Entries on or after this date (`YYYY-MM-DD`, compared with the stored RFC 3339 text).
    pub from: Option<String>,
    /// Entries on or before this date.
    pub to: Option<String>,
}

/// A page of the matching entries, newest first, with the number that match.
///
/// # Errors
/// A database error.
pub async fn search<C: ConnectionTrait>(
    db: &C,
    f: &AuditFilter,
    limit: u64,
    offset: u64,
) -> Result<(Vec<EntryView>, u64)> {
    let mut q = audit_log::Entity::find();
    if let Some(a) = &f.actor {
        q = q.filter(audit_log::Column::Actor.eq(a.clone()));
    }
    if let Some(a) = &f.action {
        q = q.filter(audit_log::Column::Action.starts_with(a.clone()));
    }
    if let Some(e) = &f.entity {
        q = q.filter(audit_log::Column::Entity.eq(e.clone()));
    }
    if let Some(e) = &f.entity_id {
        q = q.filter(audit_log::Column::EntityId.eq(e.clone()));
    }
    if let Some(d) = &f.from {
        q = q.filter(audit_log::Column::At.gte(d.clone()));
    }
    if let Some(d) = &f.to {
        q = q.filter(audit_log::Column::At.lt(format!("{d}T99")));
    }
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_desc(audit_log::Column::Seq)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((
        rows.into_iter()
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
            .collect(),
        total,
    ))
}
