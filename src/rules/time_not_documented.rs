//! N001 time-not-documented: a timed line whose treatment time is nowhere.

use super::notes::quoted;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct TimeNotDocumented;

static INFO: RuleInfo = RuleInfo {
    code: Code::N001,
    name: "time-not-documented",
    title: "no treatment time documented",
    severity: Severity::Warning,
    carc: "",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Notes],
    explanation: "\
## What it checks
Each timed line of a visit with 97530 (97530 itself and, say, the 97110 of
the same visit) in an export with a `note` column: the line has no minutes
(no `minutes`, no `start_time`/`end_time`) and its note states no time
either (looked for: a number with min/minutes/hr, as in \"17 minutes\" or
\"x15 min\", or a clock range such as \"10:05-10:20\").

## Why it matters
Timed codes are billed by the minute: the treatment note must record the
timed minutes (and total treatment time). Without them the units cannot be
defended, and under the cms method the whole visit's units depend on every
timed line's minutes.

## Fails
A 97530 row with empty `minutes` and the note \"Patient practiced transfers
with min assist.\"

## Passes
The same row with `minutes` 15, or with the note \"Patient practiced
transfers with min assist for 15 minutes.\"

## Source
Medicare Benefit Policy Manual (Pub. 100-02) ch. 15 §220.3 (treatment note:
total timed code treatment minutes and total treatment time).
",
};

impl Rule for TimeNotDocumented {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for n in cx.noted_timed_lines() {
            if n.line.minutes.is_some() || n.facts.time.is_some() {
                continue;
            }
            let what = if n.facts.empty {
                "its note is empty".to_string()
            } else {
                format!(
                    "its note {} states no time (looked for \"NN min\" or \"HH:MM-HH:MM\")",
                    quoted(n.note)
                )
            };
            let msg = format!(
                "{} line has no minutes or start/stop time, and {what}",
                n.line.procedure
            );
            out.push(cx.finding(&INFO, msg).on_line(n.index));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{claim, line_97530, run};

    fn noted(note: &str, minutes: Option<u32>) -> crate::model::ServiceLine {
        let mut l = line_97530();
        l.note = Some(note.into());
        l.minutes = minutes;
        l
    }

    #[test]
    fn minutes_or_a_stated_time_pass() {
        let c = claim(vec![noted("Transfers with min assist.", Some(15))]);
        assert!(run(&TimeNotDocumented, &c).is_empty());
        for note in [
            "Transfers with min assist for 15 minutes.",
            "Transfers x15 min with CGA.",
            "Transfers 10:05-10:20 with CGA.",
            "Transfer training, 12min.",
        ] {
            let c = claim(vec![noted(note, None)]);
            assert!(run(&TimeNotDocumented, &c).is_empty(), "{note}");
        }
    }

    #[test]
    fn no_time_anywhere_fails() {
        let c = claim(vec![noted(
            "Transfers with min assist, 3x10 sit to stand.",
            None,
        )]);
        let f = run(&TimeNotDocumented, &c);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("states no time"), "{}", f[0].message);
        let c = claim(vec![noted("", None)]);
        assert!(run(&TimeNotDocumented, &c)[0].message.contains("empty"));
    }

    #[test]
    fn another_timed_line_of_the_visit_is_read_only_without_minutes() {
        let mut exercise = noted("Bridges 3x10, clamshells.", None);
        exercise.procedure = "97110".into();
        let c = claim(vec![
            noted("Transfers with min assist.", Some(15)),
            exercise.clone(),
        ]);
        let f = run(&TimeNotDocumented, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].line, Some(1));
        assert!(f[0].message.starts_with("97110"), "{}", f[0].message);
        exercise.minutes = Some(12);
        let c = claim(vec![
            noted("Transfers with min assist.", Some(15)),
            exercise,
        ]);
        assert!(run(&TimeNotDocumented, &c).is_empty());
    }
}
