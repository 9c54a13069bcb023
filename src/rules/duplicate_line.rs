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
            // Room for the records at once (about 12 bytes a claim; the
            // pages are resident only as they are written): doubling held the
            // old and the new buffer at once, near the end of a large run.
            firsts: Firsts(Vec::with_capacity(hint.saturating_mul(12).min(1 << 30))),
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
/// pointing at a record of where it was first seen: the line number and the
/// claim id, end to end in one buffer. An entry costs 12 bytes in the table
/// and its record about as many as the id (for 1,000,000 claims: about 30
/// MB, not hundreds).
struct Seen {
    /// Hash → where its record starts in `firsts` (`NO_RECORD`: the buffer
    /// had reached 4 GiB).
    lines: KeyMap<u32>,
    firsts: Firsts,
}

const NO_RECORD: u32 = u32::MAX;

/// Records of first lines: a line number (LEB128), the claim id, a NUL.
struct Firsts(Vec<u8>);

impl Firsts {
    /// Add a record for line `number` of claim `id`; where it starts.
    fn add(&mut self, number: u32, id: &str) -> u32 {
        let firsts = &mut self.0;
        let Ok(at) = u32::try_from(firsts.len()) else {
            return NO_RECORD;
        };
        if at == NO_RECORD {
            return NO_RECORD;
        }
        let mut n = number;
        while n >= 0x80 {
            firsts.push(n as u8 | 0x80);
            n >>= 7;
        }
        firsts.push(n as u8);
        firsts.extend(id.bytes().map(|b| if b == 0 { b'?' } else { b }));
        firsts.push(0);
        at
    }

    /// The line number and claim id of the record at `at`.
    fn get(&self, at: u32) -> Option<(u32, std::borrow::Cow<'_, str>)> {
        if at == NO_RECORD {
            return None;
        }
        let rest = self.0.get(at as usize..)?;
        let (mut number, mut shift, mut used) = (0u32, 0, 0);
        for &b in rest {
            number |= u32::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            shift += 7;
            used += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        let id = rest[used..].split(|&b| b == 0).next().unwrap_or(&[]);
        Some((number, String::from_utf8_lossy(id)))
    }
}

impl LedgerRule for Seen {
    fn prefetch(&self, keys: &[u64]) {
        self.lines.prefetch_all(keys);
    }

    fn observe(&mut self, claim: &Claim, keys: &[u64], _policy: &Policy, out: &mut Vec<Finding>) {
        for ((i, line, date), &key) in dated_97530(claim).zip(keys) {
            let (seen, had) = self.lines.entry(key);
            if had {
                let first = match self.firsts.get(*seen) {
                    Some((number, id)) => format!("claim {id} line {number}"),
                    None => "an earlier line".to_owned(),
                };
                let msg =
                    format!("same patient, provider, date {date}, 97530 and modifiers as {first}");
                out.push(Finding::new(Code::V001, INFO.severity, msg).on_line(i));
                continue;
            }
            *seen = self.firsts.add(line.number, &claim.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record gives back its line number and claim id, whatever their
    /// size; a NUL in an id reads as `?` (it ends a record).
    #[test]
    fn a_record_gives_back_what_it_holds() {
        let mut firsts = Firsts(Vec::new());
        let cases = [
            (1, "G1"),
            (0, ""),
            (127, "x"),
            (128, "claim-128"),
            (300, "Ünïcode id"),
            (16_384, "a\0b"),
            (u32::MAX, "last"),
        ];
        let at: Vec<u32> = cases.iter().map(|&(n, id)| firsts.add(n, id)).collect();
        for (&(n, id), at) in cases.iter().zip(at) {
            let (number, got) = firsts.get(at).unwrap();
            assert_eq!(number, n);
            assert_eq!(got, id.replace('\0', "?"));
        }
        assert!(firsts.get(NO_RECORD).is_none());
    }
}
