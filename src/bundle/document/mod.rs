//! The register document a bundle carries (its plaintext): a versioned
//! JSON document of its own (`"format": "sidos-register"`), written from a
//! [`Snapshot`] and read back into one with every check a colleague's file
//! deserves: ids, stamps, values, references between entities, and the
//! promises of its scope. An error names the kind and id of the entity and
//! what is wrong, never a personal value.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::dto::{
    seen_from_dto, DisclosureDto, Implied, OrgDto, PersonDto, RecordDto, SeenDto, SettingsDto, TombstoneDto,
};
use super::dto::{ConsentConfigDto, ConsentEntryDto};
use super::error::BundleError;
use crate::domain::{
    CategoryKey, CustomValue, DeviceId, Disclosure, EntityRef, ExportScope, FieldKind, OrgId, PersonField, PersonId,
    RecordKind, Settings, Snapshot, Stamp, Tombstone, TombstoneReason,
};
use crate::domain::{ConsentConfig, ConsentEntry, ConsentId, Purpose};
use chunked::Chunked;

/// The `format` value of every register document.
pub const FORMAT: &str = "sidos-register";
/// The document version this code writes and the newest it reads.
/// Version 2 writes stamps compactly and leaves out empty values; version
/// 3 leaves out the stamps and times a reader can work out ([`Implied`]).
/// Documents of every earlier version read as they are.
pub const VERSION: u64 = 3;
/// The oldest document version this code reads.
pub const OLDEST_VERSION: u64 = 1;
/// How far in the future (by the reader's clock) a stamp may lie: more
/// means a broken clock or a forged file, which would drag every later
/// stamp with it.
pub const MAX_CLOCK_SKEW_DAYS: i64 = 7;
mod chunked;
mod source;
mod walk;
mod write;
pub use source::{read_source, Source, Texts};
pub use walk::Reading;
pub use write::{write, write_to, write_view_to};

/// The record kinds a scope may name: those documents tag records with.
pub use super::dto::RECORD_KINDS;

/// What the document says about what it includes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeDto {
    /// The categories whose people are included; `null`: everyone.
    pub categories: Option<Vec<String>>,
    pub relationship: bool,
    /// The record kinds included; `null`: all.
    pub record_kinds: Option<Vec<String>>,
    pub dietary: bool,
    pub notes: bool,
    pub custom: bool,
}

impl From<&ExportScope> for ScopeDto {
    fn from(s: &ExportScope) -> Self {
        ScopeDto {
            categories: s.categories.as_ref().map(|c| c.iter().map(|k| k.as_str().to_owned()).collect()),
            relationship: s.relationship,
            record_kinds: s.record_kinds.as_ref().map(|k| k.iter().cloned().collect()),
            dietary: s.dietary,
            notes: s.notes,
            custom: s.custom,
        }
    }
}

/// The document as written: with its entities as DTOs (the default), or
/// borrowed from a snapshot as [`write_to`] writes them (the same JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentDto<P = Vec<PersonDto>, O = Vec<OrgDto>, R = Vec<RecordDto>> {
    pub format: String,
    pub version: u64,
    pub exported_at: DateTime<Utc>,
    pub device: Uuid,
    pub clock: String,
    #[serde(default)]
    pub seen: SeenDto,
    pub scope: ScopeDto,
    #[serde(default)]
    pub settings: Option<SettingsDto>,
    pub people: P,
    pub organisations: O,
    pub records: R,
    pub tombstones: Vec<TombstoneDto>,
    #[serde(default)]
    pub disclosures: Vec<DisclosureDto>,
    /// Left out when empty, so that a register without consents writes
    /// what earlier versions read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<ConsentEntryDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_config: Option<ConsentConfigDto>,
    /// The register description; absent when the sender has not saved one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub register_description: Option<super::gdpr::RegisterDescriptionDto>,
    /// Rights requests (complete exports only); left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<super::gdpr::RequestDto>,
}

/// The document as read, generic over its entity lists: read straight
/// into their DTOs, or kept as JSON values at first, so that an error can
/// say which entity it is about.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument<P, O, R, T, D, C, Q> {
    #[allow(dead_code)]
    format: String,
    version: u64,
    exported_at: DateTime<Utc>,
    device: Uuid,
    clock: String,
    #[serde(default)]
    seen: SeenDto,
    scope: ScopeDto,
    #[serde(default)]
    settings: Option<SettingsDto>,
    people: Chunked<P>,
    organisations: Chunked<O>,
    records: Chunked<R>,
    tombstones: Vec<T>,
    #[serde(default = "Vec::new")]
    disclosures: Vec<D>,
    #[serde(default = "Vec::new")]
    consents: Vec<C>,
    #[serde(default)]
    consent_config: Option<ConsentConfigDto>,
    #[serde(default)]
    register_description: Option<super::gdpr::RegisterDescriptionDto>,
    #[serde(default = "Vec::new")]
    requests: Vec<Q>,
}

