#!/usr/bin/env python3
"""Write fixtures/malformed/: broken inputs, each with its expected exit
code, the rule codes it must raise, and the claims it must account for
(EXPECTED.csv). All synthetic; the base is a two-claim 837P and a CSV.

Run: python3 scripts/make_malformed.py
"""
import csv, gzip, os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "malformed")

ISA = "ISA*00*          *00*          *ZZ*SYNTHCLINIC    *ZZ*SYNTHCH        *261120*0900*^*00501*000000001*0*T*:"
GS = "GS*HC*SYNTHCLINIC*SYNTHCH*20261120*0900*1*X*005010X222A1"
HEAD = [
    "ST*837*0001*005010X222A1",
    "BHT*0019*00*0001*20261120*0900*CH",
    "NM1*41*2*SYNTHETIC THERAPY BILLING*****46*SYN01",
    "PER*IC*BILLING OFFICE*TE*5555550100",
    "NM1*40*2*SYNTHETIC CLEARINGHOUSE*****46*RCV01",
    "HL*1**20*1",
    "PRV*BI*PXC*225100000X",
    "NM1*85*2*SYNTHETIC REHAB*****XX*1234567893",
    "N3*100 EXAMPLE WAY",
    "N4*SPRINGFIELD*IL*627010000",
    "REF*EI*990000001",
]


def subscriber(hl, n):
    return [
        f"HL*{hl}*1*22*0",
        "SBR*P*18*******MB",
        f"NM1*IL*1*SAMPLE*PAT****MI*MBAD{n}",
        "NM1*PR*2*SYNTHETIC PAYER*****PI*MCR01",
    ]


def claim(n):
    return [
        f"CLM*BAD{n}*45***11:B:1*Y*A*Y*Y",
        "HI*ABK:M6281*ABF:R262",
        "NM1*82*1*THERAPIST*SAM****XX*1912301953",
        "PRV*PE*PXC*225100000X",
        "LX*1",
        "SV1*HC:97530:GP*45*UN*1***1",
        "DTP*472*D8*20261102",
        f"REF*6R*BAD{n}-1",
    ]


def body():
    return HEAD + subscriber(2, 1) + claim(1) + subscriber(3, 2) + claim(2)


def tx(segs, se_count=None, st02="0001"):
    n = len(segs) + 1 if se_count is None else se_count
    return segs + [f"SE*{n}*{st02}"]


def file(segs_in_tx=None, *, isa=ISA, gs=GS, ge="GE*1*1", iea="IEA*1*000000001", sep="~", eol="\n"):
    segs = [isa, gs] + tx(segs_in_tx if segs_in_tx is not None else body()) + [ge, iea]
    return (sep + eol).join(segs) + sep + eol


VALID = file()
CASES = []  # (name, bytes, exit, must-raise codes, claims read, rejected, what)


def case(name, data, exit_code, codes, claims, rejected, what):
    if isinstance(data, str):
        data = data.encode("latin-1")
    CASES.append((name, data, exit_code, codes, claims, rejected, what))


def cut(text, marker, keep_marker_chars=0):
    """The text up to the segment that starts with `marker` (plus some of it)."""
    i = text.index("\n" + marker) + 1
    return text[: i + keep_marker_chars]


