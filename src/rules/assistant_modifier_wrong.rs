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
            // The five modifiers asked after, found in one pass.
            let b = line.modifiers.bits(&["CQ", "CO", "GP", "GO", "GN"]);
            let has = |i: u32| b & 1 << i != 0;
            let (cq, co, gp, go, gn) = (has(0), has(1), has(2), has(3), has(4));
            let mut problems = Vec::new();
            if cq && !gp {
                problems.push("CQ (PT assistant) without GP".to_string());
            }
            if co && !go {
                problems.push("CO (OT assistant) without GO".to_string());
            }
            if (cq || co) && gn {
                problems.push(
                    "an assistant modifier with GN: SLP has no assistant modifier".to_string(),
                );
            }
            if cx.policy.require_assistant_modifier && !cq && !co {
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