type ValueDocument = RawDocument<Value, Value, Value, Value, Value, Value, Value>;
type TypedDocument =
    RawDocument<PersonDto, OrgDto, RecordDto, TombstoneDto, DisclosureDto, ConsentEntryDto, super::gdpr::RequestDto>;

/// Reads the document's shape: straight into the DTOs (fast), or, when
/// that fails, through JSON values to name the entity that is wrong —
/// unless it is not a register document of a version this one reads,
/// which is said first.
fn parse(bytes: &[u8]) -> Result<TypedDocument, BundleError> {
    if let Ok(doc) = serde_json::from_slice::<TypedDocument>(bytes) {
        check_kind(Some(&Value::from(doc.format.as_str())), Some(&Value::from(doc.version)))?;
        return Ok(doc);
    }
    let probe: Probe =
        serde_json::from_slice(bytes).map_err(|e| schema(format!("not a JSON object: {}", clean(&e))))?;
    check_kind(probe.format.as_ref(), probe.version.as_ref())?;
    let raw: ValueDocument = serde_json::from_slice(bytes).map_err(|e| schema(format!("document: {}", clean(&e))))?;
    fn list<D: DeserializeOwned, L: FromIterator<D>>(
        kind: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<L, BundleError> {
        values.into_iter().enumerate().map(|(i, v)| entity(kind, i, v)).collect()
    }
    Ok(RawDocument {
        format: raw.format,
        version: raw.version,
        exported_at: raw.exported_at,
        device: raw.device,
        clock: raw.clock,
        seen: raw.seen,
        scope: raw.scope,
        settings: raw.settings,
        people: list("person", raw.people)?,
        organisations: list("organisation", raw.organisations)?,
        records: list("record", raw.records)?,
        tombstones: list("tombstone", raw.tombstones)?,
        disclosures: list("disclosure", raw.disclosures)?,
        consents: list("consent", raw.consents)?,
        consent_config: raw.consent_config,
        register_description: raw.register_description,
        requests: list("request", raw.requests)?,
    })
}

#[derive(Deserialize)]
struct Probe {
    format: Option<Value>,
    version: Option<Value>,
}

/// Refuses a document that is not a register document, or of a version
/// this one does not read.
fn check_kind(format: Option<&Value>, version: Option<&Value>) -> Result<(), BundleError> {
    if format.and_then(Value::as_str) != Some(FORMAT) {
        return Err(schema("not a register document (format)"));
    }
    match version.and_then(Value::as_u64) {
        Some(v) if v > VERSION => {
            Err(BundleError::NewerVersion { what: "register document", found: v, supported: VERSION })
        }
        Some(v) if v >= OLDEST_VERSION => Ok(()),
        _ => Err(schema("document version")),
    }
}

fn schema(detail: impl Into<String>) -> BundleError {
    BundleError::Schema(detail.into())
}

/// A serde message without the values it may quote.
fn clean(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) if e.line() > 0 => &text[..i],
        _ => text.as_str(),
    };
    let kept = ["missing field", "unknown field", "duplicate field"];
    let mut out = if kept.iter().any(|k| message.starts_with(k)) {
        message.split(", expected").next().unwrap_or(message).to_owned()
    } else {
        "a value of the wrong type or form".to_owned()
    };
    if e.line() > 0 {
        out.push_str(&format!(" (line {}, column {})", e.line(), e.column()));
    }
    out
}

/// Reads one entity of a list, naming it by id (or position) on error.
fn entity<D: DeserializeOwned>(kind: &str, index: usize, value: Value) -> Result<D, BundleError> {
    let label = value
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .map_or_else(|| format!("#{}", index + 1), |id| id.to_string());
    serde_json::from_value(value).map_err(|e| schema(format!("{kind} {label}: {}", clean(&e))))
}

/// Reads and checks a document. `now` is the reader's time (stamps may
/// not lie far beyond it).
pub fn read(bytes: &[u8], now: DateTime<Utc>) -> Result<Snapshot, BundleError> {
    // Read once; a document that does not read is probed for what it is.
    checked(parse(bytes)?, now, &mut source::Spans::none())
}

