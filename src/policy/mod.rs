//! Payer policies: which rules run for a claim, at what severity, with
//! which limits. A TOML file (`--config`) replaces the embedded default.
//!
//! Owns loading and validating the policy file and choosing a policy for a
//! claim. It does not check claims (that is `rules`).

pub mod accruals;
pub mod lexicon;
pub mod mue;
pub mod ncci;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::finding::{Code, Severity};
use crate::model::Claim;

/// Reference tables loaded for a run (`--mue`; NCCI later). A rule that
/// needs a table that was not loaded does not run, and the summary says so.
#[derive(Clone, Debug)]
pub struct Tables {
    pub mue: Option<mue::MueTable>,
    /// NCCI PTP pairs: the shipped default unless `--ncci` files replace it.
    pub ncci: ncci::NcciTable,
    /// `--accruals`: therapy amounts billed before this batch (M011).
    pub accruals: Vec<accruals::Accrual>,
}

impl Default for Tables {
    /// No MUE table, the shipped NCCI pairs, no accruals.
    fn default() -> Self {
        Tables {
            mue: None,
            ncci: ncci::NcciTable::default_table(),
            accruals: Vec::new(),
        }
    }
}

/// The embedded default policy file (Medicare plus a commercial fallback).
pub const DEFAULT_TOML: &str = include_str!("default.toml");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitMethod {
    /// Medicare: total timed minutes of the visit fix the total units.
    Cms,
    /// AMA "substantial portion": each code on its own minutes.
    PerCode,
}

/// A per-rule setting in a policy: a severity, or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSetting {
    Error,
    Warning,
    Info,
    Off,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    #[serde(default)]
    pub fallback: bool,
    #[serde(default)]
    pub payer_ids: Vec<String>,
    #[serde(default)]
    pub filing_indicators: Vec<String>,
    pub unit_method: UnitMethod,
    pub timely_filing_days: u32,
    /// Most 97530 units a patient may receive on one date (T007).
    #[serde(default)]
    pub max_units_per_day: Option<u32>,
    /// Modifiers that bypass an NCCI edit with modifier indicator 1 (M007, M008).
    #[serde(default = "default_bypass")]
    pub bypass_modifiers: Vec<String>,
    /// Pairs this payer denies whatever the modifier (M009), e.g. ["97140", "97530"].
    #[serde(default)]
    pub never_bypass: Vec<[String; 2]>,
    /// 97530 needs GP, GO or GN (M001). Some commercial payers do not ask.
    #[serde(default = "yes")]
    pub require_discipline_modifier: bool,
    /// A PTA/OTA rendering provider needs CQ/CO (M005).
    #[serde(default = "yes")]
    pub require_assistant_modifier: bool,
    /// KX thresholds by calendar year, in dollars (M011); none = M011 off.
    #[serde(default)]
    pub kx_thresholds: HashMap<String, f64>,
    /// Per-rule overrides by code.
    #[serde(default)]
    pub severity: HashMap<Code, RuleSetting>,
}

fn default_bypass() -> Vec<String> {
    ["59", "XE", "XS", "XP", "XU"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn yes() -> bool {
    true
}

impl Policy {
    /// The severity a rule's finding takes under this policy; `None` = off.
    pub fn severity_for(&self, code: Code, default: Severity) -> Option<Severity> {
        match self.severity.get(&code) {
            None => Some(default),
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::Error) => Some(Severity::Error),
            Some(RuleSetting::Warning) => Some(Severity::Warning),
            Some(RuleSetting::Info) => Some(Severity::Info),
        }
    }

    pub fn is_off(&self, code: Code) -> bool {
        self.severity.get(&code) == Some(&RuleSetting::Off)
    }

    pub fn is_bypass(&self, modifier: &str) -> bool {
        // Two bytes compared as such (asked for every modifier of every
        // 97530 line: a call to memcmp each).
        if let &[a, b] = modifier.as_bytes() {
            return self.bypass_modifiers.iter().any(|m| m.as_bytes() == [a, b]);
        }
        self.bypass_modifiers.iter().any(|m| m == modifier)
    }

    /// The payer denies this pair whatever the modifier.
    pub fn never_bypasses(&self, a: &str, b: &str) -> bool {
        self.never_bypass
            .iter()
            .any(|[x, y]| (x == a && y == b) || (x == b && y == a))
    }

    /// The KX threshold for a calendar year, in cents.
    pub fn kx_threshold(&self, year: i32) -> Option<i64> {
        // Asked for every therapy line: the year's text without allocating.
        self.kx_thresholds
            .get(itoa::Buffer::new().format(year))
            .map(|d| (d * 100.0).round() as i64)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    policy: Vec<Policy>,
    /// Phrases added to the embedded documentation lexicon (N rules).
    #[serde(default)]
    lexicon: Option<lexicon::LexiconSpec>,
}

/// All policies of a run, and the rule for choosing one.
#[derive(Clone, Debug)]
pub struct PolicySet {
    pub policies: Vec<Policy>,
    fallback: usize,
    /// The documentation lexicon: embedded, plus the file's `[lexicon]`.
    pub lexicon: Arc<lexicon::Lexicon>,
}

#[derive(Debug)]
pub struct PolicyError {
    pub source_name: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid policy file {}: {}",
            self.source_name, self.message
        )
    }
}

impl std::error::Error for PolicyError {}

