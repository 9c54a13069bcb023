//! The rule engine: the `Rule` trait, the registry `ALL`, rule selection,
//! and the per-claim check that settles severities from the payer policy.
//!
//! Rules see only `model` and `policy`. The X rules are found by the
//! readers in `input` (they are about the file, not the claim); they sit in
//! the registry so that `rules`, `explain`, selection and policy overrides
//! treat every code alike.

use std::cell::OnceCell;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::finding::{Code, Finding, Severity};
use crate::model::{Available, Claim, Visit};
use crate::policy::lexicon::{Lexicon, NoteFacts};
use crate::policy::{Policy, PolicySet, Tables};

mod assistant_modifier_wrong;
mod bypass_without_partner;
mod charge_not_positive;
mod claim_id_repeated;
mod claim_rows_apart;
mod claim_total_unbalanced;
mod control_number_mismatch;
mod csv_row_unusable;
mod diagnosis_pointer_invalid;
mod discipline_mismatches_provider;
mod discipline_modifier_missing;
mod discipline_modifier_repeated;
mod duplicate_line;
mod envelope_count_mismatch;
mod exercise_not_activity;
mod fifty_nine_with_x_modifier;
mod gn_on_therapeutic_activities;
mod goal_link_missing;
mod group_therapy_same_day;
pub(crate) mod key_map;
mod kx_likely_required;
mod liability_modifiers_conflict;
mod minutes_unknown;
mod modifier_invalid;
mod ncci_pair_never_bypassed;
mod ncci_pair_without_bypass;
pub(crate) mod ncci_pairs;
mod not_837p;
pub(crate) mod notes;
mod npi_invalid;
mod patient_independent;
mod response_missing;
mod segment_count_mismatch;
mod segment_out_of_place;
mod service_date_future;
mod service_date_invalid;
mod skilled_input_missing;
pub(crate) mod time;
mod time_not_documented;
mod timed_code_split;
mod timely_filing_passed;
mod truncated_input;
mod under_eight_minutes;
mod units_below_minutes;
mod units_exceed_minutes;
mod units_in_minutes;
mod units_not_whole;
mod units_over_daily_cap;
mod units_over_mue;
mod unreadable_interchange;
mod visit_units_exceed_minutes;

/// The hasher of the batch ledger's keys: 64 bits that stand for what makes
/// two lines (or claims, or patient-years) the same. foldhash's quality
/// variant with a fixed seed: several times cheaper than SipHash on these
/// short keys, well mixed, and the same in every run (the ledger's answers
/// do not depend on a random seed).
pub(crate) fn key_hasher() -> foldhash::quality::FoldHasher<'static> {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x5ca1_ab1e_c1a1_5c0b).build_hasher()
}

pub use npi_invalid::npi_is_valid;

/// Which part of the pipeline finds a rule's violations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Found by a reader while reading the file (the X rules).
    Input,
    /// Found by `Rule::check` on one claim, in parallel.
    Claim,
}

/// Data a rule needs from the input; a rule whose data the input lacks does
/// not run, and the summary says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Data {
    Modifiers,
    Charge,
    ClaimTotal,
    DiagnosisPointers,
    UnitBasis,
    Npi,
    Minutes,
    /// The rendering provider's taxonomy code.
    Taxonomy,
    /// The CMS MUE table (`--mue`).
    MueTable,
    /// Treatment note text (CSV `note`).
    Notes,
    /// Plan-of-care goal text (CSV `goal`).
    Goals,
}

impl Data {
    pub fn available_in(self, a: &Available, t: &Tables) -> bool {
        match self {
            Data::Minutes => a.minutes,
            Data::Taxonomy => a.taxonomy,
            Data::MueTable => t.mue.is_some(),
            Data::Modifiers => a.modifiers,
            Data::Charge => a.charge,
            Data::ClaimTotal => a.claim_total,
            Data::DiagnosisPointers => a.diagnosis_pointers,
            Data::UnitBasis => a.unit_basis,
            Data::Npi => a.npi,
            Data::Notes => a.notes,
            Data::Goals => a.goals,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Data::Modifiers => "modifiers",
            Data::Charge => "charge",
            Data::ClaimTotal => "claim_total",
            Data::DiagnosisPointers => "diagnosis_pointers",
            Data::UnitBasis => "unit basis (SV103)",
            Data::Npi => "billing_npi/rendering_npi",
            Data::Minutes => "minutes (or start_time/end_time)",
            Data::Taxonomy => "rendering_taxonomy",
            Data::MueTable => "MUE table (--mue FILE)",
            Data::Notes => "note",
            Data::Goals => "goal",
        }
    }
}

