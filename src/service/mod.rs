//! Application services: one module per use-case family. Each write runs in one transaction that
//! also appends its audit entry, so a failed request leaves nothing behind.

pub mod access;
pub mod accounts;
pub mod allocation_rows;
pub mod asset_life;
pub mod assets;
pub mod audit;
pub mod audit_export;
pub mod audit_search;
pub mod auth;
pub mod canonical_json;
pub mod demo;
pub mod distributions;
pub mod documents;
pub mod export;
pub mod households;
pub mod idempotency;
pub mod import;
pub mod ledger;
pub mod payments;
pub mod performance;
pub mod plan_preview;
pub mod projects;
pub mod read_cache;
pub mod reconciliation;
pub mod regions;
pub mod seal;
pub mod store;
pub mod watch;
pub mod yields;

pub use access::Actor;
pub use store::Store;

use crate::domain::Error;
use serde::Serialize;

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Error {
        Error::Internal(e.to_string())
    }
}

/// A page of a list: `{"items":[…],"total":N}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// `?limit=&offset=` (limit ≤ 1000, default 100).
#[derive(Debug, Clone, Copy, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

impl Paging {
    /// # Errors
    /// [`Error::Invalid`] naming `limit` above 1000 or zero, or `offset` beyond what a database
    /// takes (a signed 64-bit integer).
    pub fn checked(self) -> Result<(u64, u64), Error> {
        let limit = self.limit.unwrap_or(100);
        if limit == 0 || limit > 1000 {
            return Err(Error::field("limit", "limit 应在 1 至 1000 之间"));
        }
        let offset = self.offset.unwrap_or(0);
        if i64::try_from(offset).is_err() {
            return Err(Error::field("offset", "offset 应在 0 至 9223372036854775807 之间"));
        }
        Ok((limit, offset))
    }

    /// Cuts a loaded list to the page.
    ///
    /// # Errors
    /// As [`Paging::checked`].
    pub fn page<T>(self, items: Vec<T>) -> Result<Page<T>, Error> {
        let (limit, offset) = self.checked()?;
        let total = items.len() as u64;
        let items = items.into_iter().skip(offset as usize).take(limit as usize).collect();
        Ok(Page { items, total })
    }
}

/// Now, as stored: RFC 3339 in UTC with seconds.
pub fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Today's date (UTC+8, the date on a Chinese county office's calendar).
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}
