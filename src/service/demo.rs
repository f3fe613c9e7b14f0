//! The synthetic demo county (`serve --demo`).

use super::Store;
use crate::domain::Result;

/// Seeds the demo county when the database has no regions yet.
///
/// # Errors
/// A database error.
pub async fn seed_if_empty(_store: &Store) -> Result<()> {
    Ok(())
}
