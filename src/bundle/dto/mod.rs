//! Serialisable forms of the register's entities: the one place where the
//! register's data gets a wire shape. Storage keeps these documents, and
//! bundles carry them, so a change here is a change of file format: add
//! fields with `#[serde(default)]`, never rename or remove one.
//!
//! Reading a document back checks it (ids, stamps, field names, values),
//! so damaged data is reported, never half-loaded.

use std::collections::{BTreeMap, BTreeSet};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::record::{Contract, EventParticipation, Feedback, Ticket, Training};
use crate::domain::{
    validate, Address, Affiliation, AuditAction, AuditEntry, Billing, CategoryDef, CategoryKey, ContractKind,
    CustomValue, DeviceId, Disclosure, DisclosureId, EntityRef, FieldDef, FieldId, FieldKind, Filter, Labeled, OrgId,
    Organisation, Person, PersonField, PersonId, Provenance, Record, RecordId, RecordKind, Segment, SegmentId,
    Settings, Social, Source, Stamp, Tombstone, TombstoneReason,
};
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
    // Decoded in place: a register reads a stamp for nearly every value.
    let mut bytes = [0u8; 18];
    let device: [u8; 16] = match B64URL.decode_slice(device, &mut bytes) {
        Ok(16) => bytes[..16].try_into().ok()?,
        _ => return None,
    };
    Some(Stamp {
        millis: u64::from_str_radix(millis, 16).ok()?,
        counter: u32::from_str_radix(counter, 16).ok()?,
        device: DeviceId::new(Uuid::from_bytes(device)),
    })
}

/// A stamp as documents write it: the compact form, a third of version 1's
/// length. Stamps are a large part of every document.
pub fn stamp_text(s: &Stamp) -> String {
    StampText::new(s).as_str().to_owned()
}

/// Reads one stored document (JSON text) into its entity. The error says
/// where the text is unreadable or what is wrong, never a value.
pub fn decode<D, T>(doc: &str) -> Result<T, String>
where
    D: serde::de::DeserializeOwned,
    T: TryFrom<D, Error = DtoError>,
{
    let dto: D =
        serde_json::from_str(doc).map_err(|e| format!("not readable at line {} column {}", e.line(), e.column()))?;
    T::try_from(dto).map_err(|e| e.to_string())
}

mod consent;
mod history;
mod org;
mod person;
mod record;
mod settings;
mod when;
mod written;

pub use consent::*;
pub use history::*;
pub use org::*;
pub use person::*;
pub use record::*;
pub use settings::*;
pub use written::{OrgOut, PersonOut, RecordOut, StampText};

/// The time of a stamp, to the millisecond.
fn stamp_time(s: Stamp) -> Option<DateTime<Utc>> {
    i64::try_from(s.millis).ok().and_then(DateTime::from_timestamp_millis)
}

/// What a document may leave unwritten because a reader can work it out
/// (document version 3, `docs/bundle-format.md` section 8.1): an entity's
/// stamp when it was made by the document's device when its UUIDv7 id was
/// made, `created` when it is the id's time, and `updated` when it is the
/// time of the entity's latest stamp. Storage and documents of earlier
/// versions imply less ([`Implied::LITTLE`]): only that `created` is the
/// time of the stamp and `updated` is `created`.
///
/// Most entities are never changed after they are added, so most stamps and
/// times can be left out: a register's document shrinks by a sixth once
/// compressed, and writing, compressing and reading it take that much less.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Implied(Option<DeviceId>);

impl Implied {
    /// Storage, and documents of versions 1 and 2.
    pub const LITTLE: Implied = Implied(None);

    /// A version 3 document of this device.
    pub fn by(device: DeviceId) -> Implied {
        Implied(Some(device))
    }

    /// A stored document's: by the device it names (`implied_by`), or
    /// else little.
    pub fn stored(implied_by: Option<Uuid>) -> Implied {
        Implied(implied_by.map(DeviceId::new))
    }

    /// The device whose stamps are implied, if any.
    pub fn device(self) -> Option<DeviceId> {
        self.0
    }

    /// The stamp of an entity that has none written.
    fn stamp(self, id: Uuid) -> Option<Stamp> {
        Some(Stamp { millis: id_millis(id)?, counter: 0, device: self.0? })
    }

    /// The stamp as written: left out when it is the one implied.
    fn stamp_out(self, id: Uuid, stamp: Stamp) -> Option<String> {
        (!self.implies(id, stamp)).then(|| stamp_text(&stamp))
    }

    /// Whether `stamp` is the one implied for the entity `id`.
    fn implies(self, id: Uuid, stamp: Stamp) -> bool {
        self.stamp(id) == Some(stamp)
    }

    /// The stamp as read: written, or else implied.
    fn stamp_in(self, id: Uuid, written: Option<&str>) -> Result<Stamp, DtoError> {
        match written {
            Some(text) => stamp(text),
            None => self.stamp(id).ok_or_else(|| bad("stamp", "missing")),
        }
    }

    /// `created` of an entity that has none written: the time of its id
    /// (version 3, for UUIDv7 ids), or else of its stamp.
    fn created(self, id: Uuid, stamp: Option<Stamp>) -> Option<DateTime<Utc>> {
        let from_id = self.0.and(id_millis(id)).and_then(|m| DateTime::from_timestamp_millis(m as i64));
        from_id.or_else(|| stamp.and_then(stamp_time))
    }

    fn created_out(self, id: Uuid, created: DateTime<Utc>, stamp: Option<Stamp>) -> Option<DateTime<Utc>> {
        (self.created(id, stamp) != Some(created)).then_some(created)
    }

    fn created_in(
        self,
        id: Uuid,
        created: Option<DateTime<Utc>>,
        stamp: Option<Stamp>,
    ) -> Result<DateTime<Utc>, DtoError> {
        created.or_else(|| self.created(id, stamp)).ok_or_else(|| bad("created", "missing"))
    }

    /// `updated` of an entity that has none written: the time of its
    /// latest stamp if that is later than `created` (version 3), or else
    /// `created`.
    fn updated(self, created: DateTime<Utc>, latest: Option<Stamp>) -> DateTime<Utc> {
        match (self.0, latest.and_then(stamp_time)) {
            (Some(_), Some(t)) => t.max(created),
            _ => created,
        }
    }

    fn updated_out(
        self,
        created: DateTime<Utc>,
        updated: DateTime<Utc>,
        latest: Option<Stamp>,
    ) -> Option<DateTime<Utc>> {
        (self.updated(created, latest) != updated).then_some(updated)
    }
}

/// The Unix time in milliseconds a UUIDv7 was made at; `None` for other
/// versions.
fn id_millis(id: Uuid) -> Option<u64> {
    let b = id.as_bytes();
    (id.get_version_num() == 7).then(|| u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]]))
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
