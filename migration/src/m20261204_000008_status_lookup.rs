//! The index a roster reads a household's status on a date by (户类别变更记录): its history in
//! date order with the status and labour words in the index itself, so picking the latest entry
//! on or before the record date is one backward step through the index, no table row and no sort.
//! It replaces the index on `household_id` alone, of which it is an extension.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "household_statuses";
const OLD: &str = "ix_hstatus_household";
const NEW: &str = "ix_hstatus_household_date";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let idx = Index::create()
            .name(NEW)
            .table(String::from(TABLE))
            .col(String::from("household_id"))
            .col(String::from("effective_date"))
            .col(String::from("id"))
            .col(String::from("status"))
            .col(String::from("labour"))
            .take();
        manager.create_index(idx).await?;
        manager
            .drop_index(Index::drop().name(OLD).table(String::from(TABLE)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let idx = Index::create()
            .name(OLD)
            .table(String::from(TABLE))
            .col(String::from("household_id"))
            .take();
        manager.create_index(idx).await?;
        manager
            .drop_index(Index::drop().name(NEW).table(String::from(TABLE)).to_owned())
            .await
    }
}
