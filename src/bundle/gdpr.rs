//! Serialisable forms of the GDPR desk's documents: the register
//! description (kept in `meta`, carried in bundles), rights requests (kept
//! in pages, carried in complete bundles), the audit actions of the desk,
//! and a person's data as JSON for portability (GDPR Art. 20).
//!
//! As in `dto`: fields are only ever added, with `#[serde(default)]`;
//! reading back checks every key and value.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::dto::{
    stamp, ConsentEntryDto, DisclosureDto, DtoError, FieldDefDto, OrgDto, PersonDto, RecordDto, SettingsDto,
};
use crate::domain::gdpr::{
    Anchor, Contact, Controller, DataKind, Extension, ExtraSection, LegalBasis, Period, Purpose, Recipient, RecordType,
    RegisterDescription, Request, RequestKind, RequestStatus, Requester, RetentionRule, RetentionRules,
    RetentionTarget, Safeguard, Transfer, Unit,
};
use crate::domain::{AuditAction, CategoryKey, PersonId, Register, RequestId, Source};

fn bad(what: &'static str, detail: impl Into<String>) -> DtoError {
    DtoError { what, detail: detail.into() }
}

/// The desk's audit actions by name (`None`: not one of them). Actions
/// under a request carry its id in the entry's `other`.
pub fn audit_action(name: &str, other: Option<Uuid>) -> Option<Result<AuditAction, DtoError>> {
    let request = other.map(RequestId::new);
    let with = |make: fn(RequestId) -> AuditAction| {
        Some(request.map(make).ok_or_else(|| bad("audit", "a request action without the request")))
    };
    match name {
        "request_opened" => with(AuditAction::RequestOpened),
        "request_extended" => with(AuditAction::RequestExtended),
        "request_linked" => with(AuditAction::RequestLinked),
        "request_closed" => with(AuditAction::RequestClosed),
        "rectified" => with(AuditAction::Rectified),
        "erased" => Some(Ok(AuditAction::Erased(request))),
        "erased_except_held" => Some(Ok(AuditAction::ErasedExceptHeld(request))),
        "restricted" => Some(Ok(AuditAction::Restricted(request))),
        "restriction_lifted" => Some(Ok(AuditAction::RestrictionLifted(request))),
        "objected_to_marketing" => Some(Ok(AuditAction::ObjectedToMarketing(request))),
        "retention_purged" => Some(Ok(AuditAction::RetentionPurged)),
        _ => None,
    }
}

