//! Our own claim types: what every reader produces and every rule reads.
//!
//! Owns `Claim`, `ServiceLine`, `Visit`, `Provider`, `Payer`, `Modifiers`,
//! `Money` (integer cents) and `ServiceDate` (raw text plus the parsed date).
//! It knows nothing of X12 segment names or CSV headers: the readers in
//! `input` translate into these types, and the rules see only these types.

mod money;
mod visit;

use std::sync::Arc;

use chrono::NaiveDate;

pub use money::Money;
pub use visit::{Visit, Visits};

/// Short text of a claim (ids, codes, NPIs, dates as written): stored inline
/// up to 24 bytes, so that reading a claim does not allocate for each of
/// its dozens of fields (it did, and it showed in the profile).
pub type Text = compact_str::CompactString;

/// The procedure this tool exists for.
pub const THERAPEUTIC_ACTIVITIES: &str = "97530";

/// Where a claim or a finding came from in its input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The input path as given on the command line (`-` for stdin).
    pub file: Arc<str>,
    pub kind: OriginKind,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum OriginKind {
    /// No position inside the file (the file as a whole).
    #[default]
    File,
    /// A place in an X12 interchange. Control numbers are empty where not yet
    /// known (an ISA that could not be read has none).
    X12 {
        /// The envelopes' control numbers, shared by every place of one
        /// transaction (one reference count a claim, not three).
        controls: Arc<Controls>,
        /// Segment number counted from ST = 1 (0 outside a transaction).
        segment: u32,
        /// Byte offset of the segment's first byte in the file.
        byte: u64,
    },
    /// A CSV record: 1-based row number, the header being row 1.
    Csv { row: u64 },
}

/// The control numbers of the envelopes around a place: ISA13, GS06 and
/// ST02, each empty where not (yet) known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Controls {
    pub isa13: Arc<str>,
    pub gs06: Arc<str>,
    pub st02: Arc<str>,
}

impl Controls {
    pub fn new(isa13: &str, gs06: &str, st02: &str) -> Arc<Controls> {
        Arc::new(Controls {
            isa13: isa13.into(),
            gs06: gs06.into(),
            st02: st02.into(),
        })
    }
}

impl Origin {
    pub fn file(file: Arc<str>) -> Self {
        Origin {
            file,
            kind: OriginKind::File,
        }
    }

    /// The `location` column of the report.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        self.describe_into(&mut s);
        s
    }

    /// `describe`, appended to a buffer (the report writer reuses one).
    pub fn describe_into(&self, s: &mut String) {
        self.describe_at_into(LinePlace::Claim, s)
    }

    /// `describe_into` for a line at `place` of the claim this is the
    /// place of (its segment and byte, or its row, instead of the claim's).
    pub fn describe_at_into(&self, place: LinePlace, s: &mut String) {
        match (&self.kind, place) {
            (OriginKind::X12 { controls: c, .. }, LinePlace::X12 { segment, byte }) => {
                describe_x12(s, [&c.isa13, &c.gs06, &c.st02], segment, byte)
            }
            (
                OriginKind::X12 {
                    controls: c,
                    segment,
                    byte,
                },
                LinePlace::Claim,
            ) => describe_x12(s, [&c.isa13, &c.gs06, &c.st02], *segment, *byte),
            // A line's kind of place that its claim's is not (made-up
            // claims in tests): the line's own part alone.
            (_, LinePlace::X12 { segment, byte }) => describe_x12(s, ["", "", ""], segment, byte),
            (_, LinePlace::Csv { row }) | (&OriginKind::Csv { row }, LinePlace::Claim) => {
                s.push_str("row ");
                push_decimal(s, row);
            }
            (OriginKind::File, LinePlace::Claim) => {}
        }
    }
}

/// Where a service line stands in its input. The rest of its place (the
/// file, the control numbers) is its claim's: a line does not hold its own
/// copy of those shared names (four reference counts a line, made and
/// dropped for millions of lines). See `Origin::describe_at_into`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinePlace {
    /// Where its claim stands (a line made up, as in tests).
    #[default]
    Claim,
    /// Its first segment (LX, or an SV1 that opened it) in an 837P.
    X12 { segment: u32, byte: u64 },
    /// Its row of a CSV export.
    Csv { row: u64 },
}

