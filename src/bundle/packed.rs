//! Relationship records packed as bytes, to pass them between two threads
//! of the same app: the worker that decodes the stored records when the
//! register opens hands them to the page this way
//! (`src/store/records_worker.rs`). Reading packed bytes is a copy of
//! fixed-width fields and strings, far less work than reading JSON.
//!
//! Both ends are the same build, so this is no file format: it is never
//! stored nor sent anywhere, and it may change in any version. Reading
//! still checks every length and tag, and fails rather than guess.
//!
//! Layout, little-endian: the count of records, each record, then the count
//! of problems and each problem as three strings (the store, the key, and
//! what is wrong). A record:
//! its id, person and organisation (a flag, then 16 bytes), created and
//! updated (seconds and nanoseconds), its stamp (milliseconds, counter,
//! device), then its kind's tag and fields. A string is its length (u32)
//! and UTF-8 bytes; a date the days from the common era (i32), an absent
//! date `i32::MIN`; an absent value is packed as zeros (an empty text),
//! and reading checks that it is.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::record::{Contract, EventParticipation, Feedback, Ticket, Training};
use crate::domain::{Billing, ContractKind, DeviceId, OrgId, PersonId, Record, RecordId, RecordKind, Stamp};

/// Bytes that do not read as packed records.
#[derive(Debug, PartialEq, Eq)]
pub struct Unpackable;

const NO_DATE: i32 = i32::MIN;

/// Packs records, and problems met while decoding them (the store, the
/// key, and what is wrong).
pub fn pack(records: &[Record], problems: &[[&str; 3]]) -> Vec<u8> {
    let mut out = Packer(Vec::with_capacity(records.len() * 160));
    out.u32(records.len() as u32);
    for record in records {
        out.record(record);
    }
    out.u32(problems.len() as u32);
    for problem in problems {
        for text in problem {
            out.text(text);
        }
    }
    out.0
}

/// Reads what [`pack`] made.
pub fn unpack(bytes: &[u8]) -> Result<(Vec<Record>, Vec<[String; 3]>), Unpackable> {
    let mut reading = Unpacking::new(bytes)?;
    let mut records = Vec::with_capacity(reading.count());
    reading.read(usize::MAX, &mut records)?;
    Ok((records, reading.problems()?))
}

/// Packed records being read a batch at a time, so that a page can give
/// the browser a turn in between.
pub struct Unpacking<'a> {
    input: Unpacker<'a>,
    count: usize,
    left: usize,
}

impl<'a> Unpacking<'a> {
    pub fn new(bytes: &'a [u8]) -> Result<Unpacking<'a>, Unpackable> {
        let mut input = Unpacker(bytes);
        let count = input.u32()? as usize;
        // Every record takes more than 100 bytes: a count beyond that is
        // damage.
        if count > bytes.len() / 100 {
            return Err(Unpackable);
        }
        Ok(Unpacking { input, count, left: count })
    }

    /// How many records there are in all.
    pub fn count(&self) -> usize {
        self.count
    }

    /// How many records are still to be read.
    pub fn remaining(&self) -> usize {
        self.left
    }

    /// Reads up to `n` more records into `out`.
    pub fn read(&mut self, n: usize, out: &mut Vec<Record>) -> Result<(), Unpackable> {
        let n = n.min(self.left);
        for _ in 0..n {
            out.push(self.input.record()?);
        }
        self.left -= n;
        Ok(())
    }

    /// The problems, after all the records; the bytes must end with them.
    pub fn problems(mut self) -> Result<Vec<[String; 3]>, Unpackable> {
        if self.left > 0 {
            return Err(Unpackable);
        }
        let input = &mut self.input;
        let count = input.u32()? as usize;
        let mut problems = Vec::with_capacity(count.min(input.0.len() / 12));
        for _ in 0..count {
            problems.push([input.text()?, input.text()?, input.text()?]);
        }
        if !input.0.is_empty() {
            return Err(Unpackable);
        }
        Ok(problems)
    }
}

struct Packer(Vec<u8>);

impl Packer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn uuid(&mut self, v: Uuid) {
        self.0.extend_from_slice(v.as_bytes());
    }
    fn text(&mut self, v: &str) {
        self.u32(v.len() as u32);
        self.0.extend_from_slice(v.as_bytes());
    }
    fn flag(&mut self, v: bool) {
        self.u8(v as u8);
    }
    fn time(&mut self, v: DateTime<Utc>) {
        self.i64(v.timestamp());
        self.u32(v.timestamp_subsec_nanos());
    }
    fn date(&mut self, v: Option<NaiveDate>) {
        let days = v.map_or(NO_DATE, |d| d.num_days_from_ce());
        self.0.extend_from_slice(&days.to_le_bytes());
    }

