//! Integration tests through the public interfaces (HTTP and CLI), on SQLite and (with
//! `TEST_DATABASE_URL`) on PostgreSQL.

mod asset_life;
mod audit_scope;
mod backup;
mod cli;
mod common;
mod concurrency;
mod crash;
mod demo;
mod documents;
mod drafts;
mod flow;
mod idempotency;
mod import;
mod limits;
mod membership;
mod privacy;
mod proc;
mod read_cache;
mod refusals;
mod roles;
mod spreadsheets;
mod tamper;
mod web;
