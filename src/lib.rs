//! relief-ledger: the ledger of poverty-relief industry funds (扶贫项目资产台账与收益分配) — projects,
//! the assets they form, the villages that own them, the yields they earn, and the dividend each
//! beneficiary household receives.
//!
//! `domain` holds the rules and the arithmetic (no database, no HTTP); `service` owns one
//! transaction per use case; `api` is the thin HTTP layer; `cli` the command line.

pub mod api;
mod audit_cli;
pub mod backup;
pub mod bench;
pub mod cli;
mod documents_cli;
pub mod domain;
pub mod service;
pub mod sheet;
mod watch_cli;
mod web;