impl LinePlace {
    /// The line part of a full place.
    pub fn of(origin: &Origin) -> LinePlace {
        match origin.kind {
            OriginKind::File => LinePlace::Claim,
            OriginKind::X12 { segment, byte, .. } => LinePlace::X12 { segment, byte },
            OriginKind::Csv { row } => LinePlace::Csv { row },
        }
    }
}

/// The X12 part of `Origin::describe_into`.
fn describe_x12(s: &mut String, controls: [&str; 3], segment: u32, byte: u64) {
    let mut sep = "";
    let [isa13, gs06, st02] = controls;
    for (name, value) in [("ISA13 ", isa13), ("GS06 ", gs06), ("ST02 ", st02)] {
        if !value.is_empty() {
            s.push_str(sep);
            s.push_str(name);
            s.push_str(value);
            sep = " ";
        }
    }
    if segment > 0 {
        s.push_str(sep);
        s.push_str("segment ");
        push_decimal(s, u64::from(segment));
        sep = " ";
    }
    s.push_str(sep);
    s.push_str("byte ");
    push_decimal(s, byte);
}

/// `str::trim`, without decoding characters when the text starts and ends
/// in a visible ASCII byte (nearly every field: the readers trim millions a
/// second, and the general trim showed in their profiles).
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Append `n` in decimal (what `write!(s, "{n}")` does, without the
/// formatting machinery: the report writes several a row, serially). By
/// `itoa` (already in the tree): our own digit loop then checked its digits
/// as UTF-8, some 50 instructions a number, 5 M of a 20,000-claim run with
/// every output.
pub fn push_decimal(s: &mut String, n: u64) {
    s.push_str(itoa::Buffer::new().format(n));
}

/// Append a date as `YYYY-MM-DD` (zero-padded, as `%Y-%m-%d` writes years
/// 0 to 9999).
pub fn push_iso_date(s: &mut String, d: NaiveDate) {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        s.push_str(&d.format("%Y-%m-%d").to_string());
        return;
    }
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let y = y as u32;
    for c in [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        '-',
        digit(m / 10),
        digit(m),
        '-',
        digit(day / 10),
        digit(day),
    ] {
        s.push(c);
    }
}

/// A date of service as written, and the date it means if it is one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceDate {
    /// The text as it stood in the input (for a range, `from-to`).
    pub raw: Text,
    /// The (first) date, when the text is a real date.
    pub date: Option<NaiveDate>,
    /// The input gave a range (X12 RD8) rather than a single date.
    pub is_range: bool,
}

impl ServiceDate {
    pub fn missing() -> Self {
        ServiceDate::default()
    }

    pub fn is_missing(&self) -> bool {
        self.raw.is_empty()
    }

    /// Parse one of the accepted date forms: CCYYMMDD, YYYY-MM-DD, MM/DD/YYYY.
    pub fn parse_single(raw: &str) -> Self {
        ServiceDate {
            raw: raw.into(),
            date: parse_date(raw),
            is_range: false,
        }
    }

    /// ISO text for the report, or the raw text when it is not a date.
    pub fn iso(&self) -> String {
        match self.date {
            Some(d) => d.format("%Y-%m-%d").to_string(),
            None => self.raw.to_string(),
        }
    }
}