/// Everything the catalogue says of a rule.
#[derive(Debug)]
pub struct RuleInfo {
    pub code: Code,
    /// Kebab-case name of the bad pattern, e.g. `units-exceed-minutes`.
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub carc: &'static str,
    pub rarc: &'static str,
    pub stage: Stage,
    pub needs: &'static [Data],
    /// Markdown-ish text with the headings of `EXPLANATION_HEADINGS`.
    pub explanation: &'static str,
}

pub const EXPLANATION_HEADINGS: [&str; 5] = [
    "What it checks",
    "Why it matters",
    "Fails",
    "Passes",
    "Source",
];

/// What a rule is given for one claim.
pub struct Cx<'a> {
    pub claim: &'a Claim,
    pub visits: &'a [Visit<'a>],
    pub policy: &'a Policy,
    /// The date the date rules measure against (`--as-of`).
    pub as_of: NaiveDate,
    pub tables: &'a Tables,
    /// The time analysis of the claim's visits, made once for the T rules.
    pub(crate) time: OnceCell<smallvec::SmallVec<[time::VisitTime; 1]>>,
    /// The documentation lexicon (N rules).
    pub lexicon: &'a Lexicon,
    /// What the lexicon found in each line's note, read once for the N rules.
    pub(crate) notes: OnceCell<Vec<Option<NoteFacts>>>,
    /// The claim's NCCI pairs with 97530, found once for M007, M008, M009.
    pub(crate) ncci: OnceCell<smallvec::SmallVec<[ncci_pairs::Pair; 2]>>,
    /// What the engine keeps of the findings (`report`).
    pub(crate) selection: &'a Selection,
    pub(crate) show_info: bool,
    /// Findings `report` counted as hidden (info) instead of pushing them.
    pub(crate) hidden: std::cell::Cell<u32>,
}

impl<'a> Cx<'a> {
    /// The claim's 97530 lines with their indexes (the D, T and M rules' subject).
    pub fn lines_97530(&self) -> impl Iterator<Item = (usize, &'a crate::model::ServiceLine)> + 'a {
        self.claim
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.is_97530())
    }

    /// Push the finding `make` builds, where `Engine::settle` would keep
    /// it; where it would hide it (info without `--show-info`), count it
    /// instead, as settling it would have; where it would drop it, nothing.
    /// For a finding most claims have and no one reads: T005 fires on nearly
    /// every 837P claim, and building it (and the claim's list of findings
    /// for it) cost more than its check.
    pub fn report(&self, info: &RuleInfo, out: &mut Vec<Finding>, make: impl FnOnce() -> Finding) {
        match fate(
            self.selection,
            self.policy,
            self.show_info,
            info.code,
            info.severity,
        ) {
            Fate::Kept(_) => out.push(make()),
            Fate::Hidden => self.hidden.set(self.hidden.get() + 1),
            Fate::Dropped => {}
        }
    }

    /// A finding at the rule's default severity (the engine settles it).
    pub fn finding(
        &self,
        info: &RuleInfo,
        message: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Finding {
        Finding::new(info.code, info.severity, message)
    }
}

pub trait Rule: Sync + Send {
    fn info(&self) -> &'static RuleInfo;

