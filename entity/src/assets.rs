//! Asset 扶贫项目资产.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "assets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub code: String,
    pub project_id: i32,
    pub county_code: String,
    pub name: String,
    pub class: String,
    pub form: String,
    pub value_fen: i64,
    pub operation_mode: Option<String>,
    pub operator: Option<String>,
    pub pv_capacity_kw: Option<String>,
    pub status: String,
    pub formed_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
