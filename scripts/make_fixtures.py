#!/usr/bin/env python3
"""Writes the synthetic 837P fixtures under fixtures/ (run from the repo root).

Every name, id and number here is made up. Claim ids name the expected
outcome: `D002-FAIL-01` must raise D002; `D002-PASS-01` must not. SE01, GE01
and IEA01 are computed, so hand edits of claims stay valid; the X fixtures
break them on purpose below.
"""
import os

ISA = ("ISA*00*          *00*          *ZZ*SYNTHCLINIC    *ZZ*SYNTHCH        "
       "*261120*0900*^*00501*{ctl:09d}*0*T*:")
assert len(ISA.format(ctl=1)) == 105  # the terminator makes 106

BILLING_NPI = "1234567893"
RENDER_NPI = "1912301953"


def line(proc="97530:GP", charge="45", units="1", basis="UN", ptr="1",
         date="20261102", dtp="D8", ctl=None, render=None, render_tax="225100000X"):
    return dict(proc=proc, charge=charge, units=units, basis=basis, ptr=ptr,
                date=date, dtp=dtp, ctl=ctl, render=render, render_tax=render_tax)


def claim(cid, lines, total=None, dx=("M6281", "R262"), fi="MB", payer="MCR01",
          render=RENDER_NPI, billing=BILLING_NPI, member=None, tax="225100000X"):
    if total is None:
        total = sum(float(l["charge"] or 0) for l in lines)
        total = ("%.2f" % total).rstrip("0").rstrip(".")
    return dict(id=cid, lines=lines, total=total, dx=dx, fi=fi, payer=payer, tax=tax,
                render=render, billing=billing, member=member or "M" + cid.replace("-", ""))


def transaction(claims, st="0001", se_count=None, se_ctl=None, billing_hl=True):
    segs = ["ST*837*%s*005010X222A1" % st,
            "BHT*0019*00*%s*20261120*0900*CH" % st,
            "NM1*41*2*SYNTHETIC THERAPY BILLING*****46*SYN01",
            "PER*IC*BILLING OFFICE*TE*5555550100",
            "NM1*40*2*SYNTHETIC CLEARINGHOUSE*****46*RCV01"]
    hl = 1
    billing = claims[0]["billing"] if claims else BILLING_NPI
    segs += ["HL*1**20*1", "PRV*BI*PXC*225100000X",
             "NM1*85*2*SYNTHETIC REHAB*****XX*%s" % billing,
             "N3*100 EXAMPLE WAY", "N4*SPRINGFIELD*IL*627010000", "REF*EI*990000001"]
    for c in claims:
        hl += 1
        segs += ["HL*%d*1*22*0" % hl,
                 "SBR*P*18*******%s" % c["fi"],
                 "NM1*IL*1*SAMPLE*PAT****MI*%s" % c["member"],
                 "NM1*PR*2*SYNTHETIC PAYER*****PI*%s" % c["payer"]]
        segs += claim_segments(c)
    n = len(segs) + 1
    segs.append("SE*%d*%s" % (se_count if se_count is not None else n, se_ctl or st))
    return segs


def claim_segments(c):
    segs = ["CLM*%s*%s***11:B:1*Y*A*Y*Y" % (c["id"], c["total"])]
    segs.append("HI*" + "*".join(("ABK:" if i == 0 else "ABF:") + d for i, d in enumerate(c["dx"])))
    if c["render"]:
        segs += ["NM1*82*1*THERAPIST*SAM****XX*%s" % c["render"], "PRV*PE*PXC*%s" % c["tax"]]
    for i, l in enumerate(c["lines"], 1):
        segs.append("LX*%d" % i)
        segs.append("SV1*HC:%s*%s*%s*%s***%s" % (l["proc"], l["charge"], l["basis"], l["units"], l["ptr"]))
        if l["date"] is not None:
            segs.append("DTP*472*%s*%s" % (l["dtp"], l["date"]))
        segs.append("REF*6R*%s" % (l["ctl"] or "%s-%d" % (c["id"], i)))
        if l["render"]:
            segs += ["NM1*82*1*OTHER*THERAPIST****XX*%s" % l["render"], "PRV*PE*PXC*%s" % l["render_tax"]]
    return segs


def interchange(transactions, ctl=1, gs_version="005010X222A1", ge_count=None, iea_count=None):
    out = [ISA.format(ctl=ctl), "GS*HC*SYNTHCLINIC*SYNTHCH*20261120*0900*%d*X*%s" % (ctl, gs_version)]
    for t in transactions:
        out += t
    out.append("GE*%d*%d" % (ge_count if ge_count is not None else len(transactions), ctl))
    out.append("IEA*%d*%09d" % (iea_count if iea_count is not None else 1, ctl))
    return out


def write(path, segs, sep="\n"):
    with open(path, "w", newline="") as f:
        f.write(sep.join(s + "~" for s in segs) + sep)


