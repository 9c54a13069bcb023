//! Helpers for the CLI tests: run the built binary, temp dirs, and the
//! accounting check every CLI test makes.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

pub const AS_OF: &str = "2026-11-27";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "claimscrub-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The summary's `claims read N = C clean + R rejected`, checked to add up.
    pub fn accounting(&self) -> (u64, u64, u64) {
        let line = self
            .stderr
            .lines()
            .find(|l| l.trim_start().starts_with("claims read"))
            .unwrap_or_else(|| panic!("no summary in stderr:\n{}", self.stderr));
        let nums: Vec<u64> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(nums.len(), 3, "{line}");
        assert_eq!(
            nums[0],
            nums[1] + nums[2],
            "claims read = clean + rejected: {line}"
        );
        (nums[0], nums[1], nums[2])
    }
}

pub fn claimscrub(args: &[&str]) -> Run {
    claimscrub_in(&root(), args)
}

pub fn claimscrub_in(dir: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_claimscrub"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run claimscrub");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "claimscrub panicked: {}\n{}",
        args.join(" "),
        run.stderr
    );
    assert!(
        (0..=2).contains(&run.code),
        "exit code {} for {}",
        run.code,
        args.join(" ")
    );
    if run.stderr.contains("claims read") {
        run.accounting();
    }
    run
}

/// Read a CSV report into rows of (claim_id, rule, severity, full row).
pub fn report_rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        claimscrub::report::COLUMNS.to_vec(),
        "report header is the contract"
    );
    r.records().map(|x| x.unwrap()).collect()
}

/// (claim_id, rule) pairs of a CSV report.
pub fn pairs(report: &std::path::Path) -> BTreeSet<(String, String)> {
    report_rows(report)
        .iter()
        .map(|r| (r[1].to_string(), r[11].to_string()))
        .collect()
}

/// Each defective claim (its id ends in its code) has that finding, and any
/// other finding on it is one that defect brings along (`gen::secondary`);
/// clean claims have none. Returns the number of defective claims.
pub fn assert_only_injected_defects(found: &BTreeSet<(String, String)>, input: &str) -> usize {
    let text = std::fs::read_to_string(input).unwrap();
    let mut ids: Vec<String> = Vec::new();
    for seg in text.split('~') {
        if let Some(rest) = seg.trim().strip_prefix("CLM*") {
            ids.push(rest.split('*').next().unwrap().to_string());
        }
    }
    let mut problems = Vec::new();
    let mut defective = 0;
    for id in &ids {
        let codes: BTreeSet<&str> = found
            .range((id.clone(), String::new())..)
            .take_while(|(c, _)| c == id)
            .map(|(_, r)| r.as_str())
            .collect();
        match id.split_once('-') {
            Some((_, code)) => {
                defective += 1;
                let c: claimscrub::finding::Code = code.parse().unwrap();
                let allowed: Vec<&str> = claimscrub::gen::secondary(c)
                    .iter()
                    .map(|x| x.as_str())
                    .collect();
                if !codes.contains(code) || codes.iter().any(|f| *f != code && !allowed.contains(f))
                {
                    problems.push(format!("{id}: {codes:?}"));
                }
            }
            None if !codes.is_empty() => problems.push(format!("{id} (clean): {codes:?}")),
            None => {}
        }
    }
    problems.truncate(10);
    assert!(
        problems.is_empty(),
        "not the injected defects: {problems:?}"
    );
    defective
}
