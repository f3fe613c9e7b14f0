//! Rendering speed, for a human to read (no timed assertion). Run in release:
//! `cargo test -p reports --release --test speed -- --ignored --nocapture --test-threads=1`.
//! Each test renders once before timing, so the one-off font parse is not counted.

mod common;

use std::time::Instant;

use common::{notice, statement};
use reports::pdf::{notice_pdf, statement_pdf, statements_pdf};

#[test]
#[ignore = "measurement; run in release with --ignored --nocapture"]
fn single_statements_per_second() {
    statement_pdf(&statement(0)); // parse the font outside the measurement
    let count = 200;
    let start = Instant::now();
    let bytes: usize = (0..count).map(|i| statement_pdf(&statement(i)).len()).sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "single statements: {count} in {secs:.3} s = {:.0}/s, {:.1} KB each",
        count as f64 / secs,
        bytes as f64 / count as f64 / 1024.0
    );
}

#[test]
#[ignore = "measurement; run in release with --ignored --nocapture"]
fn single_statements_per_second_on_two_threads() {
    statement_pdf(&statement(0));
    let per_thread = 100;
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..2 {
            scope.spawn(move || (0..per_thread).for_each(|i| drop(statement_pdf(&statement(t * per_thread + i)))));
        }
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "single statements on 2 threads: {} in {secs:.3} s = {:.0}/s",
        2 * per_thread,
        (2 * per_thread) as f64 / secs
    );
}

#[test]
#[ignore = "measurement; run in release with --ignored --nocapture"]
fn statements_pdf_pages_per_second() {
    let all: Vec<_> = (0..1_000).map(statement).collect();
    statement_pdf(&all[0]);
    let start = Instant::now();
    let pdf = statements_pdf(&all);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "statements_pdf: {} pages in {secs:.3} s = {:.0} pages/s, {:.0} KB",
        all.len(),
        all.len() as f64 / secs,
        pdf.len() as f64 / 1024.0
    );
}

#[test]
#[ignore = "measurement; run in release with --ignored --nocapture"]
fn a_2000_line_notice() {
    let n = notice(2_000);
    statement_pdf(&statement(0));
    let start = Instant::now();
    let pdf = notice_pdf(&n);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "notice_pdf: 2,000 lines in {secs:.3} s, {:.0} KB",
        pdf.len() as f64 / 1024.0
    );
}
