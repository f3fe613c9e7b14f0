//! Criterion benchmarks of the documents (单据渲染): one household statement, a village's
//! statements in one PDF, and one notice page. Run with `cargo bench -p reports --bench documents`.
//! The font is parsed once, outside the measurement, as a batch run does.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{notice, statement};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use reports::pdf::{notice_pdf, statement_pdf, statements_pdf};
use std::hint::black_box;

fn documents(c: &mut Criterion) {
    statement_pdf(&statement(0)); // parse the font outside the measurement
    let mut group = c.benchmark_group("documents");
    group.sample_size(30);
    group.bench_function("statement_pdf", |b| {
        let s = statement(7);
        b.iter(|| statement_pdf(black_box(&s)))
    });
    let village: Vec<_> = (0..200).map(statement).collect();
    group.throughput(Throughput::Elements(village.len() as u64));
    group.bench_function("statements_pdf_200_pages", |b| {
        b.iter(|| statements_pdf(black_box(&village)))
    });
    // One notice page holds a page of households; a 2,000-line notice is the target.
    group.throughput(Throughput::Elements(1));
    let page = notice(20);
    group.bench_function("notice_pdf_one_page", |b| b.iter(|| notice_pdf(black_box(&page))));
    group.sample_size(10);
    let big = notice(2_000);
    group.bench_function("notice_pdf_2000_lines", |b| b.iter(|| notice_pdf(black_box(&big))));
    group.finish();
}

criterion_group!(benches, documents);
criterion_main!(benches);
