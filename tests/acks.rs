//! The 999 and 277CA acknowledgments: written with x12-types' typed
//! structures (the 277CA's per-claim loops by our own code, compared here
//! with the typed rendering), read back here with x12-types (structure) and
//! with our own tokenizer (every element, counts, the STC12 free text).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use claimscrub::input::x12::{Token, Tokenizer};
use common::*;
use x12_types::util::Parser;
use x12_types::v005010::{Transmission, _277, _999};

/// Every segment of a file as element strings, by our tokenizer.
fn segments(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut t = Tokenizer::new(bytes, 1 << 20);
    let mut out = Vec::new();
    loop {
        match t.next_token() {
            Token::Segment(s) => out.push((0..s.len()).map(|i| s.text(i).to_string()).collect()),
            Token::Eof => break,
            other => panic!(
                "our tokenizer found a problem in an ack: {}",
                match other {
                    Token::Garbage { reason, .. } => reason,
                    _ => "segment".into(),
                }
            ),
        }
    }
    out
}

/// Each interchange's text (x12-types reads one functional group per ISA).
fn interchanges(text: &str) -> Vec<String> {
    text.split("ISA*")
        .filter(|s| !s.trim().is_empty())
        .map(|s| format!("ISA*{s}"))
        .collect()
}

/// SE01 = segments from ST to SE, GE01 = transactions, IEA01 = groups;
/// IEA02 = ISA13, and no ISA13 twice in a file. In each transaction, HL01
/// counts 1, 2, 3, ... and an HL's parent (HL02) is an HL before it.
fn assert_counts(segs: &[Vec<String>]) {
    let (mut in_st, mut sts, mut gss) = (0usize, 0usize, 0usize);
    let mut isa13s: Vec<String> = Vec::new();
    let mut hls = 0usize;
    for s in segs {
        if s[0] == "HL" {
            hls += 1;
            assert_eq!(s[1], hls.to_string(), "HL01 in sequence: {s:?}");
            if let Some(parent) = s.get(2).filter(|p| !p.is_empty()) {
                let p: usize = parent.parse().expect("HL02 a number");
                assert!((1..hls).contains(&p), "HL02 names an earlier HL: {s:?}");
            }
        }
        match s[0].as_str() {
            "ISA" => {
                assert!(!isa13s.contains(&s[13]), "ISA13 {} twice", s[13]);
                isa13s.push(s[13].clone());
            }
            "ST" => {
                in_st = 1;
                sts += 1;
                hls = 0;
            }
            "SE" => {
                in_st += 1;
                assert_eq!(s[1], in_st.to_string(), "SE01 counts ST to SE");
                in_st = 0;
            }
            "GS" => {
                gss += 1;
                sts = 0;
            }
            "GE" => assert_eq!(s[1], sts.to_string(), "GE01 counts transactions"),
            "IEA" => {
                assert_eq!(s[1], gss.to_string(), "IEA01 counts groups");
                assert_eq!(Some(&s[2]), isa13s.last(), "IEA02 = ISA13");
                gss = 0;
            }
            _ if in_st > 0 => in_st += 1,
            _ => {}
        }
    }
}

struct Acks {
    report: Vec<csv::StringRecord>,
    a999: String,
    a277: String,
}

