//! People, organisations and records written straight from the register,
//! borrowing every value: the same JSON as their DTOs ([`PersonDto`],
//! [`OrgDto`], [`RecordDto`]) — a test holds the two to it byte for byte —
//! without copying each text into a DTO first and dropping it after.
//! Exports and imports write every entity of a register this way, and the
//! copies were half of that work.
//!
//! Reading still goes through the DTOs, which stay the one definition of
//! each shape; these only write it.

use serde::ser::{SerializeMap, Serializer};

use super::*;

fn empty(s: &&str) -> bool {
    s.is_empty()
}

/// A stamp's text in a small buffer of its own (see [`stamp_text`]).
#[derive(Clone, Copy)]
pub struct StampText {
    bytes: [u8; 48],
    len: usize,
}

impl StampText {
    pub fn new(s: &Stamp) -> StampText {
        fn hex(out: &mut [u8; 48], at: &mut usize, value: u64) {
            let digits = (64 - value.leading_zeros()).div_ceil(4).max(1);
            for i in (0..digits).rev() {
                out[*at] = b"0123456789abcdef"[(value >> (i * 4) & 0xf) as usize];
                *at += 1;
            }
        }
        let mut bytes = [0u8; 48];
        let mut len = 0;
        hex(&mut bytes, &mut len, s.millis);
        bytes[len] = b'.';
        len += 1;
        hex(&mut bytes, &mut len, u64::from(s.counter));
        bytes[len] = b'.';
        len += 1;
        len +=
            B64URL.encode_slice(s.device.uuid().as_bytes(), &mut bytes[len..]).expect("16 bytes fit in 24 characters");
        StampText { bytes, len }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).expect("hexadecimal and base64 are ASCII")
    }
}

impl Serialize for StampText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A date as chrono writes it (`2026-12-06`), without its formatting
/// machinery; other years go to chrono.
#[derive(Clone, Copy)]
struct Day(NaiveDate);

/// A time as chrono writes it (`2026-12-06T16:15:10.123Z`: the fraction in
/// 0, 3, 6 or 9 digits, as few as it needs), without its formatting
/// machinery; other years and leap seconds go to chrono.
#[derive(Clone, Copy)]
struct Time(DateTime<Utc>);

fn digits(out: &mut [u8], value: u32) {
    let mut v = value;
    for b in out.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

fn date_into(out: &mut [u8; 40], d: NaiveDate) -> Option<usize> {
    use chrono::Datelike;
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    digits(&mut out[0..4], year);
    out[4] = b'-';
    digits(&mut out[5..7], d.month());
    out[7] = b'-';
    digits(&mut out[8..10], d.day());
    Some(10)
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = [0u8; 40];
        match date_into(&mut out, self.0) {
            Some(n) => s.serialize_str(std::str::from_utf8(&out[..n]).expect("digits are ASCII")),
            None => self.0.serialize(s),
        }
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use chrono::Timelike;
        let t = self.0;
        let mut out = [0u8; 40];
        let nanos = t.nanosecond();
        let Some(mut n) = date_into(&mut out, t.date_naive()).filter(|_| nanos < 1_000_000_000) else {
            return t.serialize(s);
        };
        out[n] = b'T';
        digits(&mut out[n + 1..n + 3], t.hour());
        out[n + 3] = b':';
        digits(&mut out[n + 4..n + 6], t.minute());
        out[n + 6] = b':';
        digits(&mut out[n + 7..n + 9], t.second());
        n += 9;
        let (fraction, width) = match nanos {
            0 => (0, 0),
            _ if nanos.is_multiple_of(1_000_000) => (nanos / 1_000_000, 3),
            _ if nanos.is_multiple_of(1_000) => (nanos / 1_000, 6),
            _ => (nanos, 9),
        };
        if width > 0 {
            out[n] = b'.';
            digits(&mut out[n + 1..n + 1 + width], fraction);
            n += 1 + width;
        }
        out[n] = b'Z';
        s.serialize_str(std::str::from_utf8(&out[..=n]).expect("digits are ASCII"))
    }
}

/// A list written item by item through `item`.
struct Each<'a, T, F>(&'a [T], F);

impl<'a, T, F, O> Serialize for Each<'a, T, F>
where
    F: Fn(&'a T) -> O,
    O: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(&self.1))
    }
}

#[derive(Serialize)]
struct LabeledOut<'a> {
    #[serde(skip_serializing_if = "empty")]
    label: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct AddressOut<'a> {
    #[serde(skip_serializing_if = "empty")]
    label: &'a str,
    #[serde(skip_serializing_if = "empty")]
    street: &'a str,
    #[serde(skip_serializing_if = "empty")]
    postal_code: &'a str,
    #[serde(skip_serializing_if = "empty")]
    city: &'a str,
    #[serde(skip_serializing_if = "empty")]
    country: &'a str,
}