    /// Push a finding for every violation in the claim. Input-stage rules
    /// are found by the readers and keep this default.
    fn check(&self, _cx: &Cx<'_>, _out: &mut Vec<Finding>) {}

    /// A rule that needs state across the claims of a batch returns its
    /// ledger here; the pipeline feeds it every claim in input order.
    /// `hint` estimates the claims to come, so tables are sized once rather
    /// than doubled (a doubling holds old and new tables at once).
    fn ledger(&self, _tables: &Tables, _hint: usize) -> Option<Box<dyn LedgerRule>> {
        None
    }

    /// A ledger rule's keys of a claim: the hashes its `LedgerRule::observe`
    /// looks up, in the order it takes them. Computed beside the checks, in
    /// parallel, so that the serial stage only looks them up (and can fetch
    /// their table slots ahead).
    fn ledger_keys(&self, _cx: &Cx<'_>, _keys: &mut LedgerKeys) {}
}

/// The serial, in-input-order part of a rule: state across claims.
pub trait LedgerRule: Send {
    /// Fetch the table slots of `keys` ahead: this rule's keys of a claim
    /// about to be observed.
    fn prefetch(&self, _keys: &[u64]) {}

    /// Take a claim into the ledger, with its keys (`Rule::ledger_keys`).
    fn observe(&mut self, claim: &Claim, keys: &[u64], policy: &Policy, out: &mut Vec<Finding>);
}

/// The ledgers of a run, fed in input order beside the parallel checks.
pub struct Ledger {
    rules: Vec<(Code, Box<dyn LedgerRule>)>,
}

impl Ledger {
    /// Fetch the table slots of a claim's keys ahead (it is observed soon).
    #[inline]
    pub fn prefetch(&self, keys: &LedgerKeys) {
        for (code, rule) in &self.rules {
            rule.prefetch(keys.of(*code));
        }
    }
}

/// A claim's keys into the batch ledger, rule by rule (`Rule::ledger_keys`).
#[derive(Clone, Debug, Default)]
pub struct LedgerKeys {
    keys: smallvec::SmallVec<[u64; 6]>,
    /// Each ledger rule's keys: its code and where they end in `keys` (they
    /// start where the one before ends).
    ends: smallvec::SmallVec<[(Code, usize); 4]>,
}

impl LedgerKeys {
    /// A key of the rule that `Engine` is asking.
    #[inline]
    pub fn push(&mut self, key: u64) {
        self.keys.push(key);
    }

    /// The keys of `code`'s rule (none if it made none).
    pub fn of(&self, code: Code) -> &[u64] {
        let mut start = 0;
        for &(c, end) in &self.ends {
            if c == code {
                return &self.keys[start..end];
            }
            start = end;
        }
        &[]
    }

    /// The keys pushed since the last `end` are `code`'s (none: nothing kept).
    fn end(&mut self, code: Code) {
        let end = self.keys.len();
        if end > self.ends.last().map_or(0, |e| e.1) {
            self.ends.push((code, end));
        }
    }
}

/// The registry, sorted by code. Adding a rule is one file and one line here.
pub static ALL: &[&dyn Rule] = &[
    &claim_total_unbalanced::ClaimTotalUnbalanced,
    &npi_invalid::NpiInvalid,
    &claim_id_repeated::ClaimIdRepeated,
    &service_date_invalid::ServiceDateInvalid,
    &units_not_whole::UnitsNotWhole,
    &diagnosis_pointer_invalid::DiagnosisPointerInvalid,
    &service_date_future::ServiceDateFuture,
    &timely_filing_passed::TimelyFilingPassed,
    &charge_not_positive::ChargeNotPositive,
    &units_in_minutes::UnitsInMinutes,
    &units_exceed_minutes::UnitsExceedMinutes,
    &units_below_minutes::UnitsBelowMinutes,
    &under_eight_minutes::UnderEightMinutes,
    &visit_units_exceed_minutes::VisitUnitsExceedMinutes,
    &minutes_unknown::MinutesUnknown,
    &timed_code_split::TimedCodeSplit,
    &units_over_daily_cap::UnitsOverDailyCap,
    &units_over_mue::UnitsOverMue,
    &discipline_modifier_missing::DisciplineModifierMissing,
    &discipline_modifier_repeated::DisciplineModifierRepeated,
    &gn_on_therapeutic_activities::GnOnTherapeuticActivities,
    &discipline_mismatches_provider::DisciplineMismatchesProvider,
    &assistant_modifier_wrong::AssistantModifierWrong,
    &fifty_nine_with_x_modifier::FiftyNineWithXModifier,
    &bypass_without_partner::BypassWithoutPartner,
    &ncci_pair_without_bypass::NcciPairWithoutBypass,
    &ncci_pair_never_bypassed::NcciPairNeverBypassed,
    &modifier_invalid::ModifierInvalid,
    &kx_likely_required::KxLikelyRequired,
    &liability_modifiers_conflict::LiabilityModifiersConflict,
    &duplicate_line::DuplicateLine,
    &group_therapy_same_day::GroupTherapySameDay,
    &time_not_documented::TimeNotDocumented,
    &skilled_input_missing::SkilledInputMissing,
    &goal_link_missing::GoalLinkMissing,
    &exercise_not_activity::ExerciseNotActivity,
    &patient_independent::PatientIndependent,
    &response_missing::ResponseMissing,
    &unreadable_interchange::UnreadableInterchange,
    &control_number_mismatch::ControlNumberMismatch,
    &segment_count_mismatch::SegmentCountMismatch,
    &envelope_count_mismatch::EnvelopeCountMismatch,
    &segment_out_of_place::SegmentOutOfPlace,
    &truncated_input::TruncatedInput,
    &not_837p::Not837p,
    &csv_row_unusable::CsvRowUnusable,
    &claim_rows_apart::ClaimRowsApart,
];

/// The registry in code order (the catalogue's: X, C, D, T, M, V, N).
pub fn sorted() -> Vec<&'static dyn Rule> {
    let mut v: Vec<&'static dyn Rule> = ALL.to_vec();
    v.sort_by_key(|r| r.info().code);
    v
}

/// The rule of a code, if it is implemented: a table lookup (the report
/// writer asks once per finding).
pub fn find(code: Code) -> Option<&'static dyn Rule> {
    static BY_CODE: std::sync::OnceLock<Vec<Option<&'static dyn Rule>>> =
        std::sync::OnceLock::new();
    BY_CODE.get_or_init(|| {
        let mut t: Vec<Option<&'static dyn Rule>> = vec![None; Code::CATALOGUE.len()];
        for r in ALL {
            t[r.info().code as usize] = Some(*r);
        }
        t
    })[code as usize]
}

/// The default severity of a code (error for codes not yet implemented).
pub fn default_severity(code: Code) -> Severity {
    find(code).map_or(Severity::Error, |r| r.info().severity)
}

/// The ledgers of the selected rules whose tables are loaded: one per run,
/// fed every claim of every input in input order.
pub fn ledger(selection: &Selection, tables: &Tables, hint: usize) -> Ledger {
    Ledger {
        rules: ALL
            .iter()
            .filter(|r| selection.enabled(r.info().code))
            .filter(|r| {
                r.info()
                    .needs
                    .iter()
                    .all(|d| !matches!(d, Data::MueTable) || tables.mue.is_some())
            })
            .filter_map(|r| r.ledger(tables, hint).map(|l| (r.info().code, l)))
            .collect(),
    }
}

/// `--select` / `--ignore`: codes or code prefixes (`M`, `T00`, `X003`).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    select: Vec<String>,
    ignore: Vec<String>,
}

