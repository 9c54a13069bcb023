//! The malformed corpus (fixtures/malformed/, written by
//! scripts/make_malformed.py): each broken input gives its expected exit
//! code and rule codes, the accounting holds (claims read = clean +
//! rejected, and a claim that could not be read whole is counted and
//! rejected, never dropped), every finding says where, and nothing panics.

mod common;

use common::*;

#[test]
fn every_malformed_input_gives_its_expected_findings_and_accounting() {
    let dir = root().join("fixtures/malformed");
    let mut r = csv::Reader::from_path(dir.join("EXPECTED.csv")).unwrap();
    let tmp = TempDir::new("malformed");
    let mut problems = Vec::new();
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let (file, exit, codes) = (&rec[0], &rec[1], &rec[2]);
        let (claims, rejected): (u64, u64) = (rec[3].parse().unwrap(), rec[4].parse().unwrap());
        n += 1;
        let report = tmp.path(&format!("{file}.csv"));
        let rel = format!("fixtures/malformed/{file}");
        let run = claimscrub(&[
            "check",
            "-q",
            "--as-of",
            AS_OF,
            "--report",
            report.to_str().unwrap(),
            &rel,
        ]);
        if run.code.to_string() != exit {
            problems.push(format!(
                "{file}: exit {} (want {exit})\n{}",
                run.code, run.stderr
            ));
            continue;
        }
        let (read, _, rej) = run.accounting();
        if (read, rej) != (claims, rejected) {
            problems.push(format!(
                "{file}: {read} claims read, {rej} rejected (want {claims}, {rejected})"
            ));
        }
        let rows = report_rows(&report);
        for code in codes.split_whitespace() {
            if !rows.iter().any(|r| &r[11] == code) {
                let got: Vec<&str> = rows.iter().map(|r| &r[11]).collect();
                problems.push(format!("{file}: no {code} (got {got:?})"));
            }
        }
        for r in &rows {
            if r[11].starts_with('X') && r[16].is_empty() {
                problems.push(format!("{file}: {} without a location: {}", &r[11], &r[13]));
            }
        }
    }
    assert!(n >= 30, "at least 30 malformed inputs: {n}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
