//! Ledger seals in the audit log (账簿状态印记): each entry also records the digest of every
//! ledger row it left behind, so that `audit verify` can tell a row changed behind the service's
//! back from one the log accounts for; and the region the write was in (`region_code`), so that
//! staff and auditors read only the entries of their own region. Entries written before these
//! columns hold `''` and NULL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let alter = Table::alter()
            .table(String::from("audit_log"))
            .add_column(ColumnDef::new(String::from("state_json")).text().not_null().default(""))
            .take();
        manager.alter_table(alter).await?;
        let alter = Table::alter()
            .table(String::from("audit_log"))
            .add_column(ColumnDef::new(String::from("region_code")).string_len(12).null())
            .take();
        manager.alter_table(alter).await?;
        let idx = Index::create()
            .name("ix_audit_region")
            .table(String::from("audit_log"))
            .col(String::from("region_code"))
            .take();
        manager.create_index(idx).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_audit_region")
                    .table(String::from("audit_log"))
                    .to_owned(),
            )
            .await?;
        let alter = Table::alter()
            .table(String::from("audit_log"))
            .drop_column(String::from("region_code"))
            .take();
        manager.alter_table(alter).await?;
        let alter = Table::alter()
            .table(String::from("audit_log"))
            .drop_column(String::from("state_json"))
            .take();
        manager.alter_table(alter).await
    }
}