/// Accepts CCYYMMDD, YYYY-MM-DD and MM/DD/YYYY (M and D may be one digit).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = trim(raw);
    let b = s.as_bytes();
    // Digits read as digits: every claim line has a date.
    let num = |d: &[u8]| {
        d.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 8 {
        if let (Some(y), Some(m), Some(d)) = (num(&b[0..4]), num(&b[4..6]), num(&b[6..8])) {
            return NaiveDate::from_ymd_opt(y as i32, m, d);
        }
    }
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let (y, m, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
        return NaiveDate::from_ymd_opt(y as i32, m, d);
    }
    let mut parts = s.split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || m.is_empty()
        || m.len() > 2
        || d.is_empty()
        || d.len() > 2
    {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A line's modifiers: up to three kept in the line itself, more (an 837P
/// line has at most four) on the heap. Two allocations per line (modifiers
/// and pointers), and their frees, were a few percent of an 837P run; room
/// for four of each made a line 536 bytes, most of it empty (lines bill one
/// to three modifiers and one or two pointers).
pub type Texts = smallvec::SmallVec<[Text; 3]>;

/// A claim's diagnosis codes: up to two kept in the claim itself (a list
/// of them was an allocation a claim).
pub type Diagnoses = smallvec::SmallVec<[Text; 2]>;

/// A line's diagnosis pointers: up to two kept in the line itself.
pub type Pointers = smallvec::SmallVec<[Text; 2]>;

/// Procedure modifiers in the order billed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Modifiers(pub Texts);

impl Modifiers {
    #[inline]
    pub fn has(&self, m: &str) -> bool {
        // Modifiers are two characters: compared as two bytes, not by a
        // call to memcmp.
        if let &[a, b] = m.as_bytes() {
            return self.0.iter().any(|x| x.as_bytes() == [a, b]);
        }
        self.0.iter().any(|x| x == m)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(Text::as_str)
    }

    /// Which of `set` the line has: bit `i` for `set[i]`, in one pass over
    /// the modifiers (a rule asking after several asked `has` each time).
    #[inline]
    pub fn bits(&self, set: &[&str]) -> u32 {
        debug_assert!(set.len() <= 32);
        let mut out = 0;
        for x in &self.0 {
            let x = x.as_bytes();
            for (i, m) in set.iter().enumerate() {
                if x == m.as_bytes() {
                    out |= 1 << i;
                }
            }
        }
        out
    }

    /// The members of `set` the line has, in the set's order, where it
    /// has two or more (M002, M012); `None` otherwise, told by `bits`
    /// without gathering (nearly every line has one at most). Inlined
    /// always: `bits` of a constant set compares two bytes at a time,
    /// where a call made it a `memcmp` each (+1.3% of a CSV run).
    #[inline(always)]
    pub fn several<'s>(&self, set: &[&'s str]) -> Option<Vec<&'s str>> {
        let bits = self.bits(set);
        (bits.count_ones() >= 2).then(|| {
            set.iter()
                .enumerate()
                .filter(|&(i, _)| bits >> i & 1 == 1)
                .map(|(_, &m)| m)
                .collect()
        })
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Space-separated, in the order billed (the report's form).
    pub fn joined(&self) -> String {
        self.0.join(" ")
    }
}

/// A billing or rendering provider.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provider {
    /// NPI as given (may be invalid: C002 checks it). Empty when absent.
    pub npi: Text,
    /// Health care provider taxonomy code (PRV03), empty when absent.
    pub taxonomy: Text,
}

/// Who pays, and under which claim filing indicator.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payer {
    /// 2010BB NM109 or the CSV payer_id.
    pub id: Text,
    /// SBR09 (MB Medicare Part B, MC Medicaid, CI commercial, BL ...).
    pub filing_indicator: Text,
}

/// The number of units billed, as written and as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Units {
    pub raw: Text,
    pub value: Option<f64>,
}

impl Units {
    pub fn parse(raw: &str) -> Self {
        let t = trim(raw);
        // Nearly always a few digits: read as such, not as a float.
        let digits = !t.is_empty() && t.len() <= 9 && t.bytes().all(|c| c.is_ascii_digit());
        let value = if digits {
            Some(t.bytes().fold(0u32, |n, c| n * 10 + u32::from(c - b'0')) as f64)
        } else {
            t.parse::<f64>().ok().filter(|v| v.is_finite())
        };
        Units {
            raw: t.into(),
            value,
        }
    }

    /// The units as a positive whole number, if they are one.
    pub fn whole(&self) -> Option<u32> {
        let v = self.value?;
        if v >= 1.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
            Some(v as u32)
        } else {
            None
        }
    }
}

/// One service line (837P loop 2400, or one CSV row).
#[derive(Clone, Debug, Default)]
pub struct ServiceLine {
    /// LX01 (837P) or the 1-based line within the claim (CSV).
    pub number: u32,
    /// REF*6R line item control number, or the CSV line_control.
    pub control: Text,
    pub procedure: Text,
    pub modifiers: Modifiers,
    /// SV102 / CSV charge. `None` when absent or not a number.
    pub charge: Option<Money>,
    /// SV103: UN (units) or MJ (minutes). Empty when the input has none.
    pub unit_basis: Text,
    pub units: Units,
    /// Treatment minutes for the line, when the input documents them.
    pub minutes: Option<u32>,
    pub date: ServiceDate,
    /// SV107 diagnosis pointers as written (each should be 1-12).
    pub diagnosis_pointers: Pointers,
    /// 2420A rendering provider, overriding the claim's.
    pub rendering: Option<Provider>,
    pub place_of_service: Text,
    pub note: Option<Box<str>>,
    pub goal: Option<Box<str>>,
    /// Where the line stands (the rest of its place is its claim's).
    pub place: LinePlace,
}