fn run(input: &str, tmp: &TempDir, threads: &str) -> Acks {
    let (r, a, b) = (tmp.path("r.csv"), tmp.path("a.999"), tmp.path("a.277"));
    let run = claimscrub(&[
        "check",
        "-q",
        "--threads",
        threads,
        "--as-of",
        AS_OF,
        "--report",
        r.to_str().unwrap(),
        "--ack-999",
        a.to_str().unwrap(),
        "--ack-277ca",
        b.to_str().unwrap(),
        input,
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    Acks {
        report: report_rows(&r),
        a999: std::fs::read_to_string(a).unwrap(),
        a277: std::fs::read_to_string(b).unwrap(),
    }
}

/// Rejected claim ids by the report (claims with an error finding).
fn rejected(report: &[csv::StringRecord]) -> BTreeSet<String> {
    report
        .iter()
        .filter(|r| &r[12] == "error" && !r[1].is_empty())
        .map(|r| r[1].to_string())
        .collect()
}

#[test]
fn demo_acks_parse_with_x12_types_and_echo_every_claim() {
    let tmp = TempDir::new("acks-demo");
    let acks = run("fixtures/demo.837", &tmp, "2");
    // 999: x12-types reads it; one accepted transaction.
    for ic in interchanges(&acks.a999) {
        let (rest, t) = Transmission::<_999>::parse(&ic).expect("x12-types reads our 999");
        assert!(rest.trim().is_empty(), "left over: {rest}");
        let doc = &t.functional_group[0].segments[0];
        assert_eq!(doc.loop_ak2.len(), 1);
        assert_eq!(doc.loop_ak2[0].ik5._01.as_deref(), Some("A"));
        assert_eq!(doc.ak9._01.as_deref(), Some("A"));
    }
    let segs = segments(acks.a999.as_bytes());
    assert_counts(&segs);
    let ak1 = segs.iter().find(|s| s[0] == "AK1").unwrap();
    assert_eq!(
        ak1[1..],
        ["HC", "1", "005010X222A1"],
        "AK1 echoes GS01, GS06, GS08"
    );

    // 277CA: x12-types reads it; one patient loop per claim, in input order.
    let mut ids = Vec::new();
    for ic in interchanges(&acks.a277) {
        let (rest, t) = Transmission::<_277>::parse(&ic).expect("x12-types reads our 277CA");
        assert!(rest.trim().is_empty(), "left over: {rest}");
        for doc in &t.functional_group[0].segments {
            for d in &doc.loop_2000d {
                assert_eq!(d.hl._03.to_string(), "PT");
                for c in &d.loop_2200d {
                    ids.push((c.trn[0]._02.clone(), c.stc[0]._01.clone()));
                }
            }
        }
    }
    assert_eq!(ids.len(), 11, "every claim of the demo: {ids:?}");
    let bad = rejected(&acks.report);
    assert_eq!(bad.len(), 8);
    for (id, status) in &ids {
        let want = if bad.contains(id) { "A7:21" } else { "A2:20" };
        assert_eq!(status, want, "{id}");
    }
    // Our tokenizer: counts, and STC12 carries the rule code of the first error.
    let segs = segments(acks.a277.as_bytes());
    assert_counts(&segs);
    let first_error: BTreeMap<String, String> = acks
        .report
        .iter()
        .filter(|r| &r[12] == "error")
        .fold(BTreeMap::new(), |mut m, r| {
            m.entry(r[1].to_string()).or_insert(r[11].to_string());
            m
        });
    let mut claim = String::new();
    let mut checked = 0;
    for s in &segs {
        if s[0] == "TRN" && s[1] == "2" && first_error.contains_key(&s[2]) {
            claim = s[2].clone();
        }
        if s[0] == "STC" && s[1].starts_with("A7") && !claim.is_empty() {
            assert!(s[12].starts_with(&first_error[&claim]), "{claim}: {s:?}");
            checked += 1;
        }
    }
    assert!(checked >= 8, "{checked}");
    // Rejected lines echo their line control number.
    assert!(
        acks.a277.contains("REF*FJ*PT1002-1~"),
        "line control echoed"
    );
}

/// Claims of two billing providers, interleaved in the 837 (A, B, A): one
/// 2000C loop a provider, in order of first claim, each counting its own
/// claims, and every patient loop under its provider; HL ids in sequence
/// (x12-types writes the providers' loops first, then the patients').
#[test]
fn interleaved_providers_each_get_a_loop_and_their_own_claims() {
    let tmp = TempDir::new("acks-providers");
    let acks = run("fixtures/acks/interleaved-providers.837", &tmp, "2");
    for ic in interchanges(&acks.a277) {
        let (rest, t) = Transmission::<_277>::parse(&ic).expect("x12-types reads our 277CA");
        assert!(rest.trim().is_empty(), "left over: {rest}");
        let doc = &t.functional_group[0].segments[0];
        assert_eq!(doc.loop_2000c.len(), 2);
        assert_eq!(doc.loop_2000d.len(), 3);
    }
    let segs = segments(acks.a277.as_bytes());
    assert_counts(&segs);
    // Provider HL id -> its name (NM1*85), and each claim's provider.
    let (mut providers, mut claims) = (BTreeMap::new(), Vec::new());
    let (mut hl, mut parent) = (String::new(), String::new());
    for s in &segs {
        match s[0].as_str() {
            "HL" => (hl, parent) = (s[1].clone(), s[2].clone()),
            "NM1" if s[1] == "85" => {
                providers.insert(hl.clone(), s[3].clone());
            }
            "QTY" if s[1] == "QA" => claims.push((providers[&hl].clone(), s[2].clone())),
            "TRN" if s[1] == "2" && s[2].starts_with("PT") => {
                claims.push((providers[&parent].clone(), s[2].clone()));
            }
            _ => {}
        }
    }
    let pairs: Vec<(&str, &str)> = claims
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("SYNTHETIC REHAB A", "2"),
            ("SYNTHETIC REHAB B", "1"),
            ("SYNTHETIC REHAB A", "PT2001"),
            ("SYNTHETIC REHAB A", "PT2003"),
            ("SYNTHETIC REHAB B", "PT2002"),
        ]
    );
}

