//! The N rules on a labelled set of synthetic treatment notes
//! (fixtures/notes/labelled.csv, written by scripts/make_labelled_notes.py):
//! each note says which N codes it should raise and which it should not.
//! The test prints precision and recall per rule (the figures in
//! BENCHMARKS.md) and holds each at 0.9 or better.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;

const CODES: [&str; 6] = ["N001", "N002", "N003", "N004", "N005", "N006"];

struct Labelled {
    id: String,
    raises: BTreeSet<String>,
    does_not_raise: BTreeSet<String>,
}

fn labelled() -> Vec<Labelled> {
    let mut r = csv::Reader::from_path(root().join("fixtures/notes/labelled.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let (id, raises, not) = (col("claim_id"), col("raises"), col("does_not_raise"));
    let set = |s: &str| s.split_whitespace().map(str::to_string).collect();
    r.records()
        .map(|x| x.unwrap())
        .map(|x| Labelled {
            id: x[id].to_string(),
            raises: set(&x[raises]),
            does_not_raise: set(&x[not]),
        })
        .collect()
}

fn run_n_rules(tmp: &TempDir) -> BTreeMap<String, BTreeSet<String>> {
    let report = tmp.path("n.csv");
    let run = claimscrub(&[
        "check",
        "-q",
        "--as-of",
        AS_OF,
        "--select",
        "N",
        "--show-info",
        "--report",
        report.to_str().unwrap(),
        "fixtures/notes/labelled.csv",
    ]);
    assert_eq!(
        run.code, 0,
        "N findings are review flags, not rejections: {}",
        run.stderr
    );
    let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in report_rows(&report) {
        got.entry(r[1].to_string())
            .or_default()
            .insert(r[11].to_string());
    }
    got
}

#[test]
fn labelled_notes_precision_and_recall_per_rule() {
    let set = labelled();
    assert!(set.len() >= 80, "at least 80 labelled notes: {}", set.len());
    for l in &set {
        let all: BTreeSet<String> = l.raises.union(&l.does_not_raise).cloned().collect();
        assert_eq!(all.len(), 6, "{}: every N code labelled once", l.id);
    }
    let tmp = TempDir::new("notes");
    let got = run_n_rules(&tmp);
    let mut table = String::from("rule  TP  FP  FN  precision  recall\n");
    let mut misses = Vec::new();
    let mut worst = 1.0f64;
    for code in CODES {
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for l in &set {
            let have = got.get(&l.id).is_some_and(|s| s.contains(code));
            let want = l.raises.contains(code);
            match (want, have) {
                (true, true) => tp += 1,
                (false, true) => {
                    fp += 1;
                    misses.push(format!("{} {code}: raised, labelled not to", l.id));
                }
                (true, false) => {
                    fn_ += 1;
                    misses.push(format!("{} {code}: not raised, labelled to", l.id));
                }
                (false, false) => {}
            }
        }
        let p = if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        let r = if tp + fn_ == 0 {
            1.0
        } else {
            tp as f64 / (tp + fn_) as f64
        };
        assert!(
            tp + fn_ >= 5,
            "{code}: at least 5 notes labelled to raise it"
        );
        worst = worst.min(p).min(r);
        table.push_str(&format!(
            "{code}  {tp:>2}  {fp:>2}  {fn_:>2}  {p:>9.2}  {r:>6.2}\n"
        ));
    }
    println!("{} labelled notes\n{table}", set.len());
    for m in &misses {
        println!("  {m}");
    }
    assert!(
        worst >= 0.9,
        "precision or recall under 0.9:\n{table}{}",
        misses.join("\n")
    );
}

#[test]
fn seed_pair_from_rules_md() {
    // NOTE001 is the seed's weak note, NOTE002 its strong one.
    let tmp = TempDir::new("seed");
    let got = run_n_rules(&tmp);
    let weak = got.get("NOTE001").cloned().unwrap_or_default();
    assert!(weak.contains("N002"), "weak note flags N002: {weak:?}");
    assert!(
        !weak.contains("N003"),
        "\"transfers\" satisfies N003: {weak:?}"
    );
    assert!(!weak.contains("N004"), "{weak:?}");
    // The strong note passes N002-N004 (and N001, N005); it says nothing of
    // the patient's response, so the info-level N006 is its only flag.
    let strong = got.get("NOTE002").cloned().unwrap_or_default();
    assert_eq!(strong, BTreeSet::from(["N006".to_string()]), "strong note");
}

#[test]
fn review_flags_stand_apart_in_the_summary_and_a_policy_extends_the_lexicon() {
    let tmp = TempDir::new("lexicon");
    let run = claimscrub(&["check", "--as-of", AS_OF, "fixtures/rules/notes.csv"]);
    assert!(
        run.stderr.contains("review flags      ") && run.stderr.contains("not rejections"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("warning (review) N002"),
        "{}",
        run.stdout
    );
    // "gestural prompting" is not in the embedded lexicon: N002 is raised...
    let input = tmp.path("gesture.csv");
    std::fs::write(
        &input,
        "claim_id,patient_id,date_of_service,procedure_code,modifiers,units,minutes,note\n\
         G-1,P1,2026-11-02,97530,GP,1,15,\"Transfers with gestural hints; tolerated well.\"\n",
    )
    .unwrap();
    let base = claimscrub(&[
        "check",
        "--as-of",
        AS_OF,
        "--select",
        "N002",
        input.to_str().unwrap(),
    ]);
    assert!(base.stdout.contains("N002"), "{}", base.stdout);
    // ... and not once the policy file adds it.
    let policy = tmp.path("policy.toml");
    let mut text = claimscrub(&["config"]).stdout;
    text.push_str("\n[lexicon]\nskilled_input = [\"gestural hint*\"]\n");
    std::fs::write(&policy, text).unwrap();
    let extended = claimscrub(&[
        "check",
        "--as-of",
        AS_OF,
        "--select",
        "N002",
        "--config",
        policy.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_eq!(extended.code, 0, "{}", extended.stderr);
    assert!(!extended.stdout.contains("N002"), "{}", extended.stdout);
    // A malformed phrase is an error that names the key.
    std::fs::write(&policy, "[[policy]]\nname=\"x\"\nfallback=true\nunit_method=\"cms\"\ntimely_filing_days=365\n[lexicon]\ncues=[\"~ cue\"]\n").unwrap();
    let bad = claimscrub(&[
        "check",
        "--config",
        policy.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("lexicon.cues"), "{}", bad.stderr);
    // The lexicon is printed for users to read and copy.
    assert!(claimscrub(&["config", "--lexicon"])
        .stdout
        .contains("functional_tasks = ["));
}
