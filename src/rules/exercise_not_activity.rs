//! N004 exercise-not-activity: the note reads as therapeutic exercise (97110).

use super::notes::push_quoted;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::policy::lexicon::{quote, Cat};

pub(crate) struct ExerciseNotActivity;

static INFO: RuleInfo = RuleInfo {
    code: Code::N004,
    name: "exercise-not-activity",
    title: "looks like therapeutic exercise (97110)",
    severity: Severity::Warning,
    carc: "",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Notes],
    explanation: "\
## What it checks
The note of each 97530 line describes isolated exercise — sets × reps
(\"3x10\", \"3 x 10\", \"x10\", \"10 reps\"), a named muscle group (quads,
hamstrings, glutes, rotator cuff), bands, weights, strengthening, range of
motion, named exercises (SLR, clamshells, heel raises) — and names no
functional task. The finding quotes up to three exercise words.

## Why it matters
97530 is dynamic, functional activity; exercise for strength, endurance or
range of motion is 97110, paid less and bundled with 97530 under NCCI. A
97530 line whose note describes 97110 work is recoded or denied on review.

## Fails
\"Pt performed 3x10 LAQ and hip abduction with 2# cuff weight, red
theraband rows.\"

## Passes
\"Lifting 10 lb box from floor to counter, 3x5, with min assist and verbal
cues for body mechanics.\" (exercise words, but a functional task)

## Source
CPT descriptors of 97110 and 97530; Medicare Benefit Policy Manual (Pub.
100-02) ch. 15 §220.3; the seed pair in RULES.md.
",
};

impl Rule for ExerciseNotActivity {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for n in cx.noted_97530() {
            if n.facts.exercise().is_empty() || n.facts.first(Cat::Task).is_some() {
                continue;
            }
            let mut msg = String::with_capacity(160);
            msg.push_str("the note describes exercise (");
            for (i, s) in n.facts.exercise().iter().enumerate() {
                if i > 0 {
                    msg.push_str(", ");
                }
                push_quoted(&mut msg, quote(n.note, *s));
            }
            msg.push_str(") and names no functional task: it reads as 97110");
            out.push(cx.finding(&INFO, msg).on_line(n.index));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{noted, run};

    fn check(note: &str) -> Vec<Finding> {
        run(&ExerciseNotActivity, &noted(note))
    }

    #[test]
    fn exercise_without_task_fails_with_quotes() {
        let f = check("Pt performed 3x10 LAQ and hip abduction with 2# cuff weight.");
        assert_eq!(f.len(), 1);
        let m = &f[0].message;
        assert!(m.contains("\"3x10\"") && m.contains("\"LAQ\""), "{m}");
        let f = check("Quad sets 2 × 15, SLR 3×10 each leg.");
        assert!(f[0].message.contains("×"), "{}", f[0].message);
    }

    #[test]
    fn exercise_in_a_functional_task_passes() {
        assert!(check("Lifting 10 lb box floor to counter 3x5 with min assist.").is_empty());
        assert!(check("Patient practiced transfers for 15 minutes.").is_empty());
        assert!(check("Sit to stand x10 with CGA").is_empty());
    }

    #[test]
    fn minutes_are_not_reps() {
        assert!(check("Balance activity x15 min with CGA.").is_empty());
    }
}
