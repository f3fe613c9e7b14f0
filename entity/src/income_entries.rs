//! Owner income account entry 集体收益台账分录 (signed fen).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "income_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub region_code: Option<String>,
    pub household_id: Option<i32>,
    pub entry_date: Date,
    pub year: i32,
    pub kind: String,
    pub amount_fen: i64,
    pub yield_id: Option<i32>,
    pub distribution_id: Option<i32>,
    pub asset_id: Option<i32>,
    pub memo: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
