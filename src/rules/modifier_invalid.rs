//! M010 modifier-invalid: malformed, too many, repeated, or never valid on 97530.

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct ModifierInvalid;

/// Modifiers that never apply to 97530.
const NEVER_ON_97530: [&str; 1] = ["25"];

static INFO: RuleInfo = RuleInfo {
    code: Code::M010,
    name: "modifier-invalid",
    title: "modifier invalid",
    severity: Severity::Error,
    carc: "4",
    rarc: "N823",
    stage: Stage::Claim,
    needs: &[Data::Modifiers],
    explanation: "\
## What it checks
The modifiers of each 97530 line: each is exactly two letters or digits; at
most four on the line; none repeated; none that never applies to 97530
(25, significant E/M service, is for evaluation and management codes only).

## Why it matters
The 837P carries at most four modifiers (SV101-3 to -6) of two characters. A
malformed, repeated or inapplicable modifier makes the payer deny the line
(CARC 4, RARC N823 incomplete/invalid procedure modifier).

## Fails
SV1*HC:97530:GP:25*45*UN*1***1; SV1*HC:97530:GP:GP*45*UN*1***1; modifier `G`.

## Passes
SV1*HC:97530:GP:KX*45*UN*1***1

## Source
005010X222A1 SV101-3..6 (AN 2..2); AMA CPT Appendix A (modifier 25 applies to E/M services).
",
};

impl Rule for ModifierInvalid {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            let mods = &line.modifiers;
            let mut problems: Vec<String> = Vec::new();
            if mods.len() > 4 {
                problems.push(format!("{} modifiers (at most 4)", mods.len()));
            }
            for (k, m) in mods.iter().enumerate() {
                if m.len() != 2 || !m.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    problems.push(format!("`{m}` is not a two-character modifier"));
                } else if NEVER_ON_97530.contains(&m) {
                    problems.push(format!("{m} never applies to 97530"));
                }
                if mods.iter().take(k).any(|p| p == m) {
                    problems.push(format!("{m} repeated"));
                }
            }
            if !problems.is_empty() {
                out.push(cx.finding(&INFO, problems.join("; ")).on_line(i));
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
    fn malformed_repeated_inapplicable_and_too_many_fail() {
        let mut l = line_97530();
        let cases: [(&[&str], bool); 6] = [
            (&["GP", "KX"], false),
            (&["GP", "25"], true),
            (&["GP", "GP"], true),
            (&["GP", "G"], true),
            (&["GP", "g!"], true),
            (&["GP", "KX", "59", "CQ", "XU"], true),
        ];
        for (mods, fails) in cases {
            l.modifiers = Modifiers(mods.iter().map(|s| (*s).into()).collect());
            assert_eq!(
                run(&ModifierInvalid, &claim(vec![l.clone()])).len(),
                fails as usize,
                "{mods:?}"
            );
        }
    }
}
