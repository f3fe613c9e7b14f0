//! Recorded step of a plan 四议两公开、审核、备案、发放.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "distribution_steps")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub distribution_id: i32,
    pub step: String,
    pub date: Date,
    pub date_to: Option<Date>,
    pub attendance: Option<String>,
    pub minutes_ref: Option<String>,
    pub reference: Option<String>,
    pub actor: Option<String>,
    pub created_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