impl Selection {
    pub fn new(select: &[String], ignore: &[String]) -> Result<Selection, String> {
        let norm = |list: &[String]| -> Result<Vec<String>, String> {
            let mut out = Vec::new();
            for item in list.iter().flat_map(|s| s.split(',')) {
                let p = item.trim().to_ascii_uppercase();
                if p.is_empty() {
                    continue;
                }
                if !Code::CATALOGUE.iter().any(|c| c.as_str().starts_with(&p)) {
                    return Err(format!(
                        "`{item}` is not a rule code or prefix (see `claimscrub rules`)"
                    ));
                }
                out.push(p);
            }
            Ok(out)
        };
        Ok(Selection {
            select: norm(select)?,
            ignore: norm(ignore)?,
        })
    }

    pub fn enabled(&self, code: Code) -> bool {
        let c = code.as_str();
        (self.select.is_empty() || self.select.iter().any(|p| c.starts_with(p.as_str())))
            && !self.ignore.iter().any(|p| c.starts_with(p.as_str()))
    }
}

/// Settings of a check run that the engine needs.
pub struct Engine {
    rules: Vec<&'static dyn Rule>,
    /// The rules asked for ledger keys: those of the run's ledger
    /// (`Engine::keys_for`).
    ledger_rules: Vec<&'static dyn Rule>,
    pub policies: PolicySet,
    pub tables: Arc<Tables>,
    pub selection: Selection,
    pub as_of: NaiveDate,
    pub show_info: bool,
}

