//! Credit of a yield to one owner 收益入账.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "yield_credits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub yield_id: i32,
    pub region_code: Option<String>,
    pub household_id: Option<i32>,
    pub amount_fen: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
