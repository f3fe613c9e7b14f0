//! Allocation to a household 分配到户.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "allocations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub distribution_id: i32,
    pub household_id: i32,
    pub number: String,
    pub head_name: String,
    pub members: i32,
    pub status: String,
    pub labour: String,
    pub weight: String,
    pub dividend_fen: i64,
    pub post_wage_fen: i64,
    pub incentive_fen: i64,
    pub tax_withheld_fen: i64,
    pub total_fen: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