def rule_claims():
    C = []
    C += [claim("C001-FAIL-01", [line(), line("97110:GP")], total="100"),
          claim("C001-PASS-01", [line(), line("97110:GP")], total="90")]
    C += [claim("C002-FAIL-01", [line()], billing=BILLING_NPI, render="1234567890"),
          claim("C002-FAIL-02", [line(render="1912301950")]),
          claim("C002-PASS-01", [line(render="1234567893")])]
    C += [claim("D001-FAIL-01", [line(date=None)]),
          claim("D001-FAIL-02", [line(date="20261131")]),
          claim("D001-FAIL-03", [line(dtp="RD8", date="20261102-20261106")]),
          claim("D001-PASS-01", [line(dtp="RD8", date="20261102-20261102")]),
          claim("D001-PASS-02", [line("97110:GP", date=None), line()])]
    C += [claim("D002-FAIL-01", [line(units="1.5", charge="67.50")]),
          claim("D002-FAIL-02", [line(units="0")]),
          claim("D002-PASS-01", [line(units="2", charge="90")])]
    C += [claim("D003-FAIL-01", [line(ptr="3")]),
          claim("D003-FAIL-02", [line(ptr="")]),
          claim("D003-PASS-01", [line(ptr="1:2")])]
    C += [claim("D004-FAIL-01", [line(date="20261201")]),
          claim("D004-PASS-01", [line(date="20261127")])]
    C += [claim("D005-FAIL-01", [line(date="20251126")]),
          claim("D005-PASS-01", [line(date="20251127")])]
    C += [claim("D006-FAIL-01", [line(charge="0"), line("97110:GP")]),
          claim("D006-PASS-01", [line(charge="45")])]
    C += [claim("D007-FAIL-01", [line(basis="MJ", units="45", charge="135")]),
          claim("D007-PASS-01", [line(basis="UN", units="3", charge="135")])]
    C += [claim("M001-FAIL-01", [line("97530")]),
          claim("M001-FAIL-02", [line("97530:59")]),
          claim("M001-PASS-01", [line("97530:GO")], tax="225X00000X")]
    C += [claim("M002-FAIL-01", [line("97530:GP:GO")]),
          claim("M002-PASS-01", [line("97530:GP:KX")])]
    C += [claim("M006-FAIL-01", [line("97530:GP:59:XU")]),
          claim("M006-PASS-01", [line("97530:GP:XU")]),
          claim("M006-PASS-02", [line("97530:GP:59")])]
    C += [claim("M010-FAIL-01", [line("97530:GP:25")]),
          claim("M010-FAIL-02", [line("97530:GP:GP")]),
          claim("M010-PASS-01", [line("97530:GP:KX")])]
    C += [claim("M003-FAIL-01", [line("97530:GN")], tax="235Z00000X"),
          claim("M003-PASS-01", [line("97530:GP")])]
    C += [claim("M004-FAIL-01", [line("97530:GP")], tax="225X00000X"),
          claim("M004-FAIL-02", [line("97530:GO")], tax="225100000X"),
          claim("M004-FAIL-03", [line("97530:GP", render="1234567893", render_tax="224Z00000X")]),
          claim("M004-PASS-01", [line("97530:GO")], tax="225X00000X"),
          claim("M004-PASS-02", [line("97530:GP")], tax="261QR0400X")]
    C += [claim("M005-FAIL-01", [line("97530:GO:CQ")], tax="225X00000X"),
          claim("M005-FAIL-02", [line("97530:GP")], tax="225200000X"),
          claim("M005-FAIL-03", [line("97530:GO")], tax="224Z00000X"),
          claim("M005-PASS-01", [line("97530:GP:CQ")], tax="225200000X"),
          claim("M005-PASS-02", [line("97530:GO:CO")], tax="224Z00000X")]
    C += [claim("M007-FAIL-01", [line("97530:GP:XS")]),
          claim("M007-PASS-01", [line("97140:GP", "40"), line("97530:GP:59")])]
    C += [claim("M008-FAIL-01", [line("97140:GP", "40"), line("97530:GP")]),
          claim("M008-FAIL-02", [line("97530:GP"), line("97116:GP")]),
          claim("M008-PASS-01", [line("97530:GP"), line("97116:GP:XU")]),
          claim("M008-PASS-02", [line("97530:GP"), line("97116:GP", date="20261103")])]
    C += [claim("M012-FAIL-01", [line("97530:GP:GA:GZ")]),
          claim("M012-PASS-01", [line("97530:GP:GA")])]
    C += [claim("V001-FIRST-01", [line("97530:GP:KX")], member="MDUP1"),
          claim("V001-FAIL-01", [line("97530:KX:GP")], member="MDUP1"),
          claim("V001-PASS-01", [line("97530:GP:KX", date="20261103")], member="MDUP1"),
          claim("V001-PASS-02", [line("97530:GP:KX", render="1234567893")], member="MDUP1")]
    C += [claim("V002-FAIL-01", [line("97530:GP"), line("97150:GP", "30")]),
          claim("V002-PASS-01", [line("97530:GP"), line("97150:GP", "30", date="20261104")])]
    C += [claim("C003-FAIL-01", [line()]), claim("C003-FAIL-01", [line("97530:GP", date="20261104")]),
          claim("C003-PASS-01", [line()])]
    return C


