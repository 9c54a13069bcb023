//! D002 units-not-whole: 97530 units must be a positive whole number.

use super::{Cx, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct UnitsNotWhole;

static INFO: RuleInfo = RuleInfo {
    code: Code::D002,
    name: "units-not-whole",
    title: "units not a positive whole number",
    severity: Severity::Error,
    carc: "16",
    rarc: "M53",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
The units (837P SV104, CSV `units`) of each 97530 line: a whole number of at
least 1. Zero, negative, fractional (1.5) or non-numeric units fail.

## Why it matters
97530 is billed in whole 15-minute units. A payer returns a line with missing
or invalid days/units of service as unprocessable (CARC 16, RARC M53).

## Fails
SV1*HC:97530:GP*67.50*UN*1.5***1

## Passes
SV1*HC:97530:GP*90*UN*2***1

## Source
AMA CPT 97530 (each 15 minutes); Pub. 100-04 ch. 5 §20.2.
",
};

impl Rule for UnitsNotWhole {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            if line.units.whole().is_none() {
                let msg = if line.units.raw.is_empty() {
                    "units missing".to_string()
                } else {
                    format!("units `{}` are not a positive whole number", line.units.raw)
                };
                out.push(cx.finding(&INFO, msg).on_line(i));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Units;
    use crate::rules::testing::*;

    #[test]
    fn fractional_zero_negative_text_fail() {
        assert!(run(&UnitsNotWhole, &claim(vec![line_97530()])).is_empty());
        for u in ["1.5", "0", "-2", "abc", ""] {
            let mut l = line_97530();
            l.units = Units::parse(u);
            assert_eq!(run(&UnitsNotWhole, &claim(vec![l])).len(), 1, "{u}");
        }
    }
}
