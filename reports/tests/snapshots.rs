//! Snapshots of each document's extracted text (`pdftotext -layout`): a change in what a household,
//! a village board or an auditor reads shows as a diff of `tests/snapshots/*.txt`. After a deliberate
//! change, `UPDATE_SNAPSHOTS=1 cargo test -p reports --test snapshots` writes them anew; look at the
//! diff before committing it.

mod common;

use common::{notice, pdftotext, performance, statement};
use reports::pdf::{notice_pdf, performance_pdf, statement_pdf};
use std::path::PathBuf;

fn check(name: &str, pdf: &[u8]) {
    let Some(text) = pdftotext(&format!("snapshot-{name}.pdf"), pdf) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "pdftotext is required under CI"
        );
        return;
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/snapshots/{name}.txt"));
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(&path, &text).expect("write the snapshot");
        return;
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no snapshot {}", path.display()));
    assert!(
        kept == text,
        "the text of {name} changed; run with UPDATE_SNAPSHOTS=1 and read the diff\n{text}"
    );
}

#[test]
fn the_statement_reads_as_its_snapshot() {
    check("statement", &statement_pdf(&statement(4)));
}

#[test]
fn the_notice_reads_as_its_snapshot() {
    check("notice", &notice_pdf(&notice(40)));
}

#[test]
fn the_performance_report_reads_as_its_snapshot() {
    check("performance", &performance_pdf(&performance(12)));
}
