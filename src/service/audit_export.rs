//! Audit log export (审计日志导出): a period of the log as JSON lines, each line an `audit_log` row
//! exactly as stored and hashed, then a last line with the anchor — the hash of the period's last
//! entry, which an auditor writes down. Every line is signed by the chain: anyone can recompute each
//! hash from the line and its predecessor ([`check`]) without access to the database, and an
//! anchor noted earlier proves that nothing in the file was rewritten since.

use super::audit::entry_hash;
use crate::domain::{Error, Result};
use chrono::{Duration, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use entity::audit_log;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};

/// The last line of an export.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Anchor {
    /// The hash of the last entry exported (the genesis hash before the first, if none).
    pub anchor: String,
    pub entries: u64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The instant a date begins on a county office's calendar (UTC+8), as the log stores times.
fn start_of(date: NaiveDate) -> String {
    let local = date.and_time(NaiveTime::MIN) - Duration::hours(8);
    Utc.from_utc_datetime(&local)
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Writes the entries dated `from`–`to` (both ends included, UTC+8 days; open when left out) to
/// `out` as JSON lines, then the anchor line.
///
/// # Errors
/// A database error, or the file could not be written.
pub async fn export<C: ConnectionTrait>(
    db: &C,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    out: &mut impl Write,
) -> Result<Anchor> {
    let io = |e: std::io::Error| Error::Internal(format!("写入导出文件失败: {e}"));
    let mut anchor = Anchor {
        anchor: super::audit::GENESIS.to_string(),
        entries: 0,
        first_seq: None,
        last_seq: None,
        from,
        to,
    };
    let mut next = 1_i64;
    loop {
        let mut q = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gte(next))
            .order_by_asc(audit_log::Column::Seq)
            .limit(1000);
        if let Some(d) = from {
            q = q.filter(audit_log::Column::At.gte(start_of(d)));
        }
        if let Some(d) = to {
            q = q.filter(audit_log::Column::At.lt(start_of(d + Duration::days(1))));
        }
        let batch = q.all(db).await?;
        let Some(last) = batch.last() else { break };
        next = last.seq + 1;
        for e in batch {
            anchor.first_seq.get_or_insert(e.seq);
            anchor.last_seq = Some(e.seq);
            anchor.entries += 1;
            anchor.anchor = e.hash.clone();
            let line = serde_json::to_string(&e).map_err(|e| Error::Internal(e.to_string()))?;
            writeln!(out, "{line}").map_err(io)?;
        }
    }
    let last = serde_json::to_string(&anchor).map_err(|e| Error::Internal(e.to_string()))?;
    writeln!(out, "{last}").map_err(io)?;
    Ok(anchor)
}

/// Checks an exported file: every line's hash recomputes, every line links to the one before, and
/// the anchor line (and `expected`, the anchor the auditor noted, if given) names the last hash.
///
/// # Errors
/// [`Error::Invalid`] naming the first line that does not hold (`第N行`), or the file unread.
pub fn check(input: impl BufRead, expected: Option<&str>) -> Result<Anchor> {
    let bad = |n: usize, why: String| Error::field(format!("第{n}行"), why);
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, l) in input.lines().enumerate() {
        let l = l.map_err(|e| Error::Internal(format!("无法读取导出文件: {e}")))?;
        if !l.trim().is_empty() {
            lines.push((i + 1, l));
        }
    }
    let Some((last_no, last)) = lines.pop() else {
        return Err(Error::field("file", "导出文件为空"));
    };
    let anchor: Anchor = serde_json::from_str(&last).map_err(|e| bad(last_no, format!("末行不是锚点: {e}")))?;
    let mut prev: Option<String> = None;
    let mut count = 0_u64;
    for (no, text) in lines {
        let line: audit_log::Model =
            serde_json::from_str(&text).map_err(|e| bad(no, format!("不是审计日志条目: {e}")))?;
        if let Some(p) = &prev
            && *p != line.prev_hash
        {
            return Err(bad(no, format!("第 {} 条的 prev_hash 与上一条的 hash 不符", line.seq)));
        }
        let hash = line.hash.clone();
        if entry_hash(&line) != hash {
            return Err(bad(no, "hash 与内容不符 (条目被改动)".into()));
        }
        prev = Some(hash);
        count += 1;
    }
    let last_hash = prev.unwrap_or_else(|| super::audit::GENESIS.to_string());
    if count != anchor.entries || last_hash != anchor.anchor {
        return Err(bad(last_no, "锚点与导出的条目不符".into()));
    }
    if let Some(noted) = expected
        && noted != anchor.anchor
    {
        return Err(Error::field("anchor", "导出文件的锚点与记下的锚点不符"));
    }
    Ok(anchor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_midnight_in_beijing() {
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(start_of(d), "2025-06-30T16:00:00.000Z");
    }
}
