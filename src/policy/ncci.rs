//! NCCI procedure-to-procedure (PTP) edits that involve 97530: the shipped
//! default table (`ncci_default.csv`, every row with its source, unverified
//! until checked against a CMS file) or the official CMS practitioner PTP
//! files given with `--ncci` (repeatable: CMS publishes the table in parts).
//!
//! An edit applies to a date of service when effective ≤ date and (no
//! deletion date or date ≤ deletion date). Only 97530's pairs are kept, so a
//! full CMS file loads in well under a second.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use chrono::NaiveDate;

use super::PolicyError;
use crate::model::{parse_date, THERAPEUTIC_ACTIVITIES};

pub const DEFAULT_CSV: &str = include_str!("ncci_default.csv");

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub column1: String,
    pub column2: String,
    pub effective: NaiveDate,
    pub deletion: Option<NaiveDate>,
    /// 0: no modifier bypasses it; 1: a bypass modifier may.
    pub indicator: u8,
    /// Where the edit came from (file and line, or the default row's source).
    pub source: String,
}

impl Edit {
    pub fn applies_on(&self, date: NaiveDate) -> bool {
        self.effective <= date && self.deletion.is_none_or(|d| date <= d)
    }
}

/// 97530's edits, by partner code.
#[derive(Clone, Debug, Default)]
pub struct NcciTable {
    /// Looked up for every line beside a 97530 (foldhash: SipHash showed).
    by_partner: HashMap<String, Vec<Edit>, foldhash::fast::RandomState>,
    pub source: String,
}

impl NcciTable {
    /// The shipped default pairs.
    pub fn default_table() -> NcciTable {
        let mut t = NcciTable {
            source: "the shipped default pairs (unverified)".into(),
            ..Default::default()
        };
        let mut rdr = csv::Reader::from_reader(DEFAULT_CSV.as_bytes());
        for rec in rdr.records() {
            let rec = rec.expect("the default NCCI table is valid CSV");
            let date = |s: &str| parse_date(s);
            t.add(Edit {
                column1: rec[0].to_string(),
                column2: rec[1].to_string(),
                indicator: rec[2].parse().expect("indicator"),
                effective: date(&rec[3]).expect("effective date"),
                deletion: date(&rec[4]),
                source: rec[5].to_string(),
            });
        }
        t
    }

    fn add(&mut self, e: Edit) {
        let partner = if e.column1 == THERAPEUTIC_ACTIVITIES {
            e.column2.clone()
        } else {
            e.column1.clone()
        };
        self.by_partner.entry(partner).or_default().push(e);
    }

    /// The edit between 97530 and `partner` in force on `date`, if any.
    pub fn edit(&self, partner: &str, date: NaiveDate) -> Option<&Edit> {
        self.by_partner
            .get(partner)?
            .iter()
            .find(|e| e.applies_on(date))
    }

    pub fn len(&self) -> usize {
        self.by_partner.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.by_partner.is_empty()
    }

    /// Load CMS PTP files (all parts) into one table.
    pub fn load(paths: &[std::path::PathBuf]) -> Result<NcciTable, PolicyError> {
        let mut t = NcciTable {
            source: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            ..Default::default()
        };
        for p in paths {
            let f = std::fs::File::open(p).map_err(|e| PolicyError {
                source_name: p.display().to_string(),
                message: e.to_string(),
            })?;
            t.read_part(f, &p.display().to_string())?;
        }
        Ok(t)
    }

