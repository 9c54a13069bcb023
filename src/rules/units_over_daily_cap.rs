//! T007 units-over-daily-cap: more 97530 units on a date than the payer allows.

use super::{Cx, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct UnitsOverDailyCap;

static INFO: RuleInfo = RuleInfo {
    code: Code::T007,
    name: "units-over-daily-cap",
    title: "units over the payer's daily cap",
    severity: Severity::Error,
    carc: "119",
    rarc: "",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
The 97530 units of one claim on one date of service against the payer
policy's `max_units_per_day` (no cap unless the policy sets one). The line
whose units pass the cap is reported.

## Why it matters
Many commercial plans cap therapeutic activities at 2-3 units a day; units
over the cap are denied as a benefit maximum (CARC 119).

## Fails
A policy with max_units_per_day = 3 and 97530 × 4 on one date.

## Passes
The same policy and 97530 × 3 on the date.

## Source
Payer medical policies (commercial unit caps); RULES.md T007.
",
};

impl Rule for UnitsOverDailyCap {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let Some(cap) = cx.policy.max_units_per_day else {
            return;
        };
        let mut dates: Vec<(chrono::NaiveDate, u32)> = Vec::new();
        for (i, line) in cx.lines_97530() {
            let (Some(date), Some(u)) = (line.date.date, line.units.whole()) else {
                continue;
            };
            let slot = match dates.iter_mut().find(|(d, _)| *d == date) {
                Some(s) => s,
                None => {
                    dates.push((date, 0));
                    dates.last_mut().expect("just pushed")
                }
            };
            let before = slot.1;
            slot.1 += u;
            if before <= cap && slot.1 > cap {
                let msg = format!(
                    "97530 units on {date} reach {}: over the {} policy's cap of {cap} a day",
                    slot.1, cx.policy.name
                );
                out.push(cx.finding(&INFO, msg).on_line(i));
            }
        }
    }
}
