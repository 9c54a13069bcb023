//! N002 skilled-input-missing: the note shows no level of assistance and no
//! cueing or other skilled input.

use std::borrow::Cow;

use super::notes::push_quoted;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::policy::lexicon::quote;

pub(crate) struct SkilledInputMissing;

static INFO: RuleInfo = RuleInfo {
    code: Code::N002,
    name: "skilled-input-missing",
    title: "skilled intervention not described",
    severity: Severity::Warning,
    carc: "",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Notes],
    explanation: "\
## What it checks
The note of each 97530 line names a level of assistance (independent,
modified independent, supervision/SBA, contact guard, min/mod/max assist,
dependent, in their usual spellings: \"min assist\", \"minimal assistance\",
\"Min A\") or cueing or other skilled input (verbal/tactile/visual cues,
facilitation, stabilization, guarding, grading, manual assist,
instruction, training, sequencing). Negated words do not count: \"no verbal
cues needed\" is not cueing; \"not independent\" is not a level. The
finding says what was looked for, and quotes a negated phrase it found.

## Why it matters
97530 pays for a therapist's skilled, one-on-one work. A note that says the
patient did something, and not what the therapist did or how much help was
needed, does not show a skilled service: auditors deny it as not
reasonable and necessary.

## Fails
\"Patient practiced transfers for 15 minutes.\"

## Passes
\"Sit-to-stand transfers from standard chair, moderate manual assist and
verbal cueing for forward weight shift.\"

## Source
Medicare Benefit Policy Manual (Pub. 100-02) ch. 15 §220.2 (skilled
services) and §220.3 (treatment notes); the seed pair in RULES.md.
Lexicon: `claimscrub config --lexicon`; extend it with `[lexicon]` in the
policy file.
",
};

/// The message of a note that names neither (the same for every such
/// note: given as it is, not copied).
const NOTHING_NAMED: &str =
    "the note names no level of assistance (e.g. \"min assist\", \"CGA\", \"supervision\") \
     and no cueing or skilled input (e.g. \"verbal cues\", \"facilitation\", \"guarding\")";

impl Rule for SkilledInputMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for n in cx.noted_97530() {
            if n.facts.skilled_evidence().is_some() {
                continue;
            }
            let msg: Cow<'static, str> = if n.facts.empty {
                "the note is empty: no level of assistance, no cueing or skilled input".into()
            } else if let Some(s) = n.facts.negated {
                let mut msg = String::with_capacity(NOTHING_NAMED.len() + 80);
                msg.push_str(NOTHING_NAMED);
                msg.push_str("; ");
                push_quoted(&mut msg, quote(n.note, s));
                msg.push_str(" is negated");
                msg.into()
            } else {
                NOTHING_NAMED.into()
            };
            out.push(cx.finding(&INFO, msg).on_line(n.index));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{noted, run};

    fn check(note: &str) -> Vec<Finding> {
        run(&SkilledInputMissing, &noted(note))
    }

    #[test]
    fn seed_pair() {
        assert_eq!(
            check("Patient practiced transfers for 15 minutes.").len(),
            1
        );
        assert!(check("Provided 17 minutes of skilled training for sit-to-stand transfer from standard chair height. Patient required moderate manual assist and verbal cueing for forward momentum initiation and dynamic knee stability throughout the ascent. Focus on sequencing and trunk control to address goal of independent home transfers.").is_empty());
    }

    #[test]
    fn spellings_of_assistance_are_one_level() {
        for note in [
            "Transfers with min assist.",
            "Transfers with minimal assistance.",
            "Transfers, Min A.",
            "Transfers with min. assist",
            "Transfers CGA.",
            "Stairs with SBA.",
            "Bed mobility mod I.",
            "Transfers independent with walker.",
        ] {
            assert!(check(note).is_empty(), "{note}");
        }
    }

    #[test]
    fn negated_cues_are_not_cueing() {
        let f = check("Patient completed transfers, no verbal cues needed.");
        // "no verbal cues" is independence, which is a level: no N002.
        assert!(f.is_empty());
        let f = check("Reaching tasks in standing; cues were not required.");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("negated"), "{}", f[0].message);
        assert!(f[0].message.contains("cues were not"), "{}", f[0].message);
    }

    #[test]
    fn minutes_are_not_min_assist() {
        assert_eq!(check("Transfers for 10 min assisted by spouse.").len(), 1);
    }
}
