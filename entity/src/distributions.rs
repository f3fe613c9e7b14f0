//! Distribution plan 收益分配方案.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "distributions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub village_code: String,
    pub year: i32,
    pub record_date: Date,
    pub amount_fen: i64,
    pub retention_rate: String,
    pub management_rate: String,
    pub retention_fen: i64,
    pub management_fen: i64,
    pub public_works_fen: i64,
    pub post_wages_fen: i64,
    pub incentives_fen: i64,
    pub dividends_fen: i64,
    #[sea_orm(column_type = "Text")]
    pub rule_json: String,
    #[sea_orm(column_type = "Text")]
    pub warnings_json: String,
    pub state: String,
    pub created_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
