//! x12-types as an independent oracle: for every fixture and sample it can
//! parse, the claims and service lines it sees must be the ones our
//! streaming reader sees, in the same order.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use claimscrub::input::x12::X12Reader;
use claimscrub::input::{Item, Limits};
use common::*;
use x12_types::util::Parser;
use x12_types::v005010::{Transmission, _837};

/// (CLM01, [procedure of each SV1]) per claim.
type Seen = Vec<(String, Vec<String>)>;

/// Our reader's view; `None` where it skips the file's transactions as not
/// 837P 5010 (X007), which x12-types reads regardless of version.
fn ours(bytes: &[u8]) -> Option<Seen> {
    let mut seen = Vec::new();
    for item in X12Reader::new(Arc::from("t"), bytes, Limits::default()) {
        match item {
            Item::Claim(c) => seen.push((
                c.claim.id.to_string(),
                c.claim
                    .lines
                    .iter()
                    .map(|l| l.procedure.to_string())
                    .collect(),
            )),
            Item::Finding(f) if f.code == claimscrub::finding::Code::X007 => return None,
            _ => {}
        }
    }
    Some(seen)
}

fn theirs(text: &str) -> Option<Seen> {
    // x12-types panics on some malformed ISAs: that file is then not compared.
    let parsed = std::panic::catch_unwind(|| {
        Transmission::<_837>::parse(text).map(|(r, t)| (r.to_string(), t))
    });
    let (rest, t) = parsed.ok()?.ok()?;
    if !rest.trim().is_empty() {
        return None;
    }
    let component = text.as_bytes()[104] as char;
    let mut out = Vec::new();
    for fg in &t.functional_group {
        for doc in &fg.segments {
            for l2000 in &doc.loop_2000 {
                for c in &l2000.loop_2300 {
                    let procs = c
                        .loop_2400
                        .iter()
                        .filter_map(|l| l.sv1.as_ref())
                        .map(|sv1| sv1._01.split(component).nth(1).unwrap_or("").to_string())
                        .collect();
                    out.push((c.clm._01.clone(), procs));
                }
            }
        }
    }
    Some(out)
}

fn files() -> Vec<PathBuf> {
    let mut v = Vec::new();
    let mut walk = |d: &Path| {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd {
                let p = e.unwrap().path();
                let s = p.to_string_lossy().to_string();
                if p.is_file()
                    && !s.ends_with(".997")
                    && !s.ends_with(".csv")
                    && !s.ends_with(".md")
                {
                    v.push(p);
                }
            }
        }
    };
    walk(&root().join("fixtures"));
    walk(&root().join("fixtures/rules"));
    for d in [
        "imsweb-x12-parser",
        "linuxforhealth-x12",
        "x12-types",
        "pyx12-4010",
    ] {
        walk(&root().join("../shared/samples").join(d));
    }
    v.sort();
    v
}

#[test]
fn x12_types_sees_the_claims_and_lines_we_see() {
    let mut compared = Vec::new();
    let mut problems = Vec::new();
    for path in files() {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        // x12-types reads only `*` and `~` delimiters; give it the same
        // content with ours replaced where a file uses others.
        if bytes.len() < 106 || !text.starts_with("ISA") {
            continue;
        }
        let normalized = normalize(&bytes);
        let Some(want) = theirs(&normalized) else {
            continue;
        };
        if want.is_empty() {
            continue;
        }
        let Some(got) = ours(&bytes) else { continue };
        if got != want {
            problems.push(format!(
                "{}:\n ours   {got:?}\n theirs {want:?}",
                path.display()
            ));
        }
        compared.push(path.file_name().unwrap().to_string_lossy().to_string());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The oracle must actually have looked at a good share of the files.
    assert!(compared.len() >= 8, "x12-types parsed only {compared:?}");
    eprintln!("compared with x12-types: {compared:?}");
}

#[test]
fn x12_types_agrees_on_a_generated_batch() {
    let mut buf = Vec::new();
    claimscrub::gen::write_837(
        &claimscrub::gen::GenConfig {
            claims: 300,
            per_transaction: 300,
            ..Default::default()
        },
        &mut buf,
    )
    .unwrap();
    let theirs = theirs(&normalize(&buf)).expect("x12-types parses the generated file");
    assert_eq!(theirs.len(), 300);
    assert_eq!(ours(&buf), Some(theirs));
}

/// The file with `*` and `~` delimiters and no line breaks, for x12-types.
fn normalize(bytes: &[u8]) -> String {
    let (e, c, t) = (bytes[3], bytes[104], bytes[105]);
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\r' | b'\n' if t != b'\n' => {}
            x if x == e => out.push(b'*'),
            x if x == t => out.push(b'~'),
            x if x == c => out.push(b':'),
            x => out.push(x),
        }
    }
    let mut s = String::from_utf8_lossy(&out).into_owned();
    // Keep the ISA16 as `:` after the mapping.
    if s.len() > 104 {
        s.replace_range(104..105, ":");
    }
    s
}
