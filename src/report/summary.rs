//! The run summary: the accounting (claims read = clean + rejected) and
//! findings by rule and severity. Printed to stderr.

use std::collections::BTreeMap;
use std::fmt;

use crate::finding::{Code, Severity};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: u64,
    pub claims: u64,
    pub clean: u64,
    pub rejected: u64,
    pub lines: u64,
    pub lines_97530: u64,
    /// Error findings that belong to no claim (a file, interchange, group).
    pub file_errors: u64,
    pub findings: BTreeMap<(Code, Severity), u64>,
    pub hidden_info: u64,
    /// Claims with at least one documentation review flag reported.
    pub review_flagged: u64,
    pub transactions_skipped: u64,
    pub claims_skipped: u64,
    /// Rules that did not run for lack of data, with the missing columns.
    pub skipped_rules: BTreeMap<Code, Vec<String>>,
    /// `--minutes`: rows in the side file, and rows that matched no claim line.
    pub minutes_rows: Option<(u64, u64)>,
    /// Charges of the rejected claims, in cents (what is held back).
    pub held_back_cents: i64,
    /// Per payer id and per rendering NPI: claims, rejected, findings.
    /// Hashed, not ordered (the HTML page sorts them): looked up for every
    /// claim by the serial stage, an ordered map's search was ten string
    /// compares a claim.
    pub by_payer: Tallies,
    pub by_provider: Tallies,
}

/// `Summary::by_payer`, `Summary::by_provider`.
pub type Tallies = std::collections::HashMap<String, Tally, foldhash::fast::FixedState>;

/// Claims, rejected claims and findings of one payer or provider.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub claims: u64,
    pub rejected: u64,
    pub findings: u64,
}

impl Summary {
    /// 0 when nothing was rejected and the input had no errors; 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.rejected > 0 || self.file_errors > 0 {
            1
        } else {
            0
        }
    }

    pub fn count(&mut self, code: Code, sev: Severity) {
        *self.findings.entry((code, sev)).or_default() += 1;
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "claimscrub summary")?;
        writeln!(f, "  files             {}", self.files)?;
        writeln!(
            f,
            "  claims read       {} = {} clean + {} rejected",
            self.claims, self.clean, self.rejected
        )?;
        writeln!(
            f,
            "  lines checked     {} ({} of them 97530)",
            self.lines, self.lines_97530
        )?;
        if self.file_errors > 0 {
            writeln!(
                f,
                "  input errors      {} (not tied to one claim)",
                self.file_errors
            )?;
        }
        if self.transactions_skipped > 0 {
            writeln!(
                f,
                "  skipped (X007)    {} transaction(s) holding {} claim(s), not 837P 5010",
                self.transactions_skipped, self.claims_skipped
            )?;
        }
        if self.findings.is_empty() {
            writeln!(f, "  findings          none")?;
        } else {
            let total: u64 = self.findings.values().sum();
            writeln!(f, "  findings          {total}")?;
            let review =
                |code: &Code, sev: &Severity| code.is_documentation() && *sev != Severity::Error;
            for ((code, sev), n) in self.findings.iter().filter(|((c, s), _)| !review(c, s)) {
                let title = crate::rules::find(*code).map_or("", |r| r.info().title);
                writeln!(f, "    {code} {:<8} {n:>9}  {title}", sev.as_str())?;
            }
            if self.review_flagged > 0 {
                writeln!(
                    f,
                    "  review flags      {} claim(s) with documentation flags (not rejections):",
                    self.review_flagged
                )?;
                for ((code, sev), n) in self.findings.iter().filter(|((c, s), _)| review(c, s)) {
                    let title = crate::rules::find(*code).map_or("", |r| r.info().title);
                    writeln!(f, "    {code} {:<8} {n:>9}  {title}", sev.as_str())?;
                }
            }
        }
        if self.hidden_info > 0 {
            writeln!(
                f,
                "  info findings     {} not shown (--show-info)",
                self.hidden_info
            )?;
        }
        if let Some((rows, unmatched)) = self.minutes_rows {
            writeln!(
                f,
                "  minutes file      {rows} row(s), {} joined, {unmatched} matched no claim line",
                rows - unmatched
            )?;
        }
        // Rules that lack the same data share a line ("N001 N002 ...: needs note").
        let mut by_need: Vec<(&Vec<String>, Vec<Code>)> = Vec::new();
        for (code, missing) in &self.skipped_rules {
            match by_need.iter_mut().find(|(m, _)| *m == missing) {
                Some((_, codes)) => codes.push(*code),
                None => by_need.push((missing, vec![*code])),
            }
        }
        for (missing, codes) in by_need {
            let codes: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
            writeln!(
                f,
                "  not run           {}: needs {}",
                codes.join(" "),
                missing.join(", ")
            )?;
        }
        Ok(())
    }
}
