//! The backup reminder: when it shows, and when it does not.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sidos::domain::backup::{parse_days, reminder, Reminder, DEFAULT_REMINDER_DAYS};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

#[test]
fn reminds_when_the_last_backup_is_as_old_as_the_interval() {
    let now = at(22, 12);
    // The last backup, the interval in days, whether there is anything to
    // back up, and the reminder expected.
    type Case = (Option<DateTime<Utc>>, u32, bool, Option<Reminder>);
    let cases: [Case; 9] = [
        (None, 7, true, Some(Reminder::Never)),
        (None, 7, false, None),                                  // nothing to back up
        (None, 0, true, None),                                   // reminders off
        (Some(at(15, 12)), 7, true, Some(Reminder::DaysAgo(7))), // exactly a week
        (Some(at(15, 13)), 7, true, None),                       // an hour short of a week
        (Some(at(1, 8)), 7, true, Some(Reminder::DaysAgo(21))),
        (Some(at(21, 12)), 1, true, Some(Reminder::DaysAgo(1))),
        (Some(now + Duration::days(3)), 1, true, None), // a clock that was ahead
        (Some(at(1, 8)), 30, true, None),
    ];
    for (last, days, has_data, expected) in cases {
        assert_eq!(reminder(last, now, days, has_data), expected, "{last:?} every {days} days");
    }
    assert_eq!(DEFAULT_REMINDER_DAYS, 7);
}

#[test]
fn the_interval_is_whole_days_up_to_a_year() {
    for (text, expected) in [
        ("7", Some(7)),
        (" 30 ", Some(30)),
        ("0", Some(0)),
        ("365", Some(365)),
        ("366", None),
        ("-1", None),
        ("1.5", None),
        ("", None),
        ("viikko", None),
    ] {
        assert_eq!(parse_days(text), expected, "{text:?}");
    }
}
