//! Interruption and output failures: SIGINT or SIGTERM mid-run leaves no
//! output under its final name (and no staged file behind); a full disk is
//! exit 2 naming what could not be written; a 200 MB input with no segment
//! terminator is read in bounded memory.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// `signal` sent once (the run stops at the next batch) or twice in a row
/// (the second exits at once, removing the staged files itself).
fn interrupted_by(signal: &str, twice: bool) {
    let dir = TempDir::new(&format!("sig-{signal}-{twice}"));
    let input = dir.path("big.837");
    claimscrub(&[
        "gen",
        "--claims",
        "150000",
        "--out",
        input.to_str().unwrap(),
    ]);
    // Two signals sent back to back may reach the process as one (a
    // pending signal is not queued twice), and the first may end the run
    // before the second arrives: the double signal is retried until its
    // own way out was taken. Every attempt must leave nothing behind.
    for attempt in 1.. {
        if interrupt_once(&dir, &input, signal, twice) || !twice {
            return;
        }
        assert!(attempt < 8, "the second {signal} never arrived mid-run");
    }
}

/// One interrupted run; whether the second signal's way out was taken.
fn interrupt_once(dir: &TempDir, input: &Path, signal: &str, twice: bool) -> bool {
    let outs = ["r.csv", "c.837", "x.837", "s.html", "a.277"].map(|n| dir.path(n));
    let child = Command::new(env!("CARGO_BIN_EXE_claimscrub"))
        .args([
            "check",
            "-q",
            "--report",
            outs[0].to_str().unwrap(),
            "--clean-out",
            outs[1].to_str().unwrap(),
            "--rejected-out",
            outs[2].to_str().unwrap(),
            "--html",
            outs[3].to_str().unwrap(),
            "--ack-277ca",
            outs[4].to_str().unwrap(),
            input.to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the run is writing (its staged report exists), then signal.
    let staged = dir.path(".r.csv.claimscrub-tmp");
    let start = Instant::now();
    while !staged.exists() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(staged.exists(), "the run started writing");
    std::thread::sleep(Duration::from_millis(100));
    let kill = format!("kill -{signal} {}", child.id());
    let kills = if twice {
        format!("{kill}; sleep 0.002; {kill} 2>/dev/null")
    } else {
        kill
    };
    Command::new("sh").args(["-c", &kills]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let again = stderr.contains("interrupted again: stopped at once");
    assert!(
        again || stderr.contains("interrupted: no output file"),
        "{stderr}"
    );
    for o in &outs {
        assert!(!o.exists(), "{} written after {signal}", o.display());
    }
    let left = files_with(dir, "claimscrub-tmp");
    assert!(left.is_empty(), "staged files left behind: {left:?}");
    again
}

#[test]
fn sigterm_mid_run_writes_nothing_under_a_final_name() {
    interrupted_by("TERM", false);
}

#[test]
fn sigint_mid_run_writes_nothing_under_a_final_name() {
    interrupted_by("INT", false);
}

/// An impatient operator's double Ctrl-C: the run exits at once, and
/// still leaves no output and no hidden staged file behind.
#[test]
fn a_second_sigint_exits_at_once_and_leaves_no_staged_file() {
    interrupted_by("INT", true);
}

#[test]
fn a_second_sigterm_exits_at_once_and_leaves_no_staged_file() {
    interrupted_by("TERM", true);
}

#[test]
fn a_full_disk_is_exit_2_naming_what_could_not_be_written() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_claimscrub"))
        .args(["check", "-q", "fixtures/demo.837"])
        .current_dir(root())
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("stdout") && stderr.contains("No space left"),
        "{stderr}"
    );
}

/// Peak resident memory of a running process, from /proc (Linux).
fn peak_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_200_mb_input_with_no_segment_terminator_stays_under_100_mb() {
    if !Path::new("/proc/self/status").exists() {
        return;
    }
    let tmp = TempDir::new("huge");
    let report = tmp.path("r.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimscrub"))
        .args(["check", "-q", "--report", report.to_str().unwrap(), "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let head = "ISA*00*          *00*          *ZZ*SYNTHCLINIC    *ZZ*SYNTHCH        *261120*0900*^*00501*000000001*0*T*:~\nGS*HC*SYNTHCLINIC*SYNTHCH*20261120*0900*1*X*005010X222A1~\nST*837*0001*005010X222A1~\nNTE*ADD*";
    stdin.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'A'; 1 << 20];
    let mut peak = 0;
    for _ in 0..200 {
        stdin.write_all(&chunk).unwrap();
        peak = peak.max(peak_kb(pid).unwrap_or(0));
    }
    drop(stdin);
    // Sample until the process is gone (its peak only grows).
    while let Some(kb) = peak_kb(pid) {
        peak = peak.max(kb);
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        peak < 100 * 1024,
        "peak RSS {peak} kB for a 200 MB unterminated segment"
    );
    let rows = report_rows(&report);
    assert!(
        rows.iter().any(|r| &r[11] == "X005"
            && r[13].contains("over the segment size limit")
            && !r[16].is_empty()),
        "{:?}",
        rows.iter().map(|r| r[13].to_string()).collect::<Vec<_>>()
    );
}

/// Files of a directory whose name has `part` (the staged outputs).
fn files_with(dir: &TempDir, part: &str) -> Vec<String> {
    std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(part))
        .collect()
}

/// An output that fails when the run is over (here the HTML page, past a
/// file size limit of 1 KiB: the other outputs of the demo are still in
/// their buffers) is exit 2 naming it, and the other outputs' staged
/// files are removed, not left hidden beside their targets.
#[test]
fn an_output_failing_at_the_end_leaves_no_staged_file_behind() {
    if !Path::new("/bin/sh").exists() || !cfg!(target_os = "linux") {
        return;
    }
    let dir = TempDir::new("late-fail");
    let outs = ["r.csv", "c.837", "x.837", "s.html", "a.999", "a.277"].map(|n| dir.path(n));
    let o = |i: usize| outs[i].to_str().unwrap().to_string();
    // SIGXFSZ ignored: a write over the limit fails with EFBIG instead.
    let script = "trap '' XFSZ; ulimit -f 2; exec \"$0\" \"$@\"";
    let out = Command::new("/bin/sh")
        .args(["-c", script, env!("CARGO_BIN_EXE_claimscrub")])
        .args(["check", "-q", "--as-of", AS_OF, "--report", &o(0)])
        .args([
            "--clean-out",
            &o(1),
            "--rejected-out",
            &o(2),
            "--html",
            &o(3),
        ])
        .args([
            "--ack-999",
            &o(4),
            "--ack-277ca",
            &o(5),
            "fixtures/demo.837",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("s.html"), "{stderr}");
    assert!(!outs[3].exists(), "no page under its final name");
    let left = files_with(&dir, "claimscrub-tmp");
    assert!(left.is_empty(), "staged files left behind: {left:?}");
}

/// An HTML page that cannot be written is told before the run (the other
/// outputs are staged then too), with nothing left behind.
#[test]
fn an_unwritable_html_path_is_exit_2_before_the_run() {
    let dir = TempDir::new("html-path");
    let report = dir.path("r.csv");
    let page = dir.path("missing-dir/s.html");
    let run = claimscrub(&[
        "check",
        "-q",
        "--report",
        report.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
        "fixtures/demo.837",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("s.html"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("claims read"),
        "stopped before the run"
    );
    assert!(
        files_with(&dir, "").is_empty(),
        "{:?}",
        files_with(&dir, "")
    );
}
