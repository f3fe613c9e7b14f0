//! Audit log entry 审计日志 (append-only, hash-chained).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[sea_orm(column_type = "Text")]
    pub before_json: String,
    #[sea_orm(column_type = "Text")]
    pub after_json: String,
    /// The ledger rows this entry left behind: `{"aggregate": {"table": {"row id": digest}}}`.
    #[sea_orm(column_type = "Text")]
    pub state_json: String,
    /// The region the write was in (a village, or a county for projects and assets); NULL for
    /// system entries (users, import summaries), which only admins read.
    pub region_code: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
