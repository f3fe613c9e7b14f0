//! Idempotency key 幂等键: the first answer to a keyed POST, per caller.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// SHA-256 of the caller's bearer token (or session cookie), never the token itself.
    pub caller: String,
    pub key: String,
    /// SHA-256 of the method, path and body the key was first used with.
    pub fingerprint: String,
    pub status: i32,
    pub content_type: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub created_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
