//! The project's parsers of hostile input, compiled from their own source files without the rest of
//! the library (its database, HTTP and PDF crates), so the fuzz build stays short. The targets that
//! need the whole library (the roster's row checks) take the `full` feature instead.

#![allow(dead_code)]

#[path = "../../src/domain/decimal.rs"]
pub mod decimal;
#[path = "../../src/domain/identity.rs"]
pub mod identity;
#[path = "../../src/domain/money.rs"]
pub mod money;
#[path = "../../src/sheet.rs"]
pub mod sheet;
