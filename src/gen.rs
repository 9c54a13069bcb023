//! A deterministic generator of synthetic claim batches (837P or CSV) with
//! a known share of defective claims, for benchmarks and tests.
//!
//! Every defective claim carries its expected rule code in its claim id
//! (`G00000042-M001`); a claim id without a suffix is generated clean. The
//! same seed always gives the same bytes. All data is synthetic.

use std::io::{self, Write};

use chrono::{Duration, NaiveDate};

use crate::finding::Code;
use crate::rules::npi_is_valid;

pub struct GenConfig {
    pub claims: u64,
    pub seed: u64,
    /// Share of claims given one error defect (0.0-1.0).
    pub defect_rate: f64,
    /// Claims per ST/SE transaction.
    pub per_transaction: u64,
    /// Latest date of service; dates fall in the 90 days before it.
    pub last_date: NaiveDate,
    /// CSV: add `note` and `goal` columns (synthetic treatment notes, most
    /// strong, some that the N rules flag).
    pub notes: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            claims: 1000,
            seed: 1,
            defect_rate: 0.05,
            per_transaction: 5000,
            last_date: NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date"),
            notes: false,
        }
    }
}

/// The defects the generator injects, each caught by exactly one rule.
pub const DEFECTS: [Code; 10] = [
    Code::M001,
    Code::D002,
    Code::M006,
    Code::C002,
    Code::C001,
    Code::D003,
    Code::D004,
    Code::M010,
    Code::M002,
    Code::D006,
];

/// Findings a defect brings with it besides its own code, because the rules
/// see what a payer would: two disciplines clash with the rendering
/// provider's taxonomy (M004); a 97530 line moved to another date, or given
/// 59, no longer has its NCCI partner beside it (M007); a 97530 line stripped
/// of its modifiers loses the 59 its pair needs (M008).
pub fn secondary(defect: Code) -> &'static [Code] {
    match defect {
        Code::M002 => &[Code::M004],
        Code::D004 | Code::M006 => &[Code::M007],
        Code::M001 => &[Code::M008],
        _ => &[],
    }
}

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p && p > 0.0
    }
}

fn npi(rng: &mut Rng) -> String {
    let base = format!("1{:08}", rng.below(100_000_000));
    (0..10)
        .map(|d| format!("{base}{d}"))
        .find(|n| npi_is_valid(n))
        .expect("one check digit fits")
}

struct Line {
    code: &'static str,
    mods: Vec<&'static str>,
    charge_cents: i64,
    units: String,
    minutes: u32,
    date: NaiveDate,
    pointer: &'static str,
}

