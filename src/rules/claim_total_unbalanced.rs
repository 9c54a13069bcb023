//! C001 claim-total-unbalanced: CLM02 must equal the sum of the line charges.

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::model::Money;

pub(crate) struct ClaimTotalUnbalanced;

static INFO: RuleInfo = RuleInfo {
    code: Code::C001,
    name: "claim-total-unbalanced",
    title: "claim total does not balance",
    severity: Severity::Error,
    carc: "16",
    rarc: "MA130",
    stage: Stage::Claim,
    needs: &[Data::ClaimTotal, Data::Charge],
    explanation: "\
## What it checks
The claim's total charge (837P CLM02, CSV `claim_total`) against the sum of the
line charges (SV102, CSV `charge`) of all its lines, in cents. A claim some of
whose lines could not be read (X008) is not judged: its sum would mislead.

## Why it matters
A payer's front end rejects a claim whose total does not balance before any
line is adjudicated (CARC 16, RARC MA130): the whole claim comes back unpaid.

## Fails
CLM*A1*150***11:B:1*Y*A*Y*Y with lines of 45.00 and 90.00 (sum 135.00).

## Passes
CLM*A1*135***11:B:1*Y*A*Y*Y with lines of 45.00 and 90.00.

## Source
005010X222A1 2300 CLM02 note: the total must equal the sum of the 2400 SV102 amounts.
",
};

impl Rule for ClaimTotalUnbalanced {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let claim = cx.claim;
        if claim.incomplete {
            // Lines were lost in reading (X008): the sum would mislead.
            return;
        }
        let sum: Money = claim.lines.iter().filter_map(|l| l.charge).sum();
        let unreadable = claim.lines.iter().filter(|l| l.charge.is_none()).count();
        let msg = match claim.total {
            None => format!("claim total missing or not an amount; line charges sum to {sum}"),
            Some(t) if t != sum => {
                let extra = if unreadable > 0 {
                    format!(" ({unreadable} line charge(s) unreadable)")
                } else {
                    String::new()
                };
                format!("claim total {t} differs from the sum of line charges {sum}{extra}")
            }
            Some(_) => return,
        };
        out.push(cx.finding(&INFO, msg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fails_when_total_differs_passes_when_equal() {
        let mut c = claim(vec![line_97530(), line_97530()]);
        assert!(run(&ClaimTotalUnbalanced, &c).is_empty());
        c.total = Money::parse("100.00");
        let f = run(&ClaimTotalUnbalanced, &c);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("100.00") && f[0].message.contains("90.00"),
            "{}",
            f[0].message
        );
        c.total = None;
        assert_eq!(run(&ClaimTotalUnbalanced, &c).len(), 1);
    }
}
