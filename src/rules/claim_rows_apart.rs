//! X009 claim-rows-apart: found by the reader (`input`), not by a claim check.

use super::{Rule, RuleInfo, Stage};
use crate::finding::{Code, Severity};

pub(crate) struct ClaimRowsApart;

pub(crate) static INFO: RuleInfo = RuleInfo {
    code: Code::X009,
    name: "claim-rows-apart",
    title: "claim rows not together",
    severity: Severity::Error,
    carc: "",
    rarc: "",
    stage: Stage::Input,
    needs: &[],
    explanation: "\
## What it checks
The rows of one claim id stand together: a claim id seen again after rows of
other claims came between fails.

## Why it matters
Claims are streamed: a claim is checked as soon as its rows end. Rows that
come back later would be a second claim with the same id, split in two, and
the claim total, visits and duplicates would be judged on half a claim. Sort
the export by claim id.

## Fails
rows C1, C2, C1

## Passes
rows C1, C1, C2

## Source
claimscrub CSV export schema (RULES.md, The CSV export: rows of one claim are consecutive).
",
};

impl Rule for ClaimRowsApart {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
