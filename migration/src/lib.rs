//! Schema migrations of relief-ledger. The same migrations run on SQLite and PostgreSQL; money
//! columns are BIGINT fen (`*_fen`), rates and quantities are decimal strings (TEXT), dates are
//! `DATE`, timestamps are RFC 3339 text so that the audit chain hashes exactly what it stored.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_ledger;
mod m20261125_000002_asset_life;
mod m20261125_000003_payment_results;
mod m20261203_000004_idempotency;
mod m20261203_000005_audit_seals;
mod m20261204_000006_ledger_version;
mod m20261204_000007_seal_indexes;
mod m20261204_000008_status_lookup;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_ledger::Migration),
            Box::new(m20261125_000002_asset_life::Migration),
            Box::new(m20261125_000003_payment_results::Migration),
            Box::new(m20261203_000004_idempotency::Migration),
            Box::new(m20261203_000005_audit_seals::Migration),
            Box::new(m20261204_000006_ledger_version::Migration),
            Box::new(m20261204_000007_seal_indexes::Migration),
            Box::new(m20261204_000008_status_lookup::Migration),
        ]
    }
}
