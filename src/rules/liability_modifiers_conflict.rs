//! M012 liability-modifiers-conflict: more than one of GA, GY, GZ.

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct LiabilityModifiersConflict;

static INFO: RuleInfo = RuleInfo {
    code: Code::M012,
    name: "liability-modifiers-conflict",
    title: "conflicting liability modifiers",
    severity: Severity::Error,
    carc: "4",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Modifiers],
    explanation: "\
## What it checks
A 97530 line carries at most one of the liability modifiers GA (waiver on
file), GY (statutorily excluded) and GZ (expected denial, no waiver).

## Why it matters
The three say contradictory things about who pays if Medicare denies; a
line with two of them is rejected (CARC 4) and the patient's liability is
left undetermined.

## Fails
SV1*HC:97530:GP:GA:GZ*45*UN*1***1

## Passes
SV1*HC:97530:GP:GA*45*UN*1***1

## Source
Medicare Claims Processing Manual (Pub. 100-04) ch. 30 §40.3 (ABN modifiers).
",
};

impl Rule for LiabilityModifiersConflict {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        const LIABILITY: [&str; 3] = ["GA", "GY", "GZ"];
        for (i, line) in cx.lines_97530() {
            // (A list gathered for each line was most of this rule's cost:
            // nearly every line has none of them.)
            let Some(found) = line.modifiers.several(&LIABILITY) else {
                continue;
            };
            let msg = format!(
                "{} together: one liability modifier per line",
                found.join(" and ")
            );
            out.push(cx.finding(&INFO, msg).on_line(i));
        }
    }
}
