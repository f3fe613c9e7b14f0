//! The household roster's row checks (`import::check_households_offline`, no database) on
//! arbitrary bytes read as a spreadsheet, bare and behind the roster's header row. Needs the whole
//! library: `cargo fuzz run household_rows --features full --sanitizer none -a`.
//!
//! Properties: the checks name only rows the sheet has (or row 1 for a missing column), every
//! error has a column and a reason, errors come sorted by row, and the good rows plus the rows
//! with errors are never more than the rows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relief_ledger::service::import::check_households_offline;
use relief_ledger::sheet::{self, Sheet};
use std::collections::BTreeSet;

const HEADER: &str = "户编号,户主姓名,身份证号,家庭人口,劳动能力,户类别,所属村,是否残疾,村民小组,银行账号,纳入日期\n";
const VILLAGES: &[(&str, &str)] = &[
    ("371622101201", "南关村"),
    ("371622101202", "北关村"),
    ("371622101203", "南关村"),
];

fn check_sheet(s: &Sheet) {
    let mut last = 1;
    for (n, cells) in &s.rows {
        assert!(*n > last, "row numbers go up: {:?}", s.rows);
        assert!(cells.iter().any(|c| !c.is_empty()), "a blank row was kept: {n}");
        last = *n;
    }
}

fn check_households(s: &Sheet) {
    let report = check_households_offline(s, None, VILLAGES);
    assert_eq!(report.rows, s.rows.len());
    assert!(!report.written);
    let numbers: BTreeSet<usize> = s.rows.iter().map(|(n, _)| *n).collect();
    let mut bad = BTreeSet::new();
    let mut last = 0;
    for e in &report.errors {
        assert!(e.row >= last, "errors sorted by row: {:?}", report.errors);
        last = e.row;
        assert!(
            e.row == 1 || numbers.contains(&e.row),
            "row {} is not in the sheet",
            e.row
        );
        assert!(!e.column.is_empty() && !e.reason.is_empty(), "{e:?}");
        bad.insert(e.row);
    }
    if bad.contains(&1) {
        assert_eq!(report.created, 0);
    } else {
        assert!(report.created + bad.len() <= report.rows, "{report:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    // The bytes as they come: XLSX when they start as a ZIP file does, else CSV.
    if let Ok(s) = sheet::read(data) {
        check_sheet(&s);
        check_households(&s);
    }
    // The same bytes as an XLSX file (past the ZIP signature) and as the rows of a roster.
    let mut zipped = b"PK\x03\x04".to_vec();
    zipped.extend_from_slice(data);
    if let Ok(s) = sheet::read(&zipped) {
        check_sheet(&s);
    }
    if !data.starts_with(b"PK\x03\x04") {
        let mut roster = HEADER.as_bytes().to_vec();
        roster.extend_from_slice(data);
        if let Ok(s) = sheet::read(&roster) {
            check_sheet(&s);
            check_households(&s);
        }
    }
});
