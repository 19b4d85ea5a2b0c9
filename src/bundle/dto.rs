//! Serialisable forms of the register's entities: the one place where the
//! register's data gets a wire shape. Storage keeps these documents, and
//! bundles carry them, so a change here is a change of file format: add
//! fields with `#[serde(default)]`, never rename or remove one.
//!
//! Reading a document back checks it (ids, stamps, field names, values),
//! so damaged data is reported, never half-loaded.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use uuid::Uuid;

use crate::domain::{
    validate, Address, Affiliation, AuditAction, AuditEntry, Billing, CategoryDef, CategoryKey,
    ContractKind, CustomValue, DeviceId, Disclosure, DisclosureId, EntityRef, FieldDef, FieldId, FieldKind, Filter, Labeled, OrgId,
    Organisation, Person, PersonField, PersonId, Provenance, Record, RecordId, RecordKind, Segment,
    SegmentId, Settings, Social, Source, Stamp, Tombstone, TombstoneReason,
};
use crate::domain::record::{Contract, EventParticipation, Feedback, Ticket, Training};
use crate::domain::{
    Basis, Channel, ConsentConfig, ConsentEntry, ConsentId, ConsentSource, ConsentState, Newsletter, NewsletterId,
    Purpose,
};

/// Why a document could not be read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {detail}")]
pub struct DtoError {
    pub what: &'static str,
    pub detail: String,
}

fn bad(what: &'static str, detail: impl Into<String>) -> DtoError {
    DtoError { what, detail: detail.into() }
}

/// Reads a stamp in either form: version 2's compact
/// `<millis hex>.<counter hex>.<device, 22 base64url characters>` or
/// version 1's `<16 hex>-<8 hex>-<device UUID>`.
pub fn stamp(text: &str) -> Result<Stamp, DtoError> {
    compact_stamp(text).or_else(|| text.parse().ok()).ok_or_else(|| bad("stamp", text))
}

fn compact_stamp(text: &str) -> Option<Stamp> {
    let mut parts = text.split('.');
    let (millis, counter, device) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || millis.is_empty() || millis.len() > 16 || counter.is_empty() || counter.len() > 8 {
        return None;
    }
    let device: [u8; 16] = B64URL.decode(device).ok()?.try_into().ok()?;
    Some(Stamp {
        millis: u64::from_str_radix(millis, 16).ok()?,
        counter: u32::from_str_radix(counter, 16).ok()?,
        device: DeviceId::new(Uuid::from_bytes(device)),
    })
}

/// A stamp as documents write it: the compact form, a third of version 1's
/// length. Stamps are a large part of every document.
pub fn stamp_text(s: &Stamp) -> String {
    format!("{:x}.{:x}.{}", s.millis, s.counter, B64URL.encode(s.device.uuid().as_bytes()))
}

