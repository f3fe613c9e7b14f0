//! sea-orm entities of relief-ledger, one module per table. No relations: the services join
//! explicitly, so every query is visible where it is made.

pub mod allocations;
pub mod api_tokens;
pub mod asset_caretakers;
pub mod asset_disposals;
pub mod asset_operations;
pub mod asset_statuses;
pub mod assets;
pub mod audit_log;
pub mod distribution_steps;
pub mod distributions;
pub mod funding_lines;
pub mod household_statuses;
pub mod households;
pub mod idempotency_keys;
pub mod income_entries;
pub mod ownership_periods;
pub mod ownership_shares;
pub mod payment_results;
pub mod project_villages;
pub mod projects;
pub mod regions;
pub mod users;
pub mod yield_credits;
pub mod yields;
