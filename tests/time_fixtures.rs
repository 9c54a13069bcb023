//! The 8-minute rule on hand-written visits (fixtures/time/visits.csv): each
//! claim id names the T findings expected under the cms method and under the
//! per_code method (`V08-C_T004-P_none`), and a run gives exactly those.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;

fn expected(id: &str, method: &str) -> BTreeSet<String> {
    let parts: Vec<&str> = id.split('-').collect();
    let part = if method == "cms" { parts[1] } else { parts[2] };
    let codes = &part[2..];
    if codes == "none" {
        BTreeSet::new()
    } else {
        codes.split('+').map(str::to_string).collect()
    }
}

#[test]
fn hand_written_visits_give_exactly_the_named_t_findings_under_both_methods() {
    let input = root().join("fixtures/time/visits.csv");
    let ids: BTreeSet<String> = csv::Reader::from_path(&input)
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert!(ids.len() >= 40, "at least 40 visits: {}", ids.len());
    let tmp = TempDir::new("time");
    let mut problems = Vec::new();
    for method in ["cms", "per_code"] {
        let report = tmp.path(&format!("{method}.csv"));
        let config = format!("fixtures/time/{method}.toml");
        let run = claimscrub(&[
            "check",
            "-q",
            "--as-of",
            AS_OF,
            "--select",
            "T",
            "--show-info",
            "--config",
            &config,
            "--mue",
            "fixtures/mue/synthetic-mue.csv",
            "--report",
            report.to_str().unwrap(),
            "fixtures/time/visits.csv",
        ]);
        assert_ne!(run.code, 2, "{}", run.stderr);
        let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in report_rows(&report) {
            got.entry(r[1].to_string())
                .or_default()
                .insert(r[11].to_string());
        }
        for id in &ids {
            let want = expected(id, method);
            let have = got.remove(id).unwrap_or_default();
            if have != want {
                problems.push(format!("{method}: {id}: got {have:?}"));
            }
        }
        assert!(got.is_empty(), "findings for unknown claims: {got:?}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn without_minutes_only_t005_and_the_unit_rules_run() {
    // The 837P demo carries units, not minutes: T005 once per claim with 97530.
    let run = claimscrub(&[
        "check",
        "--as-of",
        AS_OF,
        "--select",
        "T",
        "--show-info",
        "fixtures/demo.837",
    ]);
    let t005 = run.stdout.lines().filter(|l| l.contains(" T005 ")).count();
    // PT1009 reports its 97530 in minutes (MJ): its time rules do run;
    // PT1004's units are not whole (D002): the time rules do not judge it.
    assert_eq!(t005, 9, "{}", run.stdout);
    assert!(
        !run.stdout.contains("T001") && !run.stdout.contains("T002"),
        "{}",
        run.stdout
    );
    // Without --show-info the info findings are counted, not listed.
    let quiet = claimscrub(&[
        "check",
        "--as-of",
        AS_OF,
        "--select",
        "T",
        "fixtures/demo.837",
    ]);
    assert!(quiet.stdout.is_empty(), "{}", quiet.stdout);
    assert!(
        quiet.stderr.contains("9 not shown (--show-info)"),
        "{}",
        quiet.stderr
    );
    assert_eq!(quiet.code, 0);
}

#[test]
fn minutes_side_file_is_joined_and_unmatched_rows_are_counted() {
    let tmp = TempDir::new("minutes");
    let side = tmp.path("minutes.csv");
    // PT1001 (Medicare, cms) line 1 97530 × 2 with 24 min and line 2 97110 × 1
    // with 23 min: 47 minutes → 3 units, 2 + 1: valid. PT1003 (commercial,
    // per_code) by its REF*6R: 97530 × 1 with 40 minutes. A row for no claim.
    std::fs::write(
        &side,
        "claim_id,line,minutes\nPT1001,1,24\nPT1001,2,23\nPT1003,PT1003-1,40\nNOSUCH,1,30\n",
    )
    .unwrap();
    let run = claimscrub(&[
        "check",
        "--as-of",
        AS_OF,
        "--select",
        "T",
        "--show-info",
        "--minutes",
        side.to_str().unwrap(),
        "fixtures/demo.837",
    ]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        !lines.iter().any(|l| l.contains("claim PT1001 ")),
        "PT1001 has all its minutes: {}",
        run.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("claim PT1003 ") && l.contains("T002")),
        "PT1003 per_code: 40 minutes support 3 units, billed 1: {}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("minutes file      4 row(s), 3 joined, 1 matched no claim line"),
        "{}",
        run.stderr
    );
}

#[test]
fn mue_by_line_and_missing_table_is_said() {
    let tmp = TempDir::new("mue");
    let f = tmp.path("v.csv");
    std::fs::write(
        &f,
        "claim_id,patient_id,date_of_service,procedure_code,units,minutes\nA,P,2026-11-02,97530,5,75\nB,P,2026-11-02,97530,4,60\nC,P,2026-11-02,97530,1,15\n",
    )
    .unwrap();
    let run = claimscrub(&[
        "check",
        "--as-of",
        AS_OF,
        "--select",
        "T008",
        "--mue",
        "fixtures/mue/synthetic-mue-mai1.csv",
        f.to_str().unwrap(),
    ]);
    let hits: Vec<&str> = run.stdout.lines().filter(|l| l.contains("T008")).collect();
    assert_eq!(
        hits.len(),
        1,
        "MAI 1 judges each line alone: {}",
        run.stdout
    );
    assert!(hits[0].contains("claim A "), "{}", hits[0]);
    let by_date = claimscrub(&[
        "check",
        "--as-of",
        AS_OF,
        "--select",
        "T008",
        "--mue",
        "fixtures/mue/synthetic-mue.csv",
        f.to_str().unwrap(),
    ]);
    let hits: Vec<&str> = by_date
        .stdout
        .lines()
        .filter(|l| l.contains("T008"))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "MAI 3 sums the day: only the line that passes 4 is reported: {}",
        by_date.stdout
    );
    assert!(hits[0].contains("claim A "), "{}", hits[0]);
    let none = claimscrub(&[
        "check",
        "--as-of",
        AS_OF,
        "--select",
        "T008",
        f.to_str().unwrap(),
    ]);
    assert!(
        none.stderr
            .contains("not run           T008: needs MUE table (--mue FILE)"),
        "{}",
        none.stderr
    );
    let bad = claimscrub(&["check", "--mue", "fixtures/demo.csv", f.to_str().unwrap()]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("fixtures/demo.csv"), "{}", bad.stderr);
}

#[test]
fn units_calculator_prints_both_methods() {
    let run = claimscrub(&["units", "97110=33", "97140=7"]);
    assert_eq!(run.code, 0);
    let want = "cms (Medicare: total timed minutes, then allocation)
  total timed minutes   40   total units 3
  97110     33 min   2 unit(s)
  97140      7 min   1 unit(s)
per_code (each code on its own minutes)
  total timed minutes   40   total units 2
  97110     33 min   2 unit(s)
  97140      7 min   0 unit(s)
";
    assert_eq!(run.stdout, want);
    let tie = claimscrub(&["units", "--method", "cms", "97112=20", "97110=20"]);
    assert!(tie.stdout.contains("(tie: 1 or 2)"), "{}", tie.stdout);
    assert_eq!(claimscrub(&["units", "97110"]).code, 2);
}
