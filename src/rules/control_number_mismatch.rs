//! X002 control-number-mismatch: found by the reader (`input`), not by a claim check.

use super::{Rule, RuleInfo, Stage};
use crate::finding::{Code, Severity};

pub(crate) struct ControlNumberMismatch;

pub(crate) static INFO: RuleInfo = RuleInfo {
    code: Code::X002,
    name: "control-number-mismatch",
    title: "control number mismatch",
    severity: Severity::Error,
    carc: "",
    rarc: "",
    stage: Stage::Input,
    needs: &[],
    explanation: "\
## What it checks
Each trailer repeats its header's control number: IEA02 = ISA13, GE02 = GS06,
SE02 = ST02.

## Why it matters
A mismatch means envelopes were cut, spliced or generated wrongly; the
receiver's 999 rejects the transaction or group (IK5/AK9 R) and every claim in
it. A mismatch on SE rejects every claim of that transaction; one on GE or IEA
is reported for the group or interchange.

## Fails
ST*837*0021*005010X222A1 ... SE*40*0022

## Passes
ST*837*0021*005010X222A1 ... SE*40*0021

## Source
ASC X12 005010 control segments; 005010X231A1 (999) IK5 codes 3 and AK9 codes.
",
};

impl Rule for ControlNumberMismatch {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
