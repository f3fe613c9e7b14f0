//! The audit log searched (审计日志查询): by actor, action, entity and date, newest first.

use super::Actor;
use super::audit::EntryView;
use crate::domain::Result;
use crate::domain::vocab::Role;
use entity::{audit_log, regions};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// The entries `actor` may read: all for an admin; otherwise those whose region lies in the
/// actor's scope (system entries without a region are an admin's alone).
pub fn in_scope(actor: &Actor) -> Condition {
    if actor.role == Role::Admin {
        return Condition::all();
    }
    let mine = actor.region_code.clone().unwrap_or_default();
    let codes = Query::select()
        .column(regions::Column::Code)
        .from(regions::Entity)
        .cond_where(
            Condition::any()
                .add(regions::Column::Code.eq(mine.clone()))
                .add(regions::Column::CountyCode.eq(mine.clone()))
                .add(regions::Column::TownshipCode.eq(mine)),
        )
        .to_owned();
    Condition::all().add(audit_log::Column::RegionCode.in_subquery(codes))
}

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
    actor: &Actor,
    f: &AuditFilter,
    limit: u64,
    offset: u64,
) -> Result<(Vec<EntryView>, u64)> {
    let mut q = audit_log::Entity::find().filter(in_scope(actor));
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
    Ok((rows.into_iter().map(EntryView::from).collect(), total))
}
