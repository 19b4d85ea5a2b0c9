//! The disclosure log: whose data was given to whom, when, by whom, why,
//! and which part of the register. Every export writes an entry, so that a
//! person's access report can list who received their data.
//!
//! Entries never change once written. They travel in complete bundles so
//! that every colleague's register knows every disclosure.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ids::PersonId;

/// The id of a disclosure log entry (a UUIDv7 made by the host).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DisclosureId(Uuid);

impl DisclosureId {
    pub fn new(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub fn uuid(self) -> Uuid {
        self.0
    }
}

impl fmt::Display for DisclosureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for DisclosureId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// One disclosure: a set of people's data handed to a recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disclosure {
    pub id: DisclosureId,
    pub at: DateTime<Utc>,
    /// The local user name of whoever made the export.
    pub by: String,
    /// Who received the data, as the user named them (may be empty).
    pub recipient: String,
    /// Why the data was given (may be empty).
    pub purpose: String,
    /// What was included, in words (see `ExportScope::describe`).
    pub scope: String,
    /// Everyone whose data was included.
    pub people: Vec<PersonId>,
}

impl Disclosure {
    /// Whether this disclosure included the person's data.
    pub fn includes(&self, person: PersonId) -> bool {
        self.people.contains(&person)
    }
}
