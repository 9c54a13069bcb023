//! T002 units-below-minutes: fewer 97530 units than the minutes support.

use super::time::TimeState;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct UnitsBelowMinutes;

static INFO: RuleInfo = RuleInfo {
    code: Code::T002,
    name: "units-below-minutes",
    title: "units below what the minutes support",
    severity: Severity::Warning,
    carc: "",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Minutes],
    explanation: "\
## What it checks
The 97530 units of a visit against the fewest units any valid allocation of
its minutes gives 97530 under the payer's method (see T001).

## Why it matters
Skilled time that was documented but not billed is revenue lost; it is also
a sign that minutes and units are entered separately and drift apart.

## Fails
per_code: 97530 with 38 minutes billed as 2 units (38 minutes support 3).

## Passes
per_code: 97530 with 38 minutes billed as 3 units.

## Source
Medicare Claims Processing Manual (Pub. 100-04) ch. 5 §20.2.
",
};

impl Rule for UnitsBelowMinutes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for vt in cx.time() {
            if let TimeState::Known(k) = &vt.state {
                if k.billed < k.min {
                    let msg = format!(
                        "97530 billed {} unit(s); its {} minute(s) support at least {} ({})",
                        k.billed,
                        k.minutes_97530,
                        k.min,
                        k.explain()
                    );
                    out.push(cx.finding(&INFO, msg).on_line(vt.lines[0]));
                }
            }
        }
    }
}
