//! T001 units-exceed-minutes: more 97530 units than the minutes support.

use super::time::TimeState;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct UnitsExceedMinutes;

static INFO: RuleInfo = RuleInfo {
    code: Code::T001,
    name: "units-exceed-minutes",
    title: "units exceed what the minutes support",
    severity: Severity::Error,
    carc: "151",
    rarc: "N362",
    stage: Stage::Claim,
    needs: &[Data::Minutes],
    explanation: "\
## What it checks
The 97530 units of a visit (same patient, rendering provider and date)
against the most units any valid allocation of its minutes gives 97530 under
the payer's method. `cms`: the total timed minutes of the visit fix the total
units (8-22 → 1, 23-37 → 2, ...); each code gets its whole 15-minute units,
and the units left go to the codes with the most leftover minutes (a tie lets
either code take it). `per_code`: 97530's own minutes alone. Not reported
where T003 fires for the line.

## Why it matters
Billing more units than the documented time supports is the most common
therapy overpayment finding; Medicare denies the excess units (CARC 151,
RARC N362) and audits recover them.

## Fails
cms: 24 min 97112 + 23 min 97110 + ... billed 97530 × 3 with 33 minutes of
97530 and 7 of 97140 (40 minutes → 3 units: 97530 at most 2).

## Passes
cms: 33 min 97530 + 7 min 97140, billed 97530 × 2 and 97140 × 1.

## Source
Medicare Claims Processing Manual (Pub. 100-04) ch. 5 §20.2; AMA CPT time rule (per_code).
",
};

impl Rule for UnitsExceedMinutes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for vt in cx.time() {
            if let TimeState::Known(k) = &vt.state {
                if k.exceeds() {
                    let msg = format!(
                        "97530 billed {} unit(s); its {} minute(s) support at most {} ({})",
                        k.billed,
                        k.minutes_97530,
                        k.max,
                        k.explain()
                    );
                    out.push(cx.finding(&INFO, msg).on_line(vt.lines[0]));
                }
            }
        }
    }
}
