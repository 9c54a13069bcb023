//! T003 under-eight-minutes: 97530 billed where its minutes give it no unit.

use super::time::TimeState;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::policy::UnitMethod;

pub(crate) struct UnderEightMinutes;

static INFO: RuleInfo = RuleInfo {
    code: Code::T003,
    name: "under-eight-minutes",
    title: "97530 under 8 minutes",
    severity: Severity::Error,
    carc: "151",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Minutes],
    explanation: "\
## What it checks
A 97530 line billed although its minutes give it no unit: under `per_code`,
fewer than 8 minutes of 97530; under `cms`, no valid allocation of the
visit's total timed minutes gives 97530 a unit (it had the least leftover
minutes, or the visit's total is under 8).

## Why it matters
The 8-minute rule: a timed service under 8 minutes is not billable on its
own; billing it is denied (CARC 151) and, repeated, is an audit pattern.

## Fails
cms: 18 min 97110 + 13 min 97140 + 10 min 97116 + 8 min 97530 (49 minutes → 3
units, one each to the first three) with 97530 × 1 billed.

## Passes
cms: 97530 with 10 minutes alone (1 unit).

## Source
Medicare Claims Processing Manual (Pub. 100-04) ch. 5 §20.2.
",
};

impl Rule for UnderEightMinutes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for vt in cx.time() {
            if let TimeState::Known(k) = &vt.state {
                if k.under_eight() {
                    let msg = match cx.policy.unit_method {
                        UnitMethod::PerCode => {
                            format!(
                                "97530 has {} minute(s): under 8 minutes, no unit",
                                k.minutes_97530
                            )
                        }
                        UnitMethod::Cms => format!(
                            "97530 billed but the visit's minutes give it no unit ({})",
                            k.explain()
                        ),
                    };
                    out.push(cx.finding(&INFO, msg).on_line(vt.lines[0]));
                }
            }
        }
    }
}