impl PolicySet {
    /// The embedded default.
    pub fn embedded() -> PolicySet {
        PolicySet::parse(DEFAULT_TOML, "<embedded default>").expect("the embedded policy is valid")
    }

    pub fn load(path: &Path) -> Result<PolicySet, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError {
            source_name: path.display().to_string(),
            message: e.to_string(),
        })?;
        PolicySet::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, source_name: &str) -> Result<PolicySet, PolicyError> {
        let err = |message: String| PolicyError {
            source_name: source_name.to_string(),
            message,
        };
        let file: PolicyFile = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: ")
                })
                .unwrap_or_default();
            err(format!("{place}{}", e.message()))
        })?;
        if file.policy.is_empty() {
            return Err(err("no [[policy]] tables".into()));
        }
        let fallbacks: Vec<usize> = (0..file.policy.len())
            .filter(|&i| file.policy[i].fallback)
            .collect();
        let fallback = match fallbacks.as_slice() {
            [one] => *one,
            [] => return Err(err("no policy has `fallback = true`".into())),
            _ => return Err(err("more than one policy has `fallback = true`".into())),
        };
        let lexicon = match &file.lexicon {
            None => lexicon::Lexicon::embedded(),
            Some(extra) => lexicon::Lexicon::with(extra).map_err(err)?,
        };
        Ok(PolicySet {
            policies: file.policy,
            fallback,
            lexicon: Arc::new(lexicon),
        })
    }

    /// Index of the policy for a claim: payer id first, then claim filing
    /// indicator, then the fallback.
    pub fn select(&self, claim: &Claim) -> usize {
        let id = claim.payer.id.as_str();
        if !id.is_empty() {
            if let Some(i) = self
                .policies
                .iter()
                .position(|p| p.payer_ids.iter().any(|x| x == id))
            {
                return i;
            }
        }
        let fi = claim.payer.filing_indicator.as_str();
        if !fi.is_empty() {
            if let Some(i) = self
                .policies
                .iter()
                .position(|p| p.filing_indicators.iter().any(|x| x == fi))
            {
                return i;
            }
        }
        self.fallback
    }

    pub fn get(&self, index: usize) -> &Policy {
        &self.policies[index]
    }

    pub fn fallback(&self) -> &Policy {
        &self.policies[self.fallback]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Payer;

    #[test]
    fn embedded_default_selects_medicare_by_filing_indicator() {
        let set = PolicySet::embedded();
        let mut claim = Claim {
            payer: Payer {
                id: "X".into(),
                filing_indicator: "MB".into(),
            },
            ..Default::default()
        };
        assert_eq!(set.get(set.select(&claim)).name, "medicare");
        assert_eq!(set.get(set.select(&claim)).unit_method, UnitMethod::Cms);
        claim.payer.filing_indicator = "CI".into();
        assert_eq!(set.get(set.select(&claim)).name, "commercial");
    }

    #[test]
    fn kx_thresholds_by_year() {
        let set = PolicySet::embedded();
        let mut claim = Claim::default();
        claim.payer.filing_indicator = "MB".into();
        let medicare = set.get(set.select(&claim));
        assert_eq!(medicare.kx_threshold(2026), Some(248_000));
        assert_eq!(medicare.kx_threshold(2022), Some(215_000));
        assert_eq!(medicare.kx_threshold(2021), None);
        assert_eq!(medicare.kx_threshold(0), None);
        assert_eq!(medicare.kx_threshold(-2026), None);
    }

    #[test]
    fn payer_id_beats_filing_indicator() {
        let toml = r#"
[[policy]]
name = "acme"
payer_ids = ["ACME1"]
unit_method = "per_code"
timely_filing_days = 90
[policy.severity]
D005 = "warning"
M001 = "off"

[[policy]]
name = "medicare"
filing_indicators = ["MB"]
unit_method = "cms"
timely_filing_days = 365
fallback = true
"#;
        let set = PolicySet::parse(toml, "t.toml").unwrap();
        let claim = Claim {
            payer: Payer {
                id: "ACME1".into(),
                filing_indicator: "MB".into(),
            },
            ..Default::default()
        };
        let p = set.get(set.select(&claim));
        assert_eq!(p.name, "acme");
        assert_eq!(
            p.severity_for(Code::D005, Severity::Error),
            Some(Severity::Warning)
        );
        assert_eq!(p.severity_for(Code::M001, Severity::Error), None);
        assert_eq!(
            p.severity_for(Code::C001, Severity::Error),
            Some(Severity::Error)
        );
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let bad = "[[policy]]\nname = \"x\"\nfallback = true\nunit_method = \"cms\"\ntimely_filing_days = 365\nunit_methd = 3\n";
        let e = PolicySet::parse(bad, "payer.toml").unwrap_err().to_string();
        assert!(e.contains("payer.toml"), "{e}");
        assert!(e.contains("line 6"), "{e}");
        assert!(e.contains("unit_methd"), "{e}");
        let bad_code = "[[policy]]\nname = \"x\"\nfallback = true\nunit_method = \"cms\"\ntimely_filing_days = 365\n[policy.severity]\nQ123 = \"off\"\n";
        let e = PolicySet::parse(bad_code, "p.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("Q123") && e.contains("line 7"), "{e}");
        let no_fallback =
            "[[policy]]\nname = \"x\"\nunit_method = \"cms\"\ntimely_filing_days = 1\n";
        assert!(PolicySet::parse(no_fallback, "p")
            .unwrap_err()
            .to_string()
            .contains("fallback"));
    }
}
