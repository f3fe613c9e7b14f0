//! The database handle: connects by URL (SQLite file, WAL, or PostgreSQL), applies migrations, and
//! opens write transactions one at a time per process, so SQLite never returns "database is
//! locked" to a request.

use super::read_cache::ReadCache;
use crate::domain::{Error, Result};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, TransactionTrait};
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Failed logins by user name: (failures in a row, locked until).
pub type LoginFailures = std::collections::HashMap<String, (u32, Option<std::time::Instant>)>;

/// The database URL when neither `--db` nor `DATABASE_URL` gives one.
pub const DEFAULT_URL: &str = "sqlite://relief-ledger.db";

#[derive(Clone)]
pub struct Store {
    pub db: DatabaseConnection,
    write_lock: Arc<Mutex<()>>,
    /// Requests with an `Idempotency-Key` run one at a time (see `api::idempotency`).
    idempotency_lock: Arc<Mutex<()>>,
    /// Failed logins by user name: (failures in a row, locked until).
    pub(crate) login_failures: Arc<std::sync::Mutex<LoginFailures>>,
    /// Answers of the hottest reads, for the current ledger version.
    pub(crate) reads: Arc<ReadCache>,
}

/// A write transaction holding the process's write lock; dropped without `commit`, it rolls back.
pub struct Write {
    txn: DatabaseTransaction,
    _guard: OwnedMutexGuard<()>,
}

impl Deref for Write {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// Raises the ledger version (账簿版本号, migration 6) within a write transaction.
pub const BUMP_VERSION: &str = "UPDATE ledger_version SET n = n + 1 WHERE id = 1";

impl Write {
    /// Takes the database's write lock now (SQLite takes it at a transaction's first write), so
    /// that no other writer can commit before this transaction does: from here a read on another
    /// connection of the pool sees the committed state this transaction builds on, i.e. what a
    /// read in it would see of the tables it does not write. (On PostgreSQL, read committed, such a
    /// read is what this transaction's next statement would see of them anyway.)
    ///
    /// # Errors
    /// A database error, or on SQLite a write committed by another process since this
    /// transaction first read.
    pub async fn hold(&self) -> Result<()> {
        self.txn.execute_unprepared(BUMP_VERSION).await?;
        Ok(())
    }

    /// Raises the ledger version and commits.
    ///
    /// # Errors
    /// A database error.
    pub async fn commit(self) -> Result<()> {
        self.txn.execute_unprepared(BUMP_VERSION).await?;
        self.txn.commit().await.map_err(Error::from)
    }
}

/// Adds `mode=rwc` to a SQLite URL that names no mode, so a missing file is created.
fn sqlite_url(url: &str) -> String {
    if !url.starts_with("sqlite:") || url.contains("mode=") || url.contains(":memory:") {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}mode=rwc")
}

impl Store {
    /// Connects and applies pending migrations.
    ///
    /// # Errors
    /// When the database cannot be reached or a migration fails.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        Migrator::up(&store.db, None).await?;
        Ok(store)
    }

    /// Connects without migrating.
    ///
    /// # Errors
    /// When the database cannot be reached.
    pub async fn connect(url: &str) -> Result<Store> {
        let url = sqlite_url(url);
        let mut opts = ConnectOptions::new(url.clone());
        opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(30));
        if url.starts_with("sqlite:") {
            opts.max_connections(4).min_connections(1);
            opts.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sqlx_sqlite_journal_wal())
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(false)
            });
        } else {
            // The ledger's queries are index walks of at most a few thousand rows: compiling them
            // (JIT, which a roster's cost estimate would trigger) costs more than it saves.
            opts.max_connections(8)
                .map_sqlx_postgres_opts(|o| o.options([("jit", "off")]));
        }
        let db = Database::connect(opts).await?;
        Ok(Store {
            db,
            write_lock: Arc::new(Mutex::new(())),
            idempotency_lock: Arc::new(Mutex::new(())),
            login_failures: Arc::default(),
            reads: Arc::default(),
        })
    }

    /// Begins a write transaction (one per command or request).
    ///
    /// # Errors
    /// A database error.
    pub async fn write(&self) -> Result<Write> {
        let guard = self.write_lock.clone().lock_owned().await;
        let txn = self.db.begin().await?;
        Ok(Write { txn, _guard: guard })
    }

    /// Waits for the turn of a request that carries an idempotency key.
    pub async fn idempotency_guard(&self) -> OwnedMutexGuard<()> {
        self.idempotency_lock.clone().lock_owned().await
    }

    /// Whether the database answers (`/healthz`).
    pub async fn ping(&self) -> bool {
        self.db.execute_unprepared("SELECT 1").await.is_ok()
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.db.get_database_backend(), sea_orm::DatabaseBackend::Postgres)
    }
}

fn sqlx_sqlite_journal_wal() -> sea_orm::sqlx::sqlite::SqliteJournalMode {
    sea_orm::sqlx::sqlite::SqliteJournalMode::Wal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_url_without_a_mode_creates_the_file() {
        assert_eq!(sqlite_url("sqlite://rel.db"), "sqlite://rel.db?mode=rwc");
        assert_eq!(
            sqlite_url("sqlite://rel.db?cache=shared"),
            "sqlite://rel.db?cache=shared&mode=rwc"
        );
        assert_eq!(sqlite_url("sqlite://rel.db?mode=ro"), "sqlite://rel.db?mode=ro");
        assert_eq!(sqlite_url("postgres://x/y"), "postgres://x/y");
    }
}
