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

impl Register {
    /// Checks a command and returns what it would change. The register is
    /// not touched: write the plan's changes, then [`Register::apply`] them.
    pub fn plan(&self, command: &Command, env: &mut Env<'_>) -> Result<Plan, CommandError> {
        access::check(env.actor, command, self)?;
        super::gdpr::restriction::guard(self, command, env.today)?;
        let stamp = self.clock.next(env.now.timestamp_millis().max(0) as u64, self.device);
        let mut p = Planner { reg: self, env, stamp, plan: Plan::default(), audits: 0, new_orgs: BTreeMap::new() };
        match command {
            Command::AddPerson(draft) => {
                let data = validate_person(draft, &self.settings, p.env.today).map_err(CommandError::Invalid)?;
                let affiliations = p.resolve_affiliations(&data.affiliations).map_err(CommandError::Invalid)?;
                let id = PersonId::new(p.new_uuid());
                let person = build_person(id, data, affiliations, p.env.now, p.env.now, BTreeMap::new(), stamp);
                let fields = person.changed_fields(&empty_like(&person));
                p.plan.changes.push(Change::PutPerson(person));
                p.audit(AuditAction::Created, EntityRef::Person(id), keys(&fields));
                p.plan.created = Some(EntityRef::Person(id));
                p.plan.affected = 1;
            }
            Command::UpdatePerson(id, draft) => {
                let old = self.person(*id).ok_or(CommandError::NotFound(EntityRef::Person(*id)))?;
                let data = validate_person(draft, &self.settings, p.env.today).map_err(CommandError::Invalid)?;
                let affiliations = p.resolve_affiliations(&data.affiliations).map_err(CommandError::Invalid)?;
                let mut person =
                    build_person(*id, data, affiliations, old.created, p.env.now, old.stamps.clone(), stamp);
                person.provenance.date =
                    if draft.provenance.date.trim().is_empty() { old.provenance.date } else { person.provenance.date };
                person.restriction = old.restriction.clone();
                let changed = old.changed_fields(&person);
                if changed.is_empty() {
                    return Ok(Plan::default());
                }
                person.stamps = old.stamps.clone();
                for field in &changed {
                    person.stamps.insert(field.clone(), stamp);
                }
                p.plan.changes.push(Change::PutPerson(person));
                p.audit(AuditAction::Updated, EntityRef::Person(*id), keys(&changed));
                p.plan.affected = 1;
            }
            Command::DeletePerson(id) => {
                self.person(*id).ok_or(CommandError::NotFound(EntityRef::Person(*id)))?;
                for record in self.records_of(*id) {
                    p.plan.changes.push(Change::RemoveRecord(record.id));
                    p.plan.changes.push(tombstone(EntityRef::Record(record.id), stamp, TombstoneReason::Deleted));
                    p.audit(AuditAction::Deleted, EntityRef::Record(record.id), vec![]);
                }
                p.plan.changes.extend(self.remove_consents_of(*id));
                p.plan.changes.push(Change::RemovePerson(*id));
                p.plan.changes.push(tombstone(EntityRef::Person(*id), stamp, TombstoneReason::Deleted));
                p.audit(AuditAction::Deleted, EntityRef::Person(*id), vec![]);
                p.plan.affected = 1;
            }
            Command::AddOrg(draft) => {
                let data = validate_org(draft).map_err(CommandError::Invalid)?;
                check_org_name(self, &data.name, None)?;
                let id = OrgId::new(p.new_uuid());
                let org = Organisation {
                    id,
                    name: data.name,
                    business_id: data.business_id,
                    address: data.address,
                    website: data.website,
                    notes: data.notes,
                    created: p.env.now,
                    updated: p.env.now,
                    stamp,
                };
                let blank = Organisation { name: String::new(), ..org.clone() };
                let blank = Organisation {
                    business_id: None,
                    address: Default::default(),
                    website: None,
                    notes: String::new(),
                    ..blank
                };
                let fields = org.changed_fields(&blank);
                p.plan.changes.push(Change::PutOrg(org));
                p.audit(AuditAction::Created, EntityRef::Org(id), strs(&fields));
                p.plan.created = Some(EntityRef::Org(id));
                p.plan.affected = 1;
            }
            Command::UpdateOrg(id, draft) => {
                let old = self.org(*id).ok_or(CommandError::NotFound(EntityRef::Org(*id)))?;
                let data = validate_org(draft).map_err(CommandError::Invalid)?;
                check_org_name(self, &data.name, Some(*id))?;
                let org = Organisation {
                    id: *id,
                    name: data.name,
                    business_id: data.business_id,
                    address: data.address,
                    website: data.website,
                    notes: data.notes,
                    created: old.created,
                    updated: p.env.now,
                    stamp,
                };
                let changed = old.changed_fields(&org);
                if changed.is_empty() {
                    return Ok(Plan::default());
                }
                p.plan.changes.push(Change::PutOrg(org));
                p.audit(AuditAction::Updated, EntityRef::Org(*id), strs(&changed));
                p.plan.affected = 1;
            }
            Command::DeleteOrg(id) => {
                self.org(*id).ok_or(CommandError::NotFound(EntityRef::Org(*id)))?;
                for member in self.members(*id) {
                    let mut person = self.people[&member].clone();
                    person.affiliations.retain(|a| a.org != *id);
                    person.updated = p.env.now;
                    person.stamps.insert(PersonField::Affiliations, stamp);
                    p.plan.changes.push(Change::PutPerson(person));
                    p.audit(AuditAction::Updated, EntityRef::Person(member), vec!["affiliations".into()]);
                }
                for record in self.records_of_org(*id) {
                    let mut record = record.clone();
                    record.org = None;
                    record.updated = p.env.now;
                    record.stamp = stamp;
                    p.audit(AuditAction::Updated, EntityRef::Record(record.id), vec!["organisation".into()]);
                    p.plan.changes.push(Change::PutRecord(record));
                }
                p.plan.changes.push(Change::RemoveOrg(*id));
                p.plan.changes.push(tombstone(EntityRef::Org(*id), stamp, TombstoneReason::Deleted));
                p.audit(AuditAction::Deleted, EntityRef::Org(*id), vec![]);
                p.plan.affected = 1;
            }
            Command::AddRecord(draft) => {
                check_record_links(self, draft)?;
                let kind = validate_record(&draft.kind, p.env.today, true).map_err(CommandError::Invalid)?;
                let id = RecordId::new(p.new_uuid());
                let fields = kind.changed_fields(&blank_of(&kind));
                let record = Record {
                    id,
                    person: draft.person,
                    org: draft.org,
                    kind,
                    created: p.env.now,
                    updated: p.env.now,
                    stamp,
                };
                p.plan.changes.push(Change::PutRecord(record));
                p.audit(AuditAction::Created, EntityRef::Record(id), strs(&fields));
                p.plan.created = Some(EntityRef::Record(id));
                p.plan.affected = 1;
            }
            Command::UpdateRecord(id, draft) => {
                let old = self.record(*id).ok_or(CommandError::NotFound(EntityRef::Record(*id)))?;
                check_record_links(self, draft)?;
                let kind = validate_record(&draft.kind, p.env.today, false).map_err(CommandError::Invalid)?;
                let mut changed = old.kind.changed_fields(&kind);
                if old.org != draft.org {
                    changed.push("organisation");
                }
                if old.person != draft.person {
                    changed.push("person");
                }
                if changed.is_empty() {
                    return Ok(Plan::default());
                }
                let record = Record {
                    id: *id,
                    person: draft.person,
                    org: draft.org,
                    kind,
                    created: old.created,
                    updated: p.env.now,
                    stamp,
                };
                p.plan.changes.push(Change::PutRecord(record));
                p.audit(AuditAction::Updated, EntityRef::Record(*id), strs(&changed));
                p.plan.affected = 1;
            }
            Command::DeleteRecord(id) => {
                self.record(*id).ok_or(CommandError::NotFound(EntityRef::Record(*id)))?;
                p.plan.changes.push(Change::RemoveRecord(*id));
                p.plan.changes.push(tombstone(EntityRef::Record(*id), stamp, TombstoneReason::Deleted));
                p.audit(AuditAction::Deleted, EntityRef::Record(*id), vec![]);
                p.plan.affected = 1;
            }
            Command::MergePeople { keep, other, choices } => {
                let a = self.person(*keep).ok_or(CommandError::NotFound(EntityRef::Person(*keep)))?;
                let b = self.person(*other).ok_or(CommandError::NotFound(EntityRef::Person(*other)))?;
                if keep == other {
                    return Err(CommandError::Invalid(vec![FieldError::new("other", Problem::Missing)]));
                }
                let mut merged = merge_person_fields(a, b, choices);
                merged.updated = p.env.now;
                let changed = a.changed_fields(&merged);
                for field in &changed {
                    merged.stamps.insert(field.clone(), stamp);
                }
                p.plan.changes.push(Change::PutPerson(merged));
                for record in self.records_of(*other) {
                    let mut moved = record.clone();
                    moved.person = *keep;
                    moved.updated = p.env.now;
                    moved.stamp = stamp;
                    p.plan.changes.push(Change::PutRecord(moved));
                    p.audit(AuditAction::Updated, EntityRef::Record(record.id), vec!["person".into()]);
                }
                // The ledger follows the person: what they said stays true.
                for entry in self.consents_of(*other) {
                    p.plan
                        .changes
                        .push(Change::PutConsent(super::consent::ConsentEntry { person: *keep, ..entry.clone() }));
                }
                p.plan.changes.push(Change::RemovePerson(*other));
                p.plan.changes.push(tombstone(EntityRef::Person(*other), stamp, TombstoneReason::MergedInto(*keep)));
                p.audit(AuditAction::MergedFrom(*other), EntityRef::Person(*keep), keys(&changed));
                p.audit(AuditAction::MergedInto(*keep), EntityRef::Person(*other), vec![]);
                p.plan.affected = 2;
            }
            Command::PurgePastDietary => {
                let mut due: Vec<&Record> = self
                    .records
                    .values()
                    .filter(|r| matches!(&r.kind, RecordKind::Event(e) if e.dietary.is_some() && e.date < p.env.today))
                    .collect();
                due.sort_by_key(|r| r.id);
                for record in due {
                    let mut purged = record.clone();
                    if let RecordKind::Event(e) = &mut purged.kind {
                        e.dietary = None;
                    }
                    purged.updated = p.env.now;
                    purged.stamp = stamp;
                    p.plan.changes.push(Change::PutRecord(purged));
                    p.audit(AuditAction::DietaryPurged, EntityRef::Record(record.id), vec!["dietary".into()]);
                    p.plan.affected += 1;
                }
            }
            Command::LogDietaryView(id) => {
                self.record(*id).ok_or(CommandError::NotFound(EntityRef::Record(*id)))?;
                p.audit(AuditAction::DietaryViewed, EntityRef::Record(*id), vec!["dietary".into()]);
            }
            Command::UpdateSettings(new) => {
                let (settings, changed) = check_settings(self, new).map_err(CommandError::Invalid)?;
                if changed.is_empty() {
                    return Ok(Plan::default());
                }
                p.plan.changes.push(Change::PutSettings(Settings { stamp, ..settings }));
                p.audit(AuditAction::Updated, EntityRef::Settings, strs(&changed));
            }
            Command::SaveSegment { name, filter } => {
                let name = v::short_text(name).map_err(|e| CommandError::Invalid(vec![FieldError::new("name", e)]))?;
                if name.is_empty() {
                    return Err(CommandError::Invalid(vec![FieldError::new("name", Problem::Required)]));
                }
                let mut settings = self.settings.clone();
                match settings.segments.iter_mut().find(|s| fold(&s.name) == fold(&name)) {
                    Some(existing) => existing.filter = filter.clone(),
                    None => {
                        let id = SegmentId::new(p.new_uuid());
                        settings.segments.push(Segment { id, name, filter: filter.clone() });
                    }
                }
                p.plan.changes.push(Change::PutSettings(Settings { stamp, ..settings }));
                p.audit(AuditAction::Updated, EntityRef::Settings, vec!["segments".into()]);
            }
            Command::RecordDisclosure { recipient, purpose, scope, people } => {
                let mut problems = Problems::default();
                let recipient = problems.check("recipient", v::short_text(recipient)).unwrap_or_default();
                let purpose = problems.check("purpose", v::long_text(purpose)).unwrap_or_default();
                problems.finish(()).map_err(CommandError::Invalid)?;
                let mut people = people.clone();
                people.sort();
                people.dedup();
                let id = DisclosureId::new(p.new_uuid());
                p.plan.changes.push(Change::PutDisclosure(Disclosure {
                    id,
                    at: p.env.now,
                    by: p.env.actor.name.clone(),
                    recipient,
                    purpose,
                    scope: scope.trim().to_owned(),
                    people,
                }));
                p.plan.affected = 1;
            }
            Command::RecordConsent { person, purpose, state, date, source, wording } => {
                p.record_consent(*person, *purpose, *state, date, *source, wording)?;
            }
            Command::ObjectToMarketing { person, date, source } => {
                p.object_to_marketing(*person, date, *source)?;
            }
            Command::UpdateConsentConfig(config) => {
                p.update_consent_config(config)?;
            }
            Command::RecordPartnerDisclosure { recipient, purpose, scope, people } => {
                p.record_partner_disclosure(recipient, purpose, scope, people)?;
            }
            Command::ImportContacts(import) => {
                p.import_contacts(import)?;
            }
            Command::Gdpr(command) => return super::gdpr::plan::plan(self, command, p.env),
            Command::DeleteSegment(id) => {
                let mut settings = self.settings.clone();
                let before = settings.segments.len();
                settings.segments.retain(|s| s.id != *id);
                if settings.segments.len() == before {
                    return Ok(Plan::default());
                }
                p.plan.changes.push(Change::PutSettings(Settings { stamp, ..settings }));
                p.audit(AuditAction::Updated, EntityRef::Settings, vec!["segments".into()]);
            }
        }
        Ok(p.finish())
    }
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
