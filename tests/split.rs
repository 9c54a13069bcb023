//! The clean and rejected files: every claim read lands in exactly one,
//! unchanged; both files are valid 837P (or CSV) that check again cleanly.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// Each claim's segments (CLM up to the next HL, CLM, SE), by CLM01.
fn claims_of(path: &Path) -> BTreeMap<String, Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    if bytes.is_empty() {
        return BTreeMap::new();
    }
    let (e, t) = (bytes[3] as char, bytes[105] as char);
    let text = String::from_utf8_lossy(&bytes);
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for seg in text.split(t).map(str::trim) {
        let id = seg.split(e).next().unwrap_or("");
        match id {
            "CLM" => {
                let key = seg.split(e).nth(1).unwrap().to_string();
                assert!(
                    !out.contains_key(&key),
                    "claim {key} twice in {}",
                    path.display()
                );
                out.insert(key.clone(), vec![seg.to_string()]);
                current = Some(key);
            }
            "HL" | "SE" | "ST" | "GE" | "IEA" => current = None,
            _ => {
                if let Some(k) = &current {
                    out.get_mut(k).unwrap().push(seg.to_string());
                }
            }
        }
    }
    out
}

/// Each claim's hierarchy, by CLM01: the loop segments of its HL and of
/// each HL above it (the HL segments themselves, renumbered in the split
/// files, left out), nearest first.
fn hierarchy_of(path: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let bytes = std::fs::read(path).unwrap();
    if bytes.is_empty() {
        return BTreeMap::new();
    }
    let (e, t) = (bytes[3] as char, bytes[105] as char);
    let text = String::from_utf8_lossy(&bytes);
    // HL id -> (parent id, its loop's segments); the HL whose loop is open.
    let mut hls: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let (mut open, mut current): (Option<String>, Option<String>) = (None, None);
    let mut out = BTreeMap::new();
    for seg in text.split(t).map(str::trim) {
        let el: Vec<&str> = seg.split(e).collect();
        match el[0] {
            "HL" => {
                let id = el[1].to_string();
                hls.insert(id.clone(), (el[2].to_string(), Vec::new()));
                (open, current) = (Some(id.clone()), Some(id));
            }
            "CLM" => {
                let mut chain = Vec::new();
                let mut at = current.clone();
                while let Some((parent, segs)) = at.as_ref().and_then(|h| hls.get(h)) {
                    chain.push(segs.clone());
                    at = Some(parent.clone()).filter(|p| !p.is_empty());
                }
                out.insert(el[1].to_string(), chain);
                open = None;
            }
            "SE" | "ST" | "GE" | "GS" | "IEA" | "ISA" | "" => open = None,
            _ => {
                if let Some((_, segs)) = open.as_ref().and_then(|h| hls.get_mut(h)) {
                    segs.push(seg.to_string());
                }
            }
        }
    }
    out
}

