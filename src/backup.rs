//! `backup` and `restore` (备份与恢复): a consistent copy of the whole database, and putting one
//! back only after its audit chain verifies.
//!
//! - SQLite: `backup` is `VACUUM INTO` (an online, transactionally consistent copy, safe while
//!   `serve` writes), written beside FILE and renamed onto it; its audit chain is recomputed on a
//!   staging copy and a break is reported (the copy is kept: it is evidence).
//!   `restore` copies FILE to a staging file, migrates and verifies it there (a backup whose chain
//!   does not verify is refused and nothing changes), then replaces every table of the target in
//!   one `BEGIN IMMEDIATE` transaction through `ATTACH`: a running `serve` waits for it and then
//!   sees the restored state; what was written after the backup is gone.
//! - PostgreSQL: `pg_dump -Fc` and `pg_restore` from `PATH`. `restore` first restores into a
//!   scratch database and verifies the chain there, then `pg_restore --clean --if-exists
//!   --single-transaction` into the target.

use crate::domain::Error;
use crate::service::{Store, audit};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// What a backup or restore did, for the command's output.
#[derive(Debug)]
pub struct Outcome {
    /// Entries in the verified audit chain of the copy (`None`: a PostgreSQL dump, checked when
    /// it is restored).
    pub audit_entries: Option<u64>,
    /// The hash of the copy's last audit entry.
    pub last_hash: String,
    /// Where the copy's audit chain breaks (a backup is written anyway: it is the evidence; a
    /// restore refuses it).
    pub broken: Option<String>,
}

/// Writes a consistent copy of the database behind `store` (opened from `url`) to `out`.
///
/// # Errors
/// A message for the user: the database, the file, the PostgreSQL tools, or a copy whose audit
/// chain does not verify.
pub async fn backup(store: &Store, url: &str, out: &Path) -> Result<Outcome, String> {
    if store.is_postgres() {
        return pg_backup(url, out);
    }
    let partial = sibling(out, "partial");
    remove_sqlite_files(&partial);
    let sql = format!("VACUUM INTO '{}'", partial.display().to_string().replace('\'', "''"));
    store
        .db
        .execute_unprepared(&sql)
        .await
        .map_err(|e| format!("无法写入备份 {}: {e}", out.display()))?;
    let checked = stage_and_check(&partial).await;
    let outcome = match checked {
        Ok((staging, outcome)) => {
            remove_sqlite_files(&staging);
            outcome
        }
        Err(e) => {
            remove_sqlite_files(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out).map_err(|e| format!("无法写入备份 {}: {e}", out.display()))?;
    Ok(outcome)
}

/// Replaces the content of the database behind `store` (opened from `url`) with the backup in
/// `file`, once the backup's audit chain verifies.
///
/// # Errors
/// A message for the user; a backup that is unreadable or whose chain does not verify changes
/// nothing.
pub async fn restore(store: &Store, url: &str, file: &Path) -> Result<Outcome, String> {
    if !file.is_file() {
        return Err(format!("备份文件 {} 不存在", file.display()));
    }
    if store.is_postgres() {
        return pg_restore(url, file).await;
    }
    let (staging, checked) = stage_and_check(file).await?;
    if let Some(why) = checked.broken {
        remove_sqlite_files(&staging);
        return Err(format!("备份的{why}; 拒绝使用该备份, 数据库未改动"));
    }
    let replaced = replace_sqlite(url, &staging).await;
    remove_sqlite_files(&staging);
    replaced?;
    after_restore(store.db.clone()).await
}

/// The restored database's own chain, recomputed. The ledger version (账簿版本号) moves past any
/// the replaced database had (to the clock's microseconds), so that no process's read cache takes
/// the restored ledger for one it has seen.
async fn after_restore(db: DatabaseConnection) -> Result<Outcome, String> {
    let now = chrono::Utc::now().timestamp_micros();
    // A backup older than the counter has none; the next `Store::open` migrates it in.
    let _ = db
        .execute_unprepared(&format!(
            "UPDATE ledger_version SET n = CASE WHEN n + 1 > {now} THEN n + 1 ELSE {now} END WHERE id = 1"
        ))
        .await;
    let o = chain(db).await?;
    match &o.broken {
        None => Ok(o),
        Some(why) => Err(format!("恢复后{why}")),
    }
}

/// `FILE.<tag>-<pid>` beside `path`.
fn sibling(path: &Path, tag: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".{tag}-{}", std::process::id()));
    path.with_file_name(name)
}

fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Recomputes the audit chain behind `db` and closes it.
async fn chain(db: DatabaseConnection) -> Result<Outcome, String> {
    let v = audit::verify(&db).await.map_err(|e| e.to_string());
    let _ = db.close().await;
    let v = v?;
    Ok(Outcome {
        audit_entries: Some(v.entries),
        last_hash: v.last_hash,
        broken: match (v.first_bad, v.rows_bad.first()) {
            (Some((seq, reason)), _) => Some(format!("审计日志第 {seq} 条不一致: {reason}")),
            (None, Some(row)) => Some(format!("账簿有 {} 行与审计日志不符, 如 {row}", v.rows_bad_total)),
            (None, None) => None,
        },
    })
}

/// As [`chain`], and a broken chain is an error.
async fn verified(db: DatabaseConnection) -> Result<Outcome, String> {
    let o = chain(db).await?;
    match &o.broken {
        None => Ok(o),
        Some(why) => Err(format!("备份的{why}; 拒绝使用该备份, 数据库未改动")),
    }
}

/// Copies a SQLite backup to a staging file, brings it to the current schema and recomputes its
/// audit chain there (the backup file itself is never changed); the staging file's path.
async fn stage_and_check(file: &Path) -> Result<(PathBuf, Outcome), String> {
    let staging = std::env::temp_dir().join(format!(
        "relief-ledger-restore-{}-{}.db",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::copy(file, &staging).map_err(|e| format!("无法读取备份 {}: {e}", file.display()))?;
    let url = format!("sqlite://{}?mode=rw", staging.display());
    let opened = Store::open(&url).await;
    let result = match opened {
        Ok(s) => chain(s.db).await,
        Err(e) => Err(format!("{} 不是可用的备份: {e}", file.display())),
    };
    match result {
        Ok(outcome) => Ok((staging, outcome)),
        Err(e) => {
            remove_sqlite_files(&staging);
            Err(e)
        }
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Replaces every table, index, trigger and view of the SQLite database at `url` with those of
/// `staging`, in one transaction on one connection.
async fn replace_sqlite(url: &str, staging: &Path) -> Result<(), String> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false)
        .max_connections(1)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(60));
    opts.map_sqlx_sqlite_opts(|o| o.busy_timeout(Duration::from_secs(60)).foreign_keys(false));
    let db = Database::connect(opts)
        .await
        .map_err(|e| format!("无法打开数据库 {url}: {e}"))?;
    let attach = format!(
        "ATTACH DATABASE '{}' AS backup",
        staging.display().to_string().replace('\'', "''")
    );
    db.execute_unprepared(&attach)
        .await
        .map_err(|e| format!("无法读取备份: {e}"))?;
    let outcome = copy_tables(&db).await;
    if outcome.is_err() {
        let _ = db.execute_unprepared("ROLLBACK").await;
    }
    let _ = db.execute_unprepared("DETACH DATABASE backup").await;
    let _ = db.close().await;
    outcome.map_err(|e| format!("恢复失败, 数据库未改动: {e}"))
}

async fn schema(
    db: &DatabaseConnection,
    which: &str,
    kinds: &str,
) -> Result<Vec<(String, String, String)>, sea_orm::DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT type, name, COALESCE(sql, '') AS sql FROM {which}.sqlite_master \
                 WHERE type IN ({kinds}) AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            ),
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String>("", "type")?,
                r.try_get::<String>("", "name")?,
                r.try_get::<String>("", "sql")?,
            ))
        })
        .collect()
}

