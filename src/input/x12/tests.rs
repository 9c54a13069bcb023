//! Loop assembly: which segment fills which field, and what is passed over.

use super::*;

const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261127*1200*^*00501*000000001*0*P*:";

/// An interchange around `body` (segments without terminators), with SE01 right.
fn x12(body: &[&str]) -> String {
    let mut s = format!("{ISA}~GS*HC*S*R*20261127*1200*1*X*005010X222A2~ST*837*0001*005010X222A2~");
    for b in body {
        s.push_str(b);
        s.push('~');
    }
    s.push_str(&format!(
        "SE*{}*0001~GE*1*1~IEA*1*000000001~",
        body.len() + 2
    ));
    s
}

fn read(text: &str) -> Vec<Item> {
    X12Reader::new(Arc::from("t.837"), text.as_bytes(), Limits::default()).collect()
}

fn claims(items: &[Item]) -> Vec<&ReadClaim> {
    items.iter().filter_map(Item::claim).collect()
}

/// The findings on the one claim of `text`: code, line, message.
fn one_claims_findings(text: &str) -> Vec<(Code, Option<usize>, String)> {
    let items = read(text);
    let cs = claims(&items);
    assert_eq!(cs.len(), 1, "{text}");
    cs[0]
        .findings
        .iter()
        .map(|f| (f.code, f.line, f.message.to_string()))
        .collect()
}

const HEAD: [&str; 6] = [
    "BHT*0019*00*1*20261127*1200*CH",
    "HL*1**20*1",
    "PRV*BI*PXC*225100000X",
    "NM1*85*2*CLINIC*****XX*1234567893",
    "HL*2*1*22*1",
    "SBR*P*18*******MB",
];

/// The subscriber's and the payer's names, which HEAD's subscriber loop
/// needs to be whole (it stops at its SBR, for the tests that name their
/// own).
const NAMES: [&str; 2] = [
    "NM1*IL*1*DOE*JANE****MI*MBR1",
    "NM1*PR*2*MEDICARE*****PI*MCR01",
];

#[test]
fn fields_from_every_loop() {
    let mut body: Vec<&str> = HEAD.to_vec();
    body.extend([
        "NM1*IL*1*DOE*JANE****MI*MBR1",
        "NM1*PR*2*MEDICARE*****PI*MCR01",
        "HL*3*2*23*0",
        "PAT*19",
        "NM1*QC*1*DOE*TED",
        "CLM*A1*135***11:B:1*Y*A*Y*Y",
        "REF*D9*X",
        "HI*ABK:M6281*ABF:R262*BG:01",
        "NM1*82*1*SMITH*PAT****XX*1912301953",
        "PRV*PE*PXC*225100000X",
        "SBR*S*18*******CI",
        "NM1*IL*1*DOE*JANE****MI*OTHER",
        "NM1*82*1*OTHER*PAYER****XX*9999999999",
        "LX*1",
        "SV1*HC:97530:GP:59*90*UN*2*11**1:2",
        "DTP*472*D8*20261102",
        "REF*6R*L1",
        "REF*EW*4",
        "NTE*ADD*pt required min assist",
        "LX*2",
        "SV1*HC:97110:GO*45*MJ*23***1",
        "DTP*472*RD8*20261102-20261102",
        "NM1*82*1*JONES*OT****XX*1234567893",
        "PRV*PE*PXC*225X00000X",
        "SVD*PAYER*45*HC:97110**1",
        "DTP*573*D8*20261120",
    ]);
    let items = read(&x12(&body));
    let cs = claims(&items);
    assert_eq!(cs.len(), 1);
    assert!(cs[0].findings.is_empty(), "{:?}", cs[0].findings);
    let c = &cs[0].claim;
    assert_eq!(c.id, "A1");
    assert_eq!(c.total, Money::parse("135"));
    assert_eq!(c.patient_id, "MBR1/DOE,TED");
    assert_eq!(c.payer.id, "MCR01");
    assert_eq!(c.payer.filing_indicator, "MB");
    assert_eq!(c.billing.npi, "1234567893");
    assert_eq!(c.billing.taxonomy, "225100000X");
    let r = c.rendering.as_ref().unwrap();
    assert_eq!(
        (r.npi.as_str(), r.taxonomy.as_str()),
        ("1912301953", "225100000X"),
        "2330 NM1*82 is not 2310B"
    );
    assert_eq!(
        c.diagnoses[..],
        ["M6281", "R262"],
        "BG condition codes are not diagnoses"
    );
    let l = &c.lines[0];
    assert_eq!(
        (l.number, l.procedure.as_str(), l.control.as_str()),
        (1, "97530", "L1")
    );
    assert_eq!(l.modifiers.0[..], ["GP", "59"]);
    assert_eq!(l.units.whole(), Some(2));
    assert_eq!(l.diagnosis_pointers[..], ["1", "2"]);
    assert_eq!(l.note.as_deref(), Some("pt required min assist"));
    assert_eq!(l.date.iso(), "2026-11-02");
    let l2 = &c.lines[1];
    assert_eq!(l2.minutes, Some(23));
    assert!(!l2.date.is_range, "RD8 with one date is one date");
    assert_eq!(l2.rendering.as_ref().unwrap().taxonomy, "225X00000X");
    assert_eq!(
        l2.date.date,
        crate::model::parse_date("20261102"),
        "DTP*573 in 2430 is not the service date"
    );
}

