//! The CMS practitioner MUE table (`--mue FILE`): medically unlikely edits,
//! the most units of a code one provider bills one patient on one date.
//!
//! The official CSV starts with a copyright notice; its columns are HCPCS/CPT
//! Code, Practitioner Services MUE Values, MUE Adjudication Indicator, MUE
//! Rationale. No MUE value ships with claimscrub as fact.

use std::collections::HashMap;
use std::path::Path;

use super::PolicyError;

/// How an MUE is adjudicated (the MAI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mai {
    /// 1: per claim line.
    Line,
    /// 2 (policy) and 3 (clinical): per patient and date, all lines and claims.
    Date(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mue {
    pub value: u32,
    pub mai: Mai,
}

#[derive(Clone, Debug, Default)]
pub struct MueTable {
    codes: HashMap<String, Mue>,
    /// The file it came from, for messages.
    pub source: String,
}

impl MueTable {
    pub fn get(&self, code: &str) -> Option<Mue> {
        self.codes.get(code).copied()
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub fn load(path: &Path) -> Result<MueTable, PolicyError> {
        let text = std::fs::read(path).map_err(|e| PolicyError {
            source_name: path.display().to_string(),
            message: e.to_string(),
        })?;
        MueTable::parse(&text, &path.display().to_string())
    }

    pub fn parse(bytes: &[u8], source: &str) -> Result<MueTable, PolicyError> {
        let err = |message: String| PolicyError {
            source_name: source.to_string(),
            message,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut cols: Option<(usize, usize, usize)> = None;
        let mut codes = HashMap::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 1;
            let rec = rec.map_err(|e| err(format!("line {line}: {e}")))?;
            let Some((c, v, m)) = cols else {
                // Lines before the header (the copyright notice) are passed over.
                let find = |pat: &str| {
                    rec.iter()
                        .position(|h| h.to_ascii_lowercase().contains(pat))
                };
                if let (Some(c), Some(v), Some(m)) =
                    (find("hcpcs"), find("mue value"), find("adjudication"))
                {
                    cols = Some((c, v, m));
                }
                continue;
            };
            let code = rec.get(c).unwrap_or("").trim();
            if code.is_empty() {
                continue;
            }
            let value: u32 = rec.get(v).unwrap_or("").trim().parse().map_err(|_| {
                err(format!(
                    "line {line}: MUE value `{}` for {code} is not a whole number",
                    rec.get(v).unwrap_or("")
                ))
            })?;
            let mai_text = rec.get(m).unwrap_or("").trim();
            let mai = match mai_text.chars().next() {
                Some('1') => Mai::Line,
                Some('2') => Mai::Date(2),
                Some('3') => Mai::Date(3),
                _ => return Err(err(format!("line {line}: MUE adjudication indicator `{mai_text}` for {code} is not 1, 2 or 3"))),
            };
            codes.insert(code.to_string(), Mue { value, mai });
        }
        if cols.is_none() {
            return Err(err("no header row with HCPCS/CPT Code, Practitioner Services MUE Values and MUE Adjudication Indicator".into()));
        }
        Ok(MueTable {
            codes,
            source: source.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cms_layout() {
        let text = "\"CPT codes, descriptions and other data only are copyright 2025 American Medical Association.\"\n\
            HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n\
            97530,6,3 Date of Service Edit: Clinical,SYNTHETIC\n\
            97110,8,\"1 Line Edit\",SYNTHETIC\n";
        let t = MueTable::parse(text.as_bytes(), "m.csv").unwrap();
        assert_eq!(
            t.get("97530"),
            Some(Mue {
                value: 6,
                mai: Mai::Date(3)
            })
        );
        assert_eq!(
            t.get("97110"),
            Some(Mue {
                value: 8,
                mai: Mai::Line
            })
        );
        assert_eq!(t.get("97140"), None);
        let bad = "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator\n97530,x,1\n";
        let e = MueTable::parse(bad.as_bytes(), "m.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("m.csv") && e.contains("line 2"), "{e}");
        assert!(MueTable::parse(b"just,a,file\n", "m.csv").is_err());
    }
}
