//! The pure domain core: values that cannot hold a bad state, the arithmetic of every split, and
//! the rules of a distribution plan. No database, no HTTP.

pub mod allocation;
pub mod decimal;
pub mod distribution;
pub mod error;
pub mod identity;
pub mod money;
pub mod region;
pub mod vocab;

pub use error::{Error, FieldError, OnField, Result};
pub use money::Fen;
