//! The minutes side file (`--minutes FILE`): treatment minutes per claim
//! line, joined to 837P claims (which carry units, not minutes) by claim id
//! and line — the LX number or the REF*6R line control number.
//!
//! CSV with a header: `claim_id`, `line`, `minutes` (matched like the export's
//! headers). Rows that match no claim line are counted for the summary.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::model::Claim;
use crate::policy::PolicyError;

#[derive(Debug)]
pub struct MinutesTable {
    rows: HashMap<(String, String), (u32, usize)>,
    used: Vec<AtomicBool>,
    pub source: String,
}

fn norm(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

impl MinutesTable {
    pub fn load(path: &Path) -> Result<MinutesTable, PolicyError> {
        let text = std::fs::read(path).map_err(|e| PolicyError {
            source_name: path.display().to_string(),
            message: e.to_string(),
        })?;
        MinutesTable::parse(&text, &path.display().to_string())
    }

    pub fn parse(bytes: &[u8], source: &str) -> Result<MinutesTable, PolicyError> {
        let err = |message: String| PolicyError {
            source_name: source.to_string(),
            message,
        };
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let headers = rdr
            .headers()
            .map_err(|e| err(format!("line 1: {e}")))?
            .clone();
        let find = |names: &[&str]| {
            headers
                .iter()
                .position(|h| names.contains(&norm(h).as_str()))
        };
        let (Some(c), Some(l), Some(m)) = (
            find(&["claimid", "claim", "claimnumber", "encounterid"]),
            find(&["line", "lx", "linenumber", "linecontrol", "ref6r"]),
            find(&["minutes"]),
        ) else {
            return Err(err(
                "line 1: the header needs claim_id, line and minutes".into()
            ));
        };
        let mut rows = HashMap::new();
        for (i, rec) in rdr.records().enumerate() {
            let line_no = i + 2;
            let rec = rec.map_err(|e| err(format!("line {line_no}: {e}")))?;
            let get = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
            let (claim, line, minutes) = (get(c), get(l), get(m));
            let minutes: u32 = minutes.parse().map_err(|_| {
                err(format!(
                    "line {line_no}: minutes `{minutes}` is not a whole number"
                ))
            })?;
            if claim.is_empty() || line.is_empty() {
                return Err(err(format!(
                    "line {line_no}: claim_id and line are required"
                )));
            }
            let index = rows.len();
            if rows
                .insert((claim.clone(), line.clone()), (minutes, index))
                .is_some()
            {
                return Err(err(format!(
                    "line {line_no}: claim {claim} line {line} is given twice"
                )));
            }
        }
        let used = (0..rows.len()).map(|_| AtomicBool::new(false)).collect();
        Ok(MinutesTable {
            rows,
            used,
            source: source.to_string(),
        })
    }

    /// Give each line of `claim` that has no minutes the side file's minutes.
    pub fn join(&self, claim: &mut Claim) {
        let id = claim.id.clone();
        for line in claim.lines.iter_mut().filter(|l| l.minutes.is_none()) {
            let by_number = self.rows.get(&(id.to_string(), line.number.to_string()));
            let hit = by_number.or_else(|| {
                (!line.control.is_empty())
                    .then(|| self.rows.get(&(id.to_string(), line.control.to_string())))
                    .flatten()
            });
            if let Some(&(m, index)) = hit {
                line.minutes = Some(m);
                self.used[index].store(true, Ordering::Relaxed);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Rows that matched no claim line (so far).
    pub fn unmatched(&self) -> usize {
        self.used
            .iter()
            .filter(|u| !u.load(Ordering::Relaxed))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceLine;

    #[test]
    fn joins_by_lx_number_or_line_control_and_counts_the_rest() {
        let t = MinutesTable::parse(
            b"Claim ID,Line,Minutes\nA,1,23\nA,REF-2,10\nB,1,8\n",
            "m.csv",
        )
        .unwrap();
        let mut c = Claim {
            id: "A".into(),
            lines: vec![
                ServiceLine {
                    number: 1,
                    ..Default::default()
                },
                ServiceLine {
                    number: 2,
                    control: "REF-2".into(),
                    ..Default::default()
                },
                ServiceLine {
                    number: 3,
                    minutes: Some(5),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        t.join(&mut c);
        assert_eq!(
            c.lines.iter().map(|l| l.minutes).collect::<Vec<_>>(),
            [Some(23), Some(10), Some(5)]
        );
        assert_eq!(t.unmatched(), 1);
        assert!(MinutesTable::parse(b"claim_id,line\nA,1\n", "m.csv").is_err());
        let e = MinutesTable::parse(b"claim_id,line,minutes\nA,1,x\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(MinutesTable::parse(b"claim_id,line,minutes\nA,1,3\nA,1,4\n", "m.csv").is_err());
    }
}
