//! Asset life (后续管理): status history, operation contracts, caretakers, disposals.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "asset_statuses",
    "asset_operations",
    "asset_caretakers",
    "asset_disposals",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = |name: &str| Table::create().table(String::from(name)).take();
        let tables = vec![
            t("asset_statuses")
                .col(pk_auto("id"))
                .col(integer("asset_id"))
                .col(string("status"))
                .col(date("effective_date"))
                .col(string("reason"))
                .col(string("created_at"))
                .take(),
            t("asset_operations")
                .col(pk_auto("id"))
                .col(integer("asset_id"))
                .col(string("operation_mode"))
                .col(string("operator"))
                .col(date("start"))
                .col(date("end"))
                .col(big_integer("annual_amount_fen"))
                .col(string("contract_ref"))
                .col(integer_null("superseded_by"))
                .col(string("created_at"))
                .take(),
            t("asset_caretakers")
                .col(pk_auto("id"))
                .col(integer("asset_id"))
                .col(string("name"))
                .col(string("phone"))
                .col(date("from"))
                .col(string("created_at"))
                .take(),
            t("asset_disposals")
                .col(pk_auto("id"))
                .col(integer("asset_id"))
                .col(date("disposed_on"))
                .col(string("method"))
                .col(big_integer("proceeds_fen"))
                .col(text("approvals_json"))
                .col(string("created_at"))
                .take(),
        ];
        for table in tables {
            manager.create_table(table).await?;
        }
        for name in TABLES {
            let mut idx = Index::create();
            idx.name(format!("ix_{name}_asset"))
                .table(String::from(*name))
                .col(String::from("asset_id"));
            if *name == "asset_disposals" {
                idx.unique();
            }
            manager.create_index(idx.take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(String::from(*name)).take())
                .await?;
        }
        Ok(())
    }
}
