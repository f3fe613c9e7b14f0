//! Criterion benchmarks of the hot kernels (热点内核): the largest-remainder allocation over
//! 1k / 100k / 1M weights and money parsing. Run with `cargo bench --bench kernels`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use relief_ledger::domain::Fen;
use relief_ledger::domain::allocation::allocate;
use std::hint::black_box;

/// Weights shaped like household weights ×100 (members × factors): 100 to 990.
fn weights(n: usize) -> Vec<i64> {
    (0..n).map(|i| 100 + (i as i64 * 7919) % 891).collect()
}

fn allocation(c: &mut Criterion) {
    let mut group = c.benchmark_group("allocate");
    for n in [1_000_usize, 100_000, 1_000_000] {
        let w = weights(n);
        group.throughput(Throughput::Elements(n as u64));
        if n == 1_000_000 {
            group.sample_size(20);
        }
        // 1,300,000.00 元 over the weights, as in the reference figures.
        group.bench_with_input(BenchmarkId::from_parameter(n), &w, |b, w| {
            b.iter(|| allocate(black_box(Fen(130_000_000)), black_box(w)).expect("positive weights"))
        });
    }
    group.finish();
}

fn money_parsing(c: &mut Criterion) {
    let texts: Vec<String> = (0..1_000_i64)
        .map(|i| format!("{}.{:02}", i * 7_919 % 10_000_000, i % 100))
        .collect();
    let mut group = c.benchmark_group("money");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("parse_1000", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(Fen::parse(black_box(t)).expect("valid money"));
            }
        })
    });
    group.bench_function("display_1000", |b| {
        let amounts: Vec<Fen> = texts.iter().map(|t| Fen::parse(t).expect("valid money")).collect();
        b.iter(|| {
            for a in &amounts {
                black_box(a.to_string());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, allocation, money_parsing);
criterion_main!(benches);