def main():
    os.makedirs("fixtures/rules", exist_ok=True)
    write("fixtures/rules/claims.837", interchange([transaction(rule_claims())]))

    # X fixtures: one problem each.
    ok = [claim("X001-PASS-01", [line()]), claim("X002-PASS-01", [line()]),
          claim("X003-PASS-01", [line()]), claim("X005-PASS-01", [line()]),
          claim("X006-PASS-01", [line()]), claim("X004-PASS-01", [line()]),
          claim("X007-PASS-01", [line()])]
    write("fixtures/rules/X-PASS-valid.837", interchange([transaction(ok)]), sep="\r\n")
    with open("fixtures/rules/X001-FAIL-not-x12.837", "w") as f:
        f.write("THIS FILE IS NOT AN INTERCHANGE\n")
    write("fixtures/rules/X001-FAIL-short-isa.837",
          ["ISA*00**00**ZZ*SYNTHCLINIC*ZZ*SYNTHCH*261120*0900*^*00501*000000001*0*T*:",
           "GS*HC*S*R*20261120*0900*1*X*005010X222A1"])
    write("fixtures/rules/X002-FAIL-se-control.837",
          interchange([transaction([claim("X002-FAIL-01", [line()])], se_ctl="0099")]))
    write("fixtures/rules/X003-FAIL-se-count.837",
          interchange([transaction([claim("X003-FAIL-01", [line()]), claim("X003-FAIL-02", [line()])],
                                   se_count=12)]))
    write("fixtures/rules/X004-FAIL-ge-count.837",
          interchange([transaction([claim("X004-CLAIM-01", [line()])])], ge_count=2))
    t = transaction([claim("X005-FAIL-01", [line()]), claim("X005-PASS-02", [line()])])
    # SV1 before LX in the first claim; an HL whose parent does not exist.
    i = t.index("LX*1")
    t.pop(i)
    t = [s if s != "HL*3*1*22*0" else "HL*3*9*22*0" for s in t]
    t = [s.replace("X005-PASS-02", "X005-FAIL-02") for s in t]
    t[-1] = "SE*%d*0001" % len(t)
    write("fixtures/rules/X005-FAIL-out-of-place.837", interchange([t]))
    t = interchange([transaction([claim("X006-FAIL-01", [line(), line("97110:GP")])])])
    cut = t[:-5]  # ends inside the transaction, after some of the second line
    with open("fixtures/rules/X006-FAIL-truncated.837", "w") as f:
        f.write("\n".join(s + "~" for s in cut) + "\nDTP*47")
    write("fixtures/rules/X007-FAIL-4010.837",
          interchange([transaction([claim("X007-SKIPPED-01", [line()])])], gs_version="004010X098A1"))

    # NCCI from CMS-layout PTP parts (fixtures/ncci), and a payer that never
    # lets 97140 with 97530 through.
    n = [claim("M009-FAIL-01", [line("97530:GO"), line("97168:GO", "90")], tax="225X00000X"),
         claim("M009-FAIL-02", [line("97140:GP", "40"), line("97530:GP:59")], fi="CI", payer="ACME1"),
         claim("M009-PASS-01", [line("97530:GP")], fi="CI", payer="ACME1"),
         claim("M009-PASS-02", [line("97530:GP"), line("97112:GP")]),
         claim("M008-FAIL-03", [line("97530:GP"), line("97116:GP")]),
         claim("M008-PASS-03", [line("97530:GP", date="20200601"), line("97116:GP", date="20200601")]),
         claim("M007-FAIL-02", [line("97530:GP:59"), line("97535:GP")])]
    write("fixtures/rules/ncci.837", interchange([transaction(n)]))

    # The README's example: a small clinic's day with a few real problems.
    demo = [
        claim("PT1001", [line("97530:GP", "90", "2"), line("97110:GP", "45")], fi="MB"),
        claim("PT1002", [line("97530", "45", "1")], fi="MB"),                       # no GP/GO/GN
        claim("PT1003", [line("97530:GP:59:XU", "45"), line("97140:GP", "40")], fi="CI", payer="ACME1"),
        claim("PT1004", [line("97530:GO", "67.50", "1.5")], fi="MB", tax="225X00000X"),  # fractional units
        claim("PT1005", [line("97530:GP", "90", "2"), line("97112:GP", "45")], total="150", fi="MB"),
        claim("PT1006", [line("97530:GO:GP", "45")], fi="CI", payer="ACME1"),
        claim("PT1007", [line("97530:GP", "45", ptr="3")], fi="MB"),              # pointer beyond HI
        claim("PT1008", [line("97530:GO", "90", "2"), line("97535:GO", "45")], fi="MB", tax="225X00000X"),
        claim("PT1009", [line("97530:GP", "45", basis="MJ", units="38")], fi="MB", total="45"),
        claim("PT1010", [line("97530:GP", "45")], fi="MB", render="1912301950"),  # NPI typo
        claim("PT1011", [line("97140:GP", "40"), line("97530:GP", "45")], fi="MB"),  # NCCI pair, no 59
    ]
    write("fixtures/demo.837", interchange([transaction(demo)]))


if __name__ == "__main__":
    main()
