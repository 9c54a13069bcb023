//! Properties of the readers and the whole check:
//! - any byte string fed to the 837P and the CSV reader gives items and
//!   findings, never a panic, and every finding says where it is;
//! - a valid file damaged at random (bytes flipped, cut, doubled) likewise;
//! - a generated file with defects injected at random gives exactly the
//!   injected findings;
//! - check → clean-out → check gives no error finding.

mod common;

use std::sync::Arc;

use claimscrub::input::csv::CsvReader;
use claimscrub::input::x12::X12Reader;
use claimscrub::input::{Item, Limits};
use common::*;
use proptest::prelude::*;

const DEMO: &[u8] = include_bytes!("../fixtures/demo.837");
const DEMO_CSV: &[u8] = include_bytes!("../fixtures/demo.csv");

fn limits() -> Limits {
    Limits {
        max_record: 4096,
        keep_raw: true,
        parties: true,
        segments: true,
        ..Limits::default()
    }
}

/// Read everything; every finding must carry an origin with the file name.
fn read_all(items: impl Iterator<Item = Item>) -> usize {
    let mut n = 0;
    for item in items {
        n += 1;
        let findings: Vec<&claimscrub::finding::Finding> = match &item {
            Item::Finding(f) => vec![f],
            Item::Claim(c) => c.findings.iter().collect(),
            Item::Raw(_) => vec![],
        };
        for f in findings {
            if let Item::Finding(_) = item {
                let o = f
                    .origin
                    .as_ref()
                    .expect("a finding outside a claim says where");
                assert_eq!(&*o.file, "p", "{f:?}");
            }
        }
    }
    n
}

/// Read twice: each transaction held in memory, and each past 300 bytes
/// in a scratch file; both must read the same.
fn x12(bytes: &[u8]) -> usize {
    let held: Vec<Item> = X12Reader::new(Arc::from("p"), bytes, limits()).collect();
    let spilled = Limits {
        max_held: 300,
        ..limits()
    };
    let from_file: Vec<Item> = X12Reader::new(Arc::from("p"), bytes, spilled).collect();
    assert_eq!(format!("{held:?}"), format!("{from_file:?}"));
    read_all(held.into_iter())
}

fn csv(bytes: &[u8]) -> usize {
    read_all(CsvReader::new(Arc::from("p"), bytes, limits()))
}

/// A damaged copy of `base`: at `at`, do `op` with `len` bytes of `fill`.
fn damage(base: &[u8], at: usize, op: u8, len: usize, fill: u8) -> Vec<u8> {
    let at = at % (base.len() + 1);
    let mut v = base.to_vec();
    match op % 4 {
        0 => v.truncate(at),
        1 => {
            let end = (at + len).min(v.len());
            v.drain(at..end);
        }
        2 => {
            let ins = vec![fill; len];
            v.splice(at..at, ins);
        }
        _ => {
            for b in v.iter_mut().skip(at).take(len) {
                *b ^= fill | 1;
            }
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_to_the_837p_reader_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        x12(&bytes);
    }

    #[test]
    fn any_bytes_after_a_valid_isa_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut v = DEMO[..106].to_vec();
        v.extend_from_slice(&tail);
        x12(&v);
    }

    #[test]
    fn a_damaged_837p_never_panics(at in 0usize..5000, op in 0u8..4, len in 0usize..64, fill in any::<u8>()) {
        x12(&damage(DEMO, at, op, len, fill));
    }

    #[test]
    fn any_bytes_to_the_csv_reader_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        csv(&bytes);
    }

    #[test]
    fn a_damaged_csv_never_panics(at in 0usize..2000, op in 0u8..4, len in 0usize..64, fill in any::<u8>()) {
        csv(&damage(DEMO_CSV, at, op, len, fill));
    }
}

/// The case the property test found in CI (session 21): seven '0's inserted
/// into a start time made an hour whose minutes overflowed u32.
#[test]
fn a_damaged_csv_found_in_ci_does_not_panic() {
    csv(&damage(DEMO_CSV, 994, 2, 7, 48));
}

