//! M006 fifty-nine-with-x-modifier: 59 and an X{EPSU} modifier together.

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct FiftyNineWithXModifier;

const X_MODIFIERS: [&str; 4] = ["XE", "XS", "XP", "XU"];

static INFO: RuleInfo = RuleInfo {
    code: Code::M006,
    name: "fifty-nine-with-x-modifier",
    title: "59 together with an X modifier",
    severity: Severity::Error,
    carc: "4",
    rarc: "N823",
    stage: Stage::Claim,
    needs: &[Data::Modifiers],
    explanation: "\
## What it checks
A 97530 line does not carry modifier 59 together with any of XE, XS, XP, XU.

## Why it matters
The X{EPSU} modifiers are more specific subsets of 59 and replace it: CMS
instructs never to report both on one line. Payers deny the combination as an
invalid modifier pair (CARC 4, RARC N823).

## Fails
SV1*HC:97530:GP:59:XU*45*UN*1***1

## Passes
SV1*HC:97530:GP:XU*45*UN*1***1

## Source
CMS CR 8863 (MLN Matters MM8863): X{EPSU} modifiers; 59 is not to be used with them.
",
};

impl Rule for FiftyNineWithXModifier {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            if !line.modifiers.has("59") {
                continue;
            }
            // Gathered as they are found (an empty list allocates nothing).
            let xs: Vec<&str> = line
                .modifiers
                .iter()
                .filter(|m| X_MODIFIERS.contains(m))
                .collect();
            if xs.is_empty() {
                continue;
            }
            let msg = format!(
                "59 billed with {}: X modifiers replace 59, never both",
                xs.join(", ")
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
    fn both_fail_either_alone_passes() {
        let mut l = line_97530();
        for (mods, n) in [
            (vec!["GP", "59", "XU"], 1),
            (vec!["GP", "59"], 0),
            (vec!["GP", "XS"], 0),
        ] {
            l.modifiers = Modifiers(mods.iter().map(|s| (*s).into()).collect());
            assert_eq!(
                run(&FiftyNineWithXModifier, &claim(vec![l.clone()])).len(),
                n,
                "{mods:?}"
            );
        }
    }
}
