//! X006 truncated-input: found by the reader (`input`), not by a claim check.

use super::{Rule, RuleInfo, Stage};
use crate::finding::{Code, Severity};

pub(crate) struct TruncatedInput;

pub(crate) static INFO: RuleInfo = RuleInfo {
    code: Code::X006,
    name: "truncated-input",
    title: "truncated input",
    severity: Severity::Error,
    carc: "",
    rarc: "",
    stage: Stage::Input,
    needs: &[],
    explanation: "\
## What it checks
The file does not end (or a new ST/ISA does not begin) inside an open
transaction, group or interchange: every ST has its SE, GS its GE, ISA its IEA,
and the last segment has its terminator.

## Why it matters
A cut file has lost claims or lines at its end; what is left cannot be trusted
to be whole. Every claim of a transaction that did not close is held back.

## Fails
... LX*3~SV1*HC:97530:GP*45*UN*1***1~DTP*47 (the file stops here)

## Passes
... SE*40*0021~GE*1*1~IEA*1*000000001~

## Source
ASC X12 005010 control segments (every header has its trailer).
",
};

impl Rule for TruncatedInput {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