// ----- the register description -----

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ControllerDto {
    pub name: String,
    pub business_id: String,
    pub address: String,
    pub email: String,
    pub phone: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactDto {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PurposeDto {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `consent`, `contract`, `legal_obligation`, `legitimate_interest`.
    pub basis: String,
    #[serde(default)]
    pub interest: String,
    #[serde(default)]
    pub categories: Vec<String>,
    /// `DataKind` keys: `name`, `emails`, …, `custom:<id>`.
    #[serde(default)]
    pub data: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecipientDto {
    pub name: String,
    pub purpose: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransferDto {
    pub recipient: String,
    pub country: String,
    /// `adequacy`, `standard_clauses`, `binding_rules`, `other`.
    pub safeguard: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionRuleDto {
    /// `category:<key>`, `records:<kind>`, `dietary`.
    pub target: String,
    pub amount: u32,
    /// `days`, `months`, `years`.
    pub unit: String,
    /// `last_customer_event`, `last_activity`, `created`,
    /// `created_no_customer_event`, `record_date`.
    pub anchor: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionRulesDto {
    #[serde(default)]
    pub rules: Vec<RetentionRuleDto>,
    pub accounting_years: u32,
    pub statutory_training_years: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtraSectionDto {
    pub heading: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisterDescriptionDto {
    #[serde(default)]
    pub controller: ControllerDto,
    #[serde(default)]
    pub contact: ContactDto,
    #[serde(default)]
    pub dpo: Option<ContactDto>,
    #[serde(default)]
    pub register_name: String,
    #[serde(default)]
    pub purposes: Vec<PurposeDto>,
    /// `Source` keys.
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub sources_note: String,
    #[serde(default)]
    pub recipients: Vec<RecipientDto>,
    #[serde(default)]
    pub transfers: Vec<TransferDto>,
    pub retention: RetentionRulesDto,
    #[serde(default)]
    pub security_manual: String,
    #[serde(default)]
    pub security_it: String,
    #[serde(default)]
    pub automated_decisions: String,
    #[serde(default)]
    pub extra: Vec<ExtraSectionDto>,
    #[serde(default)]
    pub updated: Option<NaiveDate>,
    pub stamp: String,
}

fn target_key(t: &RetentionTarget) -> String {
    match t {
        RetentionTarget::Category(c) => format!("category:{}", c.as_str()),
        RetentionTarget::Records(r) => format!("records:{}", r.key()),
        RetentionTarget::Dietary => "dietary".into(),
    }
}

fn target_from(key: &str) -> Result<RetentionTarget, DtoError> {
    if let Some(c) = key.strip_prefix("category:") {
        if !c.is_empty() {
            return Ok(RetentionTarget::Category(CategoryKey::new(c)));
        }
    }
    if let Some(r) = key.strip_prefix("records:").and_then(RecordType::from_key) {
        return Ok(RetentionTarget::Records(r));
    }
    if key == "dietary" {
        return Ok(RetentionTarget::Dietary);
    }
    Err(bad("retention target", key))
}

fn contact_dto(c: &Contact) -> ContactDto {
    ContactDto { name: c.name.clone(), email: c.email.clone(), phone: c.phone.clone(), address: c.address.clone() }
}

fn contact_from(c: ContactDto) -> Contact {
    Contact { name: c.name, email: c.email, phone: c.phone, address: c.address }
}

impl From<&RegisterDescription> for RegisterDescriptionDto {
    fn from(d: &RegisterDescription) -> Self {
        let c = &d.controller;
        RegisterDescriptionDto {
            controller: ControllerDto {
                name: c.name.clone(),
                business_id: c.business_id.clone(),
                address: c.address.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
            },
            contact: contact_dto(&d.contact),
            dpo: d.dpo.as_ref().map(contact_dto),
            register_name: d.register_name.clone(),
            purposes: d
                .purposes
                .iter()
                .map(|p| PurposeDto {
                    key: p.key.clone(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                    basis: p.basis.key().into(),
                    interest: p.interest.clone(),
                    categories: p.categories.iter().map(|c| c.as_str().to_owned()).collect(),
                    data: p.data.iter().map(DataKind::key).collect(),
                })
                .collect(),
            sources: d.sources.iter().map(|s| s.key().to_owned()).collect(),
            sources_note: d.sources_note.clone(),
            recipients: d
                .recipients
                .iter()
                .map(|r| RecipientDto { name: r.name.clone(), purpose: r.purpose.clone() })
                .collect(),
            transfers: d
                .transfers
                .iter()
                .map(|t| TransferDto {
                    recipient: t.recipient.clone(),
                    country: t.country.clone(),
                    safeguard: t.safeguard.key().into(),
                    note: t.note.clone(),
                })
                .collect(),
            retention: RetentionRulesDto {
                rules: d
                    .retention
                    .rules
                    .iter()
                    .map(|r| RetentionRuleDto {
                        target: target_key(&r.applies_to),
                        amount: r.period.amount,
                        unit: r.period.unit.key().into(),
                        anchor: r.anchor.key().into(),
                    })
                    .collect(),
                accounting_years: d.retention.accounting_years,
                statutory_training_years: d.retention.statutory_training_years,
            },
            security_manual: d.security_manual.clone(),
            security_it: d.security_it.clone(),
            automated_decisions: d.automated_decisions.clone(),
            extra: d
                .extra
                .iter()
                .map(|x| ExtraSectionDto { heading: x.heading.clone(), text: x.text.clone() })
                .collect(),
            updated: d.updated,
            stamp: super::dto::stamp_text(&d.stamp),
        }
    }
}

impl TryFrom<RegisterDescriptionDto> for RegisterDescription {
    type Error = DtoError;

    fn try_from(d: RegisterDescriptionDto) -> Result<Self, DtoError> {
        let purposes = d
            .purposes
            .into_iter()
            .map(|p| {
                Ok(Purpose {
                    key: p.key,
                    name: p.name,
                    description: p.description,
                    basis: LegalBasis::from_key(&p.basis).ok_or_else(|| bad("legal basis", p.basis.clone()))?,
                    interest: p.interest,
                    categories: p.categories.into_iter().map(CategoryKey::new).collect(),
                    data: p
                        .data
                        .iter()
                        .map(|k| DataKind::from_key(k).ok_or_else(|| bad("kind of data", k.clone())))
                        .collect::<Result<BTreeSet<_>, _>>()?,
                })
            })
            .collect::<Result<Vec<_>, DtoError>>()?;
        let sources = d
            .sources
            .iter()
            .map(|k| Source::from_key(k).ok_or_else(|| bad("source", k.clone())))
            .collect::<Result<BTreeSet<_>, _>>()?;
        let transfers = d
            .transfers
            .into_iter()
            .map(|t| {
                Ok(Transfer {
                    safeguard: Safeguard::from_key(&t.safeguard)
                        .ok_or_else(|| bad("safeguard", t.safeguard.clone()))?,
                    recipient: t.recipient,
                    country: t.country,
                    note: t.note,
                })
            })
            .collect::<Result<Vec<_>, DtoError>>()?;
        let rules = d
            .retention
            .rules
            .into_iter()
            .map(|r| {
                Ok(RetentionRule {
                    applies_to: target_from(&r.target)?,
                    period: Period {
                        amount: r.amount,
                        unit: Unit::from_key(&r.unit).ok_or_else(|| bad("retention unit", r.unit.clone()))?,
                    },
                    anchor: Anchor::from_key(&r.anchor).ok_or_else(|| bad("retention anchor", r.anchor.clone()))?,
                })
            })
            .collect::<Result<Vec<_>, DtoError>>()?;
        let c = d.controller;
        Ok(RegisterDescription {
            controller: Controller {
                name: c.name,
                business_id: c.business_id,
                address: c.address,
                email: c.email,
                phone: c.phone,
            },
            contact: contact_from(d.contact),
            dpo: d.dpo.map(contact_from),
            register_name: d.register_name,
            purposes,
            sources,
            sources_note: d.sources_note,
            recipients: d.recipients.into_iter().map(|r| Recipient { name: r.name, purpose: r.purpose }).collect(),
            transfers,
            retention: RetentionRules {
                rules,
                accounting_years: d.retention.accounting_years,
                statutory_training_years: d.retention.statutory_training_years,
            },
            security_manual: d.security_manual,
            security_it: d.security_it,
            automated_decisions: d.automated_decisions,
            extra: d.extra.into_iter().map(|x| ExtraSection { heading: x.heading, text: x.text }).collect(),
            updated: d.updated,
            stamp: stamp(&d.stamp)?,
        })
    }
}

// ----- requests -----

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtensionDto {
    pub due: NaiveDate,
    pub told_on: NaiveDate,
    #[serde(default)]
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestDto {
    pub id: Uuid,
    /// The person the request is linked to; absent: not identified (then
    /// the requester's name and contact are given).
    #[serde(default)]
    pub person: Option<Uuid>,
    #[serde(default)]
    pub requester_name: String,
    #[serde(default)]
    pub requester_contact: String,
    /// `access`, `rectification`, `erasure`, `restriction`, `objection`,
    /// `portability`.
    pub kind: String,
    pub received: NaiveDate,
    #[serde(default)]
    pub identity_check: String,
    pub due: NaiveDate,
    #[serde(default)]
    pub extension: Option<ExtensionDto>,
    /// `open`, `done`, `refused`, `withdrawn`.
    pub status: String,
    #[serde(default)]
    pub closed: Option<NaiveDate>,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub handled_by: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub stamp: String,
}

impl From<&Request> for RequestDto {
    fn from(r: &Request) -> Self {
        let (person, requester_name, requester_contact) = match &r.requester {
            Requester::Person(id) => (Some(id.uuid()), String::new(), String::new()),
            Requester::Unidentified { name, contact } => (None, name.clone(), contact.clone()),
        };
        RequestDto {
            id: r.id.uuid(),
            person,
            requester_name,
            requester_contact,
            kind: r.kind.key().into(),
            received: r.received,
            identity_check: r.identity_check.clone(),
            due: r.due,
            extension: r.extension.as_ref().map(|e| ExtensionDto {
                due: e.due,
                told_on: e.told_on,
                reason: e.reason.clone(),
            }),
            status: r.status.key().into(),
            closed: r.closed,
            outcome: r.outcome.clone(),
            handled_by: r.handled_by.clone(),
            created: r.created,
            updated: r.updated,
            stamp: super::dto::stamp_text(&r.stamp),
        }
    }
}

impl TryFrom<RequestDto> for Request {
    type Error = DtoError;

    fn try_from(d: RequestDto) -> Result<Self, DtoError> {
        if d.due < d.received {
            return Err(bad("request", "due before received"));
        }
        if d.extension.as_ref().is_some_and(|e| e.due < d.due) {
            return Err(bad("request", "extended to before the due date"));
        }
        let requester = match d.person {
            Some(id) => Requester::Person(PersonId::new(id)),
            None if d.requester_name.trim().is_empty() => return Err(bad("request", "no requester")),
            None => Requester::Unidentified { name: d.requester_name, contact: d.requester_contact },
        };
        Ok(Request {
            id: RequestId::new(d.id),
            requester,
            kind: RequestKind::from_key(&d.kind).ok_or_else(|| bad("request kind", d.kind.clone()))?,
            received: d.received,
            identity_check: d.identity_check,
            due: d.due,
            extension: d.extension.map(|e| Extension { due: e.due, told_on: e.told_on, reason: e.reason }),
            status: RequestStatus::from_key(&d.status).ok_or_else(|| bad("request status", d.status.clone()))?,
            closed: d.closed,
            outcome: d.outcome,
            handled_by: d.handled_by,
            created: d.created,
            updated: d.updated,
            stamp: stamp(&d.stamp)?,
        })
    }
}

// ----- portability -----

/// The `format` of a person's data export.
pub const PERSONAL_DATA_FORMAT: &str = "sidos-personal-data";

/// Everything the register holds about one person, machine-readable.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PersonalDataDto {
    pub format: String,
    pub version: u64,
    pub generated_at: DateTime<Utc>,
    /// The controller's name.
    pub controller: String,
    /// The person (without the register's internal change stamps).
    pub person: PersonDto,
    /// The organisations the person or their records are linked to (name,
    /// business ID, address; without the organisation's internal notes).
    pub organisations: Vec<OrgDto>,
    /// The definitions of the register's own categories and custom fields,
    /// so that their keys and ids can be read.
    pub definitions: SettingsDto,
    pub records: Vec<RecordDto>,
    pub consents: Vec<ConsentEntryDto>,
    /// When the person's data was disclosed, to whom and why (other
    /// people's ids left out).
    pub disclosures: Vec<DisclosureDto>,
    /// The person's own requests (requests are linked by id only).
    pub requests: Vec<RequestDto>,
}

/// A person's data as pretty-printed JSON (for the access report's
/// download and for portability). `None` when the person is not here.
pub fn personal_data_json(reg: &Register, person: PersonId, now: DateTime<Utc>) -> Option<String> {
    let p = reg.person(person)?;
    // Times written out in full: the portable copy carries no stamps.
    let mut person_dto = PersonDto::from(p);
    person_dto.stamp = None;
    person_dto.stamps.clear();
    (person_dto.created, person_dto.updated) = (Some(p.created), Some(p.updated));
    let mut records: Vec<RecordDto> = reg
        .records_of(person)
        .into_iter()
        .map(|r| RecordDto { created: Some(r.created), updated: Some(r.updated), ..RecordDto::from(r) })
        .collect();
    records.sort_by_key(|r| r.id);
    let org_ids: BTreeSet<_> =
        p.affiliations.iter().map(|a| a.org).chain(reg.records_of(person).iter().filter_map(|r| r.org)).collect();
    let organisations = org_ids
        .into_iter()
        .filter_map(|id| reg.org(id))
        .map(|o| OrgDto { notes: String::new(), created: Some(o.created), updated: Some(o.updated), ..OrgDto::from(o) })
        .collect();
    let settings = reg.settings();
    let fields: Vec<FieldDefDto> = SettingsDto::from(settings)
        .fields
        .into_iter()
        .filter(|f| p.custom.keys().any(|id| id.uuid() == f.id))
        .collect();
    let definitions =
        SettingsDto { user_name: String::new(), fields, segments: Vec::new(), ..SettingsDto::from(settings) };
    let mut consents: Vec<ConsentEntryDto> = reg.consents_of(person).into_iter().map(ConsentEntryDto::from).collect();
    consents.reverse();
    let disclosures = reg
        .disclosures_of(person)
        .into_iter()
        .map(|d| DisclosureDto { people: vec![person.uuid()], ..DisclosureDto::from(d) })
        .collect();
    let mut requests: Vec<RequestDto> = reg.requests_of(person).into_iter().map(RequestDto::from).collect();
    requests.reverse();
    let dto = PersonalDataDto {
        format: PERSONAL_DATA_FORMAT.into(),
        version: 1,
        generated_at: now,
        controller: reg.description().controller.name.clone(),
        person: person_dto,
        organisations,
        definitions,
        records,
        consents,
        disclosures,
        requests,
    };
    Some(serde_json::to_string_pretty(&dto).expect("documents always serialise"))
}
