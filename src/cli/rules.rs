//! `claimscrub rules` and `claimscrub explain CODE`, printed from the registry.

use std::io::Write;

use super::{CliResult, EXIT_CLEAN, EXIT_FAILED};
use crate::finding::Code;
use crate::rules;

pub fn list() -> CliResult {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<5} {:<8} {:<11} title",
        "code", "severity", "carc/rarc"
    )?;
    for r in rules::sorted() {
        let i = r.info();
        let cr = match (i.carc, i.rarc) {
            ("", _) => String::new(),
            (c, "") => c.to_string(),
            (c, r) => format!("{c}/{r}"),
        };
        writeln!(
            out,
            "{:<5} {:<8} {:<11} {}",
            i.code,
            i.severity.as_str(),
            cr,
            i.title
        )?;
    }
    Ok(EXIT_CLEAN)
}

pub fn explain(code: &str) -> CliResult {
    let c: Code = match code.parse() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("claimscrub: {e}; `claimscrub rules` lists the codes");
            return Ok(EXIT_FAILED);
        }
    };
    let Some(r) = rules::find(c) else {
        eprintln!("claimscrub: {c} is in the rule catalogue but not implemented in this version");
        return Ok(EXIT_FAILED);
    };
    let i = r.info();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} {} ({})", i.code, i.title, i.name)?;
    writeln!(out, "default severity: {}", i.severity)?;
    if !i.carc.is_empty() {
        let rarc = if i.rarc.is_empty() {
            String::new()
        } else {
            format!(", RARC {}", i.rarc)
        };
        writeln!(out, "a payer would answer: CARC {}{rarc}", i.carc)?;
    }
    writeln!(out)?;
    write!(out, "{}", i.explanation)?;
    Ok(EXIT_CLEAN)
}
