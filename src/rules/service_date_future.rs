//! D004 service-date-future: a 97530 line dated after `--as-of`.

use super::{Cx, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct ServiceDateFuture;

static INFO: RuleInfo = RuleInfo {
    code: Code::D004,
    name: "service-date-future",
    title: "service date in the future",
    severity: Severity::Error,
    carc: "16",
    rarc: "",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
The date of service of each 97530 line against the run's date (`--as-of`,
default today): a later date fails.

## Why it matters
A service cannot be billed before it is rendered. Future dates are typos (a
wrong year) or pre-billing, and are rejected (CARC 16).

## Fails
DTP*472*D8*20270105 checked with --as-of 2026-11-27

## Passes
DTP*472*D8*20261120 checked with --as-of 2026-11-27

## Source
Pub. 100-04 ch. 1 §70 (claims are filed for services furnished).
",
};

impl Rule for ServiceDateFuture {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            if let Some(d) = line.date.date {
                if d > cx.as_of {
                    let msg = format!("date of service {d} is after {}", cx.as_of);
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
    fn after_as_of_fails() {
        // testing::run uses as_of 2026-03-20.
        let mut l = line_97530();
        l.date = ServiceDate::parse_single("20260320");
        assert!(run(&ServiceDateFuture, &claim(vec![l.clone()])).is_empty());
        l.date = ServiceDate::parse_single("20260321");
        assert_eq!(run(&ServiceDateFuture, &claim(vec![l])).len(), 1);
    }
}