impl<'a> AddressOut<'a> {
    fn new(a: &'a Address) -> Self {
        AddressOut {
            label: &a.label,
            street: &a.street,
            postal_code: &a.postal_code,
            city: &a.city,
            country: &a.country,
        }
    }

    fn is_empty(&self) -> bool {
        [self.label, self.street, self.postal_code, self.city, self.country].iter().all(|s| s.is_empty())
    }
}

#[derive(Serialize)]
struct SocialOut<'a> {
    service: &'a str,
    handle: &'a str,
}

#[derive(Serialize)]
struct AffiliationOut<'a> {
    org: Uuid,
    role: &'a str,
}

#[derive(Serialize)]
struct ProvenanceOut<'a> {
    source: &'a str,
    detail: &'a str,
    date: Day,
}

/// Categories, tags, custom values and field stamps: written in their
/// sets' and maps' own order, as the DTOs' collections are.
struct Keys<'a>(&'a BTreeSet<CategoryKey>);

impl Serialize for Keys<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(CategoryKey::as_str))
    }
}

struct Custom<'a>(&'a BTreeMap<FieldId, CustomValue>);

impl Serialize for Custom<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(tag = "type", content = "value", rename_all = "snake_case")]
        enum ValueOut<'a> {
            Text(&'a str),
            Number(f64),
            Date(Day),
            YesNo(bool),
            Choice(&'a str),
        }
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (field, value) in self.0 {
            let value = match value {
                CustomValue::Text(t) => ValueOut::Text(t),
                CustomValue::Number(n) => ValueOut::Number(*n),
                CustomValue::Date(d) => ValueOut::Date(Day(*d)),
                CustomValue::YesNo(b) => ValueOut::YesNo(*b),
                CustomValue::Choice(c) => ValueOut::Choice(c),
            };
            map.serialize_entry(&field.uuid(), &value)?;
        }
        map.end()
    }
}

/// A person as written where `implied` holds: the JSON of
/// [`PersonDto::written`].
#[derive(Serialize)]
pub struct PersonOut<'a> {
    id: Uuid,
    given_name: &'a str,
    family_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    emails: List<'a, Labeled, LabeledOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phones: List<'a, Labeled, LabeledOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    addresses: List<'a, Address, AddressOut<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    websites: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    socials: List<'a, Social, SocialOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    affiliations: List<'a, Affiliation, AffiliationOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    categories: Option<Keys<'a>>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    tags: &'a BTreeSet<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom: Option<Custom<'a>>,
    provenance: ProvenanceOut<'a>,
    #[serde(skip_serializing_if = "empty")]
    notes: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    restriction: Option<RestrictionDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stamp: Option<Option<StampText>>,
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "entries")]
    stamps: Vec<(String, StampText)>,
}