impl ServiceLine {
    pub fn is_97530(&self) -> bool {
        self.procedure == THERAPEUTIC_ACTIVITIES
    }
}

/// One claim (837P loop 2300 with its lines, or consecutive CSV rows).
#[derive(Clone, Debug, Default)]
pub struct Claim {
    /// CLM01 or the CSV claim id.
    pub id: Text,
    /// CLM02 / CSV claim_total.
    pub total: Option<Money>,
    pub patient_id: Text,
    pub payer: Payer,
    pub billing: Provider,
    /// 2310B rendering provider, when the claim names one.
    pub rendering: Option<Provider>,
    /// Diagnosis codes (HI) in order; pointers refer to them 1-based.
    pub diagnoses: Diagnoses,
    pub lines: Vec<ServiceLine>,
    pub origin: Origin,
    /// The reader could not read every line of the claim (it is rejected
    /// for that); rules that judge the claim as a whole pass it over.
    pub incomplete: bool,
}

impl Claim {
    /// Where one of this claim's lines stands, as the report's `location`
    /// column tells it.
    pub fn line_location(&self, line: &ServiceLine) -> String {
        let mut s = String::new();
        self.origin.describe_at_into(line.place, &mut s);
        s
    }

    /// The rendering provider of a line: its own (2420A), else the claim's
    /// (2310B), else the billing provider.
    pub fn rendering_for<'a>(&'a self, line: &'a ServiceLine) -> &'a Provider {
        line.rendering
            .as_ref()
            .or(self.rendering.as_ref())
            .unwrap_or(&self.billing)
    }

    /// The visits of this claim: lines grouped by date of service and
    /// rendering provider (the patient is the claim's), in order of first line.
    pub fn visits(&self) -> Visits<'_> {
        visit::group(self)
    }

    pub fn has_97530(&self) -> bool {
        self.lines.iter().any(ServiceLine::is_97530)
    }
}

/// What a reader could give for its input: rules whose data is absent do
/// not run, and the summary names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Available {
    pub modifiers: bool,
    pub charge: bool,
    pub claim_total: bool,
    pub diagnosis_pointers: bool,
    pub unit_basis: bool,
    pub npi: bool,
    pub taxonomy: bool,
    pub minutes: bool,
    pub notes: bool,
    pub goals: bool,
}

impl Available {
    pub const ALL: Available = Available {
        modifiers: true,
        charge: true,
        claim_total: true,
        diagnosis_pointers: true,
        unit_basis: true,
        npi: true,
        taxonomy: true,
        minutes: true,
        notes: true,
        goals: true,
    };
    pub const NONE: Available = Available {
        modifiers: false,
        charge: false,
        claim_total: false,
        diagnosis_pointers: false,
        unit_basis: false,
        npi: false,
        taxonomy: false,
        minutes: false,
        notes: false,
        goals: false,
    };
}

#[cfg(test)]
mod tests {

    /// A line is told at its own segment and byte, or row, with its
    /// claim's control numbers; for every kind of claim place and line place.
    #[test]
    fn a_line_is_told_at_its_own_segment_or_row() {
        let x12 = OriginKind::X12 {
            controls: Controls::new("000000001", "7", "0001"),
            segment: 5,
            byte: 300,
        };
        let places = [
            LinePlace::Claim,
            LinePlace::X12 {
                segment: 9,
                byte: 410,
            },
            LinePlace::Csv { row: 12 },
        ];
        let mut told = Vec::new();
        for kind in [x12, OriginKind::Csv { row: 3 }, OriginKind::File] {
            for place in places {
                let claim = Claim {
                    origin: Origin {
                        file: "f".into(),
                        kind: kind.clone(),
                    },
                    ..Default::default()
                };
                let line = ServiceLine {
                    place,
                    ..Default::default()
                };
                told.push(claim.line_location(&line));
            }
        }
        let controls = "ISA13 000000001 GS06 7 ST02 0001";
        assert_eq!(
            told,
            [
                format!("{controls} segment 5 byte 300"),
                format!("{controls} segment 9 byte 410"),
                "row 12".to_string(),
                "row 3".to_string(),
                "segment 9 byte 410".to_string(),
                "row 12".to_string(),
                String::new(),
                "segment 9 byte 410".to_string(),
                "row 12".to_string(),
            ]
        );
    }

