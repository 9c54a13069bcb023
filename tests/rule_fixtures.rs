//! Every rule against its fixtures: claims (or files) named `CODE-FAIL-*`
//! must raise CODE, `CODE-PASS-*` must not; each fixture's whole report is
//! also compared with its golden `.expected.csv` (set UPDATE_GOLDEN=1 to
//! rewrite them after a deliberate change, then review the diff).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use claimscrub::rules;
use common::*;

/// The expectation a name carries: (code, fails?) for `CODE-FAIL-NN` /
/// `CODE-PASS-NN` claim ids, or `CODE-FAIL-words.ext` file names.
fn expectation(name: &str) -> Option<(String, bool)> {
    let parts: Vec<&str> = name.split('-').collect();
    if parts.len() < 3 {
        return None;
    }
    let is_file = name.contains('.');
    if !is_file && (parts.len() != 3 || !parts[2].bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (code, kind) = (parts[0], parts[1]);
    let fails = match kind {
        "FAIL" => true,
        "PASS" => false,
        _ => return None,
    };
    (code.len() == 4 && code.parse::<claimscrub::finding::Code>().is_ok())
        .then(|| (code.to_string(), fails))
}

#[test]
fn every_rule_fails_and_passes_its_fixtures() {
    let dir = root().join("fixtures/rules");
    let tmp = TempDir::new("rules");
    let mut failed_seen: BTreeSet<String> = BTreeSet::new();
    let mut passed_seen: BTreeSet<String> = BTreeSet::new();
    let mut problems = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let s = p.to_string_lossy();
            !s.ends_with(".expected.csv") && !s.ends_with(".args")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 12, "fixtures present");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let rel = format!("fixtures/rules/{name}");
        let report = tmp.path(&format!("{name}.csv"));
        // `NAME.args` beside a fixture holds extra arguments (a policy, a table).
        let extra = std::fs::read_to_string(dir.join(format!("{name}.args"))).unwrap_or_default();
        let mut args = vec![
            "check",
            "-q",
            "--as-of",
            AS_OF,
            "--show-info",
            "--report",
            report.to_str().unwrap(),
        ];
        args.extend(extra.split_whitespace());
        args.push(&rel);
        let run = claimscrub(&args);
        // The same report with one worker thread: the ledger and the ordered
        // writer make it byte-identical.
        let one = tmp.path(&format!("{name}.t1.csv"));
        let report_arg = report.to_str().unwrap();
        let mut args1: Vec<&str> = args
            .iter()
            .map(|a| {
                if *a == report_arg {
                    one.to_str().unwrap()
                } else {
                    a
                }
            })
            .collect();
        args1.splice(1..1, ["--threads", "1"]);
        claimscrub(&args1);
        assert_eq!(
            std::fs::read(&one).unwrap(),
            std::fs::read(&report).unwrap(),
            "{name}: --threads 1 differs"
        );
        assert_ne!(run.code, 2, "{name}: {}", run.stderr);
        let rows = report_rows(&report);
        let file_codes: BTreeSet<String> = rows.iter().map(|r| r[11].to_string()).collect();
        let mut by_claim: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in &rows {
            by_claim
                .entry(r[1].to_string())
                .or_default()
                .insert(r[11].to_string());
        }
        // File-level expectation from the file name.
        if let Some((code, fails)) = expectation(&name) {
            if file_codes.contains(&code) != fails {
                problems.push(format!(
                    "{name}: expected {code} {}",
                    if fails { "raised" } else { "absent" }
                ));
            }
            if fails {
                failed_seen.insert(code);
            } else {
                passed_seen.insert(code);
            }
        }
        // Claim-level expectations from claim ids (read from the input itself,
        // so a claim with no finding at all is still checked).
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let ids: BTreeSet<String> = text
            .split(['*', '\n', ',', '~', '\r'])
            .filter(|t| expectation(t).is_some())
            .map(str::to_string)
            .collect();
        for id in ids {
            let (code, fails) = expectation(&id).unwrap();
            let has = by_claim.get(&id).is_some_and(|s| s.contains(&code));
            if has != fails {
                problems.push(format!(
                    "{name}: claim {id}: {code} {}",
                    if fails { "not raised" } else { "raised" }
                ));
            }
            if fails {
                failed_seen.insert(code);
            } else {
                passed_seen.insert(code);
            }
        }
        // Golden report.
        let golden = dir.join(format!("{name}.expected.csv"));
        let got = std::fs::read_to_string(&report).unwrap();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &got).unwrap();
        } else {
            let want = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
                panic!("missing {}: run with UPDATE_GOLDEN=1", golden.display())
            });
            if got != want {
                problems.push(format!(
                    "{name}: report differs from {}:\n{got}",
                    golden.display()
                ));
            }
        }
    }
    for r in rules::ALL {
        let code = r.info().code.to_string();
        if !failed_seen.contains(&code) {
            problems.push(format!("{code} has no failing fixture"));
        }
        if !passed_seen.contains(&code) {
            problems.push(format!("{code} has no passing fixture"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn golden_files_have_fixtures() {
    for e in std::fs::read_dir(root().join("fixtures/rules")).unwrap() {
        let p = e.unwrap().path();
        let s = p.to_string_lossy();
        if let Some(base) = s.strip_suffix(".expected.csv").or(s.strip_suffix(".args")) {
            assert!(Path::new(base).exists(), "stale golden file {s}");
        }
    }
}
