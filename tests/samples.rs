//! The public 837 samples in ../shared/samples (see fixtures/SAMPLES.md):
//! every file is read without a panic, every CLM in it is accounted for,
//! and the X findings are exactly the ones each file's defects call for.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::*;

fn samples() -> PathBuf {
    root().join("../shared/samples")
}

/// CLM segments in a file, counted independently of our reader.
fn clm_count(bytes: &[u8]) -> usize {
    let (e, t) = (bytes[3], bytes[105]);
    bytes
        .split(|&b| b == t)
        .filter(|s| {
            let s = s.trim_ascii_start();
            s.starts_with(b"CLM") && s.get(3) == Some(&e)
        })
        .count()
}

#[test]
fn every_sample_is_read_with_the_expected_x_findings() {
    let expected: &[(&str, &[&str])] = &[
        (
            "imsweb-x12-parser/x12_complex.txt",
            &["X003", "X004", "X005"],
        ),
        ("imsweb-x12-parser/x12_many_claims.txt", &["X003", "X005"]),
        (
            "imsweb-x12-parser/x12_missing_elements.txt",
            &["X003", "X005"],
        ),
        (
            "imsweb-x12-parser/x12_multiple_transactions.txt",
            &["X003", "X005"],
        ),
        ("imsweb-x12-parser/x12_segment_errors.txt", &["X003"]),
        ("imsweb-x12-parser/x12_valid.txt", &["X003", "X005"]),
        (
            "imsweb-x12-parser/x12_valid_different_separators.txt",
            &["X003", "X005"],
        ),
        ("linuxforhealth-x12/demo.ambulance.example5.837", &[]),
        ("linuxforhealth-x12/demo.autoaccident.837", &[]),
        ("linuxforhealth-x12/demo.cob.example4.837", &[]),
        ("linuxforhealth-x12/demo.example1.837", &[]),
        ("linuxforhealth-x12/demo.example2.837", &[]),
        // Its SV101 is `HC>98940` where ISA16 declares `:`: no procedure
        // code under its own delimiters.
        ("linuxforhealth-x12/demo.example6.837", &["X005"]),
        ("pyx12-4010/bad_2010AA_bug.txt", &["X007"]),
        ("pyx12-4010/loop_counting.txt", &["X007"]),
        ("pyx12-4010/simple_837p.txt", &["X007"]),
        ("x12-types/005010_837.edi", &[]),
    ];
    assert!(
        samples().is_dir(),
        "../shared/samples must be beside the repository"
    );
    // Every sample file is in the table: a new one must be looked at.
    let mut on_disk = BTreeSet::new();
    for d in std::fs::read_dir(samples()).unwrap() {
        let d = d.unwrap().path();
        if d.is_dir() {
            for f in std::fs::read_dir(&d).unwrap() {
                let f = f.unwrap().path();
                if !f.to_string_lossy().ends_with(".997") && !f.to_string_lossy().ends_with(".md") {
                    on_disk.insert(
                        f.strip_prefix(samples())
                            .unwrap()
                            .to_string_lossy()
                            .to_string(),
                    );
                }
            }
        }
    }
    let listed: BTreeSet<String> = expected.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(on_disk, listed, "samples on disk and in this table");

    let tmp = TempDir::new("samples");
    let mut problems = Vec::new();
    for (file, want) in expected {
        let path = samples().join(file);
        let report = tmp.path("r.csv");
        let run = claimscrub(&[
            "check",
            "-q",
            "--as-of",
            AS_OF,
            "--report",
            report.to_str().unwrap(),
            path.to_str().unwrap(),
        ]);
        assert_ne!(run.code, 2, "{file}: {}", run.stderr);
        let got: BTreeSet<String> = report_rows(&report)
            .iter()
            .map(|r| r[11].to_string())
            .filter(|c| c.starts_with('X'))
            .collect();
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        if got != want {
            problems.push(format!("{file}: X findings {got:?}, expected {want:?}"));
        }
        let clms = clm_count(&std::fs::read(&path).unwrap());
        let (claims, _, _) = run.accounting();
        if want.contains("X007") {
            assert_eq!(claims, 0, "{file}");
            assert!(
                run.stderr.contains(&format!("holding {clms} claim(s)")),
                "{file}: skipped claims counted: {}",
                run.stderr
            );
        } else if claims as usize != clms {
            problems.push(format!("{file}: {claims} claims read, {clms} CLM segments"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
