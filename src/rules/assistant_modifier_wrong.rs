//! M005 assistant-modifier-wrong: CQ/CO missing, misplaced or mismatched.

use super::discipline_mismatches_provider::{discipline, Discipline};
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct AssistantModifierWrong;

static INFO: RuleInfo = RuleInfo {
    code: Code::M005,
    name: "assistant-modifier-wrong",
    title: "assistant modifier wrong",
    severity: Severity::Error,
    carc: "4",
    rarc: "N823",
    stage: Stage::Claim,
    needs: &[Data::Modifiers],
    explanation: "\
## What it checks
The therapy assistant modifiers on a 97530 line: CQ (PT assistant) needs GP,
CO (OT assistant) needs GO, neither goes with GN; and, where the payer policy
has `require_assistant_modifier` (Medicare) and the input carries taxonomy, a
PTA (225200000X) or OTA (224Z*) rendering provider needs CQ or CO.

## Why it matters
Since 2022 Medicare pays services furnished in whole or in part by a PTA or
OTA at 85%; the CQ/CO modifier is how the claim says so. A missing or
mismatched assistant modifier is denied (CARC 4, RARC N823) or, missing,
overpaid and recovered on audit.

## Fails
SV1*HC:97530:GO:CQ*45*UN*1***1; a PTA rendering provider with 97530:GP only.

## Passes
SV1*HC:97530:GP:CQ*45*UN*1***1 from a PTA.

## Source
CMS CQ/CO billing examples (Medicare Physician Fee Schedule, CY 2020-2022 final rules); 42 CFR 410.59-410.60.
",
};

impl Rule for AssistantModifierWrong {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            let m = &line.modifiers;
            let mut problems = Vec::new();
            if m.has("CQ") && !m.has("GP") {
                problems.push("CQ (PT assistant) without GP".to_string());
            }
            if m.has("CO") && !m.has("GO") {
                problems.push("CO (OT assistant) without GO".to_string());
            }
            if (m.has("CQ") || m.has("CO")) && m.has("GN") {
                problems.push(
                    "an assistant modifier with GN: SLP has no assistant modifier".to_string(),
                );
            }
            if cx.policy.require_assistant_modifier && !m.has("CQ") && !m.has("CO") {
                let taxonomy = &cx.claim.rendering_for(line).taxonomy;
                match discipline(taxonomy) {
                    Some(Discipline::Pta) => problems.push(format!(
                        "rendering provider is a PT assistant ({taxonomy}) and the line has no CQ"
                    )),
                    Some(Discipline::Ota) => problems.push(format!(
                        "rendering provider is an OT assistant ({taxonomy}) and the line has no CO"
                    )),
                    _ => {}
                }
            }
            if !problems.is_empty() {
                out.push(cx.finding(&INFO, problems.join("; ")).on_line(i));
            }
        }
    }
}
