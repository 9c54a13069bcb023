//! X003 segment-count-mismatch: found by the reader (`input`), not by a claim check.

use super::{Rule, RuleInfo, Stage};
use crate::finding::{Code, Severity};

pub(crate) struct SegmentCountMismatch;

pub(crate) static INFO: RuleInfo = RuleInfo {
    code: Code::X003,
    name: "segment-count-mismatch",
    title: "segment count mismatch",
    severity: Severity::Error,
    carc: "",
    rarc: "",
    stage: Stage::Input,
    needs: &[],
    explanation: "\
## What it checks
SE01 equals the number of segments from ST to SE, both included.

## Why it matters
A wrong count means the transaction lost or gained segments on the way; the
receiver's 999 rejects it (IK5 code 4) with every claim in it.

## Fails
ST*837*0021 ... (40 segments in all) ... SE*41*0021

## Passes
ST*837*0021 ... (40 segments in all) ... SE*40*0021

## Source
ASC X12 005010 SE01 (number of included segments); 005010X231A1 IK5 code 4.
",
};

impl Rule for SegmentCountMismatch {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
