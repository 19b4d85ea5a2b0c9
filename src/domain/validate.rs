//! Validation and normalisation of single values: e-mail addresses, phone
//! numbers, Finnish business IDs, web addresses, dates and numbers.
//!
//! Every function takes what a person typed and returns the value as the
//! register keeps it, or the [`Problem`] to show next to the field.

use chrono::NaiveDate;

/// What is wrong with a value. Each problem has a stable message id
/// ([`Problem::id`]) that the user interface translates.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Problem {
    /// The field must not be empty.
    Required,
    /// Neither a first nor a last name was given.
    NameRequired,
    EmailInvalid,
    PhoneInvalid,
    BusinessIdFormat,
    BusinessIdCheckDigit,
    UrlInvalid,
    DateInvalid,
    /// An end date before its start date.
    DateOrder,
    /// A date too far in the past for what is being recorded.
    DateTooOld,
    /// A date in the future where only past dates make sense.
    DateInFuture,
    NumberInvalid,
    /// A value that is not one of the field's choices.
    ChoiceInvalid,
    /// A yes/no field with something else in it.
    YesNoInvalid,
    /// The text is longer than the register keeps.
    TooLong,
    /// A name that another entry of the same kind already has.
    NameTaken,
    /// A reference to something that no longer exists.
    Missing,
    /// Something still in use cannot be removed or changed that way.
    InUse,
}

impl Problem {
    /// A stable id for the message, used as a translation key.
    pub fn id(&self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::NameRequired => "name_required",
            Problem::EmailInvalid => "email_invalid",
            Problem::PhoneInvalid => "phone_invalid",
            Problem::BusinessIdFormat => "business_id_format",
            Problem::BusinessIdCheckDigit => "business_id_check",
            Problem::UrlInvalid => "url_invalid",
            Problem::DateInvalid => "date_invalid",
            Problem::DateOrder => "date_order",
            Problem::DateTooOld => "date_too_old",
            Problem::DateInFuture => "date_in_future",
            Problem::NumberInvalid => "number_invalid",
            Problem::ChoiceInvalid => "choice_invalid",
            Problem::YesNoInvalid => "yes_no_invalid",
            Problem::TooLong => "too_long",
            Problem::NameTaken => "name_taken",
            Problem::Missing => "missing",
            Problem::InUse => "in_use",
        }
    }
}

/// The longest free text a single field keeps.
pub const MAX_TEXT: usize = 2_000;
/// The longest name-like field (names, titles, labels).
pub const MAX_SHORT: usize = 200;

/// Trims and checks the length of a short text field.
pub fn short_text(raw: &str) -> Result<String, Problem> {
    let text = raw.trim();
    if text.chars().count() > MAX_SHORT {
        return Err(Problem::TooLong);
    }
    Ok(text.to_owned())
}

/// Trims and checks the length of a long text field (notes, descriptions).
pub fn long_text(raw: &str) -> Result<String, Problem> {
    let text = raw.trim();
    if text.chars().count() > MAX_TEXT {
        return Err(Problem::TooLong);
    }
    Ok(text.to_owned())
}

/// Checks an e-mail address and returns it with the domain in lower case.
pub fn email(raw: &str) -> Result<String, Problem> {
    let text = raw.trim();
    let (local, domain) = email_parts(text).ok_or(Problem::EmailInvalid)?;
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// Whether `raw` is an e-mail address [`email`] accepts, without making
/// its normal form (reading stored documents checks every address).
pub fn is_email(raw: &str) -> bool {
    email_parts(raw.trim()).is_some()
}

/// The local part and the domain of an acceptable address.
fn email_parts(text: &str) -> Option<(&str, &str)> {
    let (local, domain) = text.rsplit_once('@')?;
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"@\"(),:;<>[\\]".contains(c));
    let (mut labels, mut last) = (0, "");
    let labels_ok = domain.split('.').all(|label| {
        labels += 1;
        last = label;
        !label.is_empty()
            && label.chars().count() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    let domain_ok = labels_ok && labels >= 2 && last.chars().count() >= 2 && last.chars().all(char::is_alphabetic);
    (local_ok && domain_ok && text.len() <= 254).then_some((local, domain))
}

/// Normalises a phone number to international form (`+358401234567`).
///
/// A number that starts with `0` is national and gets the register's country
/// calling code (`country`, digits only, e.g. `"358"`); `00` and `+` start an
/// international number. Spaces, hyphens, dots, slashes and brackets are
/// dropped.
pub fn phone(raw: &str, country: &str) -> Result<String, Problem> {
    let text = raw.trim();
    let (international, rest) = match text.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}' => {}
            _ => return Err(Problem::PhoneInvalid),
        }
    }
    let full = if international {
        digits
    } else if let Some(intl) = digits.strip_prefix("00") {
        intl.to_owned()
    } else if let Some(national) = digits.strip_prefix('0') {
        format!("{country}{national}")
    } else {
        format!("{country}{digits}")
    };
    let national_len = full.len().saturating_sub(country.len());
    if full.len() < 7 || full.len() > 15 || full.starts_with('0') || national_len < 5 {
        return Err(Problem::PhoneInvalid);
    }
    Ok(format!("+{full}"))
}

