//! The NCCI pairs of a claim's visits that involve 97530, shared by M007,
//! M008 and M009: which two lines, which is column two (the line a modifier
//! must bypass, and the line a payer denies), and whether any modifier may.

use super::Cx;
use crate::model::THERAPEUTIC_ACTIVITIES;

pub(crate) struct Pair {
    /// The 97530 line of the pair.
    pub line_97530: usize,
    /// Which of the two lines is column one / column two of the edit.
    pub column1: usize,
    pub column2: usize,
    /// 1: a bypass modifier on the column-two line may bypass it; 0: none may.
    pub indicator: u8,
    /// The payer denies the pair whatever the modifier (`never_bypass`).
    pub never: bool,
    /// The visit's date, under which the table's edit applies.
    date: chrono::NaiveDate,
    /// The pair is on the table (else only on the policy's list).
    on_table: bool,
}

/// The pairs, found once a claim (three rules ask).
pub(crate) fn pairs<'c>(cx: &'c Cx<'_>) -> &'c [Pair] {
    cx.ncci.get_or_init(|| find(cx))
}

fn find(cx: &Cx<'_>) -> smallvec::SmallVec<[Pair; 2]> {
    let lines = &cx.claim.lines;
    let mut out: smallvec::SmallVec<[Pair; 2]> = smallvec::SmallVec::new();
    for v in cx.visits {
        let Some(date) = v.date else { continue };
        for &l in v.lines.iter().filter(|&&i| lines[i].is_97530()) {
            for &p in v.lines.iter().filter(|&&i| !lines[i].is_97530()) {
                let code = lines[p].procedure.as_str();
                let never = cx.policy.never_bypasses(THERAPEUTIC_ACTIVITIES, code);
                let (column2_is_97530, indicator, on_table) = match cx.tables.ncci.edit(code, date)
                {
                    Some(e) => (e.column2 == THERAPEUTIC_ACTIVITIES, e.indicator, true),
                    None if never => {
                        // Only the payer's list: its second code is column two.
                        let col2 = cx
                            .policy
                            .never_bypass
                            .iter()
                            .find(|[a, b]| {
                                (a == THERAPEUTIC_ACTIVITIES && b == code)
                                    || (a == code && b == THERAPEUTIC_ACTIVITIES)
                            })
                            .map(|[_, b]| b.as_str() == THERAPEUTIC_ACTIVITIES)
                            .unwrap_or(true);
                        (col2, 0, false)
                    }
                    None => continue,
                };
                let (column1, column2) = if column2_is_97530 { (p, l) } else { (l, p) };
                // A handful of pairs a claim: a scan beats a hash set.
                if !out
                    .iter()
                    .any(|q| (q.column1, q.column2) == (column1, column2))
                {
                    out.push(Pair {
                        line_97530: l,
                        column1,
                        column2,
                        indicator: if never { 0 } else { indicator },
                        never,
                        date,
                        on_table,
                    });
                }
            }
        }
    }
    out
}

impl Pair {
    /// Where the pair's edit comes from: the table's row, or the policy's
    /// list. Looked up again for a message (rare), not kept with each pair.
    pub fn source<'c>(&self, cx: &'c Cx<'_>) -> std::borrow::Cow<'c, str> {
        let partner = if self.column1 == self.line_97530 {
            self.column2
        } else {
            self.column1
        };
        let code = cx.claim.lines[partner].procedure.as_str();
        match cx.tables.ncci.edit(code, self.date) {
            Some(e) if self.on_table => e.source.as_str().into(),
            _ => format!("the {} policy's never_bypass list", cx.policy.name).into(),
        }
    }

    /// "97140 (line 2) / 97530 (line 1)": column one, then column two.
    pub fn describe(&self, cx: &Cx<'_>) -> String {
        let l = &cx.claim.lines;
        format!(
            "NCCI pair column 1 {} (line {}) / column 2 {} (line {})",
            l[self.column1].procedure,
            l[self.column1].number,
            l[self.column2].procedure,
            l[self.column2].number
        )
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::finding::Code;
    use crate::model::{Available, ServiceLine};
    use crate::policy::{ncci::NcciTable, PolicySet, Tables};
    use crate::rules::testing::{claim, line_97530};
    use crate::rules::{Engine, Selection};

    /// Each pair's message names where its edit comes from: the table's row
    /// (looked up again for the message), or the policy's list for a pair
    /// the table does not hold.
    #[test]
    fn a_pairs_message_names_its_source() {
        let mut ncci = NcciTable::default();
        let rows = "97140\t97530\t\t20000101\t*\t1\tx\n97530\t97116\t\t20000101\t*\t0\tx\n";
        ncci.read_part(rows.as_bytes(), "ptp.txt").unwrap();
        let tables = Tables {
            ncci,
            ..Tables::default()
        };
        let policy = "[[policy]]\nname = \"acme\"\nfallback = true\nunit_method = \"cms\"\n\
                      timely_filing_days = 365\nnever_bypass = [[\"97110\", \"97530\"]]\n";
        let e = Engine::new(
            PolicySet::parse(policy, "t").unwrap(),
            Selection::default(),
            chrono::NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            true,
            &Available::ALL,
            Arc::new(tables),
        );
        let partner = |number: u32, code: &str| ServiceLine {
            number,
            procedure: code.into(),
            ..line_97530()
        };
        let c = claim(vec![
            line_97530(),
            partner(2, "97140"),
            partner(3, "97116"),
            partner(4, "97110"),
        ]);
        let messages: Vec<(Code, String)> = e
            .check(&c, Vec::new())
            .findings
            .into_iter()
            .filter(|f| matches!(f.code, Code::M008 | Code::M009))
            .map(|f| (f.code, f.message.to_string()))
            .collect();
        let has =
            |code: Code, text: &str| messages.iter().any(|(c, m)| *c == code && m.contains(text));
        assert!(
            has(Code::M008, "(modifier indicator 1, ptp.txt line 1)"),
            "{messages:?}"
        );
        assert!(
            has(Code::M009, "modifier indicator 0 (ptp.txt line 2)"),
            "{messages:?}"
        );
        assert!(
            has(Code::M009, "the acme policy denies this pair"),
            "{messages:?}"
        );
        assert_eq!(messages.len(), 3, "{messages:?}");
    }
}
