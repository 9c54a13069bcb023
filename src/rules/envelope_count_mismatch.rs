//! X004 envelope-count-mismatch: found by the reader (`input`), not by a claim check.

use super::{Rule, RuleInfo, Stage};
use crate::finding::{Code, Severity};

pub(crate) struct EnvelopeCountMismatch;

pub(crate) static INFO: RuleInfo = RuleInfo {
    code: Code::X004,
    name: "envelope-count-mismatch",
    title: "group / transaction count mismatch",
    severity: Severity::Error,
    carc: "",
    rarc: "",
    stage: Stage::Input,
    needs: &[],
    explanation: "\
## What it checks
GE01 equals the number of transactions (ST) in its group; IEA01 equals the
number of functional groups (GS) in its interchange.

## Why it matters
A wrong count means transactions or groups were lost or added; the receiver
rejects the group (AK9 code 5) or interchange (TA1). The claims were already
checked transaction by transaction, so the finding is reported for the group or
interchange it concerns.

## Fails
GS*HC*... two ST/SE transactions ... GE*1*1

## Passes
GS*HC*... two ST/SE transactions ... GE*2*1

## Source
ASC X12 005010 GE01, IEA01; 005010X231A1 AK9.
",
};

impl Rule for EnvelopeCountMismatch {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
