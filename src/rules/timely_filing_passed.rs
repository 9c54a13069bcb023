//! D005 timely-filing-passed: the payer's filing limit has run out.

use super::{Cx, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct TimelyFilingPassed;

static INFO: RuleInfo = RuleInfo {
    code: Code::D005,
    name: "timely-filing-passed",
    title: "timely filing limit passed",
    severity: Severity::Error,
    carc: "29",
    rarc: "",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
The date of service of each 97530 line against the payer policy's
`timely_filing_days` counted back from the run's date (`--as-of`): a date more
than that many days before it fails. The Medicare policy allows 365 days.

## Why it matters
A claim filed after the limit is denied outright (CARC 29, the time limit for
filing has expired) and cannot be billed to the patient.

## Fails
DTP*472*D8*20250801 checked with --as-of 2026-11-27 under Medicare (483 days).

## Passes
DTP*472*D8*20260801 checked with --as-of 2026-11-27 under Medicare (118 days).

## Source
42 CFR 424.44 (12 months after the date of service); Pub. 100-04 ch. 1 §70.
",
};

impl Rule for TimelyFilingPassed {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let limit = i64::from(cx.policy.timely_filing_days);
        for (i, line) in cx.lines_97530() {
            if let Some(d) = line.date.date {
                let age = (cx.as_of - d).num_days();
                if age > limit {
                    let msg = format!(
                        "date of service {d} is {age} days before {}: past the {} policy's {limit}-day limit",
                        cx.as_of, cx.policy.name
                    );
                    out.push(cx.finding(&INFO, msg).on_line(i));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceDate;
    use crate::rules::testing::*;

    #[test]
    fn older_than_limit_fails() {
        // as_of 2026-03-20; the fallback (commercial) policy allows 365 days.
        let mut l = line_97530();
        l.date = ServiceDate::parse_single("20250320");
        assert!(
            run(&TimelyFilingPassed, &claim(vec![l.clone()])).is_empty(),
            "exactly 365 days"
        );
        l.date = ServiceDate::parse_single("20250319");
        assert_eq!(run(&TimelyFilingPassed, &claim(vec![l])).len(), 1);
    }
}
