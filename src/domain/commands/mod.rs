//! Commands: every change a user can make, checked and turned into
//! [`Change`]s by [`Register::plan`] without touching the register.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::access::{self, Actor};
use super::audit::{AuditAction, AuditEntry, EntityRef};
use super::consent::{ConsentConfig, ConsentSource, ConsentState, Purpose};
use super::contacts_import::ContactsImport;
use super::disclosure::{Disclosure, DisclosureId};
use super::draft::{
    validate_org, validate_person, validate_record, FieldError, OrgChoice, OrgDraft, PersonData, PersonDraft, Problems,
    RecordDraft,
};
use super::ids::{OrgId, PersonId, RecordId, SegmentId, Stamp};
use super::merge_people::{merge_person_fields, MergeSide};
use super::org::Organisation;
use super::person::{Affiliation, Person, PersonField};
use super::record::{Record, RecordKind};
use super::register::{Change, Register, Tombstone, TombstoneReason};
use super::search::Filter;
use super::settings::{FieldKind, Segment, Settings};
use super::text::fold;
use super::validate::{self as v, Problem};

mod plan;

/// What the host hands the core with each command: the time, the local
/// date, who acts, and a source of fresh ids (UUIDv7 in the browser).
pub struct Env<'a> {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    /// Who acts: their name goes into the audit log, their level decides
    /// what they may do.
    pub actor: &'a Actor,
    pub new_id: &'a mut dyn FnMut() -> Uuid,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    AddPerson(PersonDraft),
    UpdatePerson(PersonId, PersonDraft),
    DeletePerson(PersonId),
    AddOrg(OrgDraft),
    UpdateOrg(OrgId, OrgDraft),
    /// Deletes an organisation; its people stay, without the link.
    DeleteOrg(OrgId),
    AddRecord(RecordDraft),
    UpdateRecord(RecordId, RecordDraft),
    DeleteRecord(RecordId),
    /// Merges `other` into `keep`, field by field; `other`'s records move.
    MergePeople {
        keep: PersonId,
        other: PersonId,
        choices: BTreeMap<PersonField, MergeSide>,
    },
    /// Removes dietary data of events whose date has passed.
    PurgePastDietary,
    /// Notes in the audit log that a record's dietary data was shown.
    LogDietaryView(RecordId),
    UpdateSettings(Settings),
    SaveSegment {
        name: String,
        filter: Filter,
    },
    DeleteSegment(SegmentId),
    /// Writes the disclosure log entry of an export: who receives the data
    /// and why (both may be empty), what was included in words, and whose
    /// data it is.
    RecordDisclosure {
        recipient: String,
        purpose: String,
        scope: String,
        people: Vec<PersonId>,
    },
    /// Writes a new entry in a person's consent ledger. `date` is when the
    /// person answered (`2026-11-22` or `22.11.2026`; empty: today); the
    /// wording is required for a given consent.
    RecordConsent {
        person: PersonId,
        purpose: Purpose,
        state: ConsentState,
        date: String,
        source: ConsentSource,
        wording: String,
    },
    /// An objection to direct marketing: refuses every marketing purpose
    /// at once (every newsletter, direct marketing on every channel,
    /// disclosure to partners), which also puts the person in the
    /// prohibition register. `date` as in `RecordConsent`.
    ObjectToMarketing {
        person: PersonId,
        date: String,
        source: ConsentSource,
    },
    /// The organisation's newsletters and the purposes' legal bases.
    UpdateConsentConfig(ConsentConfig),
    /// Writes the disclosure log entry of a list handed to a partner, and
    /// refuses it if anyone on it may not be disclosed to partners
    /// (`people.<i>` names them). The recipient is required.
    RecordPartnerDisclosure {
        recipient: String,
        purpose: String,
        scope: String,
        people: Vec<PersonId>,
    },
    /// Adds and merges people from a contacts file (CSV or vCard) in one
    /// plan: all or nothing.
    ImportContacts(ContactsImport),
    /// The GDPR desk: the register description, rights requests, erasure,
    /// restriction, retention (see [`super::gdpr::GdprCommand`]).
    Gdpr(super::gdpr::GdprCommand),
}

/// A checked command: the changes to write, and what it created.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub created: Option<EntityRef>,
    /// How many entities the command touched (e.g. records purged).
    pub affected: usize,
    /// The positions in `changes`, ascending, of the people, organisations
    /// and records an import puts exactly as it read them from the
    /// document (storage may keep their text as the document wrote it).
    pub verbatim: Vec<usize>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The form has problems; nothing was changed.
    #[error("{} field(s) need attention", .0.len())]
    Invalid(Vec<FieldError>),
    /// The thing to change no longer exists (another tab or an import
    /// removed it).
    #[error("the {} no longer exists", .0.kind())]
    NotFound(EntityRef),
    /// The user's access level does not allow this.
    #[error("not allowed for this user")]
    NotAllowed,
    /// The consent ledger does not allow this for these people (e.g. a
    /// partner list with someone who refused disclosure to partners).
    #[error("{} people may not be included", .0.len())]
    NotPermitted(Vec<(PersonId, super::consent::Denial)>),
    /// The GDPR desk refused (a restricted person, a legal hold, a closed
    /// request…): [`super::gdpr::Refusal::id`] is the message id.
    #[error("refused: {0}")]
    Refused(super::gdpr::Refusal),
}

