//! Importing the spreadsheets county offices keep (表格导入): the household roster (花名册), the
//! project list (项目库) and the grid company's monthly PV meter readings (光伏电站上网电量结算单).
//!
//! Every import checks every row before anything is written. A file with any bad row writes
//! nothing; the report names each bad cell as `第N行 <表头> <原因>` (N as the spreadsheet shows it,
//! the header is row 1). A clean file is written in one transaction with its audit entries, and
//! re-importing it updates what it names by its key (户编号, 项目编号, 资产编号 + 月份) and never
//! duplicates.

mod households;
mod projects;
mod yields;

pub use households::{Options, check_offline as check_households_offline, households, labour_word, status_word};
pub use projects::projects;
pub use yields::yields;

use super::seal::{self, Aggregate, Seals};
use super::{Actor, audit, now_text};
use crate::domain::Result;
use crate::sheet::Sheet;
use chrono::{Datelike, NaiveDate};
use entity::audit_log;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// One bad cell (错误单元格): its spreadsheet row, its column header and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第{}行 {} {}", self.row, self.column, self.reason)
    }
}

/// What an import did (导入结果), or on a dry run or with bad rows, would do: `created`,
/// `updated` and `unchanged` count the items (households, projects, yields) the rows name.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
    pub written: bool,
}

impl Report {
    fn new(sheet: &Sheet) -> Report {
        Report {
            rows: sheet.rows.len(),
            ..Report::default()
        }
    }

    fn finish_errors(&mut self) {
        self.errors.sort_by_key(|e| e.row);
    }
}

/// A field of a layout: its name, the headers offices use for it (the usual one first), and
/// whether the column must be there.
type Field = (&'static str, &'static [&'static str], bool);

/// Where each field of a layout is in the sheet (表头定位).
struct Columns {
    found: HashMap<&'static str, (usize, String)>,
}

impl Columns {
    /// Finds every field's column; a missing required column is an error on row 1. `mapping`
    /// (field → header) overrides the known headers.
    fn locate(
        sheet: &Sheet,
        fields: &[Field],
        mapping: &HashMap<String, String>,
    ) -> std::result::Result<Columns, Vec<RowError>> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for (field, known, required) in fields {
            let wanted: Vec<String> = match mapping.get(*field) {
                Some(h) => vec![h.clone()],
                None => known.iter().map(|h| h.to_string()).collect(),
            };
            match wanted.iter().find_map(|h| sheet.column(h).map(|c| (c, h.clone()))) {
                Some(hit) => {
                    found.insert(*field, hit);
                }
                None if *required => missing.push(RowError {
                    row: 1,
                    column: wanted[0].clone(),
                    reason: "缺少该列".into(),
                }),
                None => {}
            }
        }
        if missing.is_empty() {
            Ok(Columns { found })
        } else {
            Err(missing)
        }
    }

    /// The trimmed text of `field` in a row ("" when the column is absent).
    fn cell<'a>(&self, cells: &'a [String], field: &str) -> &'a str {
        self.found
            .get(field)
            .map_or("", |(c, _)| cells.get(*c).map_or("", |s| s.as_str()))
            .trim()
    }

    fn has(&self, field: &str) -> bool {
        self.found.contains_key(field)
    }

    /// The header `field` was found under.
    fn header(&self, field: &str) -> String {
        self.found.get(field).map(|(_, h)| h.clone()).unwrap_or_default()
    }

    /// A row error on `field`.
    fn error(&self, row: usize, field: &str, reason: impl Into<String>) -> RowError {
        RowError {
            row,
            column: self.header(field),
            reason: reason.into(),
        }
    }
}

/// Excel's day 0 of the 1900 date system (serial 1 is 1900-01-01, counting the phantom
/// 1900-02-29).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

/// Reads a date as offices write it: `2025-03-01`, `2025/3/1`, `2025.03.01`, `20250301`,
/// `2025年3月1日`, or an Excel date serial saved as a plain number (`45717`).
fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
        let serial: i64 = t.parse().ok()?;
        return excel_epoch().checked_add_signed(chrono::Duration::days(serial));
    }
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    let t = t.replace(['/', '.', '年', '月'], "-").replace('日', "");
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()
}

