//! `claimscrub check INPUT... [--report PATH]`: the main job.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use chrono::NaiveDate;

use super::{CliResult, EXIT_FAILED};
use std::sync::Arc;

use crate::input::minutes::MinutesTable;
use crate::input::Limits;
use crate::pipeline::{self, CheckConfig};
use crate::policy::mue::MueTable;
use crate::policy::ncci::NcciTable;
use crate::policy::PolicySet;
use crate::policy::{accruals, Tables};
use crate::report::ack::Acks;
use crate::report::split::Split;
use crate::report::staging;
use crate::report::{Format, Sink};
use crate::rules::Selection;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// 837P (X12 005010X222A1/A2) or CSV export files; `-` reads stdin.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Write the findings here (CSV; `.jsonl` for JSON lines) instead of a listing on stdout.
    #[arg(long, value_name = "PATH")]
    report: Option<PathBuf>,
    /// Report format, when the extension does not say.
    #[arg(long, value_name = "csv|jsonl")]
    report_format: Option<String>,
    /// Threads that read, parse, run the rules and write, in turn (default:
    /// all cores); 1 runs the whole check on this one thread. The report is
    /// the same for any number.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Date the date rules measure against (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    as_of: Option<NaiveDate>,
    /// Only these rules: codes or prefixes, comma-separated (`T001,M`).
    #[arg(long, value_name = "CODES")]
    select: Vec<String>,
    /// Not these rules: codes or prefixes, comma-separated (`N`).
    #[arg(long, value_name = "CODES")]
    ignore: Vec<String>,
    /// Payer policy file (TOML) instead of the embedded default (`claimscrub config` prints it).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// CMS practitioner MUE table (CSV) for T008.
    #[arg(long, value_name = "FILE")]
    mue: Option<PathBuf>,
    /// CMS practitioner NCCI PTP file (tab or CSV); repeat for each part. Replaces the shipped pairs.
    #[arg(long, value_name = "FILE")]
    ncci: Vec<PathBuf>,
    /// Therapy amounts billed before this batch (CSV patient_id, year, bucket, amount), for M011.
    #[arg(long, value_name = "FILE")]
    accruals: Option<PathBuf>,
    /// Treatment minutes per claim line (CSV: claim_id, line, minutes), for 837P input.
    #[arg(long, value_name = "FILE")]
    minutes: Option<PathBuf>,
    /// Write the claims with no error finding here (837P or CSV, like the input).
    #[arg(long, value_name = "PATH")]
    clean_out: Option<PathBuf>,
    /// Write the claims held back here.
    #[arg(long, value_name = "PATH")]
    rejected_out: Option<PathBuf>,
    /// Write a 999 implementation acknowledgment here (837P input): per
    /// functional group, each transaction accepted or rejected on the X rules.
    #[arg(long = "ack-999", value_name = "PATH")]
    ack_999: Option<PathBuf>,
    /// Write a 277CA claim acknowledgment here (837P input): each claim
    /// accepted (A2) or rejected (A7, with the rule code in STC12).
    #[arg(long = "ack-277ca", value_name = "PATH")]
    ack_277ca: Option<PathBuf>,
    /// Write a self-contained HTML summary page here.
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
    /// Report info findings too.
    #[arg(long)]
    show_info: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Longest segment or CSV record read, in bytes; a longer one is a finding.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    max_record_bytes: usize,
    /// Bytes of one 837P transaction held in memory; a larger one goes to
    /// an unnamed scratch file in the temporary folder while it is read.
    #[arg(long, value_name = "BYTES", default_value_t = 32 << 20)]
    max_held_bytes: usize,
}

fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date in the form YYYY-MM-DD"))
}

