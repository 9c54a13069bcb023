//! M008 ncci-pair-without-bypass: a bypassable NCCI pair, column two unmodified.

use super::ncci_pairs::pairs;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct NcciPairWithoutBypass;

static INFO: RuleInfo = RuleInfo {
    code: Code::M008,
    name: "ncci-pair-without-bypass",
    title: "NCCI pair without a bypass modifier",
    severity: Severity::Error,
    carc: "97",
    rarc: "M80",
    stage: Stage::Claim,
    needs: &[Data::Modifiers],
    explanation: "\
## What it checks
97530 and a code that forms an NCCI PTP pair with it (modifier indicator 1)
billed for the same patient, rendering provider and date, where the
column-two line carries none of the policy's bypass modifiers (59, XE, XS,
XP, XU by default). The column-two line is reported: it is the one the
payer denies, and the one the modifier belongs on. CARC 97 or 236.

## Why it matters
Without the modifier the column-two service is bundled into the column-one
service and not paid (CARC 97/236, RARC M80). Where the services really were
distinct (separate 15-minute blocks), the modifier is what gets it paid.

## Fails
97140 (column 1) and 97530 (column 2) on one date, 97530 with GP only.

## Passes
The same with SV1*HC:97530:GP:59, or 97530 alone.

## Source
CMS NCCI PTP practitioner edits; NCCI Policy Manual ch. 1 §E and ch. 11 (physical medicine).
",
};

impl Rule for NcciPairWithoutBypass {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for p in pairs(cx).iter().filter(|p| p.indicator == 1 && !p.never) {
            let col2 = &cx.claim.lines[p.column2];
            if !col2.modifiers.iter().any(|m| cx.policy.is_bypass(m)) {
                let msg = format!(
                    "{} billed the same visit (modifier indicator 1, {}): the column-two line needs one of {}",
                    p.describe(cx),
                    p.source(cx),
                    cx.policy.bypass_modifiers.join(", ")
                );
                out.push(cx.finding(&INFO, msg).on_line(p.column2));
            }
        }
    }
}
