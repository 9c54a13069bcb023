//! V001 duplicate-line: the same 97530 service billed again in the batch.

use std::hash::{Hash, Hasher};

use chrono::NaiveDate;

use super::key_map::KeyMap;
use super::{Cx, LedgerKeys, LedgerRule, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::model::{Claim, ServiceLine};
use crate::policy::{Policy, Tables};

pub(crate) struct DuplicateLine;

static INFO: RuleInfo = RuleInfo {
    code: Code::V001,
    name: "duplicate-line",
    title: "exact duplicate line",
    severity: Severity::Error,
    carc: "18",
    rarc: "",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
A 97530 line with the same patient, rendering provider, date of service and
modifiers (in any order) as a 97530 line earlier in the same claim or in an
earlier claim of the batch (all inputs of the run, in input order). The
later line is reported; the first is not.

## Why it matters
An exact duplicate is denied (CARC 18) and, sent twice, looks like double
billing. It is usually a resubmission or an export run twice.

## Fails
Claims A and B for patient P, each with 97530:GP on 2026-11-02 from the same
rendering NPI: B's line is reported.

## Passes
The same lines on different dates, or with different rendering providers.

## Source
Medicare Claims Processing Manual (Pub. 100-04) ch. 1 §120 (duplicate claims); CARC 18.
",
};

impl Rule for DuplicateLine {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn ledger(&self, _tables: &Tables, hint: usize) -> Option<Box<dyn LedgerRule>> {
        Some(Box::new(Seen {
            lines: KeyMap::with_capacity(hint),
            // Room for the ids at once (about 12 bytes a claim; the pages
            // are resident only as they are written): doubling held the old
            // and the new buffer at once, near the end of a large run.
            ids: String::with_capacity(hint.saturating_mul(12).min(1 << 30)),
        }))
    }

    /// A key for each dated 97530 line (`dated_97530`): what makes two lines
    /// the same, hashed.
    fn ledger_keys(&self, cx: &Cx<'_>, keys: &mut LedgerKeys) {
        let claim = cx.claim;
        for (_, line, date) in dated_97530(claim) {
            // Sorted on the stack (a line has at most four in an 837P).
            let mut buf = [""; 8];
            let mut many = Vec::new();
            let mods: &mut [&str] = if line.modifiers.0.len() <= buf.len() {
                let n = line.modifiers.0.len();
                for (slot, m) in buf.iter_mut().zip(line.modifiers.iter()) {
                    *slot = m;
                }
                &mut buf[..n]
            } else {
                many.extend(line.modifiers.iter());
                &mut many
            };
            mods.sort_unstable();
            let mut h = super::key_hasher();
            (
                &claim.patient_id,
                &claim.rendering_for(line).npi,
                date,
                &line.procedure,
                mods,
            )
                .hash(&mut h);
            keys.push(h.finish());
        }
    }
}

/// The 97530 lines with a service date, with their indexes: the lines the
/// ledger keeps.
fn dated_97530(claim: &Claim) -> impl Iterator<Item = (usize, &ServiceLine, NaiveDate)> {
    claim
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_97530())
        .filter_map(|(i, l)| Some((i, l, l.date.date?)))
}

/// Lines seen so far, by a 64-bit hash of what makes them the same, each
/// pointing at the claim id and line number where it was first seen. The
/// claim ids of the batch are kept once each, end to end in one buffer, so
/// an entry costs 16 bytes in the table (for 1,000,000 claims: tens of MB,
/// not hundreds).
struct Seen {
    /// Hash → (where the first claim's id starts in `ids`, its line number).
    lines: KeyMap<(u32, u32)>,
    /// Claim ids that own a first line, each ended by a NUL.
    ids: String,
}

impl Seen {
    fn id(&self, at: u32) -> &str {
        self.ids[at as usize..].split('\0').next().unwrap_or("")
    }
}

impl LedgerRule for Seen {
    fn prefetch(&self, keys: &[u64]) {
        self.lines.prefetch_all(keys);
    }

    fn observe(&mut self, claim: &Claim, keys: &[u64], _policy: &Policy, out: &mut Vec<Finding>) {
        let mut this: Option<u32> = None;
        for ((i, line, date), &key) in dated_97530(claim).zip(keys) {
            let (seen, had) = self.lines.entry(key);
            if had {
                let (k, first_line) = *seen;
                let msg = format!(
                    "same patient, provider, date {date}, 97530 and modifiers as claim {} line {first_line}",
                    self.id(k)
                );
                out.push(Finding::new(Code::V001, INFO.severity, msg).on_line(i));
                continue;
            }
            let ids = &mut self.ids;
            let k = *this.get_or_insert_with(|| {
                let at = ids.len() as u32;
                if claim.id.contains('\0') {
                    ids.extend(claim.id.chars().map(|c| if c == '\0' { '?' } else { c }));
                } else {
                    ids.push_str(&claim.id);
                }
                ids.push('\0');
                at
            });
            *seen = (k, line.number);
        }
    }
}