pub fn run(a: Args) -> CliResult {
    let policies = match &a.config {
        Some(p) => PolicySet::load(p)?,
        None => PolicySet::embedded(),
    };
    let selection = Selection::new(&a.select, &a.ignore)?;
    let tables = Tables {
        mue: a.mue.as_deref().map(MueTable::load).transpose()?,
        ncci: if a.ncci.is_empty() {
            NcciTable::default_table()
        } else {
            NcciTable::load(&a.ncci)?
        },
        accruals: a
            .accruals
            .as_deref()
            .map(accruals::load)
            .transpose()?
            .unwrap_or_default(),
    };
    let minutes = a
        .minutes
        .as_deref()
        .map(MinutesTable::load)
        .transpose()?
        .map(Arc::new);
    let format = match a.report_format.as_deref() {
        None => a.report.as_deref().map_or(Format::Human, Format::from_path),
        Some("csv") => Format::Csv,
        Some("jsonl") => Format::Jsonl,
        Some(other) => {
            return Err(format!("unknown --report-format `{other}` (csv or jsonl)").into())
        }
    };
    // No output may overwrite an input or another output.
    let outputs: Vec<&PathBuf> = [
        &a.report,
        &a.clean_out,
        &a.rejected_out,
        &a.html,
        &a.ack_999,
        &a.ack_277ca,
    ]
    .into_iter()
    .flatten()
    .collect();
    // Compared by the place each lands (links followed, `./` and `..`
    // resolved): `out.837` and `./out.837` are one file.
    let places: Vec<PathBuf> = outputs.iter().map(|o| staging::place_of(o)).collect();
    let inputs: Vec<Option<PathBuf>> = a
        .inputs
        .iter()
        .map(|i| std::fs::canonicalize(i).ok())
        .collect();
    for (k, o) in outputs.iter().enumerate() {
        if let Some(i) = inputs.iter().position(|i| i.as_ref() == Some(&places[k])) {
            let i = &a.inputs[i];
            return Err(format!("refusing to write {} over the input {i}", o.display()).into());
        }
        if let Some(j) = places[..k].iter().position(|p| *p == places[k]) {
            let also = if outputs[j] == *o {
                String::new()
            } else {
                format!(" (as {})", outputs[j].display())
            };
            return Err(format!("{} is named for two outputs{also}", o.display()).into());
        }
    }
    let mut sink = match &a.report {
        Some(path) => Sink::file(path, format)
            .map_err(|e| format!("cannot write the report {}: {e}", path.display()))?,
        None => Sink::new(
            Box::new(BufWriter::with_capacity(64 << 10, std::io::stdout())),
            format,
        )?,
    };
    let cfg = CheckConfig {
        inputs: a.inputs,
        threads: a
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        policies,
        selection,
        as_of: a.as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
        show_info: a.show_info,
        limits: Limits {
            max_record: a.max_record_bytes,
            keep_raw: a.clean_out.is_some()
                || a.rejected_out.is_some()
                || a.ack_999.is_some()
                || a.ack_277ca.is_some(),
            parties: a.ack_277ca.is_some(),
            segments: a.clean_out.is_some() || a.rejected_out.is_some(),
            max_held: a.max_held_bytes,
            // Per input, from its size and a sample (`pipeline::run`).
            claims: 0,
        },
        progress: !a.quiet,
        tables: Arc::new(tables),
        minutes,
    };
    let mut acks = if a.ack_999.is_some() || a.ack_277ca.is_some() {
        let p = a
            .ack_999
            .as_deref()
            .or(a.ack_277ca.as_deref())
            .expect("an ack");
        Some(
            Acks::create(a.ack_999.as_deref(), a.ack_277ca.as_deref(), cfg.as_of)
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?,
        )
    } else {
        None
    };
    // Staged now, written at the end: a path that cannot be written is
    // told before the run, not after it.
    let html = a
        .html
        .as_deref()
        .map(|p| {
            crate::report::split::Staged::create(p)
                .map_err(|e| format!("cannot write {}: {e}", p.display()))
        })
        .transpose()?;
    let mut split = if a.clean_out.is_some() || a.rejected_out.is_some() {
        let p = a
            .clean_out
            .as_deref()
            .or(a.rejected_out.as_deref())
            .expect("an output");
        Some(
            Split::create(a.clean_out.as_deref(), a.rejected_out.as_deref())
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?,
        )
    } else {
        None
    };
    // SIGINT/SIGTERM: stop at the next batch, remove the staged outputs and
    // exit 2; a second signal removes them and exits at once (the handler
    // runs on a thread of its own, so it may take the list's lock; it keeps
    // it, so no output is created after).
    let _ = ctrlc::set_handler(|| {
        if pipeline::INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            let (n, _held) = crate::report::staging::remove_all();
            eprintln!("interrupted again: stopped at once, {n} temporary file(s) removed");
            std::process::exit(EXIT_FAILED);
        }
    });
    let summary = match pipeline::run(&cfg, &mut sink, split.as_mut(), acks.as_mut()) {
        Ok(s) => s,
        Err(e) => {
            sink.abandon();
            if let Some(sp) = split {
                sp.abandon();
            }
            if let Some(ak) = acks {
                ak.abandon();
            }
            return Err(Box::new(e));
        }
    };
    let split_counts = split.as_ref().map(Split::counts);
    if let (Some(mut file), Some(p)) = (html, &a.html) {
        let page = crate::report::html::render(&summary, &cfg.inputs, &cfg.as_of.to_string());
        file.out
            .write_all(page.as_bytes())
            .and_then(|()| file.finish())
            .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    if let Some(sp) = split {
        sp.finish()
            .map_err(|e| format!("cannot write the clean/rejected files: {e}"))?;
    }
    let csv_inputs = acks.as_ref().map_or(0, |ak| ak.csv_inputs);
    if let Some(ak) = acks {
        ak.finish()
            .map_err(|e| format!("cannot write the acknowledgments: {e}"))?;
    }
    let report_path = a.report.clone();
    if let Err(e) = sink.finish() {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Ok(super::EXIT_CLEAN);
        }
        return Err(match &report_path {
            Some(p) => format!("cannot write the report {}: {e}", p.display()),
            None => format!("cannot write to stdout: {e}"),
        }
        .into());
    }
    // The summary is put together first and written at once: a hundred
    // small writes to an unbuffered stderr could interleave with another
    // job's lines in a shared log.
    let mut err: Vec<u8> = Vec::with_capacity(2048);
    let _ = write!(err, "{summary}");
    if let Some(p) = &report_path {
        let _ = writeln!(err, "  report            {}", p.display());
    }
    for (p, what) in [(&a.ack_999, "999 ack"), (&a.ack_277ca, "277CA ack")] {
        if let Some(p) = p {
            let _ = writeln!(err, "  {what:<17} {}", p.display());
        }
    }
    if csv_inputs > 0 && (a.ack_999.is_some() || a.ack_277ca.is_some()) {
        let _ = writeln!(
            err,
            "  note              {csv_inputs} CSV input(s) have no X12 envelope: not acknowledged"
        );
    }
    if let Some((clean, rejected)) = split_counts {
        if let (Some(n), Some(p)) = (clean, &a.clean_out) {
            let _ = writeln!(err, "  clean file        {} ({n} claims)", p.display());
        }
        if let (Some(n), Some(p)) = (rejected, &a.rejected_out) {
            let _ = writeln!(err, "  rejected file     {} ({n} claims)", p.display());
        }
    }
    let _ = std::io::stderr().lock().write_all(&err);
    if summary.claims != summary.clean + summary.rejected {
        // The accounting is the product's promise; never let it pass silently.
        eprintln!("claimscrub: internal error: claims read != clean + rejected");
        return Ok(EXIT_FAILED);
    }
    Ok(summary.exit_code())
}