/// A line's date is the line before's where the text is the same, and read
/// anew where it differs or is a range (D8 and RD8 read one differently):
/// every line's date is what `service_date` makes of its own DTP.
#[test]
fn a_date_shared_by_lines_reads_as_each_lines_own() {
    let dtps = [
        "DTP*472*D8*20261102",
        "DTP*472*D8*20261102",
        "DTP*472*D8*20261103",
        "DTP*472*RD8*20261101-20261103",
        "DTP*472*D8*20261101-20261103",
        "DTP*472*RD8*20261101-20261101",
        "DTP*472*D8*20261101-20261101",
        "DTP*472*D8*2026110X",
        "DTP*472*D8*2026110X",
        "DTP*472*D8* 20261104",
        "DTP*472*D8*20261104",
    ];
    let mut body: Vec<String> = HEAD.iter().map(|s| s.to_string()).collect();
    body.push("NM1*IL*1*DOE*JANE****MI*MBR1".into());
    body.push("CLM*A1*135***11:B:1*Y*A*Y*Y".into());
    for (i, dtp) in dtps.iter().enumerate() {
        body.push(format!("LX*{}", i + 1));
        body.push("SV1*HC:97530:GP*10*UN*1***1".into());
        body.push(dtp.to_string());
    }
    let body: Vec<&str> = body.iter().map(String::as_str).collect();
    let items = read(&x12(&body));
    let cs = claims(&items);
    let lines = &cs[0].claim.lines;
    assert_eq!(lines.len(), dtps.len());
    for (l, dtp) in lines.iter().zip(dtps) {
        let el: Vec<&str> = dtp.split('*').collect();
        let own = service_date(
            el[2].as_bytes(),
            crate::input::x12::tokenizer::text(el[3].as_bytes()),
        );
        assert_eq!(
            (&l.date.raw, l.date.date, l.date.is_range),
            (&own.raw, own.date, own.is_range),
            "{dtp}"
        );
    }
    assert!(lines[3].date.is_range && !lines[4].date.is_range);
    assert_eq!(lines[4].date.date, None, "D8 of a range is no date");
}

/// SV101's procedure and modifiers, read in one pass, are what its
/// components say: the second, then up to four non-empty after it. An SV1
/// after one with no procedure fills the same line: its modifiers
/// replace the first's, not add to them.
#[test]
fn sv101_reads_as_its_components() {
    let cases: [(&str, &str, &[&str]); 7] = [
        ("HC:97530:GP:59", "97530", &["GP", "59"]),
        ("HC:97530", "97530", &[]),
        ("HC:97530:GP::59", "97530", &["GP", "59"]),
        ("HC:97530:A:B:C:D:E", "97530", &["A", "B", "C", "D"]),
        ("HC:97530:::::GP", "97530", &[]),
        ("HC", "", &[]),
        ("", "", &[]),
    ];
    for (sv101, procedure, modifiers) in cases {
        let mut body: Vec<String> = HEAD.iter().map(|s| s.to_string()).collect();
        body.extend(
            [
                "NM1*IL*1*DOE*JANE****MI*MBR1",
                "CLM*A1*10***11:B:1*Y*A*Y*Y",
                "LX*1",
                "SV1*HC::GO:XE:KX*10*UN*1***1",
                &format!("SV1*{sv101}*10*UN*1***1"),
            ]
            .map(String::from),
        );
        let body: Vec<&str> = body.iter().map(String::as_str).collect();
        let items = read(&x12(&body));
        let c = &claims(&items)[0];
        assert_eq!(c.claim.lines.len(), 1, "{sv101}");
        let l = &c.claim.lines[0];
        assert_eq!(l.procedure, procedure, "{sv101}");
        assert_eq!(l.modifiers.0[..], *modifiers, "{sv101}");
    }
}

#[test]
fn two_groups_and_crlf() {
    let one = x12(&[
        HEAD.as_slice(),
        &NAMES,
        &[
            "CLM*A*1***11:B:1*Y*A*Y*Y",
            "LX*1",
            "SV1*HC:97530:GP*1*UN*1***1",
        ],
    ]
    .concat());
    let (head, _) = one.split_at(one.find("GE*").unwrap());
    let second_group = head
        .replacen(ISA, "", 1)
        .replacen("~", "", 1)
        .replace("GS*HC*S*R*20261127*1200*1", "GS*HC*S*R*20261127*1200*2");
    let text = format!("{head}GE*1*1~{second_group}GE*1*2~IEA*2*000000001~").replace('~', "~\r\n");
    let items = read(&text);
    let cs = claims(&items);
    assert_eq!(cs.len(), 2);
    assert!(
        items
            .iter()
            .all(|i| matches!(i, Item::Claim(c) if c.findings.is_empty())),
        "{items:?}"
    );
    match &cs[1].claim.origin.kind {
        OriginKind::X12 { controls, .. } => assert_eq!(&*controls.gs06, "2"),
        k => panic!("{k:?}"),
    }
}

