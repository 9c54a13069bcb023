//! D006 charge-not-positive: a 97530 line needs a positive charge.

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct ChargeNotPositive;

static INFO: RuleInfo = RuleInfo {
    code: Code::D006,
    name: "charge-not-positive",
    title: "charge missing or not positive",
    severity: Severity::Error,
    carc: "16",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Charge],
    explanation: "\
## What it checks
The line charge of each 97530 line (837P SV102, CSV `charge`): present, a
number, and greater than zero.

## Why it matters
A professional claim line must carry the provider's charge; an empty, zero or
negative charge is rejected as missing information (CARC 16).

## Fails
SV1*HC:97530:GP*0*UN*1***1

## Passes
SV1*HC:97530:GP*45.00*UN*1***1

## Source
005010X222A1 2400 SV102 (monetary amount, required).
",
};

impl Rule for ChargeNotPositive {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            let msg = match line.charge {
                None => "line charge missing or not an amount".to_string(),
                Some(c) if c.cents() <= 0 => format!("line charge {c} is not positive"),
                Some(_) => continue,
            };
            out.push(cx.finding(&INFO, msg).on_line(i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Money;
    use crate::rules::testing::*;

    #[test]
    fn zero_negative_missing_fail() {
        assert!(run(&ChargeNotPositive, &claim(vec![line_97530()])).is_empty());
        for c in [None, Some(Money(0)), Some(Money(-100))] {
            let mut l = line_97530();
            l.charge = c;
            assert_eq!(run(&ChargeNotPositive, &claim(vec![l])).len(), 1);
        }
    }
}