#[test]
fn a_transaction_with_a_wrong_se_count_is_rejected_in_the_999() {
    let tmp = TempDir::new("acks-x003");
    let acks = run("fixtures/rules/X003-FAIL-se-count.837", &tmp, "1");
    let segs = segments(acks.a999.as_bytes());
    assert_counts(&segs);
    let ik5 = segs.iter().find(|s| s[0] == "IK5").unwrap();
    assert_eq!(ik5[1..], ["R", "4"], "IK5 R, 4: segment count");
    let ak9 = segs.iter().find(|s| s[0] == "AK9").unwrap();
    assert_eq!(ak9[1..5], ["R", "1", "1", "0"]);
    for ic in interchanges(&acks.a999) {
        Transmission::<_999>::parse(&ic).expect("x12-types reads it");
    }
}

#[test]
fn generated_batch_acks_every_claim_and_do_not_depend_on_threads() {
    let tmp = TempDir::new("acks-gen");
    let input = tmp.path("g.837");
    claimscrub(&[
        "gen",
        "--claims",
        "3000",
        "--per-transaction",
        "700",
        "--out",
        input.to_str().unwrap(),
    ]);
    let one = run(input.to_str().unwrap(), &tmp, "1");
    let two = run(input.to_str().unwrap(), &tmp, "4");
    assert_eq!(one.a999, two.a999);
    assert_eq!(one.a277, two.a277);
    let segs = segments(one.a277.as_bytes());
    assert_counts(&segs);
    let sts = segs.iter().filter(|s| s[0] == "ST").count();
    assert_eq!(sts, 5, "one 277 per 837 transaction (3000 claims / 700)");
    let patients: Vec<&Vec<String>> = segs
        .iter()
        .filter(|s| s[0] == "HL" && s[3] == "PT")
        .collect();
    assert_eq!(patients.len(), 3000, "every claim read is acknowledged");
    let rejected_in_277 = segs
        .iter()
        .filter(|s| s[0] == "STC" && s[1] == "A7:21" && !s[4].is_empty())
        .count();
    assert_eq!(rejected_in_277, rejected(&one.report).len());
    for ic in interchanges(&one.a277) {
        let (rest, _) = Transmission::<_277>::parse(&ic).expect("x12-types reads it");
        assert!(rest.trim().is_empty());
    }
    let ik5: Vec<Vec<String>> = segments(one.a999.as_bytes())
        .into_iter()
        .filter(|s| s[0] == "IK5")
        .collect();
    assert_eq!(ik5.len(), 5);
    assert!(ik5.iter().all(|s| s[1] == "A"));
}

/// A generated batch where every claim has a defect (transactions of 600),
/// the demo, every malformed fixture and every public sample.
fn ack_inputs(tmp: &TempDir) -> Vec<std::path::PathBuf> {
    let batch = tmp.path("defects.837");
    claimscrub(&[
        "gen",
        "--claims",
        "2000",
        "--defect-rate",
        "1",
        "--per-transaction",
        "600",
        "--out",
        batch.to_str().unwrap(),
    ]);
    let mut inputs = vec![
        batch,
        root().join("fixtures/demo.837"),
        root().join("fixtures/demo.csv"),
    ];
    for dir in [
        root().join("fixtures/malformed"),
        root().join("../shared/samples"),
    ] {
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if !p.to_string_lossy().ends_with(".md") {
                    inputs.push(p);
                }
            }
        }
    }
    inputs.sort();
    inputs
}

/// `check` of `input` (with `--as-of`, `-q` and `more`), each output flag
/// of `outputs` given its file name in `dir`: the exit code and the files'
/// bytes, in that order (empty where none was written).
fn check_into(
    dir: &std::path::Path,
    input: &std::path::Path,
    outputs: &[(&str, &str)],
    more: &[&str],
) -> (Option<i32>, Vec<Vec<u8>>) {
    std::fs::create_dir_all(dir).unwrap();
    let mut args: Vec<String> = vec!["check".into(), "-q".into(), "--as-of".into(), AS_OF.into()];
    for (flag, name) in outputs {
        args.extend([
            flag.to_string(),
            dir.join(name).to_str().unwrap().to_string(),
        ]);
    }
    args.extend(more.iter().map(|m| m.to_string()));
    args.push(input.to_str().unwrap().to_string());
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_claimscrub"))
        .args(&args)
        .output()
        .unwrap();
    let files = outputs
        .iter()
        .map(|(_, name)| std::fs::read(dir.join(name)).unwrap_or_default())
        .collect();
    (run.status.code(), files)
}

