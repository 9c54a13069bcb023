//! D007 units-in-minutes: 97530 must be reported in units (UN), not minutes (MJ).

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct UnitsInMinutes;

static INFO: RuleInfo = RuleInfo {
    code: Code::D007,
    name: "units-in-minutes",
    title: "unit basis is minutes",
    severity: Severity::Warning,
    carc: "16",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::UnitBasis],
    explanation: "\
## What it checks
The unit basis of each 97530 line (837P SV103): MJ (minutes) instead of UN
(units). The minutes are still used by the time rules.

## Why it matters
CPT 97530 is reported in 15-minute units; payers read SV104 as units, so 45
minutes sent as MJ*45 is read as 45 units or rejected (CARC 16).

## Fails
SV1*HC:97530:GP*135*MJ*45***1

## Passes
SV1*HC:97530:GP*135*UN*3***1

## Source
005010X222A1 2400 SV103 (UN or MJ; MJ only for anesthesia minutes).
",
};

impl Rule for UnitsInMinutes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            if line.unit_basis == "MJ" {
                let msg = format!(
                    "units reported as {} minutes (MJ): report 15-minute units (UN)",
                    line.units.raw
                );
                out.push(cx.finding(&INFO, msg).on_line(i));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn mj_fails_un_passes() {
        assert!(run(&UnitsInMinutes, &claim(vec![line_97530()])).is_empty());
        let mut l = line_97530();
        l.unit_basis = "MJ".into();
        assert_eq!(run(&UnitsInMinutes, &claim(vec![l])).len(), 1);
    }
}