/// What the engine concluded about one claim.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings to report, ordered by line (claim-level first), then code.
    pub findings: Vec<Finding>,
    pub rejected: bool,
    /// Findings at info severity left out of the report (no `--show-info`).
    pub hidden_info: u32,
    /// The claim's keys into the batch ledger, made with the checks
    /// (`Engine::observe` takes them).
    pub ledger: LedgerKeys,
    /// The index of the claim's payer policy, chosen with the checks
    /// (`observe` then need not read the claim's payer again, on the serial
    /// stage).
    pub(crate) policy: Option<u32>,
}

impl Engine {
    /// An engine running the claim-stage rules whose data `available` has.
    pub fn new(
        policies: PolicySet,
        selection: Selection,
        as_of: NaiveDate,
        show_info: bool,
        available: &Available,
        tables: Arc<Tables>,
    ) -> Engine {
        let rules = ALL
            .iter()
            .copied()
            .filter(|r| {
                let i = r.info();
                i.stage == Stage::Claim
                    && selection.enabled(i.code)
                    && i.needs.iter().all(|d| d.available_in(available, &tables))
            })
            .collect();
        Engine {
            rules,
            ledger_rules: Vec::new(),
            policies,
            tables,
            selection,
            as_of,
            show_info,
        }
    }

    /// Rules that cannot run for lack of data in this input, with what is missing.
    pub fn skipped_for_data(
        available: &Available,
        tables: &Tables,
    ) -> Vec<(Code, Vec<&'static str>)> {
        let mut out = Vec::new();
        for r in sorted() {
            let missing: Vec<&str> = r
                .info()
                .needs
                .iter()
                .filter(|d| !d.available_in(available, tables))
                .map(|d| d.name())
                .collect();
            if !missing.is_empty() {
                out.push((r.info().code, missing));
            }
        }
        out
    }

    /// Make the ledger keys of `ledger`'s rules with every check (their
    /// `Outcome::ledger`), for `observe`.
    pub fn keys_for(&mut self, ledger: &Ledger) {
        self.ledger_rules = ledger
            .rules
            .iter()
            .filter_map(|(code, _)| find(*code))
            .collect();
    }

    /// Check one claim. `read` holds what the reader found about it.
    pub fn check(&self, claim: &Claim, read: Vec<Finding>) -> Outcome {
        let mut out = self.check_all(vec![(claim, read)]);
        out.pop().expect("one outcome for one claim")
    }