    use super::*;

    #[test]
    fn modifiers_are_found_whole() {
        let m = Modifiers(
            ["GP".into(), "59".into(), "XYZ".into()]
                .into_iter()
                .collect(),
        );
        assert!(m.has("GP") && m.has("59") && m.has("XYZ"));
        assert!(!m.has("G") && !m.has("GO") && !m.has("GPX") && !m.has("XY") && !m.has(""));
        assert!(!Modifiers(Texts::from_elem("G".into(), 1)).has("GP"));
        // `bits` answers as `has` does, for each of a set at once.
        let set = ["GO", "GP", "XY", "XYZ", "59", "", "G"];
        let bits = m.bits(&set);
        for (i, s) in set.iter().enumerate() {
            assert_eq!(bits >> i & 1 == 1, m.has(s), "{s}");
        }
        assert_eq!(bits, 0b1_1010);
        assert_eq!(m.several(&set), Some(vec!["GP", "XYZ", "59"]));
        assert_eq!(m.several(&["GP", "GO"]), None);
        assert_eq!(m.several(&["GO", "GN"]), None);
    }

    #[test]
    fn dates_in_three_forms() {
        let want = NaiveDate::from_ymd_opt(2026, 3, 9);
        assert_eq!(parse_date("20260309"), want);
        assert_eq!(parse_date("2026-03-09"), want);
        assert_eq!(parse_date("03/09/2026"), want);
        assert_eq!(parse_date("3/9/2026"), want);
        assert_eq!(parse_date("20260230"), None);
        assert_eq!(parse_date("2026-3-9"), None);
        assert_eq!(parse_date("09/03/26"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("2026030a"), None);
        assert_eq!(parse_date("+202-03-09"), None);
        assert_eq!(parse_date("2026-+3-09"), None);
        assert_eq!(parse_date(" 2026-03-09 "), want);
    }

    proptest::proptest! {
        #[test]
        fn trim_is_str_trim(s in "[ a-z0-9\t\r\n\u{b}\u{85}\u{a0}\u{3000}é.,]{0,12}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }
    }

    #[test]
    fn decimals_and_dates_as_format_writes_them() {
        for n in [0u64, 7, 10, 99, 100, 123_456, u64::MAX] {
            let mut s = String::from("x");
            push_decimal(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
        for (y, m, d) in [
            (2026, 3, 9),
            (999, 12, 31),
            (12, 1, 1),
            (0, 1, 1),
            (9999, 12, 31),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let mut s = String::new();
            push_iso_date(&mut s, date);
            assert_eq!(s, date.format("%Y-%m-%d").to_string());
        }
        let far = NaiveDate::from_ymd_opt(12345, 1, 2).unwrap();
        let mut s = String::new();
        push_iso_date(&mut s, far);
        assert_eq!(s, far.format("%Y-%m-%d").to_string());
    }

    #[test]
    fn units_whole() {
        assert_eq!(Units::parse("2").whole(), Some(2));
        assert_eq!(Units::parse("2.0").whole(), Some(2));
        assert_eq!(Units::parse("1.5").whole(), None);
        assert_eq!(Units::parse("0").whole(), None);
        assert_eq!(Units::parse("-1").whole(), None);
        assert_eq!(Units::parse("two").whole(), None);
        assert_eq!(Units::parse("NaN").whole(), None);
        for raw in [
            "0",
            "7",
            "007",
            "123456789",
            "1234567890",
            "+2",
            "2.50",
            " 3 ",
            "1e2",
            "-0",
        ] {
            assert_eq!(
                Units::parse(raw).value,
                raw.trim().parse::<f64>().ok(),
                "{raw}"
            );
        }
    }
}
