//! Disposal 资产处置 (拍卖、转让、转产、报损、报废).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "asset_disposals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub asset_id: i32,
    pub disposed_on: Date,
    pub method: String,
    pub proceeds_fen: i64,
    #[sea_orm(column_type = "Text")]
    pub approvals_json: String,
    pub created_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