    /// Check several claims, each with what the reader found about it: the
    /// outcomes in the same order, each the one `check` gives.
    ///
    /// Rule by rule: each rule runs over all the claims before the next
    /// starts. Claim by claim, the code of some fifty rules passes through
    /// the instruction cache for every claim and no longer fits in it
    /// (callgrind's cache model: about 270 instruction-cache misses a claim,
    /// 650 with the N rules' note reading in between); rule by rule, a
    /// rule's code is fetched once for all the claims (on the CPU, criterion:
    /// 20,000 837P claims 57.6 → 38.0 ms in chunks of 32). A few dozen claims
    /// at a time (`pipeline`'s chunks) keep their data in the L2 cache.
    pub fn check_all(&self, claims: Vec<(&Claim, Vec<Finding>)>) -> Vec<Outcome> {
        let (claims, mut raws): (Vec<&Claim>, Vec<Vec<Finding>>) = claims.into_iter().unzip();
        let visits: Vec<crate::model::Visits<'_>> = claims.iter().map(|c| c.visits()).collect();
        let chosen: Vec<usize> = claims.iter().map(|c| self.policies.select(c)).collect();
        let cxs: Vec<Cx<'_>> = claims
            .iter()
            .zip(&visits)
            .zip(&chosen)
            .map(|((&claim, visits), &policy)| Cx {
                claim,
                visits,
                policy: self.policies.get(policy),
                as_of: self.as_of,
                tables: &self.tables,
                time: OnceCell::new(),
                lexicon: &self.policies.lexicon,
                notes: OnceCell::new(),
                ncci: OnceCell::new(),
                selection: &self.selection,
                show_info: self.show_info,
                hidden: Default::default(),
            })
            .collect();
        for rule in &self.rules {
            let code = rule.info().code;
            for (cx, raw) in cxs.iter().zip(&mut raws) {
                if !cx.policy.is_off(code) {
                    rule.check(cx, raw);
                }
            }
        }
        raws.into_iter()
            .zip(&cxs)
            .zip(chosen)
            .map(|((raw, cx), policy)| {
                let mut outcome = self.settle(raw, cx.policy);
                outcome.hidden_info += cx.hidden.get();
                outcome.policy = u32::try_from(policy).ok();
                for rule in &self.ledger_rules {
                    let code = rule.info().code;
                    if !cx.policy.is_off(code) {
                        rule.ledger_keys(cx, &mut outcome.ledger);
                        outcome.ledger.end(code);
                    }
                }
                outcome
            })
            .collect()
    }

    /// Feed one claim, in input order, to the ledger, and fold what it finds
    /// into the claim's outcome.
    pub fn observe(&self, ledger: &mut Ledger, claim: &Claim, outcome: &mut Outcome) {
        if ledger.rules.is_empty() {
            return;
        }
        let policy = self.policies.get(match outcome.policy {
            Some(i) => i as usize,
            None => self.policies.select(claim),
        });
        let mut raw = Vec::new();
        for (code, rule) in &mut ledger.rules {
            if !policy.is_off(*code) {
                rule.observe(claim, outcome.ledger.of(*code), policy, &mut raw);
            }
        }
        if raw.is_empty() {
            return;
        }
        let more = self.settle(raw, policy);
        outcome.rejected |= more.rejected;
        outcome.hidden_info += more.hidden_info;
        outcome.findings.extend(more.findings);
        outcome
            .findings
            .sort_by_key(|f| (f.line.map_or(0, |l| l + 1), f.code));
    }

    /// Apply selection and the policy's severities; decide rejection.
    pub fn settle(&self, raw: Vec<Finding>, policy: &Policy) -> Outcome {
        let mut out = Outcome::default();
        for mut f in raw {
            match fate(&self.selection, policy, self.show_info, f.code, f.severity) {
                Fate::Dropped => {}
                Fate::Hidden => out.hidden_info += 1,
                Fate::Kept(sev) => {
                    f.severity = sev;
                    out.rejected |= sev == Severity::Error;
                    out.findings.push(f);
                }
            }
        }
        out.findings
            .sort_by_key(|f| (f.line.map_or(0, |l| l + 1), f.code));
        out
    }
}

/// What `Engine::settle` does with a finding (and what `Cx::report`
/// foretells): dropped (not selected, or off in the policy), hidden (info
/// without `--show-info`, counted), or kept at the policy's severity.
enum Fate {
    Dropped,
    Hidden,
    Kept(Severity),
}