#[test]
fn structure_errors_reject_the_claims_they_touch() {
    // SV1 with no claim, LX before CLM, CLM under the billing HL.
    let body = [
        "HL*1**20*1",
        "NM1*85*2*CLINIC*****XX*1234567893",
        "LX*1",
        "SV1*HC:97530:GP*1*UN*1***1",
        "CLM*B*1***11:B:1*Y*A*Y*Y",
        "LX*1",
        "SV1*HC:97530:GP*1*UN*1***1",
    ];
    let items = read(&x12(&body));
    let codes: Vec<(String, Code)> = items
        .iter()
        .flat_map(|i| match i {
            Item::Claim(c) => c
                .findings
                .iter()
                .map(|f| (c.claim.id.to_string(), f.code))
                .collect::<Vec<_>>(),
            Item::Finding(f) => vec![(String::new(), f.code)],
            Item::Raw(_) => vec![],
        })
        .collect();
    assert_eq!(
        codes,
        [
            (String::new(), Code::X005),
            (String::new(), Code::X005),
            ("B".to_string(), Code::X005)
        ]
    );
}

#[test]
fn wrong_se_count_and_control_reject_every_claim_of_the_transaction() {
    let mut body: Vec<&str> = [HEAD.as_slice(), &NAMES].concat();
    body.extend([
        "CLM*A*1***11:B:1*Y*A*Y*Y",
        "LX*1",
        "SV1*HC:97530:GP*1*UN*1***1",
        "HL*3*1*22*0",
        "SBR*P*18*******MB",
        NAMES[0],
        NAMES[1],
        "CLM*B*1***11:B:1*Y*A*Y*Y",
        "LX*1",
        "SV1*HC:97530:GP*1*UN*1***1",
    ]);
    let text = x12(&body).replace(&format!("SE*{}*0001", body.len() + 2), "SE*4*0002");
    let items = read(&text);
    let cs = claims(&items);
    assert_eq!(cs.len(), 2);
    for c in cs {
        let codes: Vec<Code> = c.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, [Code::X003, Code::X002], "{}", c.claim.id);
    }
}

#[test]
fn transaction_without_se_is_x006_and_the_next_one_is_read() {
    let one = x12(&[HEAD.as_slice(), &NAMES, &["CLM*A*1***11:B:1*Y*A*Y*Y"]].concat());
    let cut = one.replace("SE*11*0001~", "");
    let text = cut.replace(
        "GE*1*1~",
        &format!(
            "ST*837*0002*005010X222A2~HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~HL*2*1*22*0~SBR*P*18*******MB~{}~CLM*B*1***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:97530:GP*1*UN*1***1~SE*11*0002~GE*2*1~",
            NAMES.join("~")
        ),
    );
    let items = read(&text);
    let cs = claims(&items);
    assert_eq!(cs.len(), 2);
    assert_eq!(
        cs[0].findings.iter().map(|f| f.code).collect::<Vec<_>>(),
        [Code::X006]
    );
    assert!(cs[1].findings.is_empty(), "{:?}", cs[1].findings);
}

#[test]
fn a_too_long_segment_inside_a_claim_is_counted_and_told_on_the_claim() {
    let long = format!("NTE*ADD*{}", "A".repeat(300));
    let mut body: Vec<&str> = HEAD.to_vec();
    body.extend([
        "NM1*IL*1*DOE*JANE****MI*MBR1",
        "NM1*PR*2*MEDICARE*****PI*MCR01",
        "CLM*A1*45***11:B:1*Y*A*Y*Y",
        "HI*ABK:M6281",
        "LX*1",
        "SV1*HC:97530:GP*45*UN*1***1",
        long.as_str(),
        "DTP*472*D8*20260310",
        "CLM*A2*45***11:B:1*Y*A*Y*Y",
        "HI*ABK:M6281",
        "LX*1",
        "SV1*HC:97530:GP*45*UN*1***1",
    ]);
    let limits = Limits {
        max_record: 200,
        ..Limits::default()
    };
    let items: Vec<Item> =
        X12Reader::new(Arc::from("t.837"), x12(&body).as_bytes(), limits).collect();
    let cs = claims(&items);
    assert_eq!(cs.len(), 2);
    let codes = |c: &ReadClaim| c.findings.iter().map(|f| f.code).collect::<Vec<_>>();
    // Told on the claim it stood in, with its length; SE01 still matches
    // (the skipped segment is counted), so no X003.
    assert_eq!(codes(cs[0]), [Code::X005]);
    assert!(cs[0].findings[0]
        .message
        .contains("over the segment size limit"));
    assert!(
        cs[0].findings[0].message.contains("308 bytes"),
        "{}",
        cs[0].findings[0].message
    );
    assert_eq!(cs[0].claim.lines[0].date.raw, "20260310");
    assert!(codes(cs[1]).is_empty());
}