/// Formats an international number for reading: `+358 40 123 4567` for
/// Finnish mobile numbers, otherwise the country code and then groups.
pub fn display_phone(normalised: &str) -> String {
    let Some(digits) = normalised.strip_prefix('+') else {
        return normalised.to_owned();
    };
    if let Some(rest) = digits.strip_prefix("358") {
        let area_len = if rest.starts_with('4') || rest.starts_with("50") { 2 } else { 1 };
        if rest.len() > area_len + 3 {
            let (area, number) = rest.split_at(area_len);
            let (a, b) = number.split_at(number.len() - 4);
            return format!("+358 {area} {a} {b}");
        }
    }
    normalised.to_owned()
}

/// Checks a Finnish business ID (Y-tunnus), e.g. `1234567-1`, and returns
/// it in the standard form. Older six-digit IDs get their leading zero.
pub fn business_id(raw: &str) -> Result<String, Problem> {
    let text: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let (body, check) = text.split_once('-').ok_or(Problem::BusinessIdFormat)?;
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(body) || !(6..=7).contains(&body.len()) || check.len() != 1 || !digits_only(check) {
        return Err(Problem::BusinessIdFormat);
    }
    let body = format!("{body:0>7}");
    const WEIGHTS: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let expected = match sum % 11 {
        0 => 0,
        1 => return Err(Problem::BusinessIdCheckDigit),
        r => 11 - r,
    };
    if check.parse::<u32>().ok() != Some(expected) {
        return Err(Problem::BusinessIdCheckDigit);
    }
    Ok(format!("{body}-{check}"))
}

/// Checks a web address. `example.fi` becomes `https://example.fi`; only
/// `http` and `https` addresses are accepted, so a stored link can never run
/// script when it is opened.
pub fn url(raw: &str) -> Result<String, Problem> {
    let text = raw.trim();
    let lower = text.to_lowercase();
    let with_scheme = if lower.starts_with("https://") || lower.starts_with("http://") {
        text.to_owned()
    } else if lower.contains("://") || lower.starts_with("javascript:") || lower.starts_with("data:") {
        return Err(Problem::UrlInvalid);
    } else {
        format!("https://{text}")
    };
    let after_scheme = with_scheme.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
    let host = after_scheme.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host_name = host.split(':').next().unwrap_or_default();
    let ok = host_name.contains('.')
        && !host_name.starts_with('.')
        && !host_name.ends_with('.')
        && host_name.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        && !with_scheme.chars().any(|c| c.is_whitespace() || c.is_control())
        && with_scheme.len() <= 2_000;
    if ok {
        Ok(with_scheme)
    } else {
        Err(Problem::UrlInvalid)
    }
}

/// Parses a date as a date field gives it (`2026-11-22`) or as people write
/// it in Finland (`22.11.2026`).
pub fn date(raw: &str) -> Result<NaiveDate, Problem> {
    let text = raw.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .map_err(|_| Problem::DateInvalid)
        .and_then(|d| {
            use chrono::Datelike;
            if (1900..=2200).contains(&d.year()) {
                Ok(d)
            } else {
                Err(Problem::DateInvalid)
            }
        })
}

/// Parses an optional date: empty text is `None`.
pub fn optional_date(raw: &str) -> Result<Option<NaiveDate>, Problem> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        date(raw).map(Some)
    }
}

/// Parses a decimal number as people type it: `1 234,50` or `1234.5`.
pub fn number(raw: &str) -> Result<f64, Problem> {
    let text: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if text.is_empty() || text.matches('.').count() > 1 {
        return Err(Problem::NumberInvalid);
    }
    let value: f64 = text.parse().map_err(|_| Problem::NumberInvalid)?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Problem::NumberInvalid)
    }
}

