//! A visit: the lines of one claim for one patient, rendering provider and
//! date of service. The visit rules (time, NCCI pairs, duplicates) look here.

use chrono::NaiveDate;

use super::{Claim, ServiceLine};

#[derive(Debug)]
pub struct Visit<'a> {
    pub claim: &'a Claim,
    /// The date shared by the lines (`None` for lines with no valid date,
    /// which each form a visit of their own).
    pub date: Option<NaiveDate>,
    pub rendering_npi: &'a str,
    /// Indexes into `claim.lines`, in claim order (up to four held inline:
    /// a visit's list was an allocation a claim).
    pub lines: smallvec::SmallVec<[usize; 4]>,
}

impl<'a> Visit<'a> {
    pub fn lines(&self) -> impl Iterator<Item = (usize, &'a ServiceLine)> + '_ {
        self.lines.iter().map(|&i| (i, &self.claim.lines[i]))
    }
}

/// A claim's visits: nearly always one, held inline (a list of them was
/// an allocation a claim).
pub type Visits<'a> = smallvec::SmallVec<[Visit<'a>; 1]>;

pub(super) fn group(claim: &Claim) -> Visits<'_> {
    let mut visits = Visits::new();
    for (i, line) in claim.lines.iter().enumerate() {
        let npi = claim.rendering_for(line).npi.as_str();
        let date = line.date.date;
        let found = if date.is_some() {
            visits
                .iter_mut()
                .find(|v| v.date == date && v.rendering_npi == npi)
        } else {
            None
        };
        match found {
            Some(v) => v.lines.push(i),
            None => visits.push(Visit {
                claim,
                date,
                rendering_npi: npi,
                lines: smallvec::smallvec![i],
            }),
        }
    }
    visits
}

#[cfg(test)]
mod tests {
    use super::super::*;

    fn line(date: &str, npi: Option<&str>) -> ServiceLine {
        ServiceLine {
            date: ServiceDate::parse_single(date),
            rendering: npi.map(|n| Provider {
                npi: n.into(),
                taxonomy: String::new().into(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn groups_by_date_and_rendering_provider() {
        let claim = Claim {
            lines: vec![
                line("20260102", None),
                line("20260103", None),
                line("20260102", None),
                line("20260102", Some("1234567893")),
                line("bad", None),
                line("bad", None),
            ],
            ..Default::default()
        };
        let v = claim.visits();
        let got: Vec<Vec<usize>> = v.iter().map(|v| v.lines.to_vec()).collect();
        assert_eq!(got, vec![vec![0, 2], vec![1], vec![3], vec![4], vec![5]]);
    }
}