# --- truncation at every envelope level and mid-segment -----------------
case("trunc-in-isa.837", VALID[:60], 1, "X001", 0, 0, "cut inside the ISA")
case("trunc-after-isa.837", cut(VALID, "GS*"), 1, "X006", 0, 0, "ISA and nothing else")
case("trunc-after-gs.837", cut(VALID, "ST*"), 1, "X006", 0, 0, "GS and nothing else")
case("trunc-after-st.837", cut(VALID, "BHT*"), 1, "X006", 0, 0, "ST and nothing else")
case("trunc-in-claim.837", cut(VALID, "LX*1"), 1, "X006", 1, 1, "cut after CLM, before its lines")
case("trunc-mid-segment.837", cut(VALID, "SV1*HC:97530:GP*45", 10), 1, "X006", 1, 1, "cut inside an SV1")
case("trunc-before-se.837", cut(VALID, "SE*"), 1, "X006", 2, 2, "no SE, GE, IEA")
case("trunc-before-ge.837", cut(VALID, "GE*"), 1, "X006", 2, 0, "no GE, IEA")
case("trunc-before-iea.837", cut(VALID, "IEA*"), 1, "X006", 2, 0, "no IEA")
# --- the ISA -------------------------------------------------------------
case("isa-short.837", VALID.replace("*SYNTHCLINIC    *", "*SYNTHCLINIC*", 1), 1, "X001", 0, 0, "ISA of 102 characters")
case("isa-long.837", VALID.replace("*SYNTHCLINIC    *", "*SYNTHCLINIC      *", 1), 1, "X001", 0, 0, "ISA of 108 characters")
case("delims-collide.837", VALID.replace("~", "*"), 1, "X001", 0, 0, "segment terminator = element separator")
# --- control numbers and counts at each level ---------------------------
case("st-se-control.837", file(body()).replace("SE*", "SE*", 1).replace("*0001~\nGE", "*0002~\nGE"), 1, "X002", 2, 2, "SE02 differs from ST02")
case("gs-ge-control.837", file(ge="GE*1*2"), 1, "X002", 2, 0, "GE02 differs from GS06")
case("isa-iea-control.837", file(iea="IEA*1*000000002"), 1, "X002", 2, 0, "IEA02 differs from ISA13")
case("se-count-off-by-one.837", "~\n".join([ISA, GS] + tx(body(), len(body())) + ["GE*1*1", "IEA*1*000000001"]) + "~\n", 1, "X003", 2, 2, "SE01 one short")
case("ge-count-wrong.837", file(ge="GE*2*1"), 1, "X004", 2, 0, "GE01 says 2 transactions")
case("iea-count-wrong.837", file(iea="IEA*3*000000001"), 1, "X004", 2, 0, "IEA01 says 3 groups")
# --- loop structure -------------------------------------------------------
b = body()
i = b.index("HL*3*1*22*0")
case("hl-missing-parent.837", file(b[:i] + ["HL*3*9*22*0"] + b[i + 1:]), 1, "X005", 2, 1, "HL03 parent 9 does not exist")
b = body()
i = b.index("CLM*BAD2*45***11:B:1*Y*A*Y*Y")
case("lx-before-clm.837", file(b[:i] + ["LX*1"] + b[i:]), 1, "X005", 2, 0, "LX between the subscriber and CLM: reported, no claim to reject")
b = body()
i = b.index("LX*1", b.index("CLM*BAD2*45***11:B:1*Y*A*Y*Y"))
case("sv1-before-lx.837", file(b[:i] + [b[i + 1], b[i]] + b[i + 2:]), 1, "X005", 2, 1, "SV1 ahead of its LX")
b = body()
i = b.index("HL*2*1*22*0")
case("clm-without-subscriber.837", file(b[:i] + claim(0) + b[i:]), 1, "X005", 3, 1, "CLM right after the billing provider")
# --- around the interchange ----------------------------------------------
case("two-iea.837", VALID + "IEA*1*000000001~\n", 1, "X001", 2, 0, "a second IEA: bytes outside any interchange")
case("data-after-iea.837", VALID + "THIS IS NOT X12\n", 1, "X001", 2, 0, "text after the IEA")
# --- bytes and encodings --------------------------------------------------
case("nul-bytes.837", VALID.replace("NM1*82*1*THERAPIST", "NM1*82*1*THER\0\0PIST", 1), 0, "", 2, 0, "NULs inside an element")
case("utf16-bom.837", ("\ufeff" + VALID).encode("utf-16-le"), 1, "X001", 0, 0, "UTF-16 text with its BOM")
case("utf8-bom.837", b"\xef\xbb\xbf" + VALID.encode(), 0, "", 2, 0, "UTF-8 BOM before the ISA")
mixed = VALID.replace("~\n", "~\r\n")
mixed = mixed.replace("~\r\nHL*3", "~\nHL*3", 1)
case("mixed-crlf-lf.837", mixed, 0, "", 2, 0, "CRLF and LF line ends mixed")
case("empty-segment.837", VALID.replace("~\nHI*", "~~\nHI*", 1), 1, "X005", 2, 1, "an empty segment `~~` inside a claim")
case("version-4010.837", VALID.replace("00501", "00401").replace("005010X222A1", "004010X098A1"), 1, "X007", 0, 0, "an 837P of the 4010 release")
case("institutional-837i.837", VALID.replace("005010X222A1", "005010X223A2"), 1, "X007", 0, 0, "an 837I (X223), not professional")

# --- CSV --------------------------------------------------------------------
CSV_HEAD = "claim_id,patient_id,date_of_service,procedure_code,modifiers,units,minutes,charge\n"
ROWS = [
    "C1,P1,2026-11-02,97530,GP,1,15,45.00\n",
    "C2,P2,2026-11-02,97530,GP,1,15,45.00\n",
    "C3,P3,2026-11-02,97530,GP,1,15,45.00\n",
]
case("csv-open-quote.csv", CSV_HEAD + ROWS[0] + 'C2,P2,2026-11-02,97530,"GP,1,15,45.00\n' + ROWS[2], 1, "X008", 2, 1, "a quote left open swallows the rest: its claim is rejected")
case("csv-ragged-row.csv", CSV_HEAD + ROWS[0] + "C2,P2,2026-11-02,97530,GP,1\n" + ROWS[2], 1, "X008", 3, 1, "one row with 6 of 8 fields: its claim is rejected")
case("csv-bom-crlf.csv", ("\ufeff" + CSV_HEAD + "".join(ROWS)).replace("\n", "\r\n").encode(), 0, "", 3, 0, "UTF-8 BOM and CRLF")
case("csv-empty.csv", "", 1, "X008", 0, 0, "an empty file")
case("csv-header-only.csv", CSV_HEAD, 0, "", 0, 0, "a header and no rows")


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    rows = [["file", "exit", "codes", "claims", "rejected", "what"]]
    for name, data, exit_code, codes, claims, rejected, what in CASES:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        rows.append([name, exit_code, codes, claims, rejected, what])
    # A 10 MB segment with no terminator, gzipped (the reader inflates .gz).
    big = (ISA + "~\n" + GS + "~\n" + "ST*837*0001*005010X222A1~\nNTE*ADD*" + "A" * (10 << 20)).encode()
    with gzip.open(os.path.join(OUT, "huge-unterminated.837.gz"), "wb", compresslevel=9) as f:
        f.write(big)
    rows.append(["huge-unterminated.837.gz", 1, "X005", 0, 0,
                 "a 10 MB segment with no terminator (over the 1 MB limit)"])
    with open(os.path.join(OUT, "EXPECTED.csv"), "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    print(f"{len(rows) - 1} files -> {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
