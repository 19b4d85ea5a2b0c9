//! Dates and times as documents write them, read without detours.
//!
//! `chrono` reads any form its format strings allow, which is general and
//! slow, and a register holds hundreds of thousands of dates. Documents
//! write them one way — `2026-12-06`, `2026-12-06T16:15:10.123Z` — and
//! that form is read here directly. Any other text goes to `chrono` as
//! before, so the same texts are accepted and give the same values.
//!
//! Use: `#[serde(deserialize_with = "when::date")]`, and `when::opt_date`,
//! `when::time`, `when::opt_time` for `Option`s and times.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::de::{Deserializer, Error, Visitor};
use serde::Deserialize;

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

/// `YYYY-MM-DD`, or `None` for anything else (which `chrono` then reads).
fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&b[..4])? as i32, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, or `None` for anything else.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() < 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[b.len() - 1] != b'Z' {
        return None;
    }
    let date = parse_date(&text[..10])?;
    let (hour, minute, second) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
    let nanos = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    // A leap second is left to chrono.
    if second > 59 {
        return None;
    }
    Some(date.and_time(NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?).and_utc())
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a formatted date string")
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<NaiveDate, E> {
        parse_date(text).map_or_else(|| text.parse().map_err(E::custom), Ok)
    }
}

struct TimeVisitor;

impl Visitor<'_> for TimeVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a formatted date and time string")
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
        parse_time(text).map_or_else(|| text.parse().map_err(E::custom), Ok)
    }
}

/// A date read by [`date`]; for `Option`s and `Vec`s of them.
pub(super) struct Date(pub NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(DateVisitor).map(Date)
    }
}

/// A time read by [`time`].
pub(super) struct Time(pub DateTime<Utc>);

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TimeVisitor).map(Time)
    }
}

pub(super) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    Date::deserialize(d).map(|x| x.0)
}

pub(super) fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Option::<Date>::deserialize(d).map(|x| x.map(|x| x.0))
}

pub(super) fn time<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    Time::deserialize(d).map(|x| x.0)
}

pub(super) fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Option::<Time>::deserialize(d).map(|x| x.map(|x| x.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_chrono_date(text: &str) -> Option<NaiveDate> {
        text.parse().ok()
    }

    fn by_chrono_time(text: &str) -> Option<DateTime<Utc>> {
        text.parse().ok()
    }

    #[test]
    fn dates_read_as_chrono_reads_them() {
        for text in [
            "2026-12-06",
            "1999-01-31",
            "2024-02-29",
            "0001-01-01",
            "9999-12-31",
            // Not dates, or not the documents' form: left to chrono.
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-06",
            "2026-12-6",
            "26-12-06",
            "2026/12/06",
            "2026-12-0a",
            "+2026-12-06",
            " 2026-12-06",
            "",
        ] {
            let fast = serde_json::from_value::<Date>(serde_json::json!(text)).ok().map(|d| d.0);
            assert_eq!(fast, by_chrono_date(text), "{text:?}");
        }
        assert_eq!(parse_date("2026-12-06"), NaiveDate::from_ymd_opt(2026, 12, 6));
        assert_eq!(parse_date("2026-12-6"), None, "another form is chrono's to read");
    }

    #[test]
    fn times_read_as_chrono_reads_them() {
        for text in [
            "2026-12-06T16:15:10Z",
            "2026-12-06T16:15:10.1Z",
            "2026-12-06T16:15:10.123Z",
            "2026-12-06T16:15:10.123456Z",
            "2026-12-06T16:15:10.123456789Z",
            "2026-12-06T00:00:00Z",
            "2026-12-06T23:59:59.999Z",
            // Other forms, leap seconds and nonsense: chrono's answer.
            "2026-12-06T16:15:10+02:00",
            "2026-12-06 16:15:10Z",
            "2026-12-06t16:15:10z",
            "2026-12-06T16:15:10.1234567891Z",
            "2026-12-06T16:15:10.Z",
            "2016-12-31T23:59:60Z",
            "2026-12-06T24:00:00Z",
            "2026-12-06T16:60:00Z",
            "2026-12-06T16:15Z",
            "2026-02-30T16:15:10Z",
            "",
        ] {
            let fast = serde_json::from_value::<Time>(serde_json::json!(text)).ok().map(|t| t.0);
            assert_eq!(fast, by_chrono_time(text), "{text:?}");
        }
        let t = parse_time("2026-12-06T16:15:10.123Z").unwrap();
        assert_eq!(t.timestamp_millis() % 1000, 123);
        assert_eq!(parse_time("2026-12-06T16:15:10+02:00"), None, "an offset is chrono's to read");
    }

    #[test]
    fn what_is_not_a_string_is_refused() {
        assert!(serde_json::from_value::<Date>(serde_json::json!(20261206)).is_err());
        assert!(serde_json::from_value::<Time>(serde_json::json!(null)).is_err());
        assert!(serde_json::from_value::<Option<Time>>(serde_json::json!(null)).unwrap().is_none());
    }
}