/// Parses a sum of money in euros into cents: `1 234,50` is 123 450.
pub fn money_cents(raw: &str) -> Result<i64, Problem> {
    let value = number(raw)?;
    let cents = (value * 100.0).round();
    if cents.abs() > 1e15 {
        return Err(Problem::NumberInvalid);
    }
    Ok(cents as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        let ok = [
            ("anna@example.fi", "anna@example.fi"),
            ("  Anna.Virtanen@Example.FI ", "Anna.Virtanen@example.fi"),
            ("a+tag@sub.domain.com", "a+tag@sub.domain.com"),
            ("öljy@yhtiö.fi", "öljy@yhtiö.fi"),
        ];
        for (raw, want) in ok {
            assert_eq!(email(raw), Ok(want.to_owned()), "{raw}");
            assert!(is_email(raw), "{raw}");
        }
        let bad = [
            "",
            "anna",
            "anna@",
            "@example.fi",
            "anna@example",
            "anna@@example.fi",
            "an na@example.fi",
            ".anna@example.fi",
            "an..na@example.fi",
            "anna@-x.fi",
            "anna@example.1",
            "anna@example..fi",
            "anna@exa_mple.fi",
            "<anna>@example.fi",
        ];
        for raw in bad {
            assert_eq!(email(raw), Err(Problem::EmailInvalid), "{raw:?}");
            assert!(!is_email(raw), "{raw:?}");
        }
    }

    #[test]
    fn phones() {
        let ok = [
            ("040 123 4567", "+358401234567"),
            ("040-1234567", "+358401234567"),
            ("+358 40 123 4567", "+358401234567"),
            ("00358401234567", "+358401234567"),
            ("(09) 123 456", "+3589123456"),
            ("+46 8 123 456 78", "+46812345678"),
            ("401234567", "+358401234567"),
        ];
        for (raw, want) in ok {
            assert_eq!(phone(raw, "358"), Ok(want.to_owned()), "{raw}");
        }
        for raw in ["", "abc", "040 12x", "+", "0", "12", "+1234567890123456", "040#123"] {
            assert_eq!(phone(raw, "358"), Err(Problem::PhoneInvalid), "{raw:?}");
        }
    }

    #[test]
    fn phone_display() {
        assert_eq!(display_phone("+358401234567"), "+358 40 123 4567");
        assert_eq!(display_phone("+3589123456"), "+358 9 12 3456");
        assert_eq!(display_phone("+46812345678"), "+46812345678");
    }

    #[test]
    fn business_ids() {
        // Real check digits: 0112038-9 (Nokia Oyj), 1572860-0 (Google Finland), 0737546-2.
        for (raw, want) in [
            ("0112038-9", "0112038-9"),
            ("112038-9", "0112038-9"),
            (" 1572860-0 ", "1572860-0"),
            ("0737546-2", "0737546-2"),
        ] {
            assert_eq!(business_id(raw), Ok(want.to_owned()), "{raw}");
        }
        for raw in ["", "1234567", "123456-", "12345678-1", "abcdefg-1", "1234567-12", "0112038 9"] {
            assert_eq!(business_id(raw), Err(Problem::BusinessIdFormat), "{raw:?}");
        }
        for raw in ["0112038-8", "1572860-1"] {
            assert_eq!(business_id(raw), Err(Problem::BusinessIdCheckDigit), "{raw:?}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(url("example.fi"), Ok("https://example.fi".into()));
        assert_eq!(url("http://example.fi/a?b=c"), Ok("http://example.fi/a?b=c".into()));
        assert_eq!(url("https://www.linkedin.com/in/anna"), Ok("https://www.linkedin.com/in/anna".into()));
        for raw in ["", "javascript:alert(1)", "ftp://example.fi", "example", "http://exa mple.fi", "data:text/html,x"]
        {
            assert_eq!(url(raw), Err(Problem::UrlInvalid), "{raw:?}");
        }
    }

    #[test]
    fn dates_and_numbers() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(date("2026-11-22"), Ok(d));
        assert_eq!(date("22.11.2026"), Ok(d));
        for raw in ["", "2026-02-30", "31.4.2026", "tomorrow", "0001-01-01"] {
            assert_eq!(date(raw), Err(Problem::DateInvalid), "{raw:?}");
        }
        assert_eq!(optional_date(" "), Ok(None));
        assert_eq!(number("1 234,5"), Ok(1234.5));
        assert_eq!(number("-2"), Ok(-2.0));
        assert_eq!(money_cents("1 234,50"), Ok(123_450));
        for raw in ["", "1,2,3", "abc", "1.2.3", "inf", "NaN"] {
            assert_eq!(number(raw), Err(Problem::NumberInvalid), "{raw:?}");
        }
    }

    #[test]
    fn text_lengths() {
        assert_eq!(short_text("  x "), Ok("x".into()));
        assert_eq!(short_text(&"a".repeat(MAX_SHORT + 1)), Err(Problem::TooLong));
        assert_eq!(long_text(&"ä".repeat(MAX_TEXT)), Ok("ä".repeat(MAX_TEXT)));
    }
}