/// Reads a month (月份): `2025-03`, `2025/3`, `2025.03`, `202503`, `2025年3月`, or any date of
/// the month (an Excel date cell). Gives its first day.
fn parse_month(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        let (y, m) = (t[..4].parse().ok()?, t[4..].parse().ok()?);
        return NaiveDate::from_ymd_opt(y, m, 1);
    }
    if let Some(d) = parse_date(t) {
        return d.with_day(1);
    }
    let t = t.replace(['/', '.', '年'], "-").replace('月', "");
    let (y, m) = t.split_once('-')?;
    NaiveDate::from_ymd_opt(y.trim().parse().ok()?, m.trim().parse().ok()?, 1)
}

/// The last day of the month that starts on `first`.
fn month_end(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first)
}

/// Whether a cell held a long number that Excel stored as a float (shown like `3.71622E+17`):
/// Excel keeps 15 significant digits, so an ID number or bank account saved as a number has lost
/// its last digits.
fn lost_digits(text: &str) -> bool {
    text.contains(['e', 'E'])
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'e' | b'E' | b'+' | b'.'))
}

const LOST_DIGITS: &str = "以数字形式保存, Excel 只保留15位有效数字, 末位已丢失; 请将该列设为文本后重新填写";

/// One audit entry of a batch.
struct AuditEntry {
    action: &'static str,
    entity: &'static str,
    entity_id: String,
    after: serde_json::Value,
    /// The village of the row.
    region_code: String,
}

/// Appends a batch of audit entries to the hash chain: the last entry is read once, the chain is
/// computed here with [`audit::entry_hash`], and the rows go in 500 a statement, in the caller's
/// transaction (the process's write lock keeps anyone else from appending meanwhile).
async fn audit_batch<C: ConnectionTrait>(db: &C, actor: &Actor, entries: Vec<AuditEntry>) -> Result<()> {
    let aggregates: Vec<Aggregate> = entries
        .iter()
        .filter_map(|e| Aggregate::of_entity(e.entity, &e.entity_id))
        .collect();
    let mut seals = seal::seal(db, &aggregates).await?;
    let (mut seq, mut prev_hash) = audit::last(db).await?;
    let at = now_text();
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        seq += 1;
        let own: Seals = Aggregate::of_entity(e.entity, &e.entity_id)
            .and_then(|a| seals.remove_entry(&a.key()))
            .into_iter()
            .collect();
        let change = audit::Change {
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before_json: "null".into(),
            after_json: e.after.to_string(),
            region_code: Some(e.region_code),
        };
        let mut m = audit::chained(seq, prev_hash, at.clone(), actor, change, &own);
        m.hash = audit::entry_hash(&m);
        prev_hash = m.hash.clone();
        rows.push(audit::active(m));
    }
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        audit_log::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_error_prints_as_the_contract_says() {
        let e = RowError {
            row: 18,
            column: "身份证号".into(),
            reason: "校验位不正确".into(),
        };
        assert_eq!(e.to_string(), "第18行 身份证号 校验位不正确");
    }

    #[test]
    fn dates_and_months_read_as_offices_write_them() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        for t in [
            "2025-03-01",
            "2025/3/1",
            "2025.03.01",
            "20250301",
            "2025年3月1日",
            "45717",
        ] {
            assert_eq!(parse_date(t), Some(d), "{t}");
        }
        for t in ["2025-03", "2025/3", "202503", "2025年3月", "2025-03-17", "45717"] {
            assert_eq!(parse_month(t), Some(d), "{t}");
        }
        assert_eq!(parse_month("2025-13"), None);
        assert_eq!(month_end(d), NaiveDate::from_ymd_opt(2025, 3, 31).unwrap());
        assert_eq!(
            month_end(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }

    #[test]
    fn a_long_number_saved_as_a_float_is_recognised() {
        assert!(lost_digits("3.71622198001011e17"));
        assert!(lost_digits("3.71622E+17"));
        assert!(!lost_digits("371622198001010011"));
        assert!(!lost_digits("南关村"));
    }
}