struct GenClaim {
    id: String,
    member: String,
    last: &'static str,
    first: &'static str,
    medicare: bool,
    payer_id: &'static str,
    rendering_npi: String,
    rendering_taxonomy: &'static str,
    total_cents: i64,
    dx: [&'static str; 2],
    lines: Vec<Line>,
}

const OTHER_CODES: [&str; 5] = ["97110", "97140", "97116", "97112", "97535"];
const LAST: [&str; 6] = ["RIVERA", "CHEN", "OKAFOR", "MULLER", "SINGH", "DOE"];
const FIRST: [&str; 6] = ["ANA", "WEI", "CHIDI", "KARL", "PRIYA", "JAMIE"];
const DX: [&str; 6] = ["M6281", "R262", "S72001D", "M25561", "I69351", "G8929"];

fn claim(rng: &mut Rng, n: u64, cfg: &GenConfig, npis: &[String]) -> GenClaim {
    let defect = rng
        .chance(cfg.defect_rate)
        .then(|| DEFECTS[rng.below(DEFECTS.len() as u64) as usize]);
    let medicare = rng.chance(0.6);
    let discipline = if rng.chance(0.7) { "GP" } else { "GO" };
    let date = cfg.last_date - Duration::days(rng.below(90) as i64);
    let nlines = 1 + rng.below(4) as usize;
    // Distinct codes, 97530 first; minutes that support the units under
    // both methods (one line may fall short of whole quarter hours by up to
    // 7 minutes: the 8-minute rule still gives it its units).
    let mut codes: Vec<&'static str> = vec!["97530"];
    while codes.len() < nlines {
        let c = OTHER_CODES[rng.below(OTHER_CODES.len() as u64) as usize];
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    let short = rng.below(nlines as u64) as usize;
    let short_by = rng.below(8) as u32;
    let mut lines: Vec<Line> = codes
        .iter()
        .enumerate()
        .map(|(i, &code)| {
            let units = 1 + rng.below(3);
            let minutes = units as u32 * 15 - if i == short { short_by } else { 0 };
            Line {
                code,
                mods: vec![discipline],
                charge_cents: 4500 * units as i64,
                units: units.to_string(),
                minutes,
                date,
                pointer: if rng.chance(0.5) { "1" } else { "1:2" },
            }
        })
        .collect();
    // Bill NCCI pairs right: the bypass modifier on the column-two line
    // (97140/97530: 97530; 97530/97116: 97116).
    if codes.contains(&"97140") {
        lines[0].mods.push("59");
    }
    if let Some(l) = lines.iter_mut().find(|l| l.code == "97116") {
        l.mods.push("59");
    }
    let mut rendering_npi = npis[rng.below(npis.len() as u64) as usize].clone();
    let mut total_adjust = 0;
    if let Some(d) = defect {
        let l = &mut lines[0];
        match d {
            Code::M001 => l.mods.clear(),
            Code::D002 => l.units = "1.5".into(),
            Code::M006 => {
                if !l.mods.contains(&"59") {
                    l.mods.push("59");
                }
                l.mods.push("XU");
            }
            Code::C002 => {
                rendering_npi = format!("{}0", &rendering_npi[..9]).replace(|_: char| false, "")
            }
            Code::C001 => total_adjust = 1000,
            Code::D003 => l.pointer = "3",
            Code::D004 => l.date = cfg.last_date + Duration::days(400),
            Code::M010 => l.mods.push("25"),
            Code::M002 => l.mods.push(if discipline == "GP" { "GO" } else { "GP" }),
            Code::D006 => l.charge_cents = 0,
            _ => {}
        }
        if d == Code::C002 && npi_is_valid(&rendering_npi) {
            // Make sure the check digit is wrong.
            let last = rendering_npi.as_bytes()[9] - b'0';
            rendering_npi = format!("{}{}", &rendering_npi[..9], (last + 1) % 10);
        }
    }
    let total_cents = lines.iter().map(|l| l.charge_cents).sum::<i64>() + total_adjust;
    let suffix = defect.map_or(String::new(), |d| format!("-{d}"));
    let who = rng.below(LAST.len() as u64) as usize;
    GenClaim {
        id: format!("G{n:08}{suffix}"),
        // One patient per claim: no accidental duplicates (V001) or KX totals.
        member: format!("M{n:09}"),
        last: LAST[who],
        first: FIRST[who],
        medicare,
        payer_id: if medicare { "MCR01" } else { "ACME1" },
        rendering_npi,
        rendering_taxonomy: if discipline == "GP" {
            "225100000X"
        } else {
            "225X00000X"
        },
        total_cents,
        dx: [DX[rng.below(6) as usize], DX[rng.below(6) as usize]],
        lines,
    }
}

fn money(cents: i64) -> String {
    if cents % 100 == 0 {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// Write an 837P interchange of `cfg.claims` claims.
pub fn write_837(cfg: &GenConfig, out: &mut dyn Write) -> io::Result<()> {
    let mut rng = Rng(cfg.seed);
    let npis: Vec<String> = (0..50).map(|_| npi(&mut rng)).collect();
    let billing = npi(&mut rng);
    writeln!(
        out,
        "ISA*00*          *00*          *ZZ*CLAIMSCRUBGEN  *ZZ*RECEIVER       *260701*1200*^*00501*000000001*0*T*:~"
    )?;
    writeln!(
        out,
        "GS*HC*CLAIMSCRUBGEN*RECEIVER*20260701*1200*1*X*005010X222A1~"
    )?;
    let per = cfg.per_transaction.max(1);
    let transactions = cfg.claims.div_ceil(per).max(1);
    let mut n = 0;
    for t in 0..transactions {
        let st = format!("{:04}", t + 1);
        let mut segs = 0u64;
        let mut w = |out: &mut dyn Write, s: std::fmt::Arguments<'_>| -> io::Result<()> {
            segs += 1;
            out.write_fmt(s)?;
            out.write_all(b"~\n")
        };
        w(out, format_args!("ST*837*{st}*005010X222A1"))?;
        w(out, format_args!("BHT*0019*00*{st}*20260701*1200*CH"))?;
        w(
            out,
            format_args!("NM1*41*2*SYNTHETIC THERAPY BILLING*****46*GEN01"),
        )?;
        w(out, format_args!("PER*IC*BILLING OFFICE*TE*5555550100"))?;
        w(
            out,
            format_args!("NM1*40*2*SYNTHETIC CLEARINGHOUSE*****46*RECV01"),
        )?;
        w(out, format_args!("HL*1**20*1"))?;
        w(out, format_args!("PRV*BI*PXC*225100000X"))?;
        w(
            out,
            format_args!("NM1*85*2*SYNTHETIC REHAB GROUP*****XX*{billing}"),
        )?;
        w(out, format_args!("N3*100 EXAMPLE WAY"))?;
        w(out, format_args!("N4*SPRINGFIELD*IL*627010000"))?;
        w(out, format_args!("REF*EI*990000001"))?;
        let mut hl = 1;
        let end = ((t + 1) * per).min(cfg.claims);
        while n < end {
            let c = claim(&mut rng, n, cfg, &npis);
            n += 1;
            hl += 1;
            w(out, format_args!("HL*{hl}*1*22*0"))?;
            w(
                out,
                format_args!("SBR*P*18*******{}", if c.medicare { "MB" } else { "CI" }),
            )?;
            w(
                out,
                format_args!("NM1*IL*1*{}*{}****MI*{}", c.last, c.first, c.member),
            )?;
            w(
                out,
                format_args!("NM1*PR*2*SYNTHETIC PAYER*****PI*{}", c.payer_id),
            )?;
            w(
                out,
                format_args!("CLM*{}*{}***11:B:1*Y*A*Y*Y", c.id, money(c.total_cents)),
            )?;
            w(out, format_args!("HI*ABK:{}*ABF:{}", c.dx[0], c.dx[1]))?;
            w(
                out,
                format_args!("NM1*82*1*THERAPIST*PAT****XX*{}", c.rendering_npi),
            )?;
            w(out, format_args!("PRV*PE*PXC*{}", c.rendering_taxonomy))?;
            for (i, l) in c.lines.iter().enumerate() {
                let mut proc = format!("HC:{}", l.code);
                for m in &l.mods {
                    proc.push(':');
                    proc.push_str(m);
                }
                w(out, format_args!("LX*{}", i + 1))?;
                w(
                    out,
                    format_args!(
                        "SV1*{proc}*{}*UN*{}***{}",
                        money(l.charge_cents),
                        l.units,
                        l.pointer
                    ),
                )?;
                w(out, format_args!("DTP*472*D8*{}", l.date.format("%Y%m%d")))?;
                w(out, format_args!("REF*6R*{}-{}", c.id, i + 1))?;
            }
        }
        segs += 1;
        writeln!(out, "SE*{segs}*{st}~")?;
    }
    writeln!(out, "GE*{transactions}*1~")?;
    writeln!(out, "IEA*1*000000001~")?;
    Ok(())
}

/// Write the same claims as a CSV export (one row per line).
/// Synthetic treatment notes for `--notes` (CSV-quoted), about one in four
/// of them weak in a way an N rule flags.
const NOTES: [&str; 8] = [
    "\"Sit to stand from standard chair x8 with min A and tactile cues at hips for anterior weight shift; pt tolerated well, 1 seated rest break.\"",
    "\"Stair training 4 steps x3 with one rail, SBA, verbal cues for step-to pattern descending. Pt reports R knee pain 3/10, no increase with activity.\"",
    "\"Functional reaching in standing to overhead shelf with CGA and guarding for posterior LOB. Improved reach distance by 3 in.\"",
    "\"Floor-to-waist box lift 10 lb x6 with verbal and visual cues for hip hinge and neutral spine. Demonstrated improved body mechanics by trial 4.\"",
    "\"Bed mobility: rolling and supine to sit, mod assist at trunk, cues for log roll technique. Pt states less back pain with technique.\"",
    "\"Community ambulation in parking lot 400 ft with SPC, SBA, cues for scanning; improved gait speed.\"",
    "\"Pt performed 3x10 LAQ, hip abduction and ankle pumps with 2# cuff weights. Tolerated well.\"",
    "\"Patient practiced transfers.\"",
];

const GOAL: &str = "\"Pt will perform sit to stand and bed to chair transfers with supervision and ascend 12 steps with one rail.\"";

pub fn write_csv(cfg: &GenConfig, out: &mut dyn Write) -> io::Result<()> {
    let mut rng = Rng(cfg.seed);
    let npis: Vec<String> = (0..50).map(|_| npi(&mut rng)).collect();
    let billing = npi(&mut rng);
    let mut notes_rng = Rng(cfg.seed ^ 0x5eed_0f00_0e5e);
    writeln!(
        out,
        "claim_id,patient_id,payer_id,claim_filing_indicator,billing_npi,rendering_npi,rendering_taxonomy,date_of_service,procedure_code,modifiers,units,minutes,charge,claim_total,diagnosis_codes,diagnosis_pointers,line_control{}",
        if cfg.notes { ",note,goal" } else { "" }
    )?;
    for n in 0..cfg.claims {
        let c = claim(&mut rng, n, cfg, &npis);
        for (i, l) in c.lines.iter().enumerate() {
            write!(
                out,
                "{},{},{},{},{billing},{},{},{},{},{},{},{},{},{},{} {},{},{}-{}",
                c.id,
                c.member,
                c.payer_id,
                if c.medicare { "MB" } else { "CI" },
                c.rendering_npi,
                c.rendering_taxonomy,
                l.date.format("%Y-%m-%d"),
                l.code,
                l.mods.join(" "),
                l.units,
                l.minutes,
                money(l.charge_cents),
                money(c.total_cents),
                c.dx[0],
                c.dx[1],
                l.pointer.replace(':', " "),
                c.id,
                i + 1
            )?;
            if cfg.notes {
                let note = NOTES[(notes_rng.next() % NOTES.len() as u64) as usize];
                write!(out, ",{note},{GOAL}")?;
            }
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let cfg = GenConfig {
            claims: 50,
            ..Default::default()
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_837(&cfg, &mut a).unwrap();
        write_837(&cfg, &mut b).unwrap();
        assert_eq!(a, b);
        let mut c = Vec::new();
        write_837(&GenConfig { seed: 2, ..cfg }, &mut c).unwrap();
        assert_ne!(a, c);
    }
}
