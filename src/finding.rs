//! Findings: what a rule or a reader says about a claim, a line or a file.
//!
//! Owns the rule `Code` (the public contract of RULES.md), `Severity` and
//! `Finding`. It does not know how a finding is found (that is `rules` and
//! `input`) or how it is written (that is `report`).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::Origin;

macro_rules! codes {
    ($($c:ident),* $(,)?) => {
        /// Every code of the rule catalogue. Codes are stable: a rule may be
        /// refined, never renumbered; a retired code is not reused.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($c),* }

        impl Code {
            pub const CATALOGUE: &'static [Code] = &[$(Code::$c),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$c => stringify!($c)),* }
            }
        }

        impl FromStr for Code {
            type Err = String;
            fn from_str(s: &str) -> Result<Code, String> {
                match s.trim().to_ascii_uppercase().as_str() {
                    $(stringify!($c) => Ok(Code::$c),)*
                    other => Err(format!("unknown rule code `{other}`")),
                }
            }
        }
    };
}

codes!(
    X001, X002, X003, X004, X005, X006, X007, X008, X009, //
    C001, C002, C003, //
    D001, D002, D003, D004, D005, D006, D007, //
    T001, T002, T003, T004, T005, T006, T007, T008, //
    M001, M002, M003, M004, M005, M006, M007, M008, M009, M010, M011, M012, //
    V001, V002, //
    N001, N002, N003, N004, N005, N006,
);

impl Code {
    /// A documentation finding (N rules): a review flag for the notes, apart
    /// from the claim rejections, unless a policy makes it an error.
    pub fn is_documentation(self) -> bool {
        self.as_str().starts_with('N')
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported only with `--show-info`.
    Info,
    /// Reported; the claim still goes out.
    Warning,
    /// Rejects the claim: it is held back from the clean file.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding. `severity` starts as the rule's default and is settled by
/// the engine from the claim's payer policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// Index of the service line in `claim.lines`, for line findings.
    pub line: Option<usize>,
    /// What was found. A rule whose message never varies gives it as a
    /// `&'static str`: no allocation per finding, and the report writer
    /// quotes it once (`report::RowScratch`).
    pub message: Cow<'static, str>,
    /// Where in the input, when it is not simply the claim's or line's own
    /// place (reader findings: the offending segment or row).
    pub origin: Option<Origin>,
}

impl Finding {
    /// A documentation finding below error severity: a flag for review.
    pub fn is_review_flag(&self) -> bool {
        self.code.is_documentation() && self.severity != Severity::Error
    }

    pub fn new(code: Code, severity: Severity, message: impl Into<Cow<'static, str>>) -> Self {
        Finding {
            code,
            severity,
            line: None,
            message: message.into(),
            origin: None,
        }
    }

    pub fn on_line(mut self, index: usize) -> Self {
        self.line = Some(index);
        self
    }

    pub fn at(mut self, origin: Origin) -> Self {
        self.origin = Some(origin);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_sorted() {
        for (i, c) in Code::CATALOGUE.iter().enumerate() {
            assert_eq!(c.as_str().parse::<Code>(), Ok(*c));
            if i > 0 {
                let prev = Code::CATALOGUE[i - 1];
                // Sorted within a family letter.
                if prev.as_str().as_bytes()[0] == c.as_str().as_bytes()[0] {
                    assert!(prev.as_str() < c.as_str(), "{prev} before {c}");
                }
            }
        }
        assert_eq!("t001".parse::<Code>(), Ok(Code::T001));
        assert!("Z999".parse::<Code>().is_err());
    }
}
