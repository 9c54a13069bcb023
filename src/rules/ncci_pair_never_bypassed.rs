//! M009 ncci-pair-never-bypassed: an NCCI pair no modifier bypasses.

use super::ncci_pairs::pairs;
use super::{Cx, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct NcciPairNeverBypassed;

static INFO: RuleInfo = RuleInfo {
    code: Code::M009,
    name: "ncci-pair-never-bypassed",
    title: "NCCI pair that no modifier bypasses",
    severity: Severity::Error,
    carc: "97",
    rarc: "M80",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
97530 and a code that forms an NCCI PTP pair with it whose modifier
indicator is 0, or a pair on the payer policy's `never_bypass` list, billed
for the same patient, rendering provider and date. The column-two line is
reported: it will be denied whatever its modifiers.

## Why it matters
No modifier makes an indicator-0 pair payable (CARC 97/236, RARC M80); some
commercial payers deny 97140 with 97530 even with 59. Bill only the
column-one service, or the services on different dates.

## Fails
A policy with never_bypass = [[\"97140\", \"97530\"]] and 97140 + 97530:GP:59 on one date.

## Passes
The same policy and 97530 alone on the date.

## Source
CMS NCCI PTP practitioner edits (modifier indicator 0); payer policies (WebPT on commercial 97140/97530 denials).
",
};

impl Rule for NcciPairNeverBypassed {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for p in pairs(cx).iter().filter(|p| p.indicator == 0 || p.never) {
            let why = if p.never {
                format!(
                    "the {} policy denies this pair whatever the modifier",
                    cx.policy.name
                )
            } else {
                format!(
                    "modifier indicator 0 ({}): no modifier bypasses it",
                    p.source(cx)
                )
            };
            let msg = format!("{} billed the same visit: {why}", p.describe(cx));
            out.push(cx.finding(&INFO, msg).on_line(p.column2));
        }
    }
}
