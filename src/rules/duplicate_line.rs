//! V001 duplicate-line: the same 97530 service billed again in the batch.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::{LedgerRule, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::model::Claim;
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

    fn ledger(&self, _tables: &Tables) -> Option<Box<dyn LedgerRule>> {
        Some(Box::new(Seen::default()))
    }
}

/// Where a line was first seen: the claim id (up to 22 bytes kept) and line.
#[derive(Clone, Copy)]
struct First {
    id: [u8; 22],
    len: u8,
    line: u32,
}

impl First {
    fn new(id: &str, line: u32) -> First {
        let mut buf = [0u8; 22];
        let mut n = id.len().min(22);
        while !id.is_char_boundary(n) {
            n -= 1;
        }
        buf[..n].copy_from_slice(&id.as_bytes()[..n]);
        First {
            id: buf,
            len: n as u8,
            line,
        }
    }

    fn id(&self) -> &str {
        std::str::from_utf8(&self.id[..self.len as usize]).unwrap_or("?")
    }
}

/// Lines seen so far, by a 64-bit hash of what makes them the same.
#[derive(Default)]
struct Seen {
    lines: HashMap<u64, First>,
}

impl LedgerRule for Seen {
    fn observe(&mut self, claim: &Claim, _policy: &Policy, out: &mut Vec<Finding>) {
        for (i, line) in claim.lines.iter().enumerate().filter(|(_, l)| l.is_97530()) {
            let Some(date) = line.date.date else { continue };
            let mut mods: Vec<&str> = line.modifiers.iter().collect();
            mods.sort_unstable();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (
                &claim.patient_id,
                &claim.rendering_for(line).npi,
                date,
                &line.procedure,
                mods,
            )
                .hash(&mut h);
            match self.lines.get(&h.finish()) {
                Some(first) => {
                    let msg = format!(
                        "same patient, provider, date {date}, 97530 and modifiers as claim {} line {}",
                        first.id(),
                        first.line
                    );
                    out.push(Finding::new(Code::V001, INFO.severity, msg).on_line(i));
                }
                None => {
                    self.lines
                        .insert(h.finish(), First::new(&claim.id, line.number));
                }
            }
        }
    }
}
