//! M001 discipline-modifier-missing: 97530 needs GP, GO or GN.

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct DisciplineModifierMissing;

pub(crate) const DISCIPLINE: [&str; 3] = ["GP", "GO", "GN"];

static INFO: RuleInfo = RuleInfo {
    code: Code::M001,
    name: "discipline-modifier-missing",
    title: "discipline modifier missing",
    severity: Severity::Error,
    carc: "4",
    rarc: "N822",
    stage: Stage::Claim,
    needs: &[Data::Modifiers],
    explanation: "\
## What it checks
Each 97530 line carries one of the therapy discipline modifiers: GP (physical
therapy), GO (occupational therapy) or GN (speech-language pathology). A
payer policy with `require_discipline_modifier = false` turns it off.

## Why it matters
97530 is an always-therapy code: Medicare and the payers that follow it deny
the line without the plan-of-care discipline (CARC 4, RARC N822 missing
procedure modifier).

## Fails
SV1*HC:97530*45*UN*1***1

## Passes
SV1*HC:97530:GP*45*UN*1***1

## Source
CMS CR 10176 (always-therapy codes require GP, GO or GN); Pub. 100-04 ch. 5 §20.1.
",
};

impl Rule for DisciplineModifierMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        if !cx.policy.require_discipline_modifier {
            return;
        }
        for (i, line) in cx.lines_97530() {
            if line.modifiers.bits(&DISCIPLINE) == 0 {
                out.push(
                    cx.finding(&INFO, "no GP, GO or GN modifier on 97530")
                        .on_line(i),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Modifiers;
    use crate::rules::testing::*;

    #[test]
    fn missing_discipline_fails() {
        assert!(run(&DisciplineModifierMissing, &claim(vec![line_97530()])).is_empty());
        let mut l = line_97530();
        l.modifiers = Modifiers(smallvec::smallvec!["59".into()]);
        assert_eq!(run(&DisciplineModifierMissing, &claim(vec![l])).len(), 1);
    }
}