/// [`read`] of a document parsed with its entities as `P`, `O` and `R`:
/// DTOs, or DTOs with where their JSON lies, which go to `spans`.
fn checked<P, O, R>(
    raw: RawDocument<P, O, R, TombstoneDto, DisclosureDto, ConsentEntryDto, super::gdpr::RequestDto>,
    now: DateTime<Utc>,
    spans: &mut source::Spans,
) -> Result<Snapshot, BundleError>
where
    P: source::Parsed<PersonDto>,
    O: source::Parsed<OrgDto>,
    R: source::Parsed<RecordDto>,
{
    let horizon = now + Duration::days(MAX_CLOCK_SKEW_DAYS);
    let horizon = horizon.timestamp_millis().max(0) as u64;
    // `what` names the entity only for the message: made for every stamp,
    // the names cost more than the check.
    let check_time = |what: &dyn Fn() -> String, s: Stamp| {
        if s.millis > horizon {
            Err(schema(format!("{}: a time stamp lies in the future (is a computer's clock wrong?)", what())))
        } else {
            Ok(s)
        }
    };

    let device = DeviceId::new(raw.device);
    let implied = if raw.version >= 3 { Implied::by(device) } else { Implied::LITTLE };
    spans.implied_by = implied.device().map(DeviceId::uuid);
    let clock: Stamp = super::dto::stamp(&raw.clock).map_err(|_| schema("document: clock"))?;
    check_time(&|| "document clock".into(), clock)?;
    let seen = seen_from_dto(&raw.seen).map_err(|_| schema("document: seen"))?;
    for s in seen.values() {
        check_time(&|| "document seen".into(), *s)?;
    }

    let settings = match raw.settings {
        None => None,
        Some(dto) => {
            let s = Settings::try_from(dto).map_err(|e| schema(format!("settings: {}", e.what)))?;
            check_time(&|| "settings".into(), s.stamp)?;
            check_settings(&s)?;
            Some(s)
        }
    };
    let knows_category =
        |key: &CategoryKey| key.is_built_in() || settings.as_ref().is_some_and(|s| s.knows_category(key));
    let field_kind = |id| settings.as_ref().and_then(|s: &Settings| s.field(id)).map(|f| &f.kind);

    let scope = read_scope(raw.scope)?;
    for key in scope.categories.iter().flatten() {
        if !knows_category(key) {
            return Err(schema("scope: an unknown category"));
        }
    }

    let mut tombstones = Vec::new();
    let mut tombstoned = HashSet::new();
    for dto in raw.tombstones {
        let id = dto.id;
        let t = Tombstone::try_from(dto).map_err(|e| schema(format!("tombstone {id}: {}", e.what)))?;
        if t.entity == EntityRef::Settings {
            return Err(schema(format!("tombstone {id}: settings cannot be deleted")));
        }
        if let (EntityRef::Person(p), TombstoneReason::MergedInto(into)) = (&t.entity, &t.reason) {
            if p == into {
                return Err(schema(format!("tombstone {id}: merged into itself")));
            }
        }
        check_time(&|| format!("tombstone {id}"), t.stamp)?;
        if !tombstoned.insert(t.entity) {
            return Err(schema(format!("tombstone {id}: listed twice")));
        }
        tombstones.push(t);
    }

    let mut orgs = Vec::with_capacity(raw.organisations.len());
    let mut org_ids = Vec::with_capacity(raw.organisations.len());
    for parsed in raw.organisations {
        let (dto, span) = parsed.into_parts();
        let id = dto.id;
        let span = span.filter(|_| dto.implied_by.is_none());
        let o = dto.read(implied).map_err(|e| schema(format!("organisation {id}: {}", e.what)))?;
        check_time(&|| format!("organisation {id}"), o.stamp)?;
        if o.name.trim().is_empty() {
            return Err(schema(format!("organisation {id}: no name")));
        }
        org_ids.push(id.as_u128());
        spans.orgs.add(id, span);
        orgs.push(o);
    }
    let org_ids = unique(org_ids).map_err(|id| schema(format!("organisation {id}: listed twice")))?;
    let org_known =
        |org: OrgId| org_ids.binary_search(&org.uuid().as_u128()).is_ok() || tombstoned.contains(&EntityRef::Org(org));

    let mut people = Vec::with_capacity(raw.people.len());
    let mut person_ids = Vec::with_capacity(raw.people.len());
    for parsed in raw.people {
        let (dto, span) = parsed.into_parts();
        let id = dto.id;
        let span = span.filter(|_| dto.implied_by.is_none());
        let p = dto.read(implied).map_err(|e| schema(format!("person {id}: {}", e.what)))?;
        let bad = |what: &str| schema(format!("person {id}: {what}"));
        for s in p.stamps.values() {
            check_time(&|| format!("person {id}"), *s)?;
        }
        person_ids.push(id.as_u128());
        for a in &p.affiliations {
            if !org_known(a.org) {
                return Err(bad(&format!("linked to organisation {}, which is not in the bundle", a.org)));
            }
        }
        if p.categories.iter().any(|c| !knows_category(c)) {
            return Err(bad("an unknown category"));
        }
        for (field, value) in &p.custom {
            let fits = match (field_kind(*field), value) {
                (Some(FieldKind::Text), CustomValue::Text(_))
                | (Some(FieldKind::Number), CustomValue::Number(_))
                | (Some(FieldKind::Date), CustomValue::Date(_))
                | (Some(FieldKind::YesNo), CustomValue::YesNo(_))
                | (Some(FieldKind::Choice(_)), CustomValue::Choice(_)) => true,
                (None, _) => {
                    return Err(bad(&format!("a value for custom field {field}, which the bundle does not define")))
                }
                _ => false,
            };
            if !fits {
                return Err(bad(&format!("custom field {field} holds a value of the wrong kind")));
            }
            if let CustomValue::Number(n) = value {
                if !n.is_finite() {
                    return Err(bad(&format!("custom field {field} holds no number")));
                }
            }
        }
        if !scope.includes_person(&p) {
            return Err(bad("outside the bundle's scope (categories)"));
        }
        if !scope.notes && (!p.notes.is_empty() || p.stamps.contains_key(&PersonField::Notes)) {
            return Err(bad("notes, which the bundle's scope leaves out"));
        }
        if !scope.custom && (!p.custom.is_empty() || p.stamps.keys().any(|f| matches!(f, PersonField::Custom(_)))) {
            return Err(bad("custom fields, which the bundle's scope leaves out"));
        }
        spans.people.add(id, span);
        people.push(p);
    }
    let person_ids = unique(person_ids).map_err(|id| schema(format!("person {id}: listed twice")))?;
    let person_known = |p: PersonId| {
        person_ids.binary_search(&p.uuid().as_u128()).is_ok() || tombstoned.contains(&EntityRef::Person(p))
    };

    let mut records = Vec::with_capacity(raw.records.len());
    let mut record_ids = Vec::with_capacity(raw.records.len());
    // A bundle lists records by person: one look per person, not per record.
    let mut known_person = None;
    for parsed in raw.records {
        let (dto, span) = parsed.into_parts();
        let id = dto.id;
        let span = span.filter(|_| dto.implied_by.is_none());
        let r = dto.read(implied).map_err(|e| schema(format!("record {id}: {}", e.what)))?;
        let bad = |what: String| schema(format!("record {id}: {what}"));
        check_time(&|| format!("record {id}"), r.stamp)?;
        record_ids.push(id.as_u128());
        if known_person != Some(r.person) {
            if !person_known(r.person) {
                return Err(bad(format!("belongs to person {}, who is neither in the bundle nor deleted", r.person)));
            }
            known_person = Some(r.person);
        }
        if let Some(org) = r.org {
            if !org_known(org) {
                return Err(bad(format!("made with organisation {org}, which is not in the bundle")));
            }
        }
        if !scope.includes_record_kind(&r.kind) {
            return Err(bad("outside the bundle's scope (records)".into()));
        }
        if let RecordKind::Event(e) = &r.kind {
            if !scope.dietary && e.dietary.is_some() {
                return Err(bad("dietary data, which the bundle's scope leaves out".into()));
            }
        }
        spans.records.add(id, span);
        records.push(r);
    }
    unique(record_ids).map_err(|id| schema(format!("record {id}: listed twice")))?;

    let mut disclosures: Vec<Disclosure> = Vec::new();
    let mut disclosure_ids = BTreeSet::new();
    for dto in raw.disclosures {
        let d = Disclosure::from(dto);
        if !disclosure_ids.insert(d.id) {
            return Err(schema(format!("disclosure {}: listed twice", d.id)));
        }
        disclosures.push(d);
    }

    let consent_config = match raw.consent_config {
        // Left out: the defaults (as every register before consents had).
        None => Some(ConsentConfig::default()),
        Some(dto) => {
            let c = ConsentConfig::try_from(dto).map_err(|e| schema(format!("consent config: {}", e.what)))?;
            check_time(&|| "consent config".into(), c.stamp)?;
            let mut ids = BTreeSet::new();
            for n in &c.newsletters {
                if !ids.insert(n.id) {
                    return Err(schema(format!("consent config: newsletter {} listed twice", n.id)));
                }
            }
            Some(c)
        }
    };
    let mut consents: Vec<ConsentEntry> = Vec::new();
    let mut consent_ids: BTreeSet<ConsentId> = BTreeSet::new();
    for dto in raw.consents {
        let id = dto.id;
        let e = ConsentEntry::try_from(dto).map_err(|e| schema(format!("consent {id}: {}", e.what)))?;
        let bad = |what: String| schema(format!("consent {id}: {what}"));
        check_time(&|| format!("consent {id}"), e.stamp)?;
        if !consent_ids.insert(e.id) {
            return Err(bad("listed twice".into()));
        }
        if !person_known(e.person) {
            return Err(bad(format!("belongs to person {}, who is neither in the bundle nor deleted", e.person)));
        }
        if let Purpose::Newsletter(n) = e.purpose {
            if consent_config.as_ref().and_then(|c| c.newsletter(n)).is_none() {
                return Err(bad(format!("about newsletter {n}, which the bundle does not define")));
            }
        }
        consents.push(e);
    }

    let description = match raw.register_description {
        None => None,
        Some(dto) => {
            let d = crate::domain::gdpr::RegisterDescription::try_from(dto)
                .map_err(|e| schema(format!("register description: {}", e.what)))?;
            check_time(&|| "register description".into(), d.stamp)?;
            Some(d)
        }
    };
    let mut requests = Vec::new();
    let mut request_ids = BTreeSet::new();
    for dto in raw.requests {
        let id = dto.id;
        let r = crate::domain::gdpr::Request::try_from(dto).map_err(|e| schema(format!("request {id}: {}", e.what)))?;
        check_time(&|| format!("request {id}"), r.stamp)?;
        if !request_ids.insert(r.id) {
            return Err(schema(format!("request {id}: listed twice")));
        }
        requests.push(r);
    }

    Ok(Snapshot {
        device,
        clock,
        exported_at: raw.exported_at,
        seen,
        scope,
        settings,
        people,
        orgs,
        records,
        tombstones,
        disclosures,
        consents,
        consent_config,
        description,
        requests,
    })
}

