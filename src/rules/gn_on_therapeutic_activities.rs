//! M003 gn-on-therapeutic-activities: GN (speech-language pathology) on 97530.

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct GnOnTherapeuticActivities;

static INFO: RuleInfo = RuleInfo {
    code: Code::M003,
    name: "gn-on-therapeutic-activities",
    title: "GN on 97530",
    severity: Severity::Warning,
    carc: "4",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Modifiers],
    explanation: "\
## What it checks
A 97530 line billed under the speech-language pathology plan of care (GN).

## Why it matters
Therapeutic activities are rarely within an SLP's billed services; payers
review or deny GN on 97530 as a modifier inconsistent with the procedure
(CARC 4). Check the discipline before the claim goes out.

## Fails
SV1*HC:97530:GN*45*UN*1***1

## Passes
SV1*HC:97530:GP*45*UN*1***1

## Source
CMS CR 10176 (discipline modifiers); ASHA coding guidance for SLP services.
",
};

impl Rule for GnOnTherapeuticActivities {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            if line.modifiers.has("GN") {
                let msg = "97530 under the SLP plan of care (GN): rarely billed by speech-language pathology";
                out.push(cx.finding(&INFO, msg).on_line(i));
            }
        }
    }
}
