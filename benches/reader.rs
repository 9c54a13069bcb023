//! Stage benchmarks in MB/s on a generated batch: tokenizer, claim assembly
//! (the 837P reader), rules, and report writing. `cargo bench --bench reader`.

use std::io::{self, Read};
use std::sync::Arc;

use chrono::NaiveDate;
use claimscrub::gen::{self, GenConfig};
use claimscrub::input::x12::{Token, Tokenizer, X12Reader};
use claimscrub::input::{Item, Limits};
use claimscrub::model::Available;
use claimscrub::policy::PolicySet;
use claimscrub::report::{Format, Sink};
use claimscrub::rules::{Engine, Selection};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

// The binary's allocator, so stage figures match what `check` does.
#[global_allocator]
static GLOBAL: claimscrub::alloc::Mimalloc = claimscrub::alloc::Mimalloc;

fn batch() -> Vec<u8> {
    let mut buf = Vec::new();
    let cfg = GenConfig {
        claims: 20_000,
        ..Default::default()
    };
    gen::write_837(&cfg, &mut buf).unwrap();
    buf
}

fn engine() -> Engine {
    Engine::new(
        PolicySet::embedded(),
        Selection::default(),
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        false,
        &Available::ALL,
        std::sync::Arc::new(claimscrub::policy::Tables::default()),
    )
}

fn stages(c: &mut Criterion) {
    // The allocator set up as `claimscrub` sets it up (`src/main.rs`), so
    // that these figures match what `check` does.
    claimscrub::alloc::no_huge_pages();
    claimscrub::alloc::purge_soon();
    let data = batch();
    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(20);

    g.bench_function("tokenizer", |b| {
        b.iter(|| {
            let mut t = Tokenizer::new(data.as_slice(), 1 << 20);
            let mut n = 0u64;
            while let Token::Segment(s) = t.next_token() {
                n += s.len() as u64;
            }
            n
        })
    });

    g.bench_function("claim assembly (837P reader)", |b| {
        b.iter(|| X12Reader::new(Arc::from("b"), data.as_slice(), Limits::default()).count())
    });

    let items: Vec<Item> =
        X12Reader::new(Arc::from("b"), data.as_slice(), Limits::default()).collect();
    let e = engine();
    g.bench_function("rules (one thread)", |b| {
        b.iter(|| {
            let mut rejected = 0;
            for i in &items {
                if let Item::Claim(c) = i {
                    rejected += e.check(&c.claim, c.findings.clone()).rejected as u32;
                }
            }
            rejected
        })
    });

    // As the pipeline checks them: 32 claims at a time, rule by rule.
    let claims: Vec<_> = items.iter().filter_map(Item::claim).collect();
    g.bench_function("rules (one thread, chunks of 32)", |b| {
        b.iter(|| chunked(&e, &claims))
    });

    let outcomes: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Claim(c) => Some((c, e.check(&c.claim, c.findings.clone()))),
            _ => None,
        })
        .collect();
    g.bench_function("report writing (CSV)", |b| {
        b.iter(|| {
            let mut sink = Sink::new(Box::new(io::sink()), Format::Csv).unwrap();
            for (c, o) in &outcomes {
                for f in &o.findings {
                    sink.write(Some(&c.claim), f).unwrap();
                }
            }
            sink.finish().unwrap();
        })
    });
    g.finish();

    // Reading the same bytes through `Read` alone: the floor for the reader.
    let mut g = c.benchmark_group("floor");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("read only", |b| {
        b.iter(|| {
            let mut r = data.as_slice();
            let mut buf = vec![0u8; 256 << 10];
            let mut n = 0;
            loop {
                let k = r.read(&mut buf).unwrap();
                if k == 0 {
                    break n;
                }
                n += k;
            }
        })
    });
    g.finish();

    // The N rules' note reader (the lexicon) over the labelled notes.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/notes/labelled.csv");
    let notes: Vec<String> = csv::Reader::from_path(path)
        .unwrap()
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| r.unwrap()["note"].clone())
        .collect();
    let lexicon = claimscrub::policy::lexicon::Lexicon::embedded();
    let mut g = c.benchmark_group("notes");
    g.throughput(Throughput::Bytes(
        notes.iter().map(|n| n.len() as u64).sum(),
    ));
    g.bench_function("note reading (lexicon)", |b| {
        b.iter(|| notes.iter().filter(|n| lexicon.read(n).empty).count())
    });
    g.finish();

    // Every rule on a CSV export with notes (the N rules read each 97530
    // line's note): claim by claim against rule by rule in chunks.
    let mut csv_bytes = Vec::new();
    let cfg = GenConfig {
        claims: 20_000,
        notes: true,
        ..Default::default()
    };
    gen::write_csv(&cfg, &mut csv_bytes).unwrap();
    let items: Vec<Item> = claimscrub::input::csv::CsvReader::new(
        Arc::from("b"),
        csv_bytes.as_slice(),
        Limits::default(),
    )
    .collect();
    let claims: Vec<_> = items.iter().filter_map(Item::claim).collect();
    let e = engine();
    let mut g = c.benchmark_group("rules on notes CSV");
    g.throughput(Throughput::Bytes(csv_bytes.len() as u64));
    g.sample_size(20);
    g.bench_function("claim by claim", |b| {
        b.iter(|| {
            claims
                .iter()
                .filter(|c| e.check(&c.claim, c.findings.clone()).rejected)
                .count()
        })
    });
    g.bench_function("chunks of 32", |b| b.iter(|| chunked(&e, &claims)));
    g.finish();
}

/// Claims rejected, checked as the pipeline does: 32 at a time, rule by rule.
fn chunked(e: &Engine, claims: &[&claimscrub::input::ReadClaim]) -> usize {
    claims
        .chunks(32)
        .map(|chunk| {
            let work = chunk
                .iter()
                .map(|c| (&c.claim, c.findings.clone()))
                .collect();
            e.check_all(work).iter().filter(|o| o.rejected).count()
        })
        .sum()
}

criterion_group!(benches, stages);
criterion_main!(benches);