/// An HL loop's party: the first NM1*85 or *IL, unless an NM1*QC
/// comes (which wins); other NM1s, and an entity code that is not two
/// characters, are passed over; elements are kept as they stand.
#[test]
fn a_loops_party_is_its_first_provider_or_subscriber_or_its_patient() {
    // Read from the bytes, and from the parser's split segment (ASCII
    // checked and not): the three agree.
    let read = |segs: &[&str]| {
        let mut party = None;
        for s in segs {
            note_party(&mut party, s.as_bytes(), b'*');
        }
        let from_bytes = party.map(|p| {
            (
                p.last().to_string(),
                p.first().to_string(),
                p.id().to_string(),
            )
        });
        let all_ascii = segs.iter().all(|s| s.is_ascii());
        for ascii in [false, true].into_iter().filter(|&a| !a || all_ascii) {
            let mut party = None;
            for s in segs {
                let mut elems = Vec::new();
                let d = Delims::usual();
                // Room after it: a short segment's separators are a mask.
                let padded = format!("{s}{}", " ".repeat(64));
                let seg = if ascii {
                    assert!(s.is_ascii());
                    // SAFETY: checked just above.
                    unsafe {
                        Segment::from_ascii_in(padded.as_bytes(), 0, s.len(), 0, d, &mut elems)
                    }
                } else {
                    Segment::from_bytes(s.as_bytes(), 0, d, &mut elems)
                };
                note_party_of(&mut party, &seg);
            }
            let of_segment = party.map(|p| {
                (
                    p.last().to_string(),
                    p.first().to_string(),
                    p.id().to_string(),
                )
            });
            assert_eq!(of_segment, from_bytes, "{segs:?}, ascii {ascii}");
        }
        from_bytes
    };
    let named = |l: &str, f: &str, i: &str| Some((l.into(), f.into(), i.into()));
    assert_eq!(
        read(&["SBR*P*18", "N3*1 MAIN", "NM1*PR*2*MEDICARE*****PI*1"]),
        None
    );
    assert_eq!(
        read(&["NM1*IL*1*DOE*JANE****MI*123", "NM1*85*2*CLINIC*****XX*999"]),
        named("DOE", "JANE", "123")
    );
    assert_eq!(
        read(&[
            "NM1*IL*1*DOE*JANE****MI*123",
            "\nNM1*QC*1*DOE*JIM ****MI*7 "
        ]),
        named("DOE", "JIM ", "7")
    );
    assert_eq!(
        read(&["NM1*QC*1* DOE *JIM*** *MI* 7"]),
        named(" DOE ", "JIM", " 7")
    );
    assert_eq!(read(&["NM1*85*2*CLINIC"]), named("CLINIC", "", ""));
    assert_eq!(
        read(&["NM1*IL*1*MÜLLER*JÖRG****MI*9"]),
        named("MÜLLER", "JÖRG", "9")
    );
    assert_eq!(
        read(&["NM1*ILX*1*DOE", "NM1*IL", "NM1*IL*"]),
        named("", "", "")
    );
    assert_eq!(read(&["NM1*IL"]), None);
}

/// A transaction that is all ASCII has its elements read without a UTF-8
/// check; one with other bytes is read as before: UTF-8 kept, the rest
/// replaced.
#[test]
fn member_ids_in_ascii_utf8_and_other_bytes() {
    let claim = |member: &str| {
        let mut body: Vec<&str> = HEAD.to_vec();
        let nm1 = format!("NM1*IL*1*DOE*JANE****MI*{member}");
        body.extend([
            nm1.as_str(),
            "NM1*PR*2*MEDICARE*****PI*MCR01",
            "CLM*A1*45***11:B:1*Y*A*Y*Y",
            "HI*ABK:M6281",
            "LX*1",
            "SV1*HC:97530:GP*45*UN*1***1",
            "DTP*472*D8*20261101",
        ]);
        x12(&body).into_bytes()
    };
    let mut latin1 = claim("MBRX");
    let at = latin1.windows(4).position(|w| w == b"MBRX").unwrap();
    latin1[at + 3] = 0xE9; // "é" in Latin-1: not UTF-8
    for (bytes, want) in [
        (claim(" MBR1 "), "MBR1"),
        (claim("MBRË"), "MBRË"),
        (latin1, "MBR\u{fffd}"),
    ] {
        let items: Vec<Item> =
            X12Reader::new(Arc::from("t.837"), bytes.as_slice(), Limits::default()).collect();
        let cs = claims(&items);
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].claim.patient_id, want);
        assert_eq!(cs[0].claim.lines[0].procedure, "97530");
        assert_eq!(cs[0].claim.lines[0].modifiers.0[..], ["GP"]);
    }
}

