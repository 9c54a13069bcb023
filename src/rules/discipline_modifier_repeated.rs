//! M002 discipline-modifier-repeated: two disciplines on one 97530 line.

use super::discipline_modifier_missing::DISCIPLINE;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct DisciplineModifierRepeated;

static INFO: RuleInfo = RuleInfo {
    code: Code::M002,
    name: "discipline-modifier-repeated",
    title: "more than one discipline modifier",
    severity: Severity::Error,
    carc: "4",
    rarc: "N823",
    stage: Stage::Claim,
    needs: &[Data::Modifiers],
    explanation: "\
## What it checks
A 97530 line carries at most one of GP, GO and GN.

## Why it matters
A line is delivered under one plan of care by one discipline; two discipline
modifiers make the line contradictory and it is denied (CARC 4, RARC N823
incomplete/invalid procedure modifier). Bill each discipline's time on its own line.

## Fails
SV1*HC:97530:GP:GO*45*UN*1***1

## Passes
SV1*HC:97530:GO*45*UN*1***1

## Source
CMS CR 10176; Pub. 100-04 ch. 5 §20.1 (one therapy modifier per line).
",
};

impl Rule for DisciplineModifierRepeated {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            let Some(found) = line.modifiers.several(&DISCIPLINE) else {
                continue;
            };
            let msg = format!(
                "{} discipline modifiers on one line: {}",
                found.len(),
                found.join(", ")
            );
            out.push(cx.finding(&INFO, msg).on_line(i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Modifiers;
    use crate::rules::testing::*;

    #[test]
    fn two_disciplines_fail_a_repeat_does_not() {
        let mut l = line_97530();
        l.modifiers = Modifiers(smallvec::smallvec!["GP".into(), "GO".into()]);
        assert_eq!(
            run(&DisciplineModifierRepeated, &claim(vec![l.clone()])).len(),
            1
        );
        l.modifiers = Modifiers(smallvec::smallvec!["GP".into(), "GP".into()]);
        assert!(
            run(&DisciplineModifierRepeated, &claim(vec![l])).is_empty(),
            "a repeat is M010's"
        );
    }
}
