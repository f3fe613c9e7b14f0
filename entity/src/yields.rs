//! Yield 资产收益 (a reversal is a row with negated amounts and reverses_id).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "yields")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub asset_id: i32,
    pub kind: String,
    pub period_start: Date,
    pub period_end: Date,
    pub received_on: Option<Date>,
    pub revenue_fen: i64,
    pub om_fen: i64,
    pub rent_fen: i64,
    pub tax_fen: i64,
    pub insurance_fen: i64,
    pub other_fen: i64,
    pub net_fen: i64,
    pub kwh: Option<String>,
    pub tariff: Option<String>,
    pub voucher: Option<String>,
    pub reverses_id: Option<i32>,
    pub reason: Option<String>,
    pub created_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
