//! Helpers that build known data for tests (here and in `tests/`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::access::Actor;
use super::commands::Env;
use super::ids::{DeviceId, PersonId, Stamp};
use super::person::{Person, Provenance, Source};

/// A fixed point in time: 2026-11-22 10:00 UTC plus `minutes`.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

pub fn device(n: u128) -> DeviceId {
    DeviceId::new(Uuid::from_u128(n))
}

/// Hands out ids 1, 2, 3… (as UUIDs with the count in the low bits).
pub struct Ids(pub u128);

impl Ids {
    pub fn next_id(&mut self) -> Uuid {
        self.0 += 1;
        Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | self.0)
    }
}

/// An administrator called "Tester".
pub static TESTER: std::sync::LazyLock<Actor> = std::sync::LazyLock::new(|| Actor::admin("Tester"));

/// An environment at `at(minutes)` on 2026-11-22, acting as "Tester".
pub fn env<'a>(minutes: i64, ids: &'a mut dyn FnMut() -> Uuid) -> Env<'a> {
    Env { now: at(minutes), today: day(2026, 11, 22), actor: &TESTER, new_id: ids }
}

/// A person with just a name, for index and ordering tests.
pub fn person_named(n: u128, given: &str, family: &str) -> Person {
    Person {
        id: PersonId::new(Uuid::from_u128(n)),
        given_name: given.into(),
        family_name: family.into(),
        emails: vec![],
        phones: vec![],
        addresses: vec![],
        websites: vec![],
        socials: vec![],
        affiliations: vec![],
        categories: BTreeSet::new(),
        tags: BTreeSet::new(),
        custom: BTreeMap::new(),
        provenance: Provenance { source: Source::ThePerson, detail: String::new(), date: day(2026, 1, 1) },
        notes: String::new(),
        restriction: None,
        created: at(0),
        updated: at(0),
        stamps: BTreeMap::from([(super::person::PersonField::Name, Stamp::ZERO)]),
    }
}
