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
            firsts: Firsts::new(hint),
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
/// claim id (`Firsts`). An entry costs 12 bytes in the table, its record
/// about as many as the id, on disk.
struct Seen {
    /// Hash → where its record starts in `firsts` (`NO_RECORD`: the buffer
    /// had reached 4 GiB).
    lines: KeyMap<u32>,
    firsts: Firsts,
}

const NO_RECORD: u32 = u32::MAX;

/// Records of first lines: a line number (LEB128), the claim id, a NUL;
/// record `at` starts `at` bytes into them all. They are read again only for
/// a duplicate's message, so once a mebibyte of them is pending they go to
/// an unnamed temporary file (`Spill`): held in memory they were a fifth of
/// a 1,000,000-claim run's ledger (11 MB), growing with the run. Where no
/// such file can be made (or written), they stay in memory.
struct Firsts {
    /// The records past those in `spill`.
    pending: Vec<u8>,
    spill: Option<Spill>,
    /// Whether a file is to be tried when `pending` is full.
    may_spill: bool,
}

/// Records written out, and how many bytes of them.
struct Spill {
    file: std::fs::File,
    len: u64,
}

/// Records held before they go to the file.
const PENDING: usize = 1 << 20;

impl Firsts {
    fn new(hint: usize) -> Self {
        Firsts {
            pending: Vec::with_capacity(hint.saturating_mul(12).min(PENDING)),
            spill: None,
            may_spill: cfg!(unix),
        }
    }

    /// Add a record for line `number` of claim `id`; where it starts.
    fn add(&mut self, number: u32, id: &str) -> u32 {
        let spilled = self.spill.as_ref().map_or(0, |s| s.len);
        let Ok(at) = u32::try_from(spilled + self.pending.len() as u64) else {
            return NO_RECORD;
        };
        if at == NO_RECORD {
            return NO_RECORD;
        }
        let firsts = &mut self.pending;
        let mut n = number;
        while n >= 0x80 {
            firsts.push(n as u8 | 0x80);
            n >>= 7;
        }
        firsts.push(n as u8);
        firsts.extend(id.bytes().map(|b| if b == 0 { b'?' } else { b }));
        firsts.push(0);
        if self.pending.len() >= PENDING && self.may_spill {
            self.write_out();
        }
        at
    }

    /// `pending` to the file (made now if need be); on any failure, no more
    /// tries: the records stay in memory.
    fn write_out(&mut self) {
        use std::io::Write;
        if self.spill.is_none() {
            self.spill = Spill::create();
        }
        let Some(spill) = &mut self.spill else {
            self.may_spill = false;
            return;
        };
        if spill.file.write_all(&self.pending).is_ok() {
            spill.len += self.pending.len() as u64;
            self.pending.clear();
        } else {
            self.may_spill = false;
        }
    }

    /// The line number and claim id of the record at `at`.
    fn get(&self, at: u32) -> Option<(u32, String)> {
        if at == NO_RECORD {
            return None;
        }
        let spilled = self.spill.as_ref().map_or(0, |s| s.len);
        match u64::from(at).checked_sub(spilled) {
            Some(i) => decode(self.pending.get(i as usize..)?),
            None => decode(&self.spill.as_ref()?.read(u64::from(at))?),
        }
    }
}

/// A record's line number and claim id, from its bytes (and any after).
fn decode(rest: &[u8]) -> Option<(u32, String)> {
    let (mut number, mut shift, mut used) = (0u32, 0, 0);
    for &b in rest {
        number |= u32::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        shift += 7;
        used += 1;
        if b & 0x80 == 0 {
            break;
        }
    }
    let id = rest.get(used..)?.split(|&b| b == 0).next().unwrap_or(&[]);
    Some((number, String::from_utf8_lossy(id).into_owned()))
}

impl Spill {
    /// A scratch file (`crate::scratch::file`): the records hold claim ids.
    fn create() -> Option<Spill> {
        crate::scratch::file().map(|file| Spill { file, len: 0 })
    }

    /// The bytes of the record at `at` (with what follows it in the file).
    #[cfg(unix)]
    fn read(&self, at: u64) -> Option<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 64];
        let mut pos = at;
        while pos < self.len {
            let want = ((self.len - pos) as usize).min(chunk.len());
            let n = self.file.read_at(&mut chunk[..want], pos).ok()?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            pos += n as u64;
            // The id ends at a NUL past the line number's last byte.
            let number = buf.iter().position(|&b| b & 0x80 == 0);
            if number.is_some_and(|i| buf[i + 1..].contains(&0)) {
                break;
            }
        }
        Some(buf)
    }

    #[cfg(not(unix))]
    fn read(&self, _at: u64) -> Option<Vec<u8>> {
        None
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
        let mut firsts = Firsts::new(0);
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

    /// Past a mebibyte, records go to a file (on Unix) and come back from
    /// it as they went, long ids (read in several pieces) and those on
    /// either side of a write included; the rest stay pending in memory.
    #[test]
    fn records_written_out_come_back() {
        let mut firsts = Firsts::new(1_000_000);
        let id = |i: u32| {
            if i % 1000 == 7 {
                format!("long-{i}-{}", "x".repeat(150 + (i % 13) as usize))
            } else {
                format!("C{i}")
            }
        };
        let n = 250_000u32;
        let at: Vec<u32> = (0..n).map(|i| firsts.add(i % 300, &id(i))).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]));
        if cfg!(unix) {
            let spill = firsts.spill.as_ref().expect("records written out");
            assert!(spill.len >= 2 * PENDING as u64, "{} bytes out", spill.len);
            assert!(firsts.pending.len() < PENDING);
        }
        let spilled = firsts.spill.as_ref().map_or(0, |s| s.len);
        let mut check: Vec<u32> = (0..n).step_by(997).collect();
        check.extend([0, 7, 1007, n - 1]);
        // Either side of each write.
        for (i, w) in at.windows(2).enumerate() {
            if u64::from(w[0]) < spilled && u64::from(w[1]) >= spilled {
                check.extend([i as u32, i as u32 + 1]);
            }
        }
        for i in check {
            let (number, got) = firsts.get(at[i as usize]).unwrap();
            assert_eq!((number, got), (i % 300, id(i)), "record {i}");
        }
    }
}
