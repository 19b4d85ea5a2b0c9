//! Relationship records: contracts, feedback, tickets, trainings, events.

use super::*;

/// A relationship record's own data, tagged with its kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecordKindDto {
    Contract {
        kind: String,
        title: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value_cents: Option<i64>,
        billing: String,
    },
    Feedback {
        date: NaiveDate,
        text: String,
    },
    Ticket {
        opened: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        closed: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
    },
    Training {
        name: String,
        date: NaiveDate,
        #[serde(default)]
        completed: bool,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        grade: String,
        #[serde(default)]
        statutory: bool,
    },
    Event {
        name: String,
        date: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dietary: Option<String>,
    },
}

/// Read by [`RecordFields`], in one pass (see its `Deserialize`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordDto {
    pub id: Uuid,
    pub person: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    #[serde(flatten)]
    pub kind: RecordKindDto,
    /// Absent: implied ([`Implied`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// Absent: implied ([`Implied`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// Absent: implied ([`Implied`]); always written in storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<String>,
    /// Storage only: the device by which this document leaves stamps and
    /// times implied ([`Implied::by`]), as a bundle of version 3 wrote it
    /// when storage keeps that text as it came; absent: [`Implied::LITTLE`].
    /// A bundle's reader ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implied_by: Option<Uuid>,
}

/// Every field a record document may have, read in one pass. Serde reads
/// a flattened, internally tagged enum by buffering the whole document
/// first, several times slower; records are most of a register.
#[derive(Deserialize)]
struct RecordFields {
    id: Uuid,
    person: Uuid,
    #[serde(default)]
    org: Option<Uuid>,
    #[serde(rename = "type")]
    tag: String,
    #[serde(default, deserialize_with = "when::opt_time")]
    created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "when::opt_time")]
    updated: Option<DateTime<Utc>>,
    stamp: Option<String>,
    implied_by: Option<Uuid>,
    // The kinds' own fields.
    kind: Option<String>,
    title: Option<String>,
    #[serde(default, deserialize_with = "when::opt_date")]
    start: Option<NaiveDate>,
    #[serde(default, deserialize_with = "when::opt_date")]
    end: Option<NaiveDate>,
    value_cents: Option<i64>,
    billing: Option<String>,
    #[serde(default, deserialize_with = "when::opt_date")]
    date: Option<NaiveDate>,
    text: Option<String>,
    #[serde(default, deserialize_with = "when::opt_date")]
    opened: Option<NaiveDate>,
    #[serde(default, deserialize_with = "when::opt_date")]
    closed: Option<NaiveDate>,
    #[serde(default)]
    description: String,
    name: Option<String>,
    #[serde(default)]
    completed: bool,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    statutory: bool,
    dietary: Option<String>,
}

/// The kinds of relationship records, as documents tag them (`type`).
pub const RECORD_KINDS: [&str; 5] = ["contract", "feedback", "ticket", "training", "event"];

impl<'de> Deserialize<'de> for RecordDto {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let f = RecordFields::deserialize(d)?;
        fn needed<T, E: Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
            value.ok_or_else(|| E::missing_field(field))
        }
        let kind = match f.tag.as_str() {
            "contract" => RecordKindDto::Contract {
                kind: needed(f.kind, "kind")?,
                title: needed(f.title, "title")?,
                start: f.start,
                end: f.end,
                value_cents: f.value_cents,
                billing: needed(f.billing, "billing")?,
            },
            "feedback" => RecordKindDto::Feedback { date: needed(f.date, "date")?, text: needed(f.text, "text")? },
            "ticket" => RecordKindDto::Ticket {
                opened: needed(f.opened, "opened")?,
                closed: f.closed,
                description: f.description,
            },
            "training" => RecordKindDto::Training {
                name: needed(f.name, "name")?,
                date: needed(f.date, "date")?,
                completed: f.completed,
                grade: f.grade,
                statutory: f.statutory,
            },
            "event" => RecordKindDto::Event {
                name: needed(f.name, "name")?,
                date: needed(f.date, "date")?,
                dietary: f.dietary,
            },
            other => return Err(D::Error::unknown_variant(other, &RECORD_KINDS)),
        };
        Ok(RecordDto {
            id: f.id,
            person: f.person,
            org: f.org,
            kind,
            created: f.created,
            updated: f.updated,
            stamp: f.stamp,
            implied_by: f.implied_by,
        })
    }
}

