//! `claimscrub units 97110=33 97140=7`: the 8-minute rule calculator for the
//! front desk's daily reconciliation of billed units against minutes.

use std::io::Write;

use super::{CliResult, EXIT_CLEAN};
use crate::policy::UnitMethod;
use crate::units::{allocate, is_timed, Allocation};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// CODE=MINUTES for each service of one visit, e.g. 97530=24 97110=23.
    #[arg(required = true, value_name = "CODE=MINUTES")]
    services: Vec<String>,
    /// Show one method only.
    #[arg(long, value_name = "cms|per_code")]
    method: Option<String>,
}

pub fn run(a: Args) -> CliResult {
    let mut services: Vec<(String, u32)> = Vec::new();
    for s in &a.services {
        let (code, m) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}` is not CODE=MINUTES"))?;
        let m: u32 = m
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: minutes must be a whole number"))?;
        services.push((code.trim().to_ascii_uppercase(), m));
    }
    let methods: Vec<UnitMethod> = match a.method.as_deref() {
        None => vec![UnitMethod::Cms, UnitMethod::PerCode],
        Some("cms") => vec![UnitMethod::Cms],
        Some("per_code") | Some("per-code") => vec![UnitMethod::PerCode],
        Some(other) => return Err(format!("unknown --method `{other}` (cms or per_code)").into()),
    };
    let pairs: Vec<(&str, u32)> = services.iter().map(|(c, m)| (c.as_str(), *m)).collect();
    let mut out = std::io::stdout().lock();
    for (c, _) in &services {
        if !is_timed(c) {
            writeln!(
                out,
                "note: {c} is not a timed code: its minutes do not count"
            )?;
        }
    }
    for method in methods {
        print_allocation(&mut out, &allocate(&pairs, method))?;
    }
    Ok(EXIT_CLEAN)
}

fn print_allocation(out: &mut dyn Write, a: &Allocation) -> std::io::Result<()> {
    let name = match a.method {
        UnitMethod::Cms => "cms (Medicare: total timed minutes, then allocation)",
        UnitMethod::PerCode => "per_code (each code on its own minutes)",
    };
    writeln!(out, "{name}")?;
    writeln!(
        out,
        "  total timed minutes {:>4}   total units {}",
        a.total_minutes, a.total_units
    )?;
    for s in &a.shares {
        let tie = if s.min_units != s.max_units {
            format!("   (tie: {} or {})", s.min_units, s.max_units)
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {:<7} {:>4} min  {:>2} unit(s){tie}",
            s.code, s.minutes, s.units
        )?;
    }
    Ok(())
}