/// Asked for alone, the acknowledgments are read from the structure only
/// (not the claims' own segments, which only the clean and rejected files
/// need; and for the 999 alone, not the HL loops either, which only the
/// 277CA reads): they, the report and the exit code are the same as when
/// the clean and rejected files are written too.
#[test]
fn acks_alone_are_the_acks_written_with_the_clean_and_rejected_files() {
    let tmp = TempDir::new("acks-alone");
    let mut compared = 0;
    for input in ack_inputs(&tmp) {
        // 0: the 999 alone; 1: both acknowledgments; 2: and the split.
        let run = |mode: u8| {
            let dir = tmp.path(["only999", "alone", "with"][usize::from(mode)]);
            let mut outputs = vec![("--report", "r.csv"), ("--ack-999", "a.999")];
            if mode >= 1 {
                outputs.push(("--ack-277ca", "a.277"));
            }
            if mode == 2 {
                outputs.extend([("--clean-out", "c"), ("--rejected-out", "x")]);
            }
            let (code, files) = check_into(&dir, &input, &outputs, &[]);
            (
                code,
                files[0].clone(),
                files[1].clone(),
                files.get(2).cloned().unwrap_or_default(),
            )
        };
        let (only999, alone, with) = (run(0), run(1), run(2));
        assert_eq!(alone, with, "{}", input.display());
        assert_eq!(
            (&only999.0, &only999.1, &only999.2),
            (&with.0, &with.1, &with.2),
            "the 999 alone, {}",
            input.display()
        );
        // Nothing but what was asked for was written.
        let mut written: Vec<String> = std::fs::read_dir(tmp.path("only999"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        assert_eq!(
            written,
            ["a.999", "r.csv"],
            "the 999 alone, {}",
            input.display()
        );
        assert!(only999.3.is_empty(), "no 277CA asked for");
        compared += usize::from(String::from_utf8_lossy(&alone.3).contains("HL*"));
    }
    assert!(compared >= 10, "only {compared} inputs gave a 277CA");
}

/// The claims' 277CA loops are written as text for speed; x12-types' typed
/// rendering of the same loops (`CLAIMSCRUB_TYPED_277=1`) is the reference,
/// byte for byte: on a batch where every claim has a defect, on the demo,
/// on every malformed fixture and on the public samples.
#[test]
fn fast_277_claim_loops_match_the_typed_rendering() {
    let tmp = TempDir::new("acks-typed");
    let inputs = ack_inputs(&tmp);
    let mut compared = 0;
    for input in &inputs {
        let render = |typed: bool| {
            let out = tmp.path(if typed { "typed.277" } else { "fast.277" });
            let _ = std::fs::remove_file(&out);
            let run = std::process::Command::new(env!("CARGO_BIN_EXE_claimscrub"))
                .args(["check", "-q", "--as-of", AS_OF, "--ack-277ca"])
                .arg(&out)
                .arg(input)
                .env("CLAIMSCRUB_TYPED_277", if typed { "1" } else { "0" })
                .output()
                .unwrap();
            assert!(
                (0..=2).contains(&run.status.code().unwrap_or(-1)),
                "{}",
                input.display()
            );
            std::fs::read_to_string(&out).unwrap_or_default()
        };
        let (fast, typed) = (render(false), render(true));
        assert_eq!(fast, typed, "277CA of {}", input.display());
        compared += usize::from(fast.contains("HL*"));
    }
    // The generated batch, the demo and the readable samples and fixtures.
    assert!(compared >= 10, "only {compared} inputs gave a 277CA");
}

/// A transaction past `--max-held-bytes` goes to a scratch file while it is
/// read and comes back from it when parsed: every output (report, 999,
/// 277CA, clean and rejected files, exit code) is what it is with the
/// transaction held in memory, for every transaction in a scratch file
/// (`--max-held-bytes 0`) and for those past 20,000 bytes.
#[test]
fn transactions_in_a_scratch_file_give_the_same_outputs() {
    let tmp = TempDir::new("held");
    let mut spilled = 0;
    for input in ack_inputs(&tmp) {
        let run = |held: &str| {
            let outputs = [
                ("--report", "r.csv"),
                ("--ack-999", "a.999"),
                ("--ack-277ca", "a.277"),
                ("--clean-out", "c"),
                ("--rejected-out", "x"),
            ];
            let more: &[&str] = if held.is_empty() {
                &[]
            } else {
                &["--max-held-bytes", held]
            };
            check_into(&tmp.path(&format!("held-{held}")), &input, &outputs, more)
        };
        let held = run("");
        for limit in ["0", "20000"] {
            assert_eq!(
                run(limit),
                held,
                "{} --max-held-bytes {limit}",
                input.display()
            );
        }
        let size = std::fs::metadata(&input).unwrap().len();
        spilled += usize::from(size > 20_000 && !input.to_string_lossy().ends_with(".csv"));
    }
    assert!(spilled >= 2, "only {spilled} inputs over 20,000 bytes");
}