fn split(input: &str, dir: &TempDir, tag: &str) -> (Run, std::path::PathBuf, std::path::PathBuf) {
    let ext = if input.ends_with(".csv") {
        "csv"
    } else {
        "837"
    };
    let clean = dir.path(&format!("{tag}.clean.{ext}"));
    let rejected = dir.path(&format!("{tag}.rejected.{ext}"));
    let run = claimscrub(&[
        "check",
        "-q",
        "--as-of",
        AS_OF,
        "--report",
        dir.path(&format!("{tag}.report.csv")).to_str().unwrap(),
        "--clean-out",
        clean.to_str().unwrap(),
        "--rejected-out",
        rejected.to_str().unwrap(),
        input,
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    (run, clean, rejected)
}

/// The round trip: claims split exactly, unchanged, and the files check again.
fn round_trip(input: &Path, dir: &TempDir, tag: &str) {
    let (run, clean, rejected) = split(input.to_str().unwrap(), dir, tag);
    let (read, n_clean, n_rejected) = run.accounting();
    let before = claims_of(input);
    let (c, r) = (claims_of(&clean), claims_of(&rejected));
    assert_eq!(
        (c.len() as u64, r.len() as u64),
        (n_clean, n_rejected),
        "{tag}"
    );
    assert_eq!(read as usize, before.len(), "{tag}: every CLM read");
    let mut after = c.clone();
    after.extend(r.clone());
    assert_eq!(after, before, "{tag}: the same claims, segment for segment");
    // And each claim under the same loops (subscriber, patient, billing
    // provider), segment for segment.
    let mut after = hierarchy_of(&clean);
    after.extend(hierarchy_of(&rejected));
    assert_eq!(
        after,
        hierarchy_of(input),
        "{tag}: each claim under the same loops"
    );
    if n_rejected > 0 {
        let rej = claimscrub(&[
            "check",
            "-q",
            "--as-of",
            AS_OF,
            "--select",
            "X",
            rejected.to_str().unwrap(),
        ]);
        assert_eq!(
            rej.code, 0,
            "{tag}: rejected file has structure findings:\n{}",
            rej.stdout
        );
    }
    // The clean file checks clean; neither file has a structure finding.
    // With no clean claim the clean file is empty: nothing to send.
    if n_clean == 0 {
        assert!(std::fs::read(&clean).unwrap().is_empty(), "{tag}");
        return;
    }
    let again = claimscrub(&["check", "-q", "--as-of", AS_OF, clean.to_str().unwrap()]);
    assert_eq!(
        again.code, 0,
        "{tag}: clean file rejected:\n{}",
        again.stdout
    );
    assert_eq!(again.accounting(), (n_clean, n_clean, 0));
}

#[test]
fn generated_100000_claim_batch_round_trip() {
    // The size the issue names: 100,000 claims in transactions of 5,000.
    let dir = TempDir::new("split-gen");
    let input = dir.path("batch.837");
    let g = claimscrub(&[
        "gen",
        "--claims",
        "100000",
        "--seed",
        "5",
        "--per-transaction",
        "5000",
        "--out",
        input.to_str().unwrap(),
    ]);
    assert_eq!(g.code, 0);
    round_trip(&input, &dir, "gen");
}

#[test]
fn valid_samples_and_the_demo_round_trip() {
    let dir = TempDir::new("split-samples");
    let mut files = vec![
        root().join("fixtures/demo.837"),
        root().join("fixtures/rules/X-PASS-valid.837"),
    ];
    for d in ["linuxforhealth-x12", "x12-types"] {
        for e in std::fs::read_dir(root().join("../shared/samples").join(d)).unwrap() {
            let path = e.unwrap().path();
            // Not valid: its SV101 `HC>98940` has no procedure code under its
            // ISA16 (`:`), an X005 the rejected file keeps (tests/samples.rs).
            if !path.ends_with("demo.example6.837") {
                files.push(path);
            }
        }
    }
    for (i, f) in files.iter().enumerate() {
        round_trip(f, &dir, &format!("s{i}"));
    }
}

#[test]
fn a_broken_transaction_is_rejected_whole_and_rebuilt_valid() {
    // SE01 wrong and a repeated HL id with a parent that does not exist.
    let dir = TempDir::new("split-broken");
    let input = root().join("../shared/samples/imsweb-x12-parser/x12_valid.txt");
    let (run, clean, rejected) = split(input.to_str().unwrap(), &dir, "b");
    assert_eq!(run.accounting(), (2, 0, 2));
    assert!(claims_of(&clean).is_empty());
    assert_eq!(claims_of(&rejected).len(), 2);
    let text = std::fs::read_to_string(&rejected).unwrap();
    assert!(text.contains("SE*"), "{text}");
    let again = claimscrub(&[
        "check",
        "-q",
        "--as-of",
        AS_OF,
        "--select",
        "X003,X004",
        rejected.to_str().unwrap(),
    ]);
    assert_eq!(again.code, 0, "counts recounted: {}", again.stdout);
}

#[test]
fn patient_hls_are_renumbered_with_their_parents() {
    // Two subscribers, the first with a patient (2000C); reject the first claim only.
    let dir = TempDir::new("split-hl");
    let isa = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *261127*1200*^*00501*000000007*0*P*:~";
    let body = [
        "ST*837*0001*005010X222A1",
        "BHT*0019*00*1*20261127*1200*CH",
        "HL*1**20*1",
        "NM1*85*2*CLINIC*****XX*1234567893",
        "HL*2*1*22*1",
        "SBR*P*18*******MB",
        "NM1*IL*1*DOE*JANE****MI*M1",
        "NM1*PR*2*MEDICARE*****PI*MCR01",
        "HL*3*2*23*0",
        "PAT*19",
        "NM1*QC*1*DOE*TED",
        "CLM*BAD1*45***11:B:1*Y*A*Y*Y",
        "HI*ABK:M6281",
        "LX*1",
        "SV1*HC:97530*45*UN*1***1",
        "DTP*472*D8*20261102",
        "HL*4*1*22*0",
        "SBR*P*18*******MB",
        "NM1*IL*1*ROE*RAY****MI*M2",
        "NM1*PR*2*MEDICARE*****PI*MCR01",
        "CLM*GOOD1*45***11:B:1*Y*A*Y*Y",
        "HI*ABK:M6281",
        "LX*1",
        "SV1*HC:97530:GP*45*UN*1***1",
        "DTP*472*D8*20261102",
    ];
    let mut text = format!("{isa}GS*HC*S*R*20261127*1200*7*X*005010X222A1~");
    for s in body {
        text.push_str(s);
        text.push('~');
    }
    text.push_str(&format!(
        "SE*{}*0001~GE*1*7~IEA*1*000000007~",
        body.len() + 1
    ));
    let input = dir.path("hl.837");
    std::fs::write(&input, &text).unwrap();
    let (run, clean, rejected) = split(input.to_str().unwrap(), &dir, "hl");
    assert_eq!(run.accounting(), (2, 1, 1));
    let c = std::fs::read_to_string(&clean).unwrap();
    assert!(
        c.contains("HL*1**20*1~NM1*85") && c.contains("HL*2*1*22*0~SBR"),
        "{c}"
    );
    assert!(!c.contains("HL*3"), "{c}");
    assert!(c.contains("SE*14*0001~GE*1*7~IEA*1*000000007~"), "{c}");
    let r = std::fs::read_to_string(&rejected).unwrap();
    assert!(
        r.contains("HL*1**20*1~NM1*85") && r.contains("HL*2*1*22*1~SBR"),
        "{r}"
    );
    assert!(r.contains("HL*3*2*23*0~PAT*19"), "{r}");
    assert!(!r.contains("GOOD1"), "{r}");
    round_trip(&input, &dir, "hl2");
}

#[test]
fn csv_split_keeps_header_and_rows() {
    let dir = TempDir::new("split-csv");
    let input = root().join("fixtures/demo.csv");
    let (run, clean, rejected) = split(input.to_str().unwrap(), &dir, "csv");
    assert_eq!(run.accounting(), (6, 3, 3));
    let original = std::fs::read_to_string(&input).unwrap();
    let header = original.lines().next().unwrap();
    let (c, r) = (
        std::fs::read_to_string(&clean).unwrap(),
        std::fs::read_to_string(&rejected).unwrap(),
    );
    assert_eq!(c.lines().next(), Some(header));
    assert_eq!(r.lines().next(), Some(header));
    let mut rows: Vec<&str> = c.lines().skip(1).chain(r.lines().skip(1)).collect();
    let mut want: Vec<&str> = original.lines().skip(1).collect();
    rows.sort();
    want.sort();
    assert_eq!(rows, want, "every row in exactly one file");
    assert!(r.contains("E2005"), "the unusable row's claim is held back");
    let again = claimscrub(&["check", "-q", "--as-of", AS_OF, clean.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{}", again.stdout);
}

#[test]
fn outputs_never_overwrite_inputs() {
    let dir = TempDir::new("split-over");
    let input = dir.path("in.837");
    std::fs::copy(root().join("fixtures/demo.837"), &input).unwrap();
    let run = claimscrub(&[
        "check",
        "--clean-out",
        input.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("over the input"), "{}", run.stderr);
    // One file named for two outputs, also in two ways: refused before
    // anything is written (two outputs once wrote one temporary file
    // between them, and the run failed leaving the file in place); a link
    // to an input is that input.
    let same = dir.path("out.837");
    let link = dir.path("in-link.837");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    std::fs::create_dir(dir.path("sub")).unwrap();
    let dotted = dir.0.join("sub").join("..").join("out.837");
    for (first, second, told) in [
        (&same, &same, "named for two outputs"),
        (&same, &dotted, "named for two outputs"),
        (&link, &dir.path("other.837"), "over the input"),
    ] {
        let run = claimscrub(&[
            "check",
            "--clean-out",
            first.to_str().unwrap(),
            "--rejected-out",
            second.to_str().unwrap(),
            input.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(told), "{}", run.stderr);
    }
    assert!(!same.exists(), "nothing written under the final name");
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(
        std::fs::read(&input).unwrap(),
        std::fs::read(root().join("fixtures/demo.837")).unwrap()
    );
}

/// An output that names a symbolic link is written to the file the link
/// names, existing or not yet, and the link is left a link (it was replaced
/// by the renamed temporary file); a file replaced keeps its permissions.
#[test]
fn outputs_through_a_link_write_its_target_and_leave_the_link_and_modes() {
    let dir = TempDir::new("split-link");
    let input = root().join("fixtures/demo.837");
    std::fs::create_dir(dir.path("nightly")).unwrap();
    let (old, new) = (dir.path("nightly/old.837"), dir.path("nightly/new.837"));
    std::fs::write(&old, "last night").unwrap();
    // One link to an existing file, relative; one to a file not made yet,
    // through a second link.
    let (clean, rejected, hop) = (
        dir.path("clean.837"),
        dir.path("rejected.837"),
        dir.path("hop.837"),
    );
    std::os::unix::fs::symlink("nightly/old.837", &clean).unwrap();
    std::os::unix::fs::symlink(&new, &hop).unwrap();
    std::os::unix::fs::symlink("hop.837", &rejected).unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let check = |outputs: &[&str]| {
        let head = ["check", "-q", "--as-of", AS_OF];
        let run = claimscrub(&[&head[..], outputs, &[&s(&input)]].concat());
        assert_eq!(run.code, 1, "{}", run.stderr);
    };
    check(&["--clean-out", &s(&clean), "--rejected-out", &s(&rejected)]);
    for link in [&clean, &rejected, &hop] {
        assert!(std::fs::symlink_metadata(link).unwrap().is_symlink());
    }
    // The file replaced keeps its permissions.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    // A mode no usual umask gives a new file.
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o604)).unwrap();
    check(&["--clean-out", &s(&clean)]);
    assert_eq!(mode(&old), 0o604);
    let plain = TempDir::new("split-link-plain");
    let (_, c, r) = split(input.to_str().unwrap(), &plain, "plain");
    assert_eq!(std::fs::read(&old).unwrap(), std::fs::read(c).unwrap());
    assert_eq!(std::fs::read(&new).unwrap(), std::fs::read(r).unwrap());
    let hidden: Vec<_> = ["", "nightly"]
        .iter()
        .flat_map(|d| std::fs::read_dir(dir.0.join(d)).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// An output that names a FIFO (or a device such as `/dev/null`) is
/// written into it: a temporary file renamed over it would replace it with
/// a regular file (as root, `--clean-out /dev/null` replaced `/dev/null`).
/// The bytes are those a regular file gets, and the FIFO is still one.
#[test]
fn outputs_to_a_fifo_are_written_into_it_and_leave_it_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let dir = TempDir::new("split-fifo");
    let input = root().join("fixtures/demo.837");
    let (clean_fifo, report_fifo) = (dir.path("clean.fifo"), dir.path("report.fifo"));
    for f in [&clean_fifo, &report_fifo] {
        let made = std::process::Command::new("mkfifo")
            .arg(f)
            .status()
            .unwrap();
        assert!(made.success());
    }
    // Readers first: opening a FIFO to write waits for one.
    let readers: Vec<_> = [clean_fifo.clone(), report_fifo.clone()]
        .into_iter()
        .map(|f| std::thread::spawn(move || std::fs::read(f).unwrap()))
        .collect();
    let check = |clean: &Path, report: &Path| {
        let s = |p: &Path| p.to_str().unwrap().to_string();
        let args = ["check", "-q", "--as-of", AS_OF, "--clean-out", &s(clean)];
        let run = claimscrub(&[&args[..], &["--report", &s(report), &s(&input)]].concat());
        assert_eq!(run.code, 1, "{}", run.stderr);
    };
    check(&clean_fifo, &report_fifo);
    // Before the readers are waited for: a FIFO renamed over is never
    // opened to write, and its reader would wait for ever.
    for f in [&clean_fifo, &report_fifo] {
        assert!(
            std::fs::metadata(f).unwrap().file_type().is_fifo(),
            "{}",
            f.display()
        );
    }
    let read: Vec<Vec<u8>> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    let (clean, report) = (dir.path("clean.837"), dir.path("report.csv"));
    check(&clean, &report);
    assert_eq!(read[0], std::fs::read(&clean).unwrap());
    assert_eq!(read[1], std::fs::read(&report).unwrap());
    assert!(!read[0].is_empty() && !read[1].is_empty());
    let hidden: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}
