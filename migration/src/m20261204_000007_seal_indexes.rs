//! Indexes for the reads every write's seal makes (账簿状态印记): an aggregate's account entries
//! by asset, yield and plan, and an asset's ownership shares by asset. Without them each yield,
//! resolution or payment scanned the whole table, so a year's writes cost the square of the
//! province's size.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str, &str)] = &[
    ("income_entries", "ix_income_asset", "asset_id"),
    ("income_entries", "ix_income_yield", "yield_id"),
    ("income_entries", "ix_income_distribution", "distribution_id"),
    ("ownership_shares", "ix_oshares_asset", "asset_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, column) in INDEXES {
            let idx = Index::create()
                .name(*name)
                .table(String::from(*table))
                .col(String::from(*column))
                .take();
            manager.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(*name).table(String::from(*table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
