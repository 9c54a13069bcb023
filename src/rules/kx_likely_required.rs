//! M011 kx-likely-required: the patient's therapy charges passed the KX threshold.

use std::hash::{Hash, Hasher};

use chrono::{Datelike, NaiveDate};

use super::key_map::KeyMap;
use super::{Cx, Data, LedgerKeys, LedgerRule, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::model::{Claim, Money, ServiceLine};
use crate::policy::accruals::Bucket;
use crate::policy::{Policy, Tables};

pub(crate) struct KxLikelyRequired;

static INFO: RuleInfo = RuleInfo {
    code: Code::M011,
    name: "kx-likely-required",
    title: "KX likely required",
    severity: Severity::Warning,
    carc: "119",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Modifiers],
    explanation: "\
## What it checks
Under a payer policy with `kx_thresholds` (Medicare): the therapy charges
billed for the patient this calendar year, per threshold bucket (PT and SLP
together, by GP/GN; OT alone, by GO), added up in input order over every
claim of the batch plus the amounts given with `--accruals`. A 97530 line
that brings or finds the total above the year's threshold without KX is
reported.

## Why it matters
Above the threshold Medicare pays therapy only with KX, the provider's
attestation that the services are medically necessary; without it the line
is denied as a benefit maximum (CARC 119).

## Fails
A patient with $2,400 of GP therapy already billed in 2026 (threshold
$2,480) and a new 97530:GP line of $90 without KX.

## Passes
The same line billed as 97530:GP:KX, or a patient under the threshold.

## Source
42 CFR 410.59-410.60 and the annual Physician Fee Schedule (KX thresholds); Pub. 100-04 ch. 5 §10.3.
",
};

impl Rule for KxLikelyRequired {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    /// Grown as patients come (not sized by `hint`, which counts claims: a
    /// practice's patients come back week after week).
    fn ledger(&self, tables: &Tables, _hint: usize) -> Option<Box<dyn LedgerRule>> {
        let mut billed = KeyMap::with_capacity(tables.accruals.len());
        for a in &tables.accruals {
            add(
                billed
                    .entry(key(patient_key(&a.patient_id), a.year, a.bucket))
                    .0,
                a.amount.cents(),
            );
        }
        Some(Box::new(Accrued {
            billed,
            thresholds: Vec::new(),
        }))
    }

    /// A key for each line in a therapy bucket (`bucketed`): the patient's
    /// year and bucket, hashed. None where the policy has no KX threshold.
    fn ledger_keys(&self, cx: &Cx<'_>, keys: &mut LedgerKeys) {
        if cx.policy.kx_thresholds.is_empty() {
            return;
        }
        let patient = patient_key(&cx.claim.patient_id);
        for (_, _, date, _, bucket) in bucketed(cx.claim) {
            keys.push(key(patient, date.year(), bucket));
        }
    }
}

/// The lines with a date, a charge and a therapy bucket (their discipline
/// modifier), with their indexes: the lines the ledger adds up.
fn bucketed(
    claim: &Claim,
) -> impl Iterator<Item = (usize, &ServiceLine, NaiveDate, Money, Bucket)> {
    claim.lines.iter().enumerate().filter_map(|(i, line)| {
        Some((
            i,
            line,
            line.date.date?,
            line.charge?,
            Bucket::of(&line.modifiers)?,
        ))
    })
}

/// The ledger key of a patient's year and bucket, from `patient_key` (a
/// claim's patient is hashed once, not once a line).
fn key(patient: u64, year: i32, bucket: Bucket) -> u64 {
    let mut h = super::key_hasher();
    (patient, year, bucket).hash(&mut h);
    h.finish()
}

fn patient_key(patient: &str) -> u64 {
    let mut h = super::key_hasher();
    patient.hash(&mut h);
    h.finish()
}

/// `cents` added to `total`, which stops at what 32 bits hold (plus or minus
/// $21,474,836.47: far past any KX threshold).
fn add(total: &mut i32, cents: i64) {
    *total =
        (i64::from(*total).saturating_add(cents)).clamp(i32::MIN.into(), i32::MAX.into()) as i32;
}

/// Therapy charges per patient, year and bucket, in cents (32 bits: a
/// table's slot is then 12 bytes, not 16).
struct Accrued {
    billed: KeyMap<i32>,
    /// Thresholds looked up so far, by policy (its address: the policies
    /// live as long as the run) and year: `Policy::kx_threshold` formats
    /// the year and hashes it, once a claim was too often.
    thresholds: Vec<((usize, i32), Option<i64>)>,
}

impl Accrued {
    fn threshold(&mut self, policy: &Policy, year: i32) -> Option<i64> {
        let k = (std::ptr::from_ref(policy) as usize, year);
        if let Some(&(_, t)) = self.thresholds.iter().find(|(key, _)| *key == k) {
            return t;
        }
        let t = policy.kx_threshold(year);
        self.thresholds.push((k, t));
        t
    }
}

impl LedgerRule for Accrued {
    fn prefetch(&self, keys: &[u64]) {
        self.billed.prefetch_all(keys);
    }

    fn observe(&mut self, claim: &Claim, keys: &[u64], policy: &Policy, out: &mut Vec<Finding>) {
        if policy.kx_thresholds.is_empty() {
            return;
        }
        for ((i, line, date, charge, bucket), &key) in bucketed(claim).zip(keys) {
            let year = date.year();
            let total = self.billed.entry(key).0;
            add(total, charge.cents());
            let total = i64::from(*total);
            let Some(threshold) = self.threshold(policy, year) else {
                continue;
            };
            if line.is_97530() && total > threshold && !line.modifiers.has("KX") {
                let msg = format!(
                    "{} therapy billed for patient {} in {year} reaches {} with this line, over the KX threshold of {}; the line has no KX",
                    bucket.name(),
                    claim.patient_id,
                    Money(total),
                    Money(threshold)
                );
                out.push(Finding::new(Code::M011, INFO.severity, msg).on_line(i));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A total adds up in cents and stops at what 32 bits hold, both ways,
    /// and comes back from there.
    #[test]
    fn a_total_adds_up_and_stops_at_its_bounds() {
        let mut total = 0i32;
        add(&mut total, 240_000);
        add(&mut total, 1_099);
        assert_eq!(total, 241_099);
        add(&mut total, i64::MAX);
        assert_eq!(total, i32::MAX);
        add(&mut total, -1);
        assert_eq!(total, i32::MAX - 1);
        add(&mut total, i64::MIN);
        assert_eq!(total, i32::MIN);
        add(&mut total, 5);
        assert_eq!(total, i32::MIN + 5);
    }
}