/// Segments out of place are told at their own segment and byte (their
/// place is made only when a finding or a line keeps it), the claim and
/// its lines at theirs.
#[test]
fn out_of_place_segments_are_told_where_they_stand() {
    let body = [
        "BHT*0019*00*1*20261127*1200*CH",
        "LX*9",
        "SV1*HC:97530:GP*45*UN*3",
        "CLM*EARLY*45",
        "HL*1**20*1",
        "HL*2*1*22*0",
        "HL*3**22*0",
        "CLM*C1*90",
        "SV1*HC:97530:GP*45*UN*3",
        "LX*2",
        "SV1*HC:97530:GP*45*UN*3",
        "SV1*HC:97110:GP*45*UN*3",
    ];
    let text = x12(&body);
    // Segment numbers count from ST = 1; bytes are where each segment starts.
    let at = |seg: &str, nth: usize| -> String {
        let i = body
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == seg)
            .nth(nth)
            .map(|(i, _)| i)
            .unwrap();
        let mut from = 0;
        for _ in 0..=nth {
            from = text[from..].find(&format!("~{seg}~")).unwrap() + from + 1;
        }
        format!("ST02 0001 segment {} byte {from}", i + 2)
    };
    let items = read(&text);
    let mut told: Vec<(String, String)> = Vec::new();
    for item in &items {
        match item {
            Item::Finding(f) => {
                told.push((f.message.to_string(), f.origin.as_ref().unwrap().describe()))
            }
            Item::Claim(c) => {
                told.push((format!("claim {}", c.claim.id), c.claim.origin.describe()));
                for f in &c.findings {
                    told.push((f.message.to_string(), f.origin.as_ref().unwrap().describe()));
                }
                for l in &c.claim.lines {
                    told.push((format!("line {}", l.number), c.claim.line_location(l)));
                }
            }
            Item::Raw(_) => {}
        }
    }
    let place = |what: &str| -> String {
        let hit = told.iter().find(|(m, _)| m.contains(what));
        let (_, d) = hit.unwrap_or_else(|| panic!("{what} not told: {told:#?}"));
        d.split("ISA13 000000001 GS06 1 ")
            .nth(1)
            .unwrap_or(d)
            .to_string()
    };
    assert_eq!(place("LX before any CLM"), at("LX*9", 0));
    assert_eq!(
        place("SV1 outside any claim"),
        at("SV1*HC:97530:GP*45*UN*3", 0)
    );
    assert_eq!(place("claim EARLY"), at("CLM*EARLY*45", 0));
    assert_eq!(place("CLM before any subscriber HL"), at("CLM*EARLY*45", 0));
    assert_eq!(place("HL 3 (level 22) has no parent"), at("HL*3**22*0", 0));
    assert_eq!(place("claim C1"), at("CLM*C1*90", 0));
    assert_eq!(place("SV1 before any LX"), at("SV1*HC:97530:GP*45*UN*3", 1));
    assert_eq!(place("line 1"), at("SV1*HC:97530:GP*45*UN*3", 1));
    assert_eq!(place("line 2"), at("LX*2", 0));
    assert_eq!(
        place("second SV1 in one service line"),
        at("SV1*HC:97110:GP*45*UN*3", 0)
    );
    assert_eq!(place("line 3"), at("SV1*HC:97110:GP*45*UN*3", 0));
}

/// LX01, HL01 and HL02 read as `str::parse` reads them, trimmed, for plain
/// digits and every other shape.
#[test]
fn numbers_read_as_parse_reads_them() {
    let general = |b: &[u8]| {
        std::str::from_utf8(b)
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok())
    };
    for t in [
        "",
        "0",
        "1",
        "007",
        "42",
        "999999999",
        "4294967295",
        "4294967296",
        " 3",
        "3 ",
        "+3",
        "-3",
        "3a",
        "1.0",
        "٣",
    ] {
        assert_eq!(super::number(t.as_bytes()), general(t.as_bytes()), "{t:?}");
    }
}

/// Every file under `dir` (recursively) whose name ends in one of `exts`.
fn files_under(dir: &std::path::Path, exts: &[&str], out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, exts, out);
        } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
            out.push(p);
        }
    }
}

/// A transaction parsed in parts (`TxJob::parse_each`, its SE or its cut
/// read first) gives the items a whole parse gives, in the same order, with
/// the same findings on each claim: for transactions whole, cut short, with
/// SE01 and SE02 wrong, empty and over-long segments, skipped (X007), with
/// the structure kept or not; for every fixture and sample; in parts of 1,
/// 2, 3 and 64 items. And every part but the last holds at least that many.
#[test]
fn a_transaction_parsed_in_parts_gives_what_a_whole_parse_gives() {
    let mut body: Vec<String> = HEAD.iter().map(|s| s.to_string()).collect();
    for i in 0..40 {
        if i % 10 == 5 {
            body.push(format!("HL*{}*1*22*0", 3 + i));
            body.push("SBR*P*18*******MB".into());
            body.push("NM1*IL*1*DOE*JANE****MI*M1".into());
        }
        body.push(format!("CLM*C{i}*100***11:B:1*Y*A*Y*Y"));
        body.push("HI*ABK:M545".into());
        body.push("LX*1".into());
        body.push("SV1*HC:97530:GP*100*UN*4***1".into());
        body.push("DTP*472*D8*20261101".into());
        if i == 17 {
            body.push(String::new()); // two terminators in a row
            body.push(format!("NTE*ADD*{}", "x".repeat(300))); // over the limit below
        }
    }
    let refs: Vec<&str> = body.iter().map(String::as_str).collect();
    let whole = x12(&refs);
    let se = format!("SE*{}*0001~", refs.len() + 2);
    let mut texts = vec![
        whole.clone(),
        whole.replace(&se, "SE*7*0001~"),
        whole.replace(&se, &format!("SE*{}*0002~", refs.len() + 2)),
        whole.replace(&se, ""),
        whole.replace(
            &se,
            &format!("{se}ST*837*0002*005010X222A2~{}", HEAD.join("~")),
        ),
        whole.replace("ST*837*0001", "ST*999*0001"),
    ];
    let mut paths = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    files_under(&root.join("fixtures"), &[".837"], &mut paths);
    files_under(
        &root.join("../shared/samples"),
        &[".837", ".x12", ".edi", ".txt"],
        &mut paths,
    );
    paths.sort();
    for p in &paths {
        texts.push(String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned());
    }
    let kinds = [
        Limits {
            max_record: 200,
            ..Limits::default()
        },
        Limits {
            max_record: 200,
            keep_raw: true,
            parties: true,
            segments: true,
            ..Limits::default()
        },
        Limits {
            max_record: 1 << 20,
            keep_raw: true,
            ..Limits::default()
        },
    ];
    let mut jobs = 0;
    for (t, text) in texts.iter().enumerate() {
        for limits in kinds {
            // Held in memory, and in a scratch file from its ST or from
            // past 150 bytes (read back in windows of 64 bytes).
            for (part, held) in [1, 2, 3, 64]
                .into_iter()
                .flat_map(|p| [(p, None), (p, Some(0)), (p, Some(150))])
            {
                let reader = |held: Option<usize>| {
                    let max_held = held.unwrap_or(limits.max_held);
                    X12Reader::new(
                        Arc::from("t.837"),
                        text.as_bytes(),
                        Limits { max_held, ..limits },
                    )
                };
                let (mut a, mut b) = (reader(None), reader(held));
                loop {
                    let (pa, pb) = match (a.next_piece_inner(), b.next_piece_inner()) {
                        (Some(pa), Some(pb)) => (pa, pb),
                        (None, None) => break,
                        _ => panic!("text {t}: one reader ended before the other"),
                    };
                    let (Piece::Deferred(ja), Piece::Deferred(jb)) = (pa, pb) else {
                        continue;
                    };
                    assert!(ja.spill.is_none());
                    assert_eq!(
                        jb.spill.is_some(),
                        held.is_some_and(|h| jb.weight() > h),
                        "text {t}"
                    );
                    jobs += 1;
                    let (expected, stats) = ja.parse();
                    let mut parts: Vec<Vec<Item>> = Vec::new();
                    let stats_b = jb.parse_each(part, |p| parts.push(p));
                    assert_eq!(stats, stats_b);
                    for p in &parts[..parts.len().saturating_sub(1)] {
                        assert!(p.len() >= part, "text {t}: a part of {} < {part}", p.len());
                    }
                    let got: Vec<Item> = parts.into_iter().flatten().collect();
                    assert_eq!(
                        format!("{got:#?}"),
                        format!("{expected:#?}"),
                        "text {t}, part {part}, held {held:?}, {limits:?}"
                    );
                }
            }
        }
    }
    assert!(jobs > 6 * 3 * 4 * 3, "{jobs} transactions compared");
}

