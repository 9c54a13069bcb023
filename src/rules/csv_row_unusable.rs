//! X008 csv-row-unusable: found by the reader (`input`), not by a claim check.

use super::{Rule, RuleInfo, Stage};
use crate::finding::{Code, Severity};

pub(crate) struct CsvRowUnusable;

pub(crate) static INFO: RuleInfo = RuleInfo {
    code: Code::X008,
    name: "csv-row-unusable",
    title: "CSV row unusable",
    severity: Severity::Error,
    carc: "",
    rarc: "",
    stage: Stage::Input,
    needs: &[],
    explanation: "\
## What it checks
Each CSV row has a value for every required column (claim_id, patient_id,
date_of_service, procedure_code, units), a date in one of the accepted forms
(YYYY-MM-DD, MM/DD/YYYY, CCYYMMDD), numbers where numbers belong (units,
minutes, charge), times as HH:MM, and as many fields as the header.

## Why it matters
A row that cannot be read cannot be checked; sending its claim on would send
unchecked data. The claim it belongs to is rejected and the rest of the file is
still read.

## Fails
C1,P1,2026-02-30,97530,1

## Passes
C1,P1,2026-02-27,97530,1

## Source
claimscrub CSV export schema (RULES.md, The CSV export).
",
};

impl Rule for CsvRowUnusable {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
