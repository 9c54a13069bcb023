//! T004 visit-units-exceed-minutes: a visit's timed units exceed its total minutes.

use super::time::TimeState;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::policy::UnitMethod;

pub(crate) struct VisitUnitsExceedMinutes;

static INFO: RuleInfo = RuleInfo {
    code: Code::T004,
    name: "visit-units-exceed-minutes",
    title: "visit units exceed total timed minutes",
    severity: Severity::Error,
    carc: "151",
    rarc: "N362",
    stage: Stage::Claim,
    needs: &[Data::Minutes],
    explanation: "\
## What it checks
Under the `cms` method, for a visit with a 97530 line: the units billed on
all its timed codes together against the units of its total timed minutes.
Reported only where neither T001 nor T003 was (they already name the line).

## Why it matters
Medicare counts the visit's timed minutes once; units beyond what the total
supports are denied (CARC 151, RARC N362) even when each code alone looks
right, as in the classic 10 + 10 minutes billed as two units.

## Fails
cms: 10 min 97110 + 10 min 97530 (20 minutes → 1 unit) billed as 97110 × 1
and 97530 × 1.

## Passes
cms: the same visit billed as 97530 × 1 alone (or 97110 × 1 alone).

## Source
Medicare Claims Processing Manual (Pub. 100-04) ch. 5 §20.2.
",
};

impl Rule for VisitUnitsExceedMinutes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        if cx.policy.unit_method != UnitMethod::Cms {
            return;
        }
        for vt in cx.time() {
            if let TimeState::Known(k) = &vt.state {
                if !k.exceeds() && !k.under_eight() && k.timed_billed > k.alloc.total_units {
                    let msg = format!(
                        "the visit bills {} timed unit(s); its {} timed minutes support {} ({})",
                        k.timed_billed,
                        k.alloc.total_minutes,
                        k.alloc.total_units,
                        k.explain()
                    );
                    out.push(cx.finding(&INFO, msg).on_line(vt.lines[0]));
                }
            }
        }
    }
}