/// A segment's offset comes back whether it is kept near (`Seg::at` past
/// the job's ST) or far (4 GiB or more past it, or before it: in
/// `TxJob::far`, in order): a job whose every offset is kept far parses to
/// what it parses to as read, in one part or in many.
#[test]
fn segment_offsets_kept_near_or_far_read_the_same() {
    let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.837")).unwrap();
    let job = || {
        let mut r = X12Reader::new(Arc::from("t.837"), &text[..], Limits::default());
        loop {
            match r.next_piece_inner().expect("a transaction") {
                Piece::Deferred(job) => return job,
                _ => continue,
            }
        }
    };
    let mut j = job();
    let base = j.base;
    assert!(base > 0, "ST is not at the start of the file");
    assert_eq!(j.at(base + 7), 7);
    assert_eq!(j.at(base + (1 << 32) + 5), FAR);
    assert_eq!(j.at(base - 1), FAR);
    let mut far = j.far[j.far.len() - 2..].iter();
    let near = Seg { at: 7, end: 0 };
    let away = Seg { at: FAR, end: 0 };
    assert_eq!(j.offset(near, &mut far), base + 7);
    assert_eq!(j.offset(away, &mut far), base + (1 << 32) + 5);
    assert_eq!(j.offset(away, &mut far), base - 1);

    for part in [1, usize::MAX] {
        let mut expected = Vec::new();
        job().parse_each(part, |p| expected.extend(p));
        let mut j = job();
        let segs = std::mem::take(&mut j.segs);
        j.far = segs.iter().map(|s| j.base + u64::from(s.at)).collect();
        j.segs = segs.iter().map(|s| Seg { at: FAR, ..*s }).collect();
        let mut got = Vec::new();
        j.parse_each(part, |p| got.extend(p));
        assert!(!expected.is_empty());
        assert_eq!(format!("{got:#?}"), format!("{expected:#?}"), "part {part}");
    }
}

