//! Spreadsheet reading (`sheet::read`) on arbitrary bytes, as CSV and as XLSX.
//!
//! Properties: a sheet read has rows numbered upwards from 2, each with a non-blank cell; the same
//! bytes behind a roster's header row read as rows 2, 3, …; a UTF-8 text reads the same with a
//! BOM and, where GB18030 can encode it and those bytes are not also UTF-8, the same from GB18030.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relief_ledger_fuzz::sheet::{self, Sheet};

const HEADER: &str = "户编号,户主姓名,身份证号,家庭人口,劳动能力,户类别,所属村,是否残疾,村民小组,银行账号,纳入日期\n";

fn check_sheet(s: &Sheet) {
    let mut last = 1;
    for (n, cells) in &s.rows {
        assert!(*n > last, "row numbers go up: {:?}", s.rows);
        assert!(cells.iter().any(|c| !c.is_empty()), "a blank row was kept: {n}");
        last = *n;
    }
}

fuzz_target!(|data: &[u8]| {
    // The bytes as they come: XLSX when they start as a ZIP file does, else CSV.
    if let Ok(s) = sheet::read(data) {
        check_sheet(&s);
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
        let s = sheet::read(&roster).expect("a CSV with a header row reads");
        check_sheet(&s);
        assert_eq!(s.headers.len(), 11, "{:?}", s.headers);
    }
    // Encodings: a UTF-8 text reads the same with a BOM, and from GB18030 where those bytes are
    // not UTF-8 as well (then the reader cannot tell them apart).
    if let Ok(text) = std::str::from_utf8(data) {
        if !text.starts_with("PK\x03\x04") && !text.starts_with('\u{feff}') {
            let plain = sheet::read(data);
            let with_bom = sheet::read(format!("\u{feff}{text}").as_bytes());
            assert_eq!(plain, with_bom, "BOM changes the reading");
            // Skipped where GB18030 cannot hold the text (U+E5E5 under the WHATWG table): the
            // encoder then writes an HTML reference in its place, another text.
            let (gb, _, unmappable) = encoding_rs::GB18030.encode(text);
            if !unmappable && std::str::from_utf8(&gb).is_err() {
                assert_eq!(plain, sheet::read(&gb), "GB18030 reads otherwise");
            }
        }
    }
});
