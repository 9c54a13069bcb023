//! D001 service-date-invalid: a 97530 line needs one real date of service.

use super::{Cx, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct ServiceDateInvalid;

static INFO: RuleInfo = RuleInfo {
    code: Code::D001,
    name: "service-date-invalid",
    title: "service date missing or invalid",
    severity: Severity::Error,
    carc: "16",
    rarc: "MA130",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
Each 97530 line has a line date of service (837P 2400 DTP*472) that is a real
calendar date, given as a single date (D8), not a range (RD8).

## Why it matters
97530 is a timed code: units are counted per date, so each date belongs on its
own line. A missing, impossible or ranged date is returned unprocessable
(CARC 16, RARC MA130), and the time rules cannot run on it.

## Fails
DTP*472*RD8*20260302-20260306 on a 97530 line; DTP*472*D8*20260230; no DTP*472.

## Passes
DTP*472*D8*20260302

## Source
005010X222A1 2400 DTP*472 (required); Pub. 100-04 ch. 5 §20.2 (units per date of service).
",
};

impl Rule for ServiceDateInvalid {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            let d = &line.date;
            let msg = if d.is_missing() {
                "no date of service on the line".to_string()
            } else if d.date.is_none() {
                format!("date of service `{}` is not a date", d.raw)
            } else if d.is_range {
                format!(
                    "date range `{}` on a timed code: bill one line per date",
                    d.raw
                )
            } else {
                continue;
            };
            out.push(cx.finding(&INFO, msg).on_line(i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceDate;
    use crate::rules::testing::*;

    #[test]
    fn missing_bad_and_range_fail() {
        let good = claim(vec![line_97530()]);
        assert!(run(&ServiceDateInvalid, &good).is_empty());
        for d in [
            ServiceDate::missing(),
            ServiceDate::parse_single("20260230"),
            ServiceDate {
                is_range: true,
                ..ServiceDate::parse_single("20260302")
            },
        ] {
            let mut l = line_97530();
            l.date = d;
            assert_eq!(run(&ServiceDateInvalid, &claim(vec![l])).len(), 1);
        }
        let mut other = line_97530();
        other.procedure = "97110".into();
        other.date = ServiceDate::missing();
        assert!(
            run(&ServiceDateInvalid, &claim(vec![other])).is_empty(),
            "only 97530 lines"
        );
    }
}
