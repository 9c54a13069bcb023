//! T008 units-over-mue: 97530 units over the CMS practitioner MUE.

use chrono::NaiveDate;

use super::key_map::KeyMap;
use super::{Cx, Data, LedgerKeys, LedgerRule, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::model::{Claim, THERAPEUTIC_ACTIVITIES};
use crate::policy::mue::{Mai, Mue};
use crate::policy::{Policy, Tables};

pub(crate) struct UnitsOverMue;

static INFO: RuleInfo = RuleInfo {
    code: Code::T008,
    name: "units-over-mue",
    title: "units over the MUE",
    severity: Severity::Error,
    carc: "96",
    rarc: "N362",
    stage: Stage::Claim,
    needs: &[Data::MueTable],
    explanation: "\
## What it checks
97530 units against the practitioner MUE (medically unlikely edit) for 97530
in the CMS MUE table given with `--mue FILE`. MAI 1: the units of each line.
MAI 2 and 3: the units for the patient and date summed over every line and
claim of the batch, in input order; the line that passes the MUE is reported.
Without a table this rule does not run (no MUE value ships as fact).

## Why it matters
Units over an MUE are denied outright (CARC 96, RARC N362); with MAI 2/3 the
whole day's units are denied, and appeals need medical records.

## Fails
An MUE of 4 with MAI 1 and a line of 97530 × 5.

## Passes
An MUE of 4 with MAI 1 and a line of 97530 × 4.

## Source
CMS NCCI Medically Unlikely Edits, practitioner services table (quarterly).
",
};

fn mue(tables: &Tables) -> Option<Mue> {
    tables.mue.as_ref()?.get(THERAPEUTIC_ACTIVITIES)
}

impl Rule for UnitsOverMue {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let Some(Mue {
            value,
            mai: Mai::Line,
        }) = mue(cx.tables)
        else {
            return;
        };
        for (i, line) in cx.lines_97530() {
            if let Some(u) = line.units.whole().filter(|&u| u > value) {
                let msg =
                    format!("97530 × {u} on one line: over the MUE of {value} (MAI 1, per line)");
                out.push(cx.finding(&INFO, msg).on_line(i));
            }
        }
    }

    fn ledger(&self, tables: &Tables, _hint: usize) -> Option<Box<dyn LedgerRule>> {
        match mue(tables)? {
            Mue {
                value,
                mai: Mai::Date(mai),
            } => Some(Box::new(MueByDate {
                value,
                mai,
                // Grown as patients' dates come (`hint` counts claims).
                units: KeyMap::with_capacity(0),
            })),
            _ => None,
        }
    }

    /// A key for each 97530 line with a date and whole units
    /// (`dated_units`): the patient and the date, hashed. None unless the
    /// MUE is per date.
    fn ledger_keys(&self, cx: &Cx<'_>, keys: &mut LedgerKeys) {
        use std::hash::{Hash, Hasher};
        if !matches!(
            mue(cx.tables),
            Some(Mue {
                mai: Mai::Date(_),
                ..
            })
        ) {
            return;
        }
        for (_, date, _) in dated_units(cx.claim) {
            let mut h = super::key_hasher();
            (&cx.claim.patient_id, date).hash(&mut h);
            keys.push(h.finish());
        }
    }
}

/// The 97530 lines with a date and whole units: their indexes, dates and units.
fn dated_units(claim: &Claim) -> impl Iterator<Item = (usize, NaiveDate, u32)> + '_ {
    claim
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_97530())
        .filter_map(|(i, l)| Some((i, l.date.date?, l.units.whole()?)))
}

/// MAI 2/3: 97530 units per patient and date across the batch.
struct MueByDate {
    value: u32,
    mai: u8,
    /// (patient, date) → units so far. Keys are hashed to keep the ledger small.
    units: KeyMap<u32>,
}

impl LedgerRule for MueByDate {
    fn prefetch(&self, keys: &[u64]) {
        self.units.prefetch_all(keys);
    }

    fn observe(&mut self, claim: &Claim, keys: &[u64], _policy: &Policy, out: &mut Vec<Finding>) {
        for ((i, date, u), &key) in dated_units(claim).zip(keys) {
            let sum = self.units.entry(key).0;
            let before = *sum;
            *sum += u;
            if before <= self.value && *sum > self.value {
                let msg = format!(
                    "97530 units for patient {} on {date} reach {} in this batch: over the MUE of {} (MAI {}, per date)",
                    claim.patient_id, *sum, self.value, self.mai
                );
                out.push(Finding::new(Code::T008, INFO.severity, msg).on_line(i));
            }
        }
    }
}
