//! `relief-ledger audit …`: verify the chain and the ledger against it, export a period of the
//! log with its anchor, and check an exported file offline.

use crate::cli::describe;
use crate::service::{Store, audit, audit_export};
use chrono::NaiveDate;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and name the first entry that does not match, then check every
    /// ledger row against the state the log says it was left in.
    Verify,
    /// Write the entries of a period as JSON lines, each with its chain hash, and a last line with
    /// the anchor (the last hash) to write down.
    Export {
        /// First day (UTC+8), default the log's beginning.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day (UTC+8), default today.
        #[arg(long)]
        to: Option<NaiveDate>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Check an exported file without the database: every hash, every link, and the anchor
    /// (against the one noted, if given).
    Check {
        file: PathBuf,
        #[arg(long)]
        anchor: Option<String>,
    },
}

/// Checks an export (no database).
///
/// # Errors
/// A message naming the first line that does not hold.
pub fn check(file: &std::path::Path, anchor: Option<&str>) -> Result<(), String> {
    let f = std::fs::File::open(file).map_err(|e| format!("无法读取 {}: {e}", file.display()))?;
    let a = audit_export::check(std::io::BufReader::new(f), anchor).map_err(describe)?;
    println!(
        "导出文件完整: {} 条 (第 {}–{} 条), 锚点 {}",
        a.entries,
        a.first_seq.unwrap_or(0),
        a.last_seq.unwrap_or(0),
        a.anchor
    );
    Ok(())
}

/// Runs an audit command on the database.
///
/// # Errors
/// A message for the user: the first bad entry, the rows that differ, or an I/O failure.
pub async fn run(store: &Store, command: AuditCommand) -> Result<(), String> {
    match command {
        AuditCommand::Verify => verify(store).await,
        AuditCommand::Export { from, to, out } => {
            let file = std::fs::File::create(&out).map_err(|e| format!("无法写入 {}: {e}", out.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let a = audit_export::export(&store.db, from, to, &mut w)
                .await
                .map_err(describe)?;
            std::io::Write::flush(&mut w).map_err(|e| format!("无法写入 {}: {e}", out.display()))?;
            println!("已导出 {} 条审计日志到 {}", a.entries, out.display());
            println!("锚点 (请记下): {}", a.anchor);
            Ok(())
        }
        AuditCommand::Check { file, anchor } => check(&file, anchor.as_deref()),
    }
}

async fn verify(store: &Store) -> Result<(), String> {
    let v = audit::verify(&store.db).await.map_err(describe)?;
    if let Some((seq, reason)) = v.first_bad {
        return Err(format!("审计日志第 {seq} 条不一致: {reason}"));
    }
    if v.rows_bad_total > 0 {
        let mut msg = format!(
            "账簿有 {} 行与审计日志记录的状态不符 (共核对 {} 行):",
            v.rows_bad_total, v.rows_checked
        );
        for row in &v.rows_bad {
            msg.push_str(&format!("\n  {row}"));
        }
        let unnamed = v.rows_bad_total - v.rows_bad.len() as u64;
        if unnamed > 0 {
            msg.push_str(&format!("\n  …… 另有 {unnamed} 行"));
        }
        return Err(msg);
    }
    println!(
        "审计日志完整: {} 条, 末条 hash {}; 账簿 {} 行与日志一致",
        v.entries, v.last_hash, v.rows_checked
    );
    Ok(())
}
