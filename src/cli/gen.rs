//! `claimscrub gen`: write a synthetic batch for benchmarks and tests.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::{CliResult, EXIT_CLEAN};
use crate::gen::{self, GenConfig};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number of claims.
    #[arg(long, default_value_t = 1000)]
    claims: u64,
    /// Seed: the same seed always gives the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write a CSV export instead of an 837P.
    #[arg(long)]
    csv: bool,
    /// Share of claims with one injected error (its code ends the claim id).
    #[arg(long, default_value_t = 0.05)]
    defect_rate: f64,
    /// CSV: add `note` and `goal` columns with synthetic treatment notes.
    #[arg(long, requires = "csv")]
    notes: bool,
    /// Claims per ST/SE transaction (837P).
    #[arg(long, default_value_t = 5000)]
    per_transaction: u64,
    /// Output path (default: stdout).
    #[arg(long, short)]
    out: Option<PathBuf>,
}

pub fn run(a: Args) -> CliResult {
    if !(0.0..=1.0).contains(&a.defect_rate) {
        return Err("--defect-rate must be between 0 and 1".into());
    }
    let cfg = GenConfig {
        claims: a.claims,
        seed: a.seed,
        defect_rate: a.defect_rate,
        per_transaction: a.per_transaction,
        notes: a.notes,
        ..Default::default()
    };
    let mut out: Box<dyn Write> = match &a.out {
        Some(p) => Box::new(BufWriter::with_capacity(
            1 << 20,
            File::create(p).map_err(|e| format!("cannot write {}: {e}", p.display()))?,
        )),
        None => Box::new(BufWriter::with_capacity(1 << 20, std::io::stdout().lock())),
    };
    if a.csv {
        gen::write_csv(&cfg, &mut out)?;
    } else {
        gen::write_837(&cfg, &mut out)?;
    }
    out.flush()?;
    Ok(EXIT_CLEAN)
}
