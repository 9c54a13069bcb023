//! `--html PATH`: one self-contained page (no network, no external assets)
//! with the run's totals, a bar chart of findings by rule (inline SVG),
//! findings by payer and by rendering provider, and the most common
//! rejection reasons with their explanation.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Summary, Tally};
use crate::finding::{Code, Severity};
use crate::model::Money;
use crate::rules;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The section of a rule's explanation under `## heading`.
fn section<'a>(explanation: &'a str, heading: &str) -> &'a str {
    let h = format!("## {heading}\n");
    let Some(start) = explanation.find(&h) else {
        return "";
    };
    let rest = &explanation[start + h.len()..];
    rest.split("\n## ").next().unwrap_or("").trim()
}

fn color(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "#c0392b",
        Severity::Warning => "#d68910",
        Severity::Info => "#7f8c8d",
    }
}

pub fn render(s: &Summary, inputs: &[String], as_of: &str) -> String {
    let mut h = String::with_capacity(16 << 10);
    h.push_str(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>claimscrub summary</title>\
<style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222;max-width:1100px}\
h1{margin-bottom:.2rem}.sub{color:#666;margin-top:0}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1.5rem 0}\
.card{border:1px solid #ddd;border-radius:8px;padding:1rem 1.4rem;min-width:150px}.card b{display:block;font-size:1.8rem}\
.bad b{color:#c0392b}.ok b{color:#1e8449}table{border-collapse:collapse;margin:.5rem 0 1.5rem}\
td,th{border-bottom:1px solid #eee;padding:.3rem .8rem;text-align:left}th{background:#f6f6f6}td.n{text-align:right}\
.reason{border-left:4px solid #c0392b;padding:.2rem 1rem;margin:1rem 0}.reason p{margin:.3rem 0}</style></head><body>",
    );
    let _ = write!(
        h,
        "<h1>claimscrub summary</h1><p class=\"sub\">{} &middot; as of {}</p>",
        esc(&inputs.join(", ")),
        esc(as_of)
    );
    let _ = write!(
        h,
        "<div class=\"cards\"><div class=\"card\"><b>{}</b>claims read</div>\
<div class=\"card ok\"><b>{}</b>clean</div><div class=\"card bad\"><b>{}</b>rejected</div>\
<div class=\"card bad\"><b>${}</b>charges held back</div><div class=\"card\"><b>{}</b>lines checked</div></div>\
<p>Claims read {} = {} clean + {} rejected.</p>",
        s.claims,
        s.clean,
        s.rejected,
        Money(s.held_back_cents),
        s.lines,
        s.claims,
        s.clean,
        s.rejected
    );
    // Findings by rule: one bar per code, its colour the worst severity.
    let mut by_code: BTreeMap<Code, (u64, Severity)> = BTreeMap::new();
    let review = |code: &Code, sev: &Severity| code.is_documentation() && *sev != Severity::Error;
    for ((code, sev), n) in s.findings.iter().filter(|((c, v), _)| !review(c, v)) {
        let e = by_code.entry(*code).or_insert((0, *sev));
        e.0 += n;
        e.1 = e.1.max(*sev);
    }
    h.push_str("<h2>Findings by rule</h2>");
    if by_code.is_empty() {
        h.push_str("<p>No findings.</p>");
    } else {
        let max = by_code.values().map(|v| v.0).max().unwrap_or(1).max(1);
        let row = 26;
        let height = by_code.len() * row + 10;
        let _ = write!(h, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1050\" height=\"{height}\" role=\"img\" aria-label=\"findings by rule\">");
        for (i, (code, (n, sev))) in by_code.iter().enumerate() {
            let y = i * row + 5;
            let w = (*n as f64 / max as f64 * 520.0).max(2.0);
            let title = rules::find(*code).map_or("", |r| r.info().title);
            let _ = write!(
                h,
                "<text x=\"0\" y=\"{}\" font-size=\"13\">{code}</text><rect x=\"50\" y=\"{y}\" width=\"{w:.1}\" height=\"18\" fill=\"{}\"><title>{code} {}: {n}</title></rect><text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{n} &middot; {}</text>",
                y + 14,
                color(*sev),
                esc(title),
                56.0 + w,
                y + 14,
                esc(title)
            );
        }
        h.push_str("</svg>");
    }
    for (name, map) in [
        ("payer", &s.by_payer),
        ("rendering provider (NPI)", &s.by_provider),
    ] {
        let _ = write!(h, "<h2>By {name}</h2><table><tr><th>{name}</th><th>claims</th><th>rejected</th><th>findings</th></tr>");
        let mut rows: Vec<(&String, &Tally)> = map.iter().collect();
        rows.sort_by(|a, b| b.1.findings.cmp(&a.1.findings).then(a.0.cmp(b.0)));
        for (k, t) in rows.iter().take(25) {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(k),
                t.claims,
                t.rejected,
                t.findings
            );
        }
        if rows.len() > 25 {
            let _ = write!(
                h,
                "<tr><td colspan=\"4\">… and {} more</td></tr>",
                rows.len() - 25
            );
        }
        h.push_str("</table>");
    }
    // The most common reasons claims were held back.
    let mut errors: Vec<(Code, u64)> = s
        .findings
        .iter()
        .filter(|((_, sev), _)| *sev == Severity::Error)
        .map(|((c, _), n)| (*c, *n))
        .collect();
    errors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    h.push_str("<h2>Most common rejection reasons</h2>");
    if errors.is_empty() {
        h.push_str("<p>No claim was rejected.</p>");
    }
    for (code, n) in errors.iter().take(5) {
        let Some(r) = rules::find(*code) else {
            continue;
        };
        let i = r.info();
        let _ = write!(
            h,
            "<div class=\"reason\"><h3>{code} {} &mdash; {n}</h3><p><b>What it checks.</b> {}</p><p><b>Why it matters.</b> {}</p><p><b>Source.</b> {}</p></div>",
            esc(i.title),
            esc(section(i.explanation, "What it checks")),
            esc(section(i.explanation, "Why it matters")),
            esc(section(i.explanation, "Source"))
        );
    }
    // Documentation review flags (N rules): apart from the rejections.
    let flags: Vec<(Code, Severity, u64)> = s
        .findings
        .iter()
        .filter(|((c, v), _)| review(c, v))
        .map(|((c, v), n)| (*c, *v, *n))
        .collect();
    if !flags.is_empty() {
        let _ = write!(
            h,
            "<h2>Documentation review flags</h2><p>{} claim(s) have notes to review. \
These flags do not hold a claim back.</p><table><tr><th>rule</th><th>title</th><th>severity</th><th>flags</th></tr>",
            s.review_flagged
        );
        for (code, sev, n) in flags {
            let title = rules::find(code).map_or("", |r| r.info().title);
            let _ = write!(
                h,
                "<tr><td>{code}</td><td>{}</td><td>{}</td><td class=\"n\">{n}</td></tr>",
                esc(title),
                sev.as_str()
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_contained_with_totals_chart_and_reasons() {
        let mut s = Summary {
            claims: 3,
            clean: 1,
            rejected: 2,
            held_back_cents: 13500,
            ..Default::default()
        };
        s.count(Code::M001, Severity::Error);
        s.count(Code::M001, Severity::Error);
        s.count(Code::D007, Severity::Warning);
        s.by_payer.insert(
            "MCR01".into(),
            Tally {
                claims: 3,
                rejected: 2,
                findings: 3,
            },
        );
        let page = render(&s, &["a<b>.837".into()], "2026-11-27");
        assert!(page.contains("$135.00"));
        assert!(page.contains("Claims read 3 = 1 clean + 2 rejected."));
        assert!(page.contains("<svg") && page.contains(">M001</text>"));
        assert!(page.contains("a&lt;b&gt;.837"), "escaped");
        assert!(page.contains("M001 discipline modifier missing &mdash; 2"));
        assert!(page.contains("<td>MCR01</td>"));
        assert!(
            !page.contains("src=") && !page.contains("url("),
            "no external assets"
        );
        assert!(!page.contains("<script") && !page.contains("<link"));
        assert!(!page.contains("Documentation review flags"), "none here");
    }

    #[test]
    fn documentation_flags_stand_apart_from_rejections() {
        let mut s = Summary {
            claims: 2,
            clean: 2,
            review_flagged: 1,
            ..Default::default()
        };
        s.count(Code::N002, Severity::Warning);
        s.count(Code::N004, Severity::Warning);
        let page = render(&s, &["notes.csv".into()], "2026-11-27");
        let flags = page
            .find("<h2>Documentation review flags</h2>")
            .expect("section");
        assert!(page[flags..].contains("<td>N002</td>") && page[flags..].contains("<td>N004</td>"));
        assert!(page[flags..].contains("1 claim(s) have notes to review"));
        assert!(!page.contains(">N002</text>"), "not in the rejection chart");
        assert!(page.contains("No claim was rejected."));
    }
}
