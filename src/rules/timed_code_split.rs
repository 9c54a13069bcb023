//! T006 timed-code-split: 97530 on more than one line of one visit.

use super::{Cx, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct TimedCodeSplit;

static INFO: RuleInfo = RuleInfo {
    code: Code::T006,
    name: "timed-code-split",
    title: "timed code split over lines",
    severity: Severity::Error,
    carc: "16",
    rarc: "",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
97530 on more than one line for the same patient, rendering provider and date
of service. Each line after the first is reported.

## Why it matters
Units of a timed code on one date belong on one line: split lines look like
duplicates to the payer, get denied as such (CARC 16, or 18 as a duplicate),
and hide unit totals from the 8-minute rule.

## Fails
LX*1 SV1*HC:97530:GP*45*UN*1 and LX*2 SV1*HC:97530:GP*45*UN*1, same date.

## Passes
LX*1 SV1*HC:97530:GP*90*UN*2

## Source
Medicare Claims Processing Manual (Pub. 100-04) ch. 5 §20.2 (report the total units of a code for the date).
",
};

impl Rule for TimedCodeSplit {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for v in cx.visits {
            // The visit's 97530 lines as they come (no list gathered: a
            // visit nearly always has one).
            let mut lines = v
                .lines
                .iter()
                .copied()
                .filter(|&i| cx.claim.lines[i].is_97530());
            if let Some(first) = lines.next() {
                for i in lines {
                    let msg = format!(
                        "97530 also billed on line {} for the same date and provider: put the units on one line",
                        cx.claim.lines[first].number
                    );
                    out.push(cx.finding(&INFO, msg).on_line(i));
                }
            }
        }
    }
}
