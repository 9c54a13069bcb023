//! X007 not-837p: found by the reader (`input`), not by a claim check.

use super::{Rule, RuleInfo, Stage};
use crate::finding::{Code, Severity};

pub(crate) struct Not837p;

pub(crate) static INFO: RuleInfo = RuleInfo {
    code: Code::X007,
    name: "not-837p",
    title: "not an 837P",
    severity: Severity::Error,
    carc: "",
    rarc: "",
    stage: Stage::Input,
    needs: &[],
    explanation: "\
## What it checks
Each transaction is an 837 (ST01) in a group whose version (GS08) is the
professional claim guide 005010X222, 005010X222A1 or 005010X222A2. Other
transactions (837I X223, 837D X224, 4010 X098, 835, ...) are skipped whole and
counted, with the number of CLM segments they held.

## Why it matters
This tool checks professional therapy claims under the 5010 rules; a 4010 file
or an institutional claim would be misread field by field. Receivers reject
4010 since 2012.

## Fails
GS*HC*S*R*20041105*1526*1167*X*004010X098A1

## Passes
GS*HC*S*R*20261127*1200*1*X*005010X222A1

## Source
45 CFR 162.1102 (5010 required from 2012-01-01); 005010X222A1 GS08 and ST03.
",
};

impl Rule for Not837p {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