/// The ids (as numbers, which sort as the ids do) sorted, to look up;
/// the first id listed twice refuses them. (Sorting a register's hundreds
/// of thousands of ids costs less than hashing each, and no list of ids
/// can make it slow.)
fn unique(mut ids: Vec<u128>) -> Result<Vec<u128>, Uuid> {
    ids.sort_unstable();
    match ids.windows(2).find(|pair| pair[0] == pair[1]) {
        Some(pair) => Err(Uuid::from_u128(pair[0])),
        None => Ok(ids),
    }
}

fn read_scope(dto: ScopeDto) -> Result<ExportScope, BundleError> {
    let record_kinds = match dto.record_kinds {
        None => None,
        Some(kinds) => {
            if kinds.iter().any(|k| !RECORD_KINDS.contains(&k.as_str())) {
                return Err(schema("scope: an unknown record kind"));
            }
            Some(kinds.into_iter().collect())
        }
    };
    Ok(ExportScope {
        categories: dto.categories.map(|c| c.into_iter().map(CategoryKey::new).collect()),
        relationship: dto.relationship,
        record_kinds,
        dietary: dto.dietary,
        notes: dto.notes,
        custom: dto.custom,
    })
}

/// Definitions are unique by key and id, and named.
fn check_settings(s: &Settings) -> Result<(), BundleError> {
    let mut keys = BTreeSet::new();
    for c in &s.categories {
        if c.key.as_str().is_empty() || c.key.is_built_in() || !keys.insert(c.key.clone()) {
            return Err(schema("settings: a category key is empty, built in or listed twice"));
        }
    }
    let mut ids = BTreeSet::new();
    for f in &s.fields {
        if !ids.insert(f.id) {
            return Err(schema(format!("settings: custom field {} listed twice", f.id)));
        }
    }
    let mut ids = BTreeSet::new();
    for g in &s.segments {
        if !ids.insert(g.id) {
            return Err(schema(format!("settings: segment {} listed twice", g.id)));
        }
    }
    Ok(())
}