/// A scratch file that fails: one that takes no more writes (a full disk)
/// leaves the rest of its transaction in memory, which reads as if there
/// had been no file; one that cannot be read back is told (X006, naming the
/// scratch file). Either way the run goes on: the next transaction is read.
#[cfg(unix)]
#[test]
fn a_scratch_file_that_fails_is_told_or_held_and_the_next_transaction_read() {
    use std::io::{Read, Seek};
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.837")).unwrap();
    // The demo's transaction twice, the second one under ST02 90001.
    let st = text.find("ST*837*").unwrap();
    let se_end = text[st..].find("\nSE*").map(|i| st + i + 1).unwrap();
    let se_end = se_end + text[se_end..].find('~').unwrap() + 1;
    let tx = &text[st..se_end];
    let second = tx.replacen("ST*837*", "ST*837*9", 1);
    let both = format!("{}{}{}", &text[..se_end], second, &text[se_end..]);
    let jobs = |max_held| {
        let limits = Limits {
            max_held,
            ..Limits::default()
        };
        let mut r = X12Reader::new(Arc::from("t.837"), both.as_bytes(), limits);
        let mut jobs = Vec::new();
        while let Some(piece) = r.next_piece_inner() {
            if let Piece::Deferred(job) = piece {
                jobs.push(job);
            }
        }
        assert_eq!(jobs.len(), 2);
        jobs
    };
    let held: Vec<String> = jobs(usize::MAX)
        .into_iter()
        .map(|j| format!("{:?}", j.parse().0))
        .collect();
    let copy = std::env::temp_dir().join(format!("cs-v001-held-{}", std::process::id()));
    for write_fails in [true, false] {
        let mut jobs = jobs(0);
        // The first job's file swapped for one that refuses: writing (its
        // last block is written when it is parsed: a file open to read
        // only, holding what was written) or reading (open to write only).
        let sp = jobs[0].spill.as_mut().expect("in a scratch file");
        assert!(
            sp.written > 0 && !sp.staged.is_empty(),
            "a block in the file, one to write"
        );
        sp.file = if write_fails {
            let mut written = Vec::new();
            sp.file.rewind().unwrap();
            sp.file.read_to_end(&mut written).unwrap();
            std::fs::write(&copy, written).unwrap();
            std::fs::File::open(&copy).unwrap()
        } else {
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/null")
                .unwrap()
        };
        let second = jobs.pop().unwrap().parse().0;
        let first = jobs.pop().unwrap().parse().0;
        assert_eq!(
            format!("{second:?}"),
            held[1],
            "the second transaction is whole"
        );
        if write_fails {
            assert_eq!(
                format!("{first:?}"),
                held[0],
                "held in memory past the file"
            );
            continue;
        }
        let told: Vec<String> = first
            .iter()
            .flat_map(|i| match i {
                Item::Finding(f) => vec![f],
                Item::Claim(c) => c.findings.iter().collect(),
                Item::Raw(_) => vec![],
            })
            .filter(|f| f.code == Code::X006)
            .map(|f| f.message.to_string())
            .collect();
        assert!(
            told.iter()
                .any(|m| m.contains("scratch file could not be read back")),
            "{told:?}"
        );
        // Every claim that came back carries the cut.
        for c in claims(&first) {
            assert!(c.findings.iter().any(|f| f.code == Code::X006), "{c:?}");
        }
    }
    std::fs::remove_file(&copy).ok();
}

/// HL ids kept by id in a list (the usual 1, 2, 3...) or in a hash table
/// (any other) answer as one hash table does: ids in order, repeated, far
/// apart, zero and the largest.
#[test]
fn hl_ids_answer_as_a_hash_table() {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for round in 0..200 {
        let mut ids = HlIds::with_capacity(round % 7);
        let mut model = std::collections::HashMap::new();
        for index in 0..300 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let id = match x % 6 {
                0..=2 => index as u32 + 1,
                3 => (x >> 40) as u32 % 50,
                4 => (x >> 32) as u32,
                _ => [0, u32::MAX, 1_000_000][(x >> 20) as usize % 3],
            };
            assert_eq!(
                ids.insert(id, index),
                model.insert(id, index).is_some(),
                "insert {id}"
            );
            for probe in [id, id.wrapping_add(1), (x >> 8) as u32 % 400] {
                assert_eq!(ids.get(probe), model.get(&probe).copied(), "get {probe}");
            }
        }
    }
}

/// A claim whose subscriber loop (its own HL's, or its patient HL's
/// parent's) lacks SBR, NM1*IL or NM1*PR names no subscriber or payer: X005
/// on the claim, saying which are missing; a whole loop gives none.
#[test]
fn a_subscriber_loop_without_its_required_segments_rejects_its_claims() {
    let sbr = "SBR*P*18*******MB";
    let clm = [
        "CLM*A*1***11:B:1*Y*A*Y*Y",
        "LX*1",
        "SV1*HC:97530:GP*1*UN*1***1",
    ];
    let x005 = |loop_: &[&str], patient: bool| -> Vec<String> {
        let mut body = vec![
            "BHT*0019*00*1*20261127*1200*CH",
            "HL*1**20*1",
            "NM1*85*2*CLINIC*****XX*1234567893",
            "HL*2*1*22*1",
        ];
        body.extend(loop_);
        if patient {
            body.extend(["HL*3*2*23*0", "PAT*19", "NM1*QC*1*DOE*TED"]);
        }
        body.extend(clm);
        one_claims_findings(&x12(&body))
            .into_iter()
            .map(|(code, _, message)| {
                assert_eq!(code, Code::X005, "{message}");
                message
            })
            .collect()
    };
    for patient in [false, true] {
        assert_eq!(
            x005(&[sbr, NAMES[0], NAMES[1]], patient),
            Vec::<String>::new()
        );
        assert_eq!(
            x005(&[NAMES[0], NAMES[1]], patient),
            ["the subscriber loop (HL 2) has no SBR (loop 2000B): required in every 837P"]
        );
        assert_eq!(
            x005(&[sbr, NAMES[0]], patient),
            ["the subscriber loop (HL 2) has no payer name NM1*PR (loop 2010BB): required in every 837P"]
        );
        assert_eq!(
            x005(&[], patient),
            ["the subscriber loop (HL 2) has no SBR (loop 2000B), no subscriber name NM1*IL (loop 2010BA), no payer name NM1*PR (loop 2010BB): required in every 837P"]
        );
    }
    // A patient loop needs its own name, NM1*QC.
    let mut body = vec![
        "HL*1**20*1",
        "NM1*85*2*CLINIC*****XX*1234567893",
        "HL*2*1*22*1",
        sbr,
    ];
    body.extend(NAMES);
    body.extend(["HL*3*2*23*0", "PAT*19"]);
    body.extend(clm);
    assert_eq!(
        one_claims_findings(&x12(&body)),
        [(
            Code::X005,
            None,
            "the patient loop (HL 3) has no patient name NM1*QC (loop 2010CA): required in every 837P"
                .to_string()
        )]
    );
    // Names in the patient's loop are not the subscriber's (nor its own,
    // which is NM1*QC): two findings.
    let mut body = vec![
        "HL*1**20*1",
        "NM1*85*2*CLINIC*****XX*1234567893",
        "HL*2*1*22*1",
        sbr,
        "HL*3*2*23*0",
    ];
    body.extend(NAMES);
    body.extend(clm);
    let items = read(&x12(&body));
    assert_eq!(claims(&items)[0].findings.len(), 2);
}