impl From<&Record> for RecordDto {
    fn from(r: &Record) -> Self {
        RecordDto::written(r, Implied::LITTLE)
    }
}

impl RecordDto {
    /// The record as written where `implied` holds.
    pub fn written(r: &Record, implied: Implied) -> Self {
        let kind = match &r.kind {
            RecordKind::Contract(c) => RecordKindDto::Contract {
                kind: c.kind.key().into(),
                title: c.title.clone(),
                start: c.start,
                end: c.end,
                value_cents: c.value_cents,
                billing: c.billing.key().into(),
            },
            RecordKind::Feedback(f) => RecordKindDto::Feedback { date: f.date, text: f.text.clone() },
            RecordKind::Ticket(t) => {
                RecordKindDto::Ticket { opened: t.opened, closed: t.closed, description: t.description.clone() }
            }
            RecordKind::Training(t) => RecordKindDto::Training {
                name: t.name.clone(),
                date: t.date,
                completed: t.completed,
                grade: t.grade.clone(),
                statutory: t.statutory,
            },
            RecordKind::Event(e) => {
                RecordKindDto::Event { name: e.name.clone(), date: e.date, dietary: e.dietary.clone() }
            }
        };
        RecordDto {
            id: r.id.uuid(),
            person: r.person.uuid(),
            org: r.org.map(OrgId::uuid),
            kind,
            created: implied.created_out(r.id.uuid(), r.created, Some(r.stamp)),
            updated: implied.updated_out(r.created, r.updated, Some(r.stamp)),
            stamp: implied.stamp_out(r.id.uuid(), r.stamp),
            implied_by: None,
        }
    }

    /// The record, reading what is left out as `implied`.
    pub fn read(self, implied: Implied) -> Result<Record, DtoError> {
        let d = self;
        let kind = match d.kind {
            RecordKindDto::Contract { kind, title, start, end, value_cents, billing } => {
                RecordKind::Contract(Contract {
                    kind: ContractKind::from_key(&kind).ok_or_else(|| bad("contract kind", kind.clone()))?,
                    title,
                    start,
                    end,
                    value_cents,
                    billing: Billing::from_key(&billing).ok_or_else(|| bad("billing", billing.clone()))?,
                })
            }
            RecordKindDto::Feedback { date, text } => RecordKind::Feedback(Feedback { date, text }),
            RecordKindDto::Ticket { opened, closed, description } => {
                RecordKind::Ticket(Ticket { opened, closed, description })
            }
            RecordKindDto::Training { name, date, completed, grade, statutory } => {
                RecordKind::Training(Training { name, date, completed, grade, statutory })
            }
            RecordKindDto::Event { name, date, dietary } => {
                RecordKind::Event(EventParticipation { name, date, dietary })
            }
        };
        let own = implied.stamp_in(d.id, d.stamp.as_deref())?;
        let created = implied.created_in(d.id, d.created, Some(own))?;
        Ok(Record {
            id: RecordId::new(d.id),
            person: PersonId::new(d.person),
            org: d.org.map(OrgId::new),
            kind,
            created,
            updated: d.updated.unwrap_or_else(|| implied.updated(created, Some(own))),
            stamp: own,
        })
    }
}

impl TryFrom<RecordDto> for Record {
    type Error = DtoError;

    fn try_from(d: RecordDto) -> Result<Self, DtoError> {
        let implied = Implied::stored(d.implied_by);
        d.read(implied)
    }
}
