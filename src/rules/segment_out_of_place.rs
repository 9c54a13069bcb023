//! X005 segment-out-of-place: found by the reader (`input`), not by a claim check.

use super::{Rule, RuleInfo, Stage};
use crate::finding::{Code, Severity};

pub(crate) struct SegmentOutOfPlace;

pub(crate) static INFO: RuleInfo = RuleInfo {
    code: Code::X005,
    name: "segment-out-of-place",
    title: "segment out of place",
    severity: Severity::Error,
    carc: "",
    rarc: "",
    stage: Stage::Input,
    needs: &[],
    explanation: "\
## What it checks
The order the 837P loops require: a service line (SV1) inside an LX, an LX
inside a claim (CLM), a CLM under a subscriber or patient HL, an HL whose
parent exists, and header segments (GS, ST) inside their envelopes. And the
loops and elements every claim requires: its id (CLM01); its billing
provider's name NM1*85 (2010AA) with an NPI; in its subscriber loop SBR
(2000B), the subscriber's name NM1*IL (2010BA) and the payer's name NM1*PR
(2010BB); in a patient loop, the patient's name NM1*QC (2010CA); at least
one service line (2400), each LX with its SV1 and each
SV1 with a procedure code (SV101-2). Without them the claim names no
billing provider, subscriber or payer, or bills nothing. An SV101 whose
components are split by another character than the interchange's ISA16
reads as a qualifier alone: the finding shows the element as it stands.

## Why it matters
When a segment stands where the implementation guide does not allow it, the
receiver cannot tell which claim, line or patient it belongs to: it rejects the
transaction (IK3 segment not in proper sequence; a required segment missing is
IK3 code 3). The claim it touches is held back here rather than sent with a
guess.

## Fails
CLM*A1*45***11:B:1*Y*A*Y*Y followed by SV1*HC:97530:GP*45*UN*1***1 with no LX between.

## Passes
CLM*A1*45***11:B:1*Y*A*Y*Y then LX*1 then SV1*HC:97530:GP*45*UN*1***1

## Source
005010X222A1 transaction set listing (loops 2000A-2400; 2010AA, 2010BA,
2010BB and 2010CA NM1, 2000B SBR and loop 2400 required); 005010X231A1 IK3
codes 2 and 3.
",
};

impl Rule for SegmentOutOfPlace {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
