//! When to remind the office to make a backup: an encrypted export of the
//! whole register. The browser's storage can be lost (a cleared profile, a
//! broken laptop); a recent backup file is what brings the register back.

use chrono::{DateTime, Utc};

/// Days after the last backup before the reminder shows, unless the user
/// chose otherwise.
pub const DEFAULT_REMINDER_DAYS: u32 = 7;

/// The longest reminder interval one can choose (a year).
pub const MAX_REMINDER_DAYS: u32 = 365;

/// Why a reminder is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reminder {
    /// The register holds data and was never backed up from this browser.
    Never,
    /// The last backup is this many whole days old.
    DaysAgo(i64),
}

/// Whether to remind: `remind_after_days` of 0 turns reminders off; an empty
/// register needs no backup. A last backup "in the future" (a clock that
/// was wrong) counts as today's.
pub fn reminder(
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    remind_after_days: u32,
    has_data: bool,
) -> Option<Reminder> {
    if remind_after_days == 0 || !has_data {
        return None;
    }
    let Some(last) = last else { return Some(Reminder::Never) };
    let days = (now - last).num_days().max(0);
    (days >= i64::from(remind_after_days)).then_some(Reminder::DaysAgo(days))
}

/// Reads the interval as typed: whole days from 0 (off) to a year.
pub fn parse_days(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok().filter(|d| *d <= MAX_REMINDER_DAYS)
}