fn fate(
    selection: &Selection,
    policy: &Policy,
    show_info: bool,
    code: Code,
    default: Severity,
) -> Fate {
    if !selection.enabled(code) {
        return Fate::Dropped;
    }
    match policy.severity_for(code, default) {
        None => Fate::Dropped,
        Some(Severity::Info) if !show_info => Fate::Hidden,
        Some(sev) => Fate::Kept(sev),
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the rules' unit tests.
    use super::*;
    use crate::model::{Modifiers, Provider, ServiceDate, ServiceLine, Units};

    pub fn line_97530() -> ServiceLine {
        ServiceLine {
            number: 1,
            procedure: "97530".into(),
            modifiers: Modifiers(smallvec::smallvec!["GP".into()]),
            charge: crate::model::Money::parse("45.00"),
            unit_basis: "UN".into(),
            units: Units::parse("1"),
            date: ServiceDate::parse_single("20260310"),
            diagnosis_pointers: ["1".into()].into_iter().collect(),
            ..Default::default()
        }
    }

    /// A one-line 97530 claim with this treatment note (the N rules' tests).
    pub fn noted(note: &str) -> Claim {
        let mut l = line_97530();
        l.note = Some(note.into());
        claim(vec![l])
    }

    pub fn claim(lines: Vec<ServiceLine>) -> Claim {
        Claim {
            id: "T-1".into(),
            total: Some(lines.iter().filter_map(|l| l.charge).sum()),
            patient_id: "P1".into(),
            billing: Provider {
                npi: "1234567893".into(),
                taxonomy: "225100000X".into(),
            },
            diagnoses: smallvec::smallvec!["M6281".into()],
            lines,
            ..Default::default()
        }
    }

    /// Run one rule over a claim with the embedded policy, as of 2026-03-20.
    pub fn run(rule: &dyn Rule, claim: &Claim) -> Vec<Finding> {
        let policies = PolicySet::embedded();
        let policy = policies.get(policies.select(claim));
        let visits = claim.visits();
        let tables = Tables::default();
        let cx = Cx {
            claim,
            visits: &visits,
            policy,
            as_of: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            tables: &tables,
            time: OnceCell::new(),
            lexicon: &policies.lexicon,
            notes: OnceCell::new(),
            ncci: OnceCell::new(),
            selection: &Selection::default(),
            show_info: true,
            hidden: Default::default(),
        };
        let mut out = Vec::new();
        rule.check(&cx, &mut out);
        for f in &out {
            assert_eq!(f.code, rule.info().code, "a rule reports only its own code");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each rule gets back the keys it pushed, a rule that pushed none gets
    /// none, and a claim may have more keys than a u16 counts (a CSV claim
    /// has no limit on its lines).
    #[test]
    fn ledger_keys_go_back_to_their_rules() {
        let mut k = LedgerKeys::default();
        k.push(1);
        k.end(Code::C003);
        k.end(Code::T008);
        for n in 0..70_000 {
            k.push(n);
        }
        k.end(Code::M011);
        k.push(7);
        k.push(8);
        k.end(Code::V001);
        assert_eq!(k.of(Code::C003), &[1]);
        assert!(k.of(Code::T008).is_empty());
        assert_eq!(k.of(Code::M011).len(), 70_000);
        assert_eq!(k.of(Code::M011)[69_999], 69_999);
        assert_eq!(k.of(Code::V001), &[7, 8]);
        assert!(k.of(Code::N001).is_empty());
    }

    #[test]
    fn registry_codes_unique_and_known() {
        let mut seen = std::collections::HashSet::new();
        for r in ALL {
            assert!(seen.insert(r.info().code), "duplicate {}", r.info().code);
        }
        assert!(sorted()
            .windows(2)
            .all(|w| w[0].info().code < w[1].info().code));
    }

    #[test]
    fn every_rule_has_a_full_explanation() {
        for r in ALL {
            let i = r.info();
            let mut last = 0;
            for h in EXPLANATION_HEADINGS {
                let pos = i
                    .explanation
                    .find(&format!("## {h}\n"))
                    .unwrap_or_else(|| panic!("{} lacks heading `{h}`", i.code));
                assert!(pos >= last, "{}: `{h}` out of order", i.code);
                last = pos;
            }
            assert!(!i.title.is_empty() && !i.name.is_empty());
            assert!(i
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()));
        }
    }

    #[test]
    fn selection_by_code_and_prefix() {
        let s = Selection::new(&["T001,M".into()], &["M010".into()]).unwrap();
        assert!(s.enabled(Code::T001));
        assert!(!s.enabled(Code::T002));
        assert!(s.enabled(Code::M001));
        assert!(!s.enabled(Code::M010));
        let s = Selection::new(&[], &["N".into()]).unwrap();
        assert!(s.enabled(Code::X001) && !s.enabled(Code::N003));
        assert!(Selection::new(&["Q1".into()], &[]).is_err());
    }
}
