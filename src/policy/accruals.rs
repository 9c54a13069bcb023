//! `--accruals FILE`: therapy amounts a patient was billed this year before
//! this batch (CSV patient_id, year, bucket, amount), seeding the KX ledger.

use std::path::Path;

use super::PolicyError;
use crate::model::Money;

/// The KX threshold buckets: PT and SLP share one; OT has its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bucket {
    PtSlp,
    Ot,
}

impl Bucket {
    /// The bucket of a therapy line, by its discipline modifier.
    pub fn of(modifiers: &crate::model::Modifiers) -> Option<Bucket> {
        if modifiers.has("GO") {
            Some(Bucket::Ot)
        } else if modifiers.has("GP") || modifiers.has("GN") {
            Some(Bucket::PtSlp)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Bucket::PtSlp => "PT+SLP",
            Bucket::Ot => "OT",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accrual {
    pub patient_id: String,
    pub year: i32,
    pub bucket: Bucket,
    pub amount: Money,
}

pub fn load(path: &Path) -> Result<Vec<Accrual>, PolicyError> {
    let name = path.display().to_string();
    let err = |message: String| PolicyError {
        source_name: name.clone(),
        message,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
    let headers = rdr
        .headers()
        .map_err(|e| err(format!("line 1: {e}")))?
        .clone();
    let col = |n: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(n))
    };
    let (Some(p), Some(y), Some(b), Some(a)) =
        (col("patient_id"), col("year"), col("bucket"), col("amount"))
    else {
        return Err(err(
            "line 1: the header needs patient_id, year, bucket, amount".into(),
        ));
    };
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| err(format!("line {line}: {e}")))?;
        let year = rec[y]
            .trim()
            .parse()
            .map_err(|_| err(format!("line {line}: year `{}`", &rec[y])))?;
        let bucket = match rec[b]
            .trim()
            .to_ascii_uppercase()
            .replace(['/', ' ', '-'], "+")
            .as_str()
        {
            "PT" | "SLP" | "PT+SLP" | "GP" | "GN" => Bucket::PtSlp,
            "OT" | "GO" => Bucket::Ot,
            other => {
                return Err(err(format!(
                    "line {line}: bucket `{other}` is not PT+SLP or OT"
                )))
            }
        };
        let amount = Money::parse(&rec[a])
            .ok_or_else(|| err(format!("line {line}: amount `{}`", &rec[a])))?;
        out.push(Accrual {
            patient_id: rec[p].trim().to_string(),
            year,
            bucket,
            amount,
        });
    }
    Ok(out)
}