async fn copy_tables(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    db.execute_unprepared("BEGIN IMMEDIATE").await?;
    for (kind, name, _) in schema(db, "main", "'view'").await? {
        db.execute_unprepared(&format!(
            "DROP {} IF EXISTS main.{}",
            kind.to_uppercase(),
            quoted(&name)
        ))
        .await?;
    }
    for (_, name, _) in schema(db, "main", "'table'").await? {
        db.execute_unprepared(&format!("DROP TABLE IF EXISTS main.{}", quoted(&name)))
            .await?;
    }
    let tables = schema(db, "backup", "'table'").await?;
    for (_, name, sql) in &tables {
        db.execute_unprepared(sql).await?;
        db.execute_unprepared(&format!("INSERT INTO main.{0} SELECT * FROM backup.{0}", quoted(name)))
            .await?;
    }
    let sequences = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM backup.sqlite_master WHERE name = 'sqlite_sequence'".to_string(),
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    if sequences > 0 {
        db.execute_unprepared("DELETE FROM main.sqlite_sequence").await?;
        db.execute_unprepared("INSERT INTO main.sqlite_sequence SELECT * FROM backup.sqlite_sequence")
            .await?;
    }
    for (_, _, sql) in schema(db, "backup", "'index', 'trigger', 'view'").await? {
        if !sql.is_empty() {
            db.execute_unprepared(&sql).await?;
        }
    }
    db.execute_unprepared("COMMIT").await?;
    Ok(())
}

/// Runs a PostgreSQL client tool, or says how to get it.
fn run_tool(tool: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(tool).args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "找不到 {tool}: PostgreSQL 的备份与恢复需要 PostgreSQL 客户端工具 (pg_dump, pg_restore, 与服务器同一主版本) 在 PATH 中, \
                 例如 Debian/Ubuntu: apt-get install postgresql-client; 或在数据库服务器上运行 \
                 pg_dump -Fc -f FILE 数据库 / pg_restore --clean --if-exists --single-transaction -d 数据库 FILE"
            )
        } else {
            format!("无法运行 {tool}: {e}")
        }
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{tool} 失败 ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn pg_backup(url: &str, out: &Path) -> Result<Outcome, String> {
    let partial = sibling(out, "partial");
    let partial_text = partial.display().to_string();
    let db = format!("--dbname={url}");
    let dumped = run_tool("pg_dump", &["-Fc", "--no-owner", "-f", &partial_text, &db]);
    if let Err(e) = dumped {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, out).map_err(|e| format!("无法写入备份 {}: {e}", out.display()))?;
    Ok(Outcome {
        audit_entries: None,
        last_hash: String::new(),
        broken: None,
    })
}

/// The URL of another database on the same server.
fn pg_sibling_url(url: &str, name: &str) -> Result<String, String> {
    let (prefix, rest) = url
        .rsplit_once('/')
        .ok_or_else(|| format!("无法从 {url} 得出数据库名"))?;
    let query = rest.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    Ok(format!("{prefix}/{name}{query}"))
}

async fn pg_restore(url: &str, file: &Path) -> Result<Outcome, String> {
    let file_text = file.display().to_string();
    // Check the backup in a scratch database first: it must restore and its chain must verify.
    let scratch = format!(
        "rl_restore_check_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp()
    );
    let scratch_url = pg_sibling_url(url, &scratch)?;
    let admin = Database::connect(url)
        .await
        .map_err(|e| format!("无法连接数据库: {e}"))?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {scratch}"))
        .await
        .map_err(|e| format!("无法建立检查用的临时数据库 {scratch}: {e}"))?;
    let scratch_db = format!("--dbname={scratch_url}");
    let checked = match run_tool(
        "pg_restore",
        &["--no-owner", "--exit-on-error", &scratch_db, &file_text],
    ) {
        Ok(()) => match Store::open(&scratch_url).await {
            Ok(s) => verified(s.db).await,
            Err(e) => Err(format!("{} 不是可用的备份: {e}", file.display())),
        },
        Err(e) => Err(format!("{} 不是可用的备份: {e}", file.display())),
    };
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        .await;
    let _ = admin.close().await;
    checked?;
    let target = format!("--dbname={url}");
    run_tool(
        "pg_restore",
        &[
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            &target,
            &file_text,
        ],
    )?;
    let store = Store::open(url).await.map_err(|e: Error| e.to_string())?;
    after_restore(store.db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sibling_database_keeps_the_server_and_the_parameters() {
        assert_eq!(
            pg_sibling_url("postgres://postgres@127.0.0.1:5432/ledger?sslmode=disable", "x").unwrap(),
            "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"
        );
        assert_eq!(
            pg_sibling_url("postgres://u@h/ledger", "x").unwrap(),
            "postgres://u@h/x"
        );
    }
}