/// Reads one stored document (JSON text) into its entity. The error says
/// where the text is unreadable or what is wrong, never a value.
pub fn decode<D, T>(doc: &str) -> Result<T, String>
where
    D: serde::de::DeserializeOwned,
    T: TryFrom<D, Error = DtoError>,
{
    let dto: D = serde_json::from_str(doc).map_err(|e| format!("not readable at line {} column {}", e.line(), e.column()))?;
    T::try_from(dto).map_err(|e| e.to_string())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabeledDto {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressDto {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub street: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub postal_code: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub city: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub country: String,
}

impl AddressDto {
    fn is_empty(&self) -> bool {
        *self == AddressDto::default()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocialDto {
    pub service: String,
    pub handle: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AffiliationDto {
    pub org: Uuid,
    #[serde(default)]
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProvenanceDto {
    pub source: String,
    #[serde(default)]
    pub detail: String,
    pub date: NaiveDate,
}

/// A custom field's value, tagged with its kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum CustomValueDto {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    YesNo(bool),
    Choice(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonDto {
    pub id: Uuid,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<LabeledDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<LabeledDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<AddressDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub socials: Vec<SocialDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affiliations: Vec<AffiliationDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<Uuid, CustomValueDto>,
    pub provenance: ProvenanceDto,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// A restriction of processing; absent when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction: Option<RestrictionDto>,
    /// Absent: the time of the entity's stamp (an entity never changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// Absent: the same as `created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// The stamp of every built-in field ([`PersonField::FIXED`]) that
    /// `stamps` does not name (version 2; absent in version 1, where
    /// `stamps` names every field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<String>,
    /// Field name → stamp text, for the fields whose stamp is not `stamp`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stamps: BTreeMap<String, String>,
}

/// A person's field stamps as a document writes them: the stamp most
/// built-in fields share, and the others by field.
fn person_stamps(stamps: &BTreeMap<PersonField, Stamp>) -> (Option<Stamp>, BTreeMap<String, String>) {
    let all = || stamps.iter().map(|(f, s)| (f.key(), stamp_text(s))).collect();
    if !PersonField::FIXED.iter().all(|f| stamps.contains_key(f)) {
        return (None, all());
    }
    let mut counts: BTreeMap<Stamp, usize> = BTreeMap::new();
    for f in &PersonField::FIXED {
        *counts.entry(stamps[f]).or_default() += 1;
    }
    // The most shared stamp; of equally shared ones, the latest.
    let Some((&common, _)) = counts.iter().max_by_key(|(s, n)| (**n, **s)) else { return (None, all()) };
    let others = stamps
        .iter()
        .filter(|(f, s)| !(PersonField::FIXED.contains(f) && **s == common))
        .map(|(f, s)| (f.key(), stamp_text(s)))
        .collect();
    (Some(common), others)
}

/// The time of a stamp, to the millisecond.
fn stamp_time(s: Stamp) -> Option<DateTime<Utc>> {
    i64::try_from(s.millis).ok().and_then(DateTime::from_timestamp_millis)
}

/// `created` as documents write it: left out when it is the time of the
/// entity's stamp, as it is for everything never changed since.
fn created_out(created: DateTime<Utc>, stamp: Option<Stamp>) -> Option<DateTime<Utc>> {
    match stamp {
        Some(s) if stamp_time(s) == Some(created) => None,
        _ => Some(created),
    }
}

/// `updated` as documents write it: left out when it is `created`.
fn updated_out(created: DateTime<Utc>, updated: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (updated != created).then_some(updated)
}

/// `created` as read: written, or else the time of the entity's stamp.
fn created_in(created: Option<DateTime<Utc>>, stamp: Option<Stamp>) -> Result<DateTime<Utc>, DtoError> {
    created.or_else(|| stamp.and_then(stamp_time)).ok_or_else(|| bad("created", "missing"))
}

/// A person's restriction of processing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestrictionDto {
    pub since: NaiveDate,
    #[serde(default)]
    pub request: Option<Uuid>,
    /// `requested`, `erased_except_held`.
    pub kind: String,
}

impl From<&crate::domain::gdpr::Restriction> for RestrictionDto {
    fn from(r: &crate::domain::gdpr::Restriction) -> Self {
        RestrictionDto { since: r.since, request: r.request.map(|id| id.uuid()), kind: r.kind.key().into() }
    }
}

impl TryFrom<RestrictionDto> for crate::domain::gdpr::Restriction {
    type Error = DtoError;

    fn try_from(d: RestrictionDto) -> Result<Self, DtoError> {
        use crate::domain::gdpr::RestrictionKind;
        Ok(crate::domain::gdpr::Restriction {
            since: d.since,
            request: d.request.map(crate::domain::RequestId::new),
            kind: RestrictionKind::from_key(&d.kind).ok_or_else(|| bad("restriction", d.kind.clone()))?,
        })
    }
}

impl From<&Person> for PersonDto {
    fn from(p: &Person) -> Self {
        let (common, stamps) = person_stamps(&p.stamps);
        let labeled = |list: &[Labeled]| {
            list.iter().map(|l| LabeledDto { label: l.label.clone(), value: l.value.clone() }).collect()
        };
        PersonDto {
            id: p.id.uuid(),
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            emails: labeled(&p.emails),
            phones: labeled(&p.phones),
            addresses: p.addresses.iter().map(AddressDto::from).collect(),
            websites: p.websites.clone(),
            socials: p
                .socials
                .iter()
                .map(|s| SocialDto { service: s.service.clone(), handle: s.handle.clone() })
                .collect(),
            affiliations: p
                .affiliations
                .iter()
                .map(|a| AffiliationDto { org: a.org.uuid(), role: a.role.clone() })
                .collect(),
            categories: p.categories.iter().map(|c| c.as_str().to_owned()).collect(),
            tags: p.tags.iter().cloned().collect(),
            custom: p.custom.iter().map(|(k, v)| (k.uuid(), CustomValueDto::from(v))).collect(),
            provenance: ProvenanceDto {
                source: p.provenance.source.key().to_owned(),
                detail: p.provenance.detail.clone(),
                date: p.provenance.date,
            },
            notes: p.notes.clone(),
            restriction: p.restriction.as_ref().map(RestrictionDto::from),
            created: created_out(p.created, common),
            updated: updated_out(p.created, p.updated),
            stamp: common.as_ref().map(stamp_text),
            stamps,
        }
    }
}

impl TryFrom<PersonDto> for Person {
    type Error = DtoError;

    fn try_from(d: PersonDto) -> Result<Self, DtoError> {
        let labeled = |list: Vec<LabeledDto>| list.into_iter().map(|l| Labeled { label: l.label, value: l.value }).collect();
        for e in &d.emails {
            validate::email(&e.value).map_err(|_| bad("e-mail", "not an e-mail address"))?;
        }
        for p in &d.phones {
            if !p.value.starts_with('+') || p.value.len() < 8 || !p.value[1..].bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("phone", "not an international phone number"));
            }
        }
        let mut stamps = d
            .stamps
            .iter()
            .map(|(k, v)| Ok((PersonField::from_key(k).ok_or_else(|| bad("field", k.clone()))?, stamp(v)?)))
            .collect::<Result<BTreeMap<_, _>, DtoError>>()?;
        let common = d.stamp.as_deref().map(stamp).transpose()?;
        if let Some(common) = common {
            for f in PersonField::FIXED {
                stamps.entry(f).or_insert(common);
            }
        }
        let created = created_in(d.created, common)?;
        Ok(Person {
            id: PersonId::new(d.id),
            given_name: d.given_name,
            family_name: d.family_name,
            emails: labeled(d.emails),
            phones: labeled(d.phones),
            addresses: d.addresses.into_iter().map(Address::from).collect(),
            websites: d.websites,
            socials: d.socials.into_iter().map(|s| Social { service: s.service, handle: s.handle }).collect(),
            affiliations: d
                .affiliations
                .into_iter()
                .map(|a| Affiliation { org: OrgId::new(a.org), role: a.role })
                .collect(),
            categories: d.categories.into_iter().map(CategoryKey::new).collect::<BTreeSet<_>>(),
            tags: d.tags.into_iter().collect(),
            custom: d.custom.into_iter().map(|(k, v)| (FieldId::new(k), CustomValue::from(v))).collect(),
            provenance: Provenance {
                source: Source::from_key(&d.provenance.source)
                    .ok_or_else(|| bad("source", d.provenance.source.clone()))?,
                detail: d.provenance.detail,
                date: d.provenance.date,
            },
            notes: d.notes,
            restriction: d.restriction.map(TryInto::try_into).transpose()?,
            created,
            updated: d.updated.unwrap_or(created),
            stamps,
        })
    }
}

impl From<&Address> for AddressDto {
    fn from(a: &Address) -> Self {
        AddressDto {
            label: a.label.clone(),
            street: a.street.clone(),
            postal_code: a.postal_code.clone(),
            city: a.city.clone(),
            country: a.country.clone(),
        }
    }
}

impl From<AddressDto> for Address {
    fn from(a: AddressDto) -> Self {
        Address { label: a.label, street: a.street, postal_code: a.postal_code, city: a.city, country: a.country }
    }
}

impl From<&CustomValue> for CustomValueDto {
    fn from(v: &CustomValue) -> Self {
        match v {
            CustomValue::Text(s) => CustomValueDto::Text(s.clone()),
            CustomValue::Number(n) => CustomValueDto::Number(*n),
            CustomValue::Date(d) => CustomValueDto::Date(*d),
            CustomValue::YesNo(b) => CustomValueDto::YesNo(*b),
            CustomValue::Choice(s) => CustomValueDto::Choice(s.clone()),
        }
    }
}

impl From<CustomValueDto> for CustomValue {
    fn from(v: CustomValueDto) -> Self {
        match v {
            CustomValueDto::Text(s) => CustomValue::Text(s),
            CustomValueDto::Number(n) => CustomValue::Number(n),
            CustomValueDto::Date(d) => CustomValue::Date(d),
            CustomValueDto::YesNo(b) => CustomValue::YesNo(b),
            CustomValueDto::Choice(s) => CustomValue::Choice(s),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgDto {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    #[serde(default, skip_serializing_if = "AddressDto::is_empty")]
    pub address: AddressDto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Absent: the time of the entity's stamp (an entity never changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// Absent: the same as `created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    pub stamp: String,
}

impl From<&Organisation> for OrgDto {
    fn from(o: &Organisation) -> Self {
        OrgDto {
            id: o.id.uuid(),
            name: o.name.clone(),
            business_id: o.business_id.clone(),
            address: AddressDto::from(&o.address),
            website: o.website.clone(),
            notes: o.notes.clone(),
            created: created_out(o.created, Some(o.stamp)),
            updated: updated_out(o.created, o.updated),
            stamp: stamp_text(&o.stamp),
        }
    }
}

impl TryFrom<OrgDto> for Organisation {
    type Error = DtoError;

    fn try_from(d: OrgDto) -> Result<Self, DtoError> {
        if let Some(id) = &d.business_id {
            validate::business_id(id).map_err(|_| bad("business ID", id.clone()))?;
        }
        let own = stamp(&d.stamp)?;
        let created = created_in(d.created, Some(own))?;
        Ok(Organisation {
            id: OrgId::new(d.id),
            name: d.name,
            business_id: d.business_id,
            address: d.address.into(),
            website: d.website,
            notes: d.notes,
            created,
            updated: d.updated.unwrap_or(created),
            stamp: own,
        })
    }
}

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
    Feedback { date: NaiveDate, text: String },
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordDto {
    pub id: Uuid,
    pub person: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    #[serde(flatten)]
    pub kind: RecordKindDto,
    /// Absent: the time of the entity's stamp (an entity never changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// Absent: the same as `created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    pub stamp: String,
}

impl From<&Record> for RecordDto {
    fn from(r: &Record) -> Self {
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
            created: created_out(r.created, Some(r.stamp)),
            updated: updated_out(r.created, r.updated),
            stamp: stamp_text(&r.stamp),
        }
    }
}

impl TryFrom<RecordDto> for Record {
    type Error = DtoError;

    fn try_from(d: RecordDto) -> Result<Self, DtoError> {
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
        let own = stamp(&d.stamp)?;
        let created = created_in(d.created, Some(own))?;
        Ok(Record {
            id: RecordId::new(d.id),
            person: PersonId::new(d.person),
            org: d.org.map(OrgId::new),
            kind,
            created,
            updated: d.updated.unwrap_or(created),
            stamp: own,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TombstoneDto {
    /// `person`, `organisation`, `record`.
    pub kind: String,
    pub id: Uuid,
    pub stamp: String,
    /// `deleted`, `merged`, `erased`.
    pub reason: String,
    #[serde(default)]
    pub merged_into: Option<Uuid>,
}

impl From<&Tombstone> for TombstoneDto {
    fn from(t: &Tombstone) -> Self {
        let (kind, id) = entity_parts(&t.entity);
        let (reason, merged_into) = match &t.reason {
            TombstoneReason::Deleted => ("deleted", None),
            TombstoneReason::MergedInto(p) => ("merged", Some(p.uuid())),
            TombstoneReason::Erased => ("erased", None),
        };
        TombstoneDto { kind: kind.into(), id, stamp: stamp_text(&t.stamp), reason: reason.into(), merged_into }
    }
}

impl TryFrom<TombstoneDto> for Tombstone {
    type Error = DtoError;

    fn try_from(d: TombstoneDto) -> Result<Self, DtoError> {
        let reason = match (d.reason.as_str(), d.merged_into) {
            ("deleted", _) => TombstoneReason::Deleted,
            ("merged", Some(p)) => TombstoneReason::MergedInto(PersonId::new(p)),
            ("erased", _) => TombstoneReason::Erased,
            _ => return Err(bad("tombstone", d.reason)),
        };
        Ok(Tombstone { entity: entity_from(&d.kind, d.id)?, stamp: stamp(&d.stamp)?, reason })
    }
}

fn entity_parts(e: &EntityRef) -> (&'static str, Uuid) {
    match e {
        EntityRef::Person(id) => ("person", id.uuid()),
        EntityRef::Org(id) => ("organisation", id.uuid()),
        EntityRef::Record(id) => ("record", id.uuid()),
        EntityRef::Settings => ("settings", Uuid::nil()),
    }
}

fn entity_from(kind: &str, id: Uuid) -> Result<EntityRef, DtoError> {
    Ok(match kind {
        "person" => EntityRef::Person(PersonId::new(id)),
        "organisation" => EntityRef::Org(OrgId::new(id)),
        "record" => EntityRef::Record(RecordId::new(id)),
        "settings" => EntityRef::Settings,
        other => return Err(bad("entity kind", other)),
    })
}

/// The storage key of an entity, also used by tombstones: `person:<uuid>`.
pub fn entity_key(e: &EntityRef) -> String {
    let (kind, id) = entity_parts(e);
    format!("{kind}:{id}")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditDto {
    pub key: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    #[serde(default)]
    pub other: Option<Uuid>,
    pub entity_kind: String,
    pub entity_id: Uuid,
    #[serde(default)]
    pub fields: Vec<String>,
}

impl From<&AuditEntry> for AuditDto {
    fn from(a: &AuditEntry) -> Self {
        let other = match &a.action {
            AuditAction::MergedFrom(p) | AuditAction::MergedInto(p) => Some(p.uuid()),
            action => action.request().map(|r| r.uuid()),
        };
        let (entity_kind, entity_id) = entity_parts(&a.entity);
        AuditDto {
            key: a.key.clone(),
            at: a.at,
            actor: a.actor.clone(),
            action: a.action.key().into(),
            other,
            entity_kind: entity_kind.into(),
            entity_id,
            fields: a.fields.clone(),
        }
    }
}

impl TryFrom<AuditDto> for AuditEntry {
    type Error = DtoError;

    fn try_from(d: AuditDto) -> Result<Self, DtoError> {
        let other = || d.other.map(PersonId::new).ok_or_else(|| bad("audit", "merge without the other person"));
        let action = match d.action.as_str() {
            "created" => AuditAction::Created,
            "updated" => AuditAction::Updated,
            "deleted" => AuditAction::Deleted,
            "merged_from" => AuditAction::MergedFrom(other()?),
            "merged_into" => AuditAction::MergedInto(other()?),
            "dietary_purged" => AuditAction::DietaryPurged,
            "dietary_viewed" => AuditAction::DietaryViewed,
            "imported" => AuditAction::Imported,
            "import_deleted" => AuditAction::ImportDeleted,
            name => match crate::bundle::gdpr::audit_action(name, d.other) {
                Some(action) => action?,
                None => return Err(bad("audit action", name)),
            },
        };
        Ok(AuditEntry {
            key: d.key,
            at: d.at,
            actor: d.actor,
            action,
            entity: entity_from(&d.entity_kind, d.entity_id)?,
            fields: d.fields,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryDto {
    pub key: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldDefDto {
    pub id: Uuid,
    pub name: String,
    /// `text`, `number`, `date`, `yes_no`, `choice`.
    pub kind: String,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilterDto {
    pub text: String,
    pub categories: Vec<String>,
    pub org: Option<Uuid>,
    pub tag: Option<String>,
    pub last_event_before: Option<NaiveDate>,
    pub last_event_after: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentDto {
    pub id: Uuid,
    pub name: String,
    pub filter: FilterDto,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsDto {
    #[serde(default)]
    pub user_name: String,
    #[serde(default = "default_country")]
    pub country_code: String,
    #[serde(default)]
    pub categories: Vec<CategoryDto>,
    #[serde(default)]
    pub fields: Vec<FieldDefDto>,
    #[serde(default)]
    pub segments: Vec<SegmentDto>,
    pub stamp: String,
}

fn default_country() -> String {
    "358".into()
}

impl From<&Filter> for FilterDto {
    fn from(f: &Filter) -> Self {
        FilterDto {
            text: f.text.clone(),
            categories: f.categories.iter().map(|c| c.as_str().to_owned()).collect(),
            org: f.org.map(OrgId::uuid),
            tag: f.tag.clone(),
            last_event_before: f.last_event_before,
            last_event_after: f.last_event_after,
        }
    }
}

impl From<FilterDto> for Filter {
    fn from(f: FilterDto) -> Self {
        Filter {
            text: f.text,
            categories: f.categories.into_iter().map(CategoryKey::new).collect(),
            org: f.org.map(OrgId::new),
            tag: f.tag,
            last_event_before: f.last_event_before,
            last_event_after: f.last_event_after,
        }
    }
}

impl From<&Settings> for SettingsDto {
    fn from(s: &Settings) -> Self {
        SettingsDto {
            user_name: s.user_name.clone(),
            country_code: s.country_code.clone(),
            categories: s
                .categories
                .iter()
                .map(|c| CategoryDto { key: c.key.as_str().into(), name: c.name.clone() })
                .collect(),
            fields: s
                .fields
                .iter()
                .map(|f| FieldDefDto {
                    id: f.id.uuid(),
                    name: f.name.clone(),
                    kind: f.kind.key().into(),
                    choices: match &f.kind {
                        FieldKind::Choice(c) => c.clone(),
                        _ => vec![],
                    },
                    required: f.required,
                })
                .collect(),
            segments: s
                .segments
                .iter()
                .map(|g| SegmentDto { id: g.id.uuid(), name: g.name.clone(), filter: FilterDto::from(&g.filter) })
                .collect(),
            stamp: stamp_text(&s.stamp),
        }
    }
}

impl TryFrom<SettingsDto> for Settings {
    type Error = DtoError;

    fn try_from(d: SettingsDto) -> Result<Self, DtoError> {
        let fields = d
            .fields
            .into_iter()
            .map(|f| {
                let kind = match f.kind.as_str() {
                    "text" => FieldKind::Text,
                    "number" => FieldKind::Number,
                    "date" => FieldKind::Date,
                    "yes_no" => FieldKind::YesNo,
                    "choice" => FieldKind::Choice(f.choices),
                    other => return Err(bad("field kind", other)),
                };
                Ok(FieldDef { id: FieldId::new(f.id), name: f.name, kind, required: f.required })
            })
            .collect::<Result<Vec<_>, DtoError>>()?;
        Ok(Settings {
            user_name: d.user_name,
            country_code: d.country_code,
            categories: d
                .categories
                .into_iter()
                .map(|c| CategoryDef { key: CategoryKey::new(c.key), name: c.name })
                .collect(),
            fields,
            segments: d
                .segments
                .into_iter()
                .map(|s| Segment { id: SegmentId::new(s.id), name: s.name, filter: s.filter.into() })
                .collect(),
            stamp: stamp(&d.stamp)?,
        })
    }
}

/// An entry of the disclosure log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisclosureDto {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub people: Vec<Uuid>,
}

impl From<&Disclosure> for DisclosureDto {
    fn from(d: &Disclosure) -> Self {
        DisclosureDto {
            id: d.id.uuid(),
            at: d.at,
            by: d.by.clone(),
            recipient: d.recipient.clone(),
            purpose: d.purpose.clone(),
            scope: d.scope.clone(),
            people: d.people.iter().map(|p| p.uuid()).collect(),
        }
    }
}

impl From<DisclosureDto> for Disclosure {
    fn from(d: DisclosureDto) -> Self {
        Disclosure {
            id: DisclosureId::new(d.id),
            at: d.at,
            by: d.by,
            recipient: d.recipient,
            purpose: d.purpose,
            scope: d.scope,
            people: d.people.into_iter().map(PersonId::new).collect(),
        }
    }
}

/// An entry of the consent ledger. Purposes, states and sources are
/// written by their keys (`marketing:email`, `given`, `form`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentEntryDto {
    pub id: Uuid,
    pub person: Uuid,
    pub purpose: String,
    pub state: String,
    pub date: NaiveDate,
    pub source: String,
    #[serde(default)]
    pub wording: String,
    pub recorded_at: DateTime<Utc>,
    #[serde(default)]
    pub by: String,
    pub stamp: String,
}

impl From<&ConsentEntry> for ConsentEntryDto {
    fn from(e: &ConsentEntry) -> Self {
        ConsentEntryDto {
            id: e.id.uuid(),
            person: e.person.uuid(),
            purpose: e.purpose.key(),
            state: e.state.key().into(),
            date: e.date,
            source: e.source.key().into(),
            wording: e.wording.clone(),
            recorded_at: e.recorded_at,
            by: e.by.clone(),
            stamp: stamp_text(&e.stamp),
        }
    }
}

impl TryFrom<ConsentEntryDto> for ConsentEntry {
    type Error = DtoError;

    fn try_from(d: ConsentEntryDto) -> Result<Self, DtoError> {
        Ok(ConsentEntry {
            id: ConsentId::new(d.id),
            person: PersonId::new(d.person),
            purpose: Purpose::from_key(&d.purpose).ok_or_else(|| bad("purpose", d.purpose.clone()))?,
            state: ConsentState::from_key(&d.state).ok_or_else(|| bad("consent state", d.state.clone()))?,
            date: d.date,
            source: ConsentSource::from_key(&d.source).ok_or_else(|| bad("consent source", d.source.clone()))?,
            wording: d.wording,
            recorded_at: d.recorded_at,
            by: d.by,
            stamp: stamp(&d.stamp)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewsletterDto {
    pub id: Uuid,
    pub name: String,
    /// `email`, `phone`, `post`, `sms`.
    pub channel: String,
    /// `consent`, `legitimate_interest`.
    pub basis: String,
    #[serde(default)]
    pub retired: bool,
}

/// The organisation's newsletters and the purposes' legal bases. A basis
/// left out is the default's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentConfigDto {
    #[serde(default)]
    pub newsletters: Vec<NewsletterDto>,
    /// Purpose key (`marketing:email`, `surveys`, …) → basis key.
    #[serde(default)]
    pub bases: BTreeMap<String, String>,
    pub stamp: String,
}

impl From<&ConsentConfig> for ConsentConfigDto {
    fn from(c: &ConsentConfig) -> Self {
        ConsentConfigDto {
            newsletters: c
                .newsletters
                .iter()
                .map(|n| NewsletterDto {
                    id: n.id.uuid(),
                    name: n.name.clone(),
                    channel: n.channel.key().into(),
                    basis: n.basis.key().into(),
                    retired: n.retired,
                })
                .collect(),
            bases: Purpose::FIXED.iter().map(|p| (p.key(), c.basis(p).key().to_owned())).collect(),
            stamp: stamp_text(&c.stamp),
        }
    }
}

impl TryFrom<ConsentConfigDto> for ConsentConfig {
    type Error = DtoError;

    fn try_from(d: ConsentConfigDto) -> Result<Self, DtoError> {
        let mut c = ConsentConfig { stamp: stamp(&d.stamp)?, ..ConsentConfig::default() };
        for n in d.newsletters {
            c.newsletters.push(Newsletter {
                id: NewsletterId::new(n.id),
                name: n.name,
                channel: Channel::from_key(&n.channel).ok_or_else(|| bad("channel", n.channel.clone()))?,
                basis: Basis::from_key(&n.basis).ok_or_else(|| bad("basis", n.basis.clone()))?,
                retired: n.retired,
            });
        }
        for (key, basis) in d.bases {
            let basis = Basis::from_key(&basis).ok_or_else(|| bad("basis", basis.clone()))?;
            match Purpose::from_key(&key) {
                Some(Purpose::DirectMarketing(Channel::Email)) => c.email = basis,
                Some(Purpose::DirectMarketing(Channel::Phone)) => c.phone = basis,
                Some(Purpose::DirectMarketing(Channel::Post)) => c.post = basis,
                Some(Purpose::DirectMarketing(Channel::Sms)) => c.sms = basis,
                Some(Purpose::Surveys) => c.surveys = basis,
                Some(Purpose::PartnerDisclosure) => c.partners = basis,
                Some(Purpose::Directory) => c.directory = basis,
                _ => return Err(bad("purpose", key)),
            }
        }
        Ok(c)
    }
}

/// The latest stamp seen from each device: device id → stamp text.
pub type SeenDto = BTreeMap<Uuid, String>;

pub fn seen_to_dto(seen: &BTreeMap<DeviceId, Stamp>) -> SeenDto {
    seen.iter().map(|(d, s)| (d.uuid(), stamp_text(s))).collect()
}

pub fn seen_from_dto(dto: &SeenDto) -> Result<BTreeMap<DeviceId, Stamp>, DtoError> {
    dto.iter().map(|(d, s)| Ok((DeviceId::new(*d), stamp(s)?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{day, person_named};

    #[test]
    fn person_round_trip() {
        let mut p = person_named(1, "Kati", "Häkkinen");
        p.emails.push(Labeled { label: "work".into(), value: "kati@example.fi".into() });
        p.phones.push(Labeled { label: String::new(), value: "+358401234567".into() });
        p.custom.insert(FieldId::new(Uuid::from_u128(9)), CustomValue::Date(day(2026, 1, 2)));
        p.categories.insert(CategoryKey::new("customer"));
        let json = serde_json::to_string(&PersonDto::from(&p)).unwrap();
        let back: Person = serde_json::from_str::<PersonDto>(&json).unwrap().try_into().unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn damaged_people_are_refused() {
        let p = person_named(1, "Kati", "Häkkinen");
        let mut dto = PersonDto::from(&p);
        dto.emails.push(LabeledDto { label: String::new(), value: "not an address".into() });
        assert_eq!(Person::try_from(dto).unwrap_err().what, "e-mail");
        let mut dto = PersonDto::from(&p);
        dto.stamps.insert("shoe size".into(), Stamp::ZERO.to_string());
        assert_eq!(Person::try_from(dto).unwrap_err().what, "field");
        let mut dto = PersonDto::from(&p);
        dto.provenance.source = "rumour".into();
        assert_eq!(Person::try_from(dto).unwrap_err().what, "source");
    }
}