impl CommandError {
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            CommandError::Invalid(errors) => errors,
            _ => &[],
        }
    }
}

/// Builds a plan: every change gets the command's stamp, every entity it
/// touches an audit entry.
pub(crate) struct Planner<'r, 'e, 'a> {
    pub(crate) reg: &'r Register,
    pub(crate) env: &'e mut Env<'a>,
    pub(crate) stamp: Stamp,
    pub(crate) plan: Plan,
    audits: usize,
    /// Organisations created by this plan, by folded name.
    pub(crate) new_orgs: BTreeMap<String, OrgId>,
}

impl Planner<'_, '_, '_> {
    pub(crate) fn audit(&mut self, action: AuditAction, entity: EntityRef, fields: Vec<String>) {
        let key = AuditEntry::key_for(self.stamp, self.audits);
        self.audits += 1;
        self.plan.changes.push(Change::Audit(AuditEntry {
            key,
            at: self.env.now,
            actor: self.env.actor.name.clone(),
            action,
            entity,
            fields,
        }));
    }

    pub(crate) fn new_uuid(&mut self) -> Uuid {
        (self.env.new_id)()
    }

    fn finish(mut self) -> Plan {
        if !self.plan.changes.is_empty() {
            self.plan.changes.push(Change::Clock(self.stamp));
        }
        self.plan
    }

    /// Turns the form's organisation choices into links, creating the
    /// organisations that do not exist yet.
    fn resolve_affiliations(&mut self, choices: &[(OrgChoice, String)]) -> Result<Vec<Affiliation>, Vec<FieldError>> {
        let mut out: Vec<Affiliation> = Vec::new();
        let mut problems = Problems::default();
        for (i, (choice, role)) in choices.iter().enumerate() {
            let org = match choice {
                OrgChoice::Existing(id) if self.reg.org(*id).is_some() => *id,
                OrgChoice::Existing(_) => {
                    problems.add(format!("affiliations.{i}"), Problem::Missing);
                    continue;
                }
                OrgChoice::New(name) => match self.reg.org_by_name(name) {
                    Some(org) => org.id,
                    None => self.create_org(name),
                },
            };
            if !out.iter().any(|a| a.org == org) {
                out.push(Affiliation { org, role: role.clone() });
            }
        }
        problems.finish(out)
    }

    pub(crate) fn create_org(&mut self, name: &str) -> OrgId {
        let folded = fold(name);
        if let Some(id) = self.new_orgs.get(&folded) {
            return *id;
        }
        let id = OrgId::new(self.new_uuid());
        let org = Organisation {
            id,
            name: name.trim().to_owned(),
            business_id: None,
            address: Default::default(),
            website: None,
            notes: String::new(),
            created: self.env.now,
            updated: self.env.now,
            stamp: self.stamp,
        };
        self.plan.changes.push(Change::PutOrg(org));
        self.audit(AuditAction::Created, EntityRef::Org(id), vec!["name".into()]);
        self.new_orgs.insert(folded, id);
        id
    }
}

pub(crate) fn keys(fields: &[PersonField]) -> Vec<String> {
    fields.iter().map(PersonField::key).collect()
}

fn strs(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|s| (*s).to_owned()).collect()
}

fn tombstone(entity: EntityRef, stamp: Stamp, reason: TombstoneReason) -> Change {
    Change::PutTombstone(Tombstone { entity, stamp, reason })
}

pub(crate) fn build_person(
    id: PersonId,
    data: PersonData,
    affiliations: Vec<Affiliation>,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    stamps: BTreeMap<PersonField, Stamp>,
    stamp: Stamp,
) -> Person {
    let mut person = Person {
        id,
        given_name: data.given_name,
        family_name: data.family_name,
        emails: data.emails,
        phones: data.phones,
        addresses: data.addresses,
        websites: data.websites,
        socials: data.socials,
        affiliations,
        categories: data.categories,
        tags: data.tags,
        custom: data.custom,
        provenance: data.provenance,
        notes: data.notes,
        restriction: None,
        created,
        updated,
        stamps,
    };
    if person.stamps.is_empty() {
        let all = person.fields_of_both(&person);
        person.stamps = all.into_iter().map(|f| (f, stamp)).collect();
    }
    person
}