    fn record(&mut self, r: &Record) {
        self.uuid(r.id.uuid());
        self.uuid(r.person.uuid());
        self.flag(r.org.is_some());
        self.uuid(r.org.map_or(Uuid::nil(), OrgId::uuid));
        self.time(r.created);
        self.time(r.updated);
        self.i64(r.stamp.millis as i64);
        self.u32(r.stamp.counter);
        self.uuid(r.stamp.device.uuid());
        match &r.kind {
            RecordKind::Contract(c) => {
                self.u8(0);
                self.u8(match c.kind {
                    ContractKind::Contract => 0,
                    ContractKind::Order => 1,
                    ContractKind::Assignment => 2,
                });
                self.text(&c.title);
                self.date(c.start);
                self.date(c.end);
                self.flag(c.value_cents.is_some());
                self.i64(c.value_cents.unwrap_or(0));
                self.u8(match c.billing {
                    Billing::NotBilled => 0,
                    Billing::Paid => 1,
                    Billing::OpenInvoice => 2,
                    Billing::InCollection => 3,
                });
            }
            RecordKind::Feedback(f) => {
                self.u8(1);
                self.date(Some(f.date));
                self.text(&f.text);
            }
            RecordKind::Ticket(t) => {
                self.u8(2);
                self.date(Some(t.opened));
                self.date(t.closed);
                self.text(&t.description);
            }
            RecordKind::Training(t) => {
                self.u8(3);
                self.text(&t.name);
                self.date(Some(t.date));
                self.flag(t.completed);
                self.text(&t.grade);
                self.flag(t.statutory);
            }
            RecordKind::Event(e) => {
                self.u8(4);
                self.text(&e.name);
                self.date(Some(e.date));
                self.flag(e.dietary.is_some());
                self.text(e.dietary.as_deref().unwrap_or(""));
            }
        }
    }
}

/// An optional value: what is absent must have been packed as `none`, so
/// that no byte goes unchecked.
fn present<T: PartialEq>(flag: bool, value: T, none: T) -> Result<Option<T>, Unpackable> {
    match (flag, value == none) {
        (true, _) => Ok(Some(value)),
        (false, true) => Ok(None),
        (false, false) => Err(Unpackable),
    }
}

struct Unpacker<'a>(&'a [u8]);

impl Unpacker<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], Unpackable> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or(Unpackable)?;
        self.0 = rest;
        Ok(*head)
    }
    fn u8(&mut self) -> Result<u8, Unpackable> {
        Ok(self.take::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, Unpackable> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn i64(&mut self) -> Result<i64, Unpackable> {
        Ok(i64::from_le_bytes(self.take()?))
    }
    fn uuid(&mut self) -> Result<Uuid, Unpackable> {
        Ok(Uuid::from_bytes(self.take()?))
    }
    fn flag(&mut self) -> Result<bool, Unpackable> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Unpackable),
        }
    }
    fn text(&mut self) -> Result<String, Unpackable> {
        let len = self.u32()? as usize;
        if len > self.0.len() {
            return Err(Unpackable);
        }
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8(text.to_vec()).map_err(|_| Unpackable)
    }
    fn time(&mut self) -> Result<DateTime<Utc>, Unpackable> {
        let (secs, nanos) = (self.i64()?, self.u32()?);
        DateTime::from_timestamp(secs, nanos).ok_or(Unpackable)
    }
    fn date(&mut self) -> Result<Option<NaiveDate>, Unpackable> {
        match i32::from_le_bytes(self.take()?) {
            NO_DATE => Ok(None),
            days => NaiveDate::from_num_days_from_ce_opt(days).map(Some).ok_or(Unpackable),
        }
    }
    fn some_date(&mut self) -> Result<NaiveDate, Unpackable> {
        self.date()?.ok_or(Unpackable)
    }

    fn record(&mut self) -> Result<Record, Unpackable> {
        let id = RecordId::new(self.uuid()?);
        let person = PersonId::new(self.uuid()?);
        let has_org = self.flag()?;
        let org = self.uuid()?;
        let org = present(has_org, org, Uuid::nil())?.map(OrgId::new);
        let created = self.time()?;
        let updated = self.time()?;
        let millis = u64::try_from(self.i64()?).map_err(|_| Unpackable)?;
        let stamp = Stamp { millis, counter: self.u32()?, device: DeviceId::new(self.uuid()?) };
        let kind = match self.u8()? {
            0 => {
                let kind = match self.u8()? {
                    0 => ContractKind::Contract,
                    1 => ContractKind::Order,
                    2 => ContractKind::Assignment,
                    _ => return Err(Unpackable),
                };
                let title = self.text()?;
                let (start, end) = (self.date()?, self.date()?);
                let has_value = self.flag()?;
                let value = self.i64()?;
                let billing = match self.u8()? {
                    0 => Billing::NotBilled,
                    1 => Billing::Paid,
                    2 => Billing::OpenInvoice,
                    3 => Billing::InCollection,
                    _ => return Err(Unpackable),
                };
                RecordKind::Contract(Contract {
                    kind,
                    title,
                    start,
                    end,
                    value_cents: present(has_value, value, 0)?,
                    billing,
                })
            }
            1 => RecordKind::Feedback(Feedback { date: self.some_date()?, text: self.text()? }),
            2 => RecordKind::Ticket(Ticket {
                opened: self.some_date()?,
                closed: self.date()?,
                description: self.text()?,
            }),
            3 => RecordKind::Training(Training {
                name: self.text()?,
                date: self.some_date()?,
                completed: self.flag()?,
                grade: self.text()?,
                statutory: self.flag()?,
            }),
            4 => {
                let (name, date) = (self.text()?, self.some_date()?);
                let has_dietary = self.flag()?;
                let dietary = self.text()?;
                RecordKind::Event(EventParticipation {
                    name,
                    date,
                    dietary: present(has_dietary, dietary, String::new())?,
                })
            }
            _ => return Err(Unpackable),
        };
        Ok(Record { id, person, org, kind, created, updated, stamp })
    }
}
