//! Payment returns from the bank (银行回盘): per household of a plan, paid or failed, appended.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(String::from("payment_results"))
            .col(pk_auto("id"))
            .col(integer("distribution_id"))
            .col(integer("household_id"))
            .col(string("status"))
            .col(string("reason"))
            .col(date("recorded_on"))
            .col(string("created_at"))
            .take();
        manager.create_table(table).await?;
        let idx = Index::create()
            .name("ix_payment_results_distribution")
            .table(String::from("payment_results"))
            .col(String::from("distribution_id"))
            .take();
        manager.create_index(idx).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(String::from("payment_results")).take())
            .await
    }
}
