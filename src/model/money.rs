//! Money in integer cents: no float ever touches a charge.

use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    /// Append the amount as `Display` writes it ("-12.05"), without the
    /// formatting machinery (the 277CA writes one or more a claim).
    pub fn push_to(self, s: &mut String) {
        if self.0 < 0 {
            s.push('-');
        }
        let a = self.0.unsigned_abs();
        crate::model::push_decimal(s, a / 100);
        let c = (a % 100) as u8;
        s.push('.');
        s.push(char::from(b'0' + c / 10));
        s.push(char::from(b'0' + c % 10));
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// Parse an X12 R (decimal) value or a CSV amount: optional sign, digits,
    /// optional `.` and up to two decimals; `$` and `,` are tolerated.
    /// More than two decimals, or anything else, is `None`.
    pub fn parse(raw: &str) -> Option<Money> {
        Money::plain(raw.as_bytes()).or_else(|| Money::parse_general(raw))
    }

    /// `parse`, every shape.
    fn parse_general(raw: &str) -> Option<Money> {
        let s = crate::model::trim(raw);
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let s = s.strip_prefix('$').unwrap_or(s);
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return None;
        }
        let mut cents: i64 = 0;
        for c in whole.bytes() {
            match c {
                b'0'..=b'9' => cents = cents.checked_mul(10)?.checked_add((c - b'0') as i64)?,
                b',' => {}
                _ => return None,
            }
        }
        if frac.len() > 2 || !frac.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut f = 0i64;
        for (i, c) in frac.bytes().enumerate() {
            f += (c - b'0') as i64 * if i == 0 { 10 } else { 1 };
        }
        let v = cents.checked_mul(100)?.checked_add(f)?;
        Some(Money(if neg { -v } else { v }))
    }

    /// The usual amount, `parse`'s answer read directly: 1 to 15 digits,
    /// then nothing or `.` and one or two digits (every SV102 and CLM02 of
    /// a well-formed file). Anything else is `None`, for `parse` to read.
    fn plain(b: &[u8]) -> Option<Money> {
        let dot = b.iter().position(|&c| c == b'.').unwrap_or(b.len());
        let (whole, frac) = (&b[..dot], b.get(dot + 1..).unwrap_or_default());
        if whole.is_empty()
            || whole.len() > 15
            || (dot < b.len() && !(1..=2).contains(&frac.len()))
            || !whole.iter().chain(frac).all(u8::is_ascii_digit)
        {
            return None;
        }
        let n = whole
            .iter()
            .fold(0i64, |n, &c| n * 10 + i64::from(c - b'0'));
        let f = match frac {
            [a] => i64::from(a - b'0') * 10,
            [a, c] => i64::from(a - b'0') * 10 + i64::from(c - b'0'),
            _ => 0,
        };
        Some(Money(n * 100 + f))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money(0), |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_amounts() {
        assert_eq!(Money::parse("500"), Some(Money(50000)));
        assert_eq!(Money::parse("12.25"), Some(Money(1225)));
        assert_eq!(Money::parse(".01"), Some(Money(1)));
        assert_eq!(Money::parse("12.5"), Some(Money(1250)));
        assert_eq!(Money::parse("-3.10"), Some(Money(-310)));
        assert_eq!(Money::parse("$1,234.00"), Some(Money(123400)));
        assert_eq!(Money::parse("1.234"), None);
        assert_eq!(Money::parse("abc"), None);
        assert_eq!(Money::parse(""), None);
        assert_eq!(Money::parse("."), None);
        assert_eq!(Money::parse("99999999999999999999"), None);
    }

    /// The direct read agrees with the general one wherever it answers, and
    /// answers for the usual shapes.
    #[test]
    fn plain_amounts_read_as_parse_reads_them() {
        for t in [
            "0",
            "7",
            "45",
            "405",
            "90.5",
            "90.50",
            "1.01",
            "999999999999999",
            "999999999999999.99",
            "00012.30",
        ] {
            assert_eq!(Money::plain(t.as_bytes()), Money::parse_general(t), "{t}");
            assert!(Money::plain(t.as_bytes()).is_some(), "{t}");
        }
        for t in [
            "",
            ".",
            "5.",
            ".5",
            "1.234",
            "-1",
            "+1",
            "$5",
            "1,000",
            " 5",
            "5 ",
            "1e3",
            "9999999999999999",
            "١٢",
        ] {
            assert_eq!(Money::plain(t.as_bytes()), None, "{t}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_is_the_general_read(t in "[-$ ,.0-9a]{0,20}") {
            proptest::prop_assert_eq!(Money::parse(&t), Money::parse_general(&t));
            if let Some(m) = Money::plain(t.as_bytes()) {
                proptest::prop_assert_eq!(Some(m), Money::parse_general(&t));
            }
        }
    }

    #[test]
    fn displays_cents() {
        assert_eq!(Money(1225).to_string(), "12.25");
        assert_eq!(Money(-5).to_string(), "-0.05");
    }

    proptest::proptest! {
        #[test]
        fn pushed_as_displayed(cents in proptest::num::i64::ANY) {
            let mut s = String::from("x");
            Money(cents).push_to(&mut s);
            proptest::prop_assert_eq!(s, format!("x{}", Money(cents)));
        }
    }
}
