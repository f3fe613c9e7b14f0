//! Operation contract 经营合同 (承包、租赁、委托经营).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "asset_operations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub asset_id: i32,
    pub operation_mode: String,
    pub operator: String,
    pub start: Date,
    pub end: Date,
    pub annual_amount_fen: i64,
    pub contract_ref: String,
    pub superseded_by: Option<i32>,
    pub created_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
