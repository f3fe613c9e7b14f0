//! Integration tests through the public interfaces (HTTP and CLI), on SQLite and (with
//! `TEST_DATABASE_URL`) on PostgreSQL.

mod asset_life;
mod cli;
mod common;
mod concurrency;
mod demo;
mod documents;
mod flow;
mod idempotency;
mod import;
mod limits;
mod refusals;
mod spreadsheets;
mod web;
