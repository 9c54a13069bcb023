//! V002 group-therapy-same-day: 97530 and group therapy (97150) the same date.

use super::{Cx, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct GroupTherapySameDay;

static INFO: RuleInfo = RuleInfo {
    code: Code::V002,
    name: "group-therapy-same-day",
    title: "97530 with group therapy",
    severity: Severity::Warning,
    carc: "97",
    rarc: "",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
A claim that bills 97530 and 97150 (group therapy) for the patient on the
same date of service. The 97530 line is reported.

## Why it matters
97530 is one-on-one; 97150 is two or more patients at once. The same minutes
cannot be both, and payers bundle or deny one of them (CARC 97) unless the
notes show separate time blocks.

## Fails
97530 × 2 and 97150 × 1 on 2026-11-02 for the same patient.

## Passes
97530 × 2 on 2026-11-02 and 97150 × 1 on 2026-11-04.

## Source
Medicare Benefit Policy Manual (Pub. 100-02) ch. 15 §230.1 (group therapy); NCCI PTP 97150/97530.
",
};

impl Rule for GroupTherapySameDay {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let lines = &cx.claim.lines;
        for (i, line) in lines.iter().enumerate().filter(|(_, l)| l.is_97530()) {
            let Some(date) = line.date.date else { continue };
            if let Some(g) = lines
                .iter()
                .find(|l| l.procedure == "97150" && l.date.date == Some(date))
            {
                let msg = format!(
                    "group therapy 97150 (line {}) billed the same date {date}",
                    g.number
                );
                out.push(cx.finding(&INFO, msg).on_line(i));
            }
        }
    }
}
