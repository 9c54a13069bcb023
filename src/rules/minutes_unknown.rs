//! T005 minutes-unknown: the time rules could not run for a claim.

use super::time::TimeState;
use super::{Cx, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct MinutesUnknown;

static INFO: RuleInfo = RuleInfo {
    code: Code::T005,
    name: "minutes-unknown",
    title: "minutes not known",
    severity: Severity::Info,
    carc: "",
    rarc: "",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
Whether the minutes the time rules need are known: under `cms`, for every
timed line of a visit with 97530; under `per_code`, for each 97530 line.
Minutes come from a CSV `minutes` column, CSV start/stop times, an 837P line
reported in minutes (SV103 MJ), or a side file (`--minutes`). Said once per
claim, on the first line that lacks them.

## Why it matters
Without minutes T001-T004 cannot judge the units; this says so rather than
passing the claim in silence. Supply minutes to have the 8-minute rule checked.

## Fails
An 837P 97530 line in units (SV103 UN) with no `--minutes` row for it.

## Passes
The same line with a `--minutes` row giving its minutes.

## Source
Medicare Claims Processing Manual (Pub. 100-04) ch. 5 §20.2 (units follow documented minutes).
",
};

impl Rule for MinutesUnknown {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let first = cx.time().iter().find_map(|vt| match vt.state {
            TimeState::Unknown { line } => Some(line),
            _ => None,
        });
        if let Some(line) = first {
            let l = &cx.claim.lines[line];
            let msg = format!(
                "no minutes for line {} ({}): the time rules did not run for this claim",
                l.number, l.procedure
            );
            out.push(cx.finding(&INFO, msg).on_line(line));
        }
    }
}