/// A person with the same id and nothing in any field, to list the fields a
/// new person was created with.
pub(crate) fn empty_like(person: &Person) -> Person {
    Person {
        given_name: String::new(),
        family_name: String::new(),
        emails: vec![],
        phones: vec![],
        addresses: vec![],
        websites: vec![],
        socials: vec![],
        affiliations: vec![],
        categories: BTreeSet::new(),
        tags: BTreeSet::new(),
        custom: BTreeMap::new(),
        notes: String::new(),
        provenance: person.provenance.clone(),
        ..person.clone()
    }
}

/// A record of the same kind with nothing in it.
fn blank_of(kind: &RecordKind) -> RecordKind {
    use super::record::*;
    let day = NaiveDate::MIN;
    match kind {
        RecordKind::Contract(c) => RecordKind::Contract(Contract {
            kind: c.kind,
            title: String::new(),
            start: None,
            end: None,
            value_cents: None,
            billing: Billing::NotBilled,
        }),
        RecordKind::Feedback(_) => RecordKind::Feedback(Feedback { date: day, text: String::new() }),
        RecordKind::Ticket(_) => RecordKind::Ticket(Ticket { opened: day, closed: None, description: String::new() }),
        RecordKind::Training(_) => RecordKind::Training(Training {
            name: String::new(),
            date: day,
            completed: false,
            grade: String::new(),
            statutory: false,
        }),
        RecordKind::Event(_) => RecordKind::Event(EventParticipation { name: String::new(), date: day, dietary: None }),
    }
}

fn check_org_name(reg: &Register, name: &str, except: Option<OrgId>) -> Result<(), CommandError> {
    match reg.org_by_name(name) {
        Some(other) if Some(other.id) != except => {
            Err(CommandError::Invalid(vec![FieldError::new("name", Problem::NameTaken)]))
        }
        _ => Ok(()),
    }
}

fn check_record_links(reg: &Register, draft: &RecordDraft) -> Result<(), CommandError> {
    reg.person(draft.person).ok_or(CommandError::NotFound(EntityRef::Person(draft.person)))?;
    if let Some(org) = draft.org {
        if reg.org(org).is_none() {
            return Err(CommandError::Invalid(vec![FieldError::new("org", Problem::Missing)]));
        }
    }
    Ok(())
}

/// Checks new settings against the register: names present and unique,
/// choices given, nothing in use removed. Returns the cleaned settings and
/// the names of the sections that changed.
fn check_settings(reg: &Register, new: &Settings) -> Result<(Settings, Vec<&'static str>), Vec<FieldError>> {
    let mut p = Problems::default();
    let old = &reg.settings;
    let mut s = new.clone();
    s.user_name = p.check("user_name", v::short_text(&new.user_name)).unwrap_or_default();
    s.country_code = new.country_code.trim().trim_start_matches('+').to_owned();
    if s.country_code.is_empty() || s.country_code.len() > 3 || !s.country_code.bytes().all(|b| b.is_ascii_digit()) {
        p.add("country_code", Problem::NumberInvalid);
    }
    let mut seen = BTreeSet::new();
    for (i, c) in s.categories.iter_mut().enumerate() {
        c.name = c.name.trim().to_owned();
        if c.name.is_empty() {
            p.add(format!("categories.{i}"), Problem::Required);
        } else if !seen.insert(fold(&c.name)) {
            p.add(format!("categories.{i}"), Problem::NameTaken);
        }
    }
    for (i, gone) in old.categories.iter().enumerate() {
        if !s.categories.iter().any(|c| c.key == gone.key)
            && reg.people.values().any(|p| p.categories.contains(&gone.key))
        {
            p.add(format!("removed_categories.{i}"), Problem::InUse);
        }
    }
    let mut seen = BTreeSet::new();
    for (i, f) in s.fields.iter_mut().enumerate() {
        f.name = f.name.trim().to_owned();
        if f.name.is_empty() {
            p.add(format!("fields.{i}.name"), Problem::Required);
        } else if !seen.insert(fold(&f.name)) {
            p.add(format!("fields.{i}.name"), Problem::NameTaken);
        }
        if let FieldKind::Choice(options) = &mut f.kind {
            let cleaned: Vec<String> = options.iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect();
            if cleaned.is_empty() {
                p.add(format!("fields.{i}.choices"), Problem::Required);
            }
            *options = cleaned;
        }
        if let Some(before) = old.field(f.id) {
            let in_use = reg.people.values().any(|person| person.custom.contains_key(&f.id));
            if before.kind.key() != f.kind.key() && in_use {
                p.add(format!("fields.{i}.kind"), Problem::InUse);
            }
        }
    }
    for (i, gone) in old.fields.iter().enumerate() {
        if !s.fields.iter().any(|f| f.id == gone.id) && reg.people.values().any(|p| p.custom.contains_key(&gone.id)) {
            p.add(format!("removed_fields.{i}"), Problem::InUse);
        }
    }
    let s = p.finish(s)?;
    let mut changed = Vec::new();
    if s.user_name != old.user_name {
        changed.push("user_name");
    }
    changed.extend(old.changed_sections(&s));
    Ok((s, changed))
}
