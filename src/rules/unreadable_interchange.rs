//! X001 unreadable-interchange: found by the reader (`input`), not by a claim check.

use super::{Rule, RuleInfo, Stage};
use crate::finding::{Code, Severity};

pub(crate) struct UnreadableInterchange;

pub(crate) static INFO: RuleInfo = RuleInfo {
    code: Code::X001,
    name: "unreadable-interchange",
    title: "unreadable interchange",
    severity: Severity::Error,
    carc: "",
    rarc: "",
    stage: Stage::Input,
    needs: &[],
    explanation: "\
## What it checks
The file starts each interchange with a valid ISA: 106 characters, the element
separator at byte 4, every ISA element at its fixed width, the component
separator (ISA16) and the segment terminator right after it. Binary data, an
empty file, text in another encoding (UTF-16) are findings of this rule.

## Why it matters
Every delimiter of the interchange comes from the ISA. Without a valid ISA no
segment can be read: the receiver returns the whole interchange (TA1 rejection)
and none of its claims reach adjudication.

## Fails
ISA*00*00*ZZ*SENDER*ZZ*RECEIVER*... (elements not padded to their widths)

## Passes
ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261127*1200*^*00501*000000001*0*P*:~

## Source
ASC X12 005010 control segments (ISA fixed-length elements); 005010X222A1 appendix C.
",
};

impl Rule for UnreadableInterchange {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
