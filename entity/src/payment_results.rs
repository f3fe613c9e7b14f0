//! Payment return from the bank 银行回盘 (paid or failed, per household of a plan).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "payment_results")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub distribution_id: i32,
    pub household_id: i32,
    pub status: String,
    pub reason: String,
    pub recorded_on: Date,
    pub created_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
