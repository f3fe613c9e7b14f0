//! The ledger's change counter (账簿版本号): one row whose `n` every committed write transaction
//! raises by one, so that a reader can tell in one query whether anything changed since it last
//! looked — what the read cache of the API keys its answers on.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(String::from("ledger_version"))
            .col(ColumnDef::new(String::from("id")).integer().not_null().primary_key())
            .col(ColumnDef::new(String::from("n")).big_integer().not_null())
            .take();
        manager.create_table(table).await?;
        let row = Query::insert()
            .into_table(String::from("ledger_version"))
            .columns([String::from("id"), String::from("n")])
            .values_panic([1.into(), 0.into()])
            .take();
        manager.exec_stmt(row).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(String::from("ledger_version")).to_owned())
            .await
    }
}
