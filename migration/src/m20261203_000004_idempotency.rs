//! Idempotency keys (幂等键): the first answer to a POST that carried an `Idempotency-Key`, kept
//! per caller so that a retried request gets the same answer instead of a second entry.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(String::from("idempotency_keys"))
            .col(pk_auto("id"))
            .col(string("caller"))
            .col(string("key"))
            .col(string("fingerprint"))
            .col(integer("status"))
            .col(string("content_type"))
            .col(text("body"))
            .col(string("created_at"))
            .take();
        manager.create_table(table).await?;
        let idx = Index::create()
            .name("ux_idempotency_caller_key")
            .table(String::from("idempotency_keys"))
            .col(String::from("caller"))
            .col(String::from("key"))
            .unique()
            .take();
        manager.create_index(idx).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(String::from("idempotency_keys")).take())
            .await
    }
}
