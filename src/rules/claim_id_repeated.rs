//! C003 claim-id-repeated: the same CLM01 from the same billing provider again.

use std::hash::{Hash, Hasher};

use super::key_map::KeyMap;
use super::{Cx, LedgerKeys, LedgerRule, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::model::Claim;
use crate::policy::{Policy, Tables};

pub(crate) struct ClaimIdRepeated;

static INFO: RuleInfo = RuleInfo {
    code: Code::C003,
    name: "claim-id-repeated",
    title: "claim id repeated in the batch",
    severity: Severity::Warning,
    carc: "18",
    rarc: "",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
A claim whose id (837P CLM01, the CSV claim id) was already used by an
earlier claim of the same billing provider in this batch (all inputs of the
run, in input order). The later claim is reported.

## Why it matters
The patient control number is how the payer's acknowledgment and remittance
find the claim again. A repeat is usually a duplicate submission (CARC 18)
or a practice-system counter reset; either way the answers will be mixed up.

## Fails
Two claims CLM*A100 from billing NPI 1234567893 in one batch.

## Passes
CLM*A100 and CLM*A101; or CLM*A100 from two different billing providers.

## Source
005010X222A1 2300 CLM01 (patient control number, unique per submitter); CARC 18.
",
};

impl Rule for ClaimIdRepeated {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn ledger(&self, _tables: &Tables, hint: usize) -> Option<Box<dyn LedgerRule>> {
        Some(Box::new(Ids {
            seen: KeyMap::with_capacity(hint),
        }))
    }

    /// The billing provider's NPI and the claim id, hashed (none for a claim
    /// without an id).
    fn ledger_keys(&self, cx: &Cx<'_>, keys: &mut LedgerKeys) {
        let claim = cx.claim;
        if !claim.id.is_empty() {
            let mut h = super::key_hasher();
            (&claim.billing.npi, &claim.id).hash(&mut h);
            keys.push(h.finish());
        }
    }
}

struct Ids {
    seen: KeyMap<()>,
}

impl LedgerRule for Ids {
    fn prefetch(&self, keys: &[u64]) {
        self.seen.prefetch_all(keys);
    }

    fn observe(&mut self, claim: &Claim, keys: &[u64], _policy: &Policy, out: &mut Vec<Finding>) {
        let Some(&key) = keys.first() else { return };
        if self.seen.entry(key).1 {
            let who = if claim.billing.npi.is_empty() {
                String::new()
            } else {
                format!(" from billing provider {}", claim.billing.npi)
            };
            let msg = format!(
                "claim id {}{who} already used by an earlier claim of this batch",
                claim.id
            );
            out.push(Finding::new(Code::C003, INFO.severity, msg));
        }
    }
}