    /// Read one CMS PTP part: tab-delimited or CSV text; header lines before
    /// the data are passed over; rows that do not involve 97530 are skipped
    /// before they are parsed.
    pub fn read_part(&mut self, src: impl Read, name: &str) -> Result<usize, PolicyError> {
        let err = |line: usize, message: String| PolicyError {
            source_name: name.to_string(),
            message: format!("line {line}: {message}"),
        };
        let mut kept = 0;
        let mut data_rows = 0;
        let mut reader = BufReader::with_capacity(1 << 20, src);
        let mut buf = Vec::new();
        let mut line = 0;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| err(line + 1, e.to_string()))?;
            if n == 0 {
                break;
            }
            line += 1;
            // Fast path: most rows of a full CMS file do not involve 97530.
            if memchr::memmem::find(&buf, THERAPEUTIC_ACTIVITIES.as_bytes()).is_none() {
                let looks_like_data = buf.len() > 6
                    && buf[..5].iter().all(u8::is_ascii_alphanumeric)
                    && matches!(buf[5], b'\t' | b',');
                data_rows += usize::from(looks_like_data);
                continue;
            }
            let text = String::from_utf8_lossy(&buf);
            let fields: Vec<String> = if text.contains('\t') {
                text.split('\t')
                    .map(|f| f.trim().trim_matches('"').to_string())
                    .collect()
            } else {
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(buf.as_slice());
                match r.records().next() {
                    Some(Ok(rec)) => rec.iter().map(|f| f.trim().to_string()).collect(),
                    _ => continue,
                }
            };
            // A data row: two codes and an 8-digit effective date.
            let is_code = |s: &str| s.len() == 5 && s.bytes().all(|b| b.is_ascii_alphanumeric());
            if fields.len() < 6 || !is_code(&fields[0]) || !is_code(&fields[1]) {
                continue;
            }
            data_rows += 1;
            if fields[0] != THERAPEUTIC_ACTIVITIES && fields[1] != THERAPEUTIC_ACTIVITIES {
                continue;
            }
            let effective = parse_date(&fields[3]).ok_or_else(|| {
                err(
                    line,
                    format!("effective date `{}` is not CCYYMMDD", fields[3]),
                )
            })?;
            let deletion = match fields[4].as_str() {
                "" | "*" => None,
                d => Some(parse_date(d).ok_or_else(|| {
                    err(line, format!("deletion date `{d}` is not CCYYMMDD or *"))
                })?),
            };
            let indicator: u8 = match fields[5].as_str() {
                "0" => 0,
                "1" => 1,
                "9" => continue, // not applicable: the edit does not apply
                other => {
                    return Err(err(
                        line,
                        format!("modifier indicator `{other}` is not 0, 1 or 9"),
                    ))
                }
            };
            self.add(Edit {
                column1: fields[0].clone(),
                column2: fields[1].clone(),
                effective,
                deletion,
                indicator,
                source: format!("{name} line {line}"),
            });
            kept += 1;
        }
        if data_rows == 0 {
            return Err(err(line, "no PTP edit rows (Column 1, Column 2, *, Effective Date, Deletion Date, Modifier indicator)".into()));
        }
        Ok(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn default_table_has_the_catalogue_pairs() {
        let t = NcciTable::default_table();
        assert_eq!(t.len(), 5);
        let e = t.edit("97140", d("2026-11-02")).unwrap();
        assert_eq!(
            (e.column1.as_str(), e.column2.as_str(), e.indicator),
            ("97140", "97530", 1)
        );
        assert_eq!(t.edit("97116", d("2026-11-02")).unwrap().column2, "97116");
        assert!(
            t.edit("97116", d("2020-09-30")).is_none(),
            "reinstated 2020-10-01"
        );
        assert!(
            t.edit("97161", d("2026-11-02")).is_none(),
            "the 2020 evaluation edits were withdrawn"
        );
    }

    #[test]
    fn reads_cms_parts_with_headers_deletions_and_future_rows() {
        let tab = "CPT only copyright 2025 American Medical Association. All rights reserved.\n\
            Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n\
            97140\t97530\t\t20000101\t*\t1\tMisuse of column two code with column one code\n\
            97530\t97116\t\t20200101\t20200331\t1\tdeleted\n\
            97530\t97116\t\t20201001\t*\t1\treinstated\n\
            97530\t97112\t\t20300101\t*\t0\tfuture\n\
            97110\t97140\t\t20000101\t*\t1\tnot ours\n";
        let csv = "\"Column 1\",\"Column 2\",\"*\",\"Effective Date\",\"Deletion Date\",\"Modifier\",\"Rationale\"\n97530,97535,,20100101,*,9,n/a\n97530,97168,,20200101,*,0,hard\n";
        let mut t = NcciTable::default();
        assert_eq!(t.read_part(tab.as_bytes(), "part1.txt").unwrap(), 4);
        assert_eq!(t.read_part(csv.as_bytes(), "part2.csv").unwrap(), 1);
        assert!(t.edit("97116", d("2020-02-01")).is_some());
        assert!(
            t.edit("97116", d("2020-06-01")).is_none(),
            "deleted 2020-03-31, back 2020-10-01"
        );
        assert!(
            t.edit("97116", d("2020-03-31")).is_some(),
            "the deletion date is inclusive"
        );
        assert!(t.edit("97112", d("2026-11-02")).is_none(), "future-dated");
        assert!(t.edit("97112", d("2030-01-01")).is_some());
        assert!(
            t.edit("97535", d("2026-11-02")).is_none(),
            "indicator 9 does not apply"
        );
        assert_eq!(t.edit("97168", d("2026-11-02")).unwrap().indicator, 0);
        assert!(t
            .edit("97140", d("2026-11-02"))
            .unwrap()
            .source
            .contains("part1.txt line 3"));
        let e = NcciTable::default()
            .read_part("97140\t97530\t\tyesterday\t*\t1\tx\n".as_bytes(), "bad.txt")
            .unwrap_err();
        assert!(
            e.to_string().contains("bad.txt") && e.to_string().contains("line 1"),
            "{e}"
        );
        assert!(NcciTable::default()
            .read_part("nothing here\n".as_bytes(), "empty.txt")
            .is_err());
    }
}
