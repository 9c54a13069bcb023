//! T005 minutes-unknown: the time rules could not run for a claim.

use super::time::TimeState;
use super::{Cx, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct MinutesUnknown;

static INFO: RuleInfo = RuleInfo {
    code: Code::T005,
    name: "minutes-unknown",
    title: "minutes not known",
    severity: Severity::Info,
    carc: "",
    rarc: "",
    stage: Stage::Claim,
    needs: &[],
    explanation: "\
## What it checks
Whether the minutes the time rules need are known: under `cms`, for every
timed line of a visit with 97530; under `per_code`, for each 97530 line.
Minutes come from a CSV `minutes` column, CSV start/stop times, an 837P line
reported in minutes (SV103 MJ), or a side file (`--minutes`). Said once per
claim, on the first line that lacks them.

## Why it matters
Without minutes T001-T004 cannot judge the units; this says so rather than
passing the claim in silence. Supply minutes to have the 8-minute rule checked.

## Fails
An 837P 97530 line in units (SV103 UN) with no `--minutes` row for it.

## Passes
The same line with a `--minutes` row giving its minutes.

## Source
Medicare Claims Processing Manual (Pub. 100-04) ch. 5 §20.2 (units follow documented minutes).
",
};

impl Rule for MinutesUnknown {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let first = cx.time().iter().find_map(|vt| match vt.state {
            TimeState::Unknown { line } => Some(line),
            _ => None,
        });
        if let Some(line) = first {
            cx.report(&INFO, out, || {
                let l = &cx.claim.lines[line];
                let msg = format!(
                    "no minutes for line {} ({}): the time rules did not run for this claim",
                    l.number, l.procedure
                );
                cx.finding(&INFO, msg).on_line(line)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::finding::{Code, Severity};
    use crate::model::{Available, Claim};
    use crate::policy::{PolicySet, Tables};
    use crate::rules::testing::{claim, line_97530};
    use crate::rules::{Engine, Selection};

    fn run(policy: Option<&str>, show_info: bool) -> crate::rules::Outcome {
        let policies = match policy {
            Some(toml) => PolicySet::parse(toml, "t").unwrap(),
            None => PolicySet::embedded(),
        };
        let e = Engine::new(
            policies,
            Selection::default(),
            chrono::NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            show_info,
            &Available::ALL,
            Arc::new(Tables::default()),
        );
        // A 97530 line in units with no minutes.
        let c: Claim = claim(vec![line_97530()]);
        e.check(&c, Vec::new())
    }

    fn t005(o: &crate::rules::Outcome) -> Option<(Severity, String)> {
        o.findings
            .iter()
            .find(|f| f.code == Code::T005)
            .map(|f| (f.severity, f.message.to_string()))
    }

    /// Hidden as info, T005 is still counted; shown (`--show-info`, or
    /// raised by a policy), it names the line and its code.
    #[test]
    fn counted_when_hidden_and_told_in_full_when_shown() {
        let hidden = run(None, false);
        assert_eq!(t005(&hidden), None);
        assert_eq!(hidden.hidden_info, 1);
        let full = "no minutes for line 1 (97530): the time rules did not run for this claim";
        assert_eq!(t005(&run(None, true)), Some((Severity::Info, full.into())));
        let raised =
"[[policy]]\nname = \"p\"\nfallback = true\nunit_method = \"cms\"\ntimely_filing_days = 365\n\
             [policy.severity]\nT005 = \"warning\"\n";
        assert_eq!(
            t005(&run(Some(raised), false)),
            Some((Severity::Warning, full.into()))
        );
        let off = raised.replace("\"warning\"", "\"off\"");
        let o = run(Some(&off), false);
        assert_eq!(
            (t005(&o), o.hidden_info),
            (None, 0),
            "off: neither told nor counted"
        );
    }
}
