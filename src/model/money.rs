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
        let s = raw.trim();
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