proptest! {
    // Each case runs the binary on a generated batch: few cases, real files.
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn injected_defects_are_exactly_what_is_found(seed in 1u64..1_000_000, rate in 0.0f64..0.5, per in 1u64..400) {
        let dir = TempDir::new("prop-gen");
        let input = dir.path("g.837");
        let report = dir.path("r.csv");
        let (seed, per) = (seed.to_string(), per.to_string());
        let rate = format!("{rate:.3}");
        claimscrub(&["gen", "--claims", "600", "--seed", &seed, "--defect-rate", &rate,
            "--per-transaction", &per, "--out", input.to_str().unwrap()]);
        let run = claimscrub(&["check", "-q", "--as-of", AS_OF, "--report",
            report.to_str().unwrap(), input.to_str().unwrap()]);
        let defective = assert_only_injected_defects(&pairs(&report), input.to_str().unwrap());
        prop_assert_eq!(run.accounting().2 as usize, defective);
    }

    #[test]
    fn the_clean_file_checks_clean(seed in 1u64..1_000_000, per in 1u64..400) {
        let dir = TempDir::new("prop-clean");
        let input = dir.path("g.837");
        let clean = dir.path("c.837");
        let (seed, per) = (seed.to_string(), per.to_string());
        claimscrub(&["gen", "--claims", "600", "--seed", &seed, "--defect-rate", "0.2",
            "--per-transaction", &per, "--out", input.to_str().unwrap()]);
        let first = claimscrub(&["check", "-q", "--as-of", AS_OF, "--clean-out",
            clean.to_str().unwrap(), input.to_str().unwrap()]);
        let (_, n_clean, _) = first.accounting();
        let again = claimscrub(&["check", "-q", "--as-of", AS_OF, clean.to_str().unwrap()]);
        prop_assert_eq!(again.code, 0, "{}", again.stdout);
        prop_assert_eq!(again.accounting(), (n_clean, n_clean, 0));
    }
}

/// Claims checked together, rule by rule (`Engine::check_all`, as the
/// pipeline does in chunks), get each the outcome `Engine::check` gives the
/// claim alone: the same findings in the same order, the same rejection and
/// hidden count. Over files that fire most rules, notes included.
#[test]
fn checking_claims_together_gives_each_its_own_outcome() {
    use claimscrub::model::Available;
    use claimscrub::policy::{PolicySet, Tables};
    use claimscrub::rules::{Engine, Selection};

    let root = root();
    let files = [
        "fixtures/demo.837",
        "fixtures/rules/claims.837",
        "fixtures/demo.csv",
        "fixtures/notes/labelled.csv",
    ];
    for show_info in [false, true] {
        let engine = Engine::new(
            PolicySet::embedded(),
            Selection::default(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            show_info,
            &Available::ALL,
            Arc::new(Tables::default()),
        );
        for file in files {
            let bytes = std::fs::read(root.join(file)).unwrap();
            let name: Arc<str> = Arc::from(file);
            let items: Vec<Item> = if file.ends_with(".csv") {
                CsvReader::new(name, &bytes[..], limits()).collect()
            } else {
                X12Reader::new(name, &bytes[..], limits()).collect()
            };
            let claims: Vec<_> = items
                .iter()
                .filter_map(Item::claim)
                .map(|rc| (&rc.claim, rc.findings.clone()))
                .collect();
            assert!(claims.len() >= 5, "{file}: {} claims", claims.len());
            let alone: Vec<String> = claims
                .iter()
                .map(|(c, read)| format!("{:?}", engine.check(c, read.clone())))
                .collect();
            let together: Vec<String> = engine
                .check_all(claims.clone())
                .iter()
                .map(|o| format!("{o:?}"))
                .collect();
            assert_eq!(together, alone, "{file}, show_info {show_info}");
            // Findings were made: the comparison is not of empty outcomes.
            assert!(alone.iter().any(|o| o.contains("rejected: true")), "{file}");
        }
    }
}