fn entries<S: Serializer>(list: &[(String, StampText)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(list.iter().map(|(k, v)| (k, v)))
}

/// A list written through `item`, or `None` to leave it out.
type List<'a, T, O> = Option<Each<'a, T, fn(&'a T) -> O>>;

/// `Some` unless empty, as the DTOs leave empty lists out.
fn listed<'a, T, O>(list: &'a [T], item: fn(&'a T) -> O) -> List<'a, T, O> {
    (!list.is_empty()).then_some(Each(list, item))
}

impl<'a> PersonOut<'a> {
    pub fn new(p: &'a Person, implied: Implied) -> Self {
        let (common, others) = person_stamps_by(&p.stamps);
        let id = p.id.uuid();
        let mut stamps: Vec<(String, StampText)> =
            others.into_iter().map(|(f, s)| (f.key(), StampText::new(&s))).collect();
        // In the order of their names, as a map of names writes them.
        stamps.sort_by(|a, b| a.0.cmp(&b.0));
        let labeled: fn(&'a Labeled) -> LabeledOut<'a> = |l| LabeledOut { label: &l.label, value: &l.value };
        PersonOut {
            id,
            given_name: &p.given_name,
            family_name: &p.family_name,
            emails: listed(&p.emails, labeled),
            phones: listed(&p.phones, labeled),
            addresses: listed(&p.addresses, AddressOut::new),
            websites: &p.websites,
            socials: listed(&p.socials, |s| SocialOut { service: &s.service, handle: &s.handle }),
            affiliations: listed(&p.affiliations, |a| AffiliationOut { org: a.org.uuid(), role: &a.role }),
            categories: (!p.categories.is_empty()).then_some(Keys(&p.categories)),
            tags: &p.tags,
            custom: (!p.custom.is_empty()).then_some(Custom(&p.custom)),
            provenance: ProvenanceOut {
                source: p.provenance.source.key(),
                detail: &p.provenance.detail,
                date: Day(p.provenance.date),
            },
            notes: &p.notes,
            restriction: p.restriction.as_ref().map(RestrictionDto::from),
            created: implied.created_out(id, p.created, common).map(Time),
            updated: implied.updated_out(p.created, p.updated, p.stamps.values().max().copied()).map(Time),
            stamp: match common {
                Some(s) => (!implied.implies(id, s)).then(|| Some(StampText::new(&s))),
                None => implied.0.map(|_| None),
            },
            stamps,
        }
    }
}

/// An organisation as written where `implied` holds: the JSON of
/// [`OrgDto::written`].
#[derive(Serialize)]
pub struct OrgOut<'a> {
    id: Uuid,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_id: Option<&'a str>,
    #[serde(skip_serializing_if = "AddressOut::is_empty")]
    address: AddressOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<&'a str>,
    #[serde(skip_serializing_if = "empty")]
    notes: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stamp: Option<StampText>,
}

impl<'a> OrgOut<'a> {
    pub fn new(o: &'a Organisation, implied: Implied) -> Self {
        let id = o.id.uuid();
        OrgOut {
            id,
            name: &o.name,
            business_id: o.business_id.as_deref(),
            address: AddressOut::new(&o.address),
            website: o.website.as_deref(),
            notes: &o.notes,
            created: implied.created_out(id, o.created, Some(o.stamp)).map(Time),
            updated: implied.updated_out(o.created, o.updated, Some(o.stamp)).map(Time),
            stamp: (!implied.implies(id, o.stamp)).then(|| StampText::new(&o.stamp)),
        }
    }
}

/// A record as written where `implied` holds: the JSON of
/// [`RecordDto::written`] — id, person, org, `type` and the kind's
/// members, times, stamp — written member by member: serde's way of
/// writing a flattened, tagged enum goes through a map of its own.
pub struct RecordOut<'a> {
    record: &'a Record,
    created: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
    stamp: Option<StampText>,
}

impl<'a> RecordOut<'a> {
    pub fn new(r: &'a Record, implied: Implied) -> Self {
        let id = r.id.uuid();
        RecordOut {
            record: r,
            created: implied.created_out(id, r.created, Some(r.stamp)),
            updated: implied.updated_out(r.created, r.updated, Some(r.stamp)),
            stamp: (!implied.implies(id, r.stamp)).then(|| StampText::new(&r.stamp)),
        }
    }
}

impl Serialize for RecordOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.record;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &r.id.uuid())?;
        m.serialize_entry("person", &r.person.uuid())?;
        if let Some(org) = r.org {
            m.serialize_entry("org", &org.uuid())?;
        }
        match &r.kind {
            RecordKind::Contract(c) => {
                m.serialize_entry("type", "contract")?;
                m.serialize_entry("kind", c.kind.key())?;
                m.serialize_entry("title", &c.title)?;
                if let Some(start) = c.start {
                    m.serialize_entry("start", &Day(start))?;
                }
                if let Some(end) = c.end {
                    m.serialize_entry("end", &Day(end))?;
                }
                if let Some(value) = c.value_cents {
                    m.serialize_entry("value_cents", &value)?;
                }
                m.serialize_entry("billing", c.billing.key())?;
            }
            RecordKind::Feedback(f) => {
                m.serialize_entry("type", "feedback")?;
                m.serialize_entry("date", &Day(f.date))?;
                m.serialize_entry("text", &f.text)?;
            }
            RecordKind::Ticket(t) => {
                m.serialize_entry("type", "ticket")?;
                m.serialize_entry("opened", &Day(t.opened))?;
                if let Some(closed) = t.closed {
                    m.serialize_entry("closed", &Day(closed))?;
                }
                if !t.description.is_empty() {
                    m.serialize_entry("description", &t.description)?;
                }
            }
            RecordKind::Training(t) => {
                m.serialize_entry("type", "training")?;
                m.serialize_entry("name", &t.name)?;
                m.serialize_entry("date", &Day(t.date))?;
                m.serialize_entry("completed", &t.completed)?;
                if !t.grade.is_empty() {
                    m.serialize_entry("grade", &t.grade)?;
                }
                m.serialize_entry("statutory", &t.statutory)?;
            }
            RecordKind::Event(e) => {
                m.serialize_entry("type", "event")?;
                m.serialize_entry("name", &e.name)?;
                m.serialize_entry("date", &Day(e.date))?;
                if let Some(dietary) = &e.dietary {
                    m.serialize_entry("dietary", dietary)?;
                }
            }
        }
        if let Some(created) = self.created {
            m.serialize_entry("created", &Time(created))?;
        }
        if let Some(updated) = self.updated {
            m.serialize_entry("updated", &Time(updated))?;
        }
        if let Some(stamp) = &self.stamp {
            m.serialize_entry("stamp", stamp)?;
        }
        m.end()
    }
}
