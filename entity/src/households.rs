//! Household 户 (脱贫户/监测户/一般农户).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "households")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub village_code: String,
    pub number: String,
    pub head_name: String,
    pub id_number: String,
    pub members: i32,
    pub disabled: bool,
    pub group_name: String,
    pub bank_account: String,
    pub created_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