/// A claim under a billing provider loop with no NM1*85, or with no service
/// line at all, is X005; a claim the input's end cut short before its
/// first line is told X006 alone.
#[test]
fn a_claim_without_its_billing_provider_or_any_line_is_x005() {
    let messages = |text: &str| -> Vec<(Code, String)> {
        one_claims_findings(text)
            .into_iter()
            .map(|(code, _, message)| (code, message))
            .collect()
    };
    let line = ["LX*1", "SV1*HC:97530:GP*1*UN*1***1"];
    let body = |biller: bool, lines: bool| {
        let mut b = vec!["HL*1**20*1"];
        if biller {
            b.push("NM1*85*2*CLINIC*****XX*1234567893");
        }
        b.extend(["HL*2*1*22*0", "SBR*P*18*******MB"]);
        b.extend(NAMES);
        b.push("CLM*A*1***11:B:1*Y*A*Y*Y");
        if lines {
            b.extend(line);
        }
        b
    };
    assert_eq!(messages(&x12(&body(true, true))), []);
    assert_eq!(
        messages(&x12(&body(false, true))),
        [(
            Code::X005,
            "the billing provider loop (HL 1) has no billing provider name NM1*85 (loop 2010AA): required in every 837P".to_string()
        )]
    );
    assert_eq!(
        messages(&x12(&body(true, false))),
        [(
            Code::X005,
            "the claim has no service line (loop 2400: LX, SV1): at least one is required"
                .to_string()
        )]
    );
    // Cut short before its first line, or after an LX: X006 alone.
    let mut open_line = body(true, false);
    open_line.push("LX*1");
    for b in [body(true, false), open_line] {
        let whole = x12(&b);
        let cut = &whole[..whole.find("SE*").unwrap()];
        let codes: Vec<Code> = messages(cut).into_iter().map(|(c, _)| c).collect();
        assert_eq!(codes, [Code::X006], "{cut}");
    }
}

/// What else a claim needs to be billed: an id (CLM01), an NPI on its
/// billing provider, an SV1 for each LX, a procedure code in each SV1.
/// Each missing is X005, told on the claim or on its line.
#[test]
fn a_claim_without_an_id_npi_sv1_or_procedure_is_x005() {
    let found = |biller: &str, clm: &str, lines: &[&str]| -> Vec<(Code, Option<usize>, String)> {
        let mut body = vec!["HL*1**20*1", biller, "HL*2*1*22*0", "SBR*P*18*******MB"];
        body.extend(NAMES);
        body.push(clm);
        body.extend(lines);
        one_claims_findings(&x12(&body))
    };
    let biller = "NM1*85*2*CLINIC*****XX*1234567893";
    let clm = "CLM*A*1***11:B:1*Y*A*Y*Y";
    let sv1 = "SV1*HC:97530:GP*1*UN*1***1";
    assert_eq!(found(biller, clm, &["LX*1", sv1]), []);
    assert_eq!(
        found(biller, "CLM**1***11:B:1*Y*A*Y*Y", &["LX*1", sv1]),
        [(
            Code::X005,
            None,
            "CLM01, the claim's id, is empty: required (the payer and the 277CA name the claim by it)".to_string()
        )]
    );
    assert_eq!(
        found("NM1*85*2*CLINIC", clm, &["LX*1", sv1]),
        [(
            Code::X005,
            None,
            "the billing provider's NM1*85 (HL 1) has no NPI (NM108 XX, NM109): required in every 837P".to_string()
        )]
    );
    // An LX with no SV1, between two whole lines and at the claim's end.
    let no_sv1 = (
        Code::X005,
        Some(1),
        "the service line (LX) has no SV1: it bills nothing".to_string(),
    );
    assert_eq!(
        found(biller, clm, &["LX*1", sv1, "LX*2", "LX*3", sv1]),
        std::slice::from_ref(&no_sv1)
    );
    assert_eq!(found(biller, clm, &["LX*1", sv1, "LX*2"]), [no_sv1]);
    // A procedure code split off by another character than ISA16's.
    assert_eq!(
        found(biller, clm, &["LX*1", "SV1*HC>97530*1*UN*1***1"]),
        [(
            Code::X005,
            Some(0),
            "SV101 `HC>97530` has no procedure code (SV101-2, after the qualifier; components are split at `:`, ISA16)".to_string()
        )]
    );
}
