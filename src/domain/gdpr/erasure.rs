//! Erasure ("the right to be forgotten", GDPR Art. 17) and the retention
//! purge: what goes, what must stay and why, and the changes that do it.
//!
//! Erasure without holds removes the person and every record of theirs,
//! each with an `Erased` tombstone that travels in bundles and wins every
//! merge, so that no colleague's import brings them back.
//!
//! Erasure with holds is refused unless the user chooses to erase the rest
//! ([`ErasureChoice::AllButHeld`]). Then every record no hold keeps goes
//! (with tombstones), the held records stay as they are (contracts and
//! training records carry no free-text notes), and the person stays as a
//! minimal entry: the name only (and where the data came from, without
//! details), restricted as [`RestrictionKind::ErasedExceptHeld`] so that
//! nothing can be added and every output leaves them out. When the holds
//! end, the retention purge removes the entry and its records for good.
//!
//! The audit log records that an erasure happened, under which request and
//! by whom — never the erased values (it never holds values at all).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::plan::Gp;
use super::restriction::{Restriction, RestrictionKind};
use super::retention::{record_holds, DueTarget, Hold, RetentionRules};
use super::Refusal;
use crate::domain::audit::{AuditAction, EntityRef};
use crate::domain::commands::CommandError;
use crate::domain::draft::FieldError;
use crate::domain::ids::{PersonId, RecordId, RequestId};
use crate::domain::person::{Person, PersonField};
use crate::domain::record::RecordKind;
use crate::domain::register::{Change, Register, TombstoneReason};
use crate::domain::validate::Problem;

/// What the user chose when a hold stands in the way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErasureChoice {
    /// Erase everything; refused while any hold lasts.
    Everything,
    /// Erase everything no hold keeps; keep a minimal restricted entry.
    AllButHeld,
}

/// A record an erasure must keep, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    pub record: RecordId,
    pub holds: Vec<Hold>,
}

/// What an erasure would do, before anything changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasurePreview {
    pub person: PersonId,
    /// The person's fields (with a value) that go.
    pub removed_fields: Vec<PersonField>,
    /// The fields that stay on a minimal entry (the name).
    pub kept_fields: Vec<PersonField>,
    /// The records that go (dietary data with them).
    pub removed_records: Vec<RecordId>,
    /// The records that stay, with their holds.
    pub kept: Vec<Kept>,
    /// Every hold, in order.
    pub holds: Vec<Hold>,
}

impl ErasurePreview {
    /// Whether a hold stops a complete erasure (the person would stay as a
    /// minimal entry).
    pub fn is_held(&self) -> bool {
        !self.holds.is_empty()
    }
}

/// The person as a minimal entry: the name, where the data came from
/// (without details), the dates; every other field empty.
pub fn minimal(person: &Person) -> Person {
    let mut p = person.clone();
    p.emails.clear();
    p.phones.clear();
    p.addresses.clear();
    p.websites.clear();
    p.socials.clear();
    p.affiliations.clear();
    p.categories.clear();
    p.tags.clear();
    p.custom.clear();
    p.notes.clear();
    p.provenance.detail.clear();
    p
}

/// A person with nothing in any field (to list what a full erasure
/// removes).
fn blank(person: &Person) -> Person {
    let mut p = minimal(person);
    p.given_name.clear();
    p.family_name.clear();
    p
}

impl Register {
    /// What erasing a person would remove and keep on `today`, under the
    /// retention rules' holds. `None` when the person is not here.
    pub fn erasure_preview(
        &self,
        person: PersonId,
        today: NaiveDate,
        rules: &RetentionRules,
    ) -> Option<ErasurePreview> {
        let p = self.person(person)?;
        let mut records: Vec<_> = self.records_of(person);
        records.sort_by_key(|r| r.id);
        let mut removed_records = Vec::new();
        let mut kept = Vec::new();
        for r in records {
            let holds = record_holds(r, today, rules);
            if holds.is_empty() {
                removed_records.push(r.id);
            } else {
                kept.push(Kept { record: r.id, holds });
            }
        }
        let mut holds: Vec<Hold> = kept.iter().flat_map(|k| k.holds.iter().cloned()).collect();
        holds.sort();
        let no_restriction = |f: &PersonField| *f != PersonField::Restriction;
        let (removed_fields, kept_fields) = if holds.is_empty() {
            (p.changed_fields(&blank(p)).into_iter().filter(no_restriction).collect(), Vec::new())
        } else {
            let removed = p.changed_fields(&minimal(p)).into_iter().filter(no_restriction).collect();
            (removed, vec![PersonField::Name])
        };
        Some(ErasurePreview { person, removed_fields, kept_fields, removed_records, kept, holds })
    }
}

/// Removes a record for good: gone, tombstoned as erased, audited.
fn remove_record(gp: &mut Gp<'_, '_, '_>, id: RecordId, action: AuditAction) {
    gp.push(Change::RemoveRecord(id));
    gp.tombstone(EntityRef::Record(id), TombstoneReason::Erased);
    gp.audit(action, EntityRef::Record(id), vec![]);
}

/// Removes a person and all their records for good.
fn remove_person(gp: &mut Gp<'_, '_, '_>, id: PersonId, action: AuditAction) {
    let mut records: Vec<RecordId> = gp.reg.records_of(id).iter().map(|r| r.id).collect();
    records.sort();
    for r in records {
        remove_record(gp, r, action.clone());
    }
    // What the person said goes with them (the ledger's entries).
    let consents = gp.reg.remove_consents_of(id);
    gp.plan.changes.extend(consents);
    gp.push(Change::RemovePerson(id));
    gp.tombstone(EntityRef::Person(id), TombstoneReason::Erased);
    gp.audit(action, EntityRef::Person(id), vec![]);
}

pub(super) fn plan_erase(
    gp: &mut Gp<'_, '_, '_>,
    person: PersonId,
    request: Option<RequestId>,
    choice: ErasureChoice,
) -> Result<(), CommandError> {
    let p = gp.person(person)?;
    gp.check_request(request, person)?;
    let today = gp.env.today;
    let rules = gp.reg.description().retention.clone();
    let preview =
        gp.reg.erasure_preview(person, today, &rules).ok_or(CommandError::NotFound(EntityRef::Person(person)))?;
    if !preview.is_held() {
        remove_person(gp, person, AuditAction::Erased(request));
        gp.plan.affected = 1;
        return Ok(());
    }
    if choice == ErasureChoice::Everything {
        return Err(CommandError::Refused(Refusal::UnderHold(preview.holds)));
    }
    for r in &preview.removed_records {
        remove_record(gp, *r, AuditAction::Erased(request));
    }
    let mut entry = minimal(p);
    if !p.is_erased_except_held() {
        entry.restriction = Some(Restriction { since: today, request, kind: RestrictionKind::ErasedExceptHeld });
    }
    let consents = gp.reg.remove_consents_of(person);
    let mut changed = p.changed_fields(&entry);
    if changed.is_empty() && preview.removed_records.is_empty() && consents.is_empty() {
        return Ok(());
    }
    gp.plan.changes.extend(consents.iter().cloned());
    for f in &changed {
        entry.stamps.insert(f.clone(), gp.stamp);
    }
    entry.updated = gp.env.now;
    gp.push(Change::PutPerson(entry));
    let mut fields: Vec<String> = changed.drain(..).map(|f| f.key()).collect();
    if !consents.is_empty() {
        fields.push("consents".into());
    }
    gp.audit(AuditAction::ErasedExceptHeld(request), EntityRef::Person(person), fields);
    gp.plan.affected = 1;
    Ok(())
}

/// The retention purge: everything the dry run lists without a hold, in
/// one plan. `today` is the day the dry run was shown for; it may not lie
/// after the host's today.
pub(super) fn plan_purge(gp: &mut Gp<'_, '_, '_>, today: NaiveDate) -> Result<(), CommandError> {
    if today > gp.env.today {
        return Err(CommandError::Invalid(vec![FieldError::new("today", Problem::DateInFuture)]));
    }
    let rules = gp.reg.description().retention.clone();
    let due = gp.reg.retention_dry_run(today, &rules);
    let mut dietary: BTreeMap<RecordId, ()> = BTreeMap::new();
    let mut gone: BTreeSet<RecordId> = BTreeSet::new();
    for d in due.iter().filter(|d| !d.is_blocked()) {
        match d.target {
            DueTarget::Person(id) => {
                gone.extend(gp.reg.records_of(id).iter().map(|r| r.id));
                remove_person(gp, id, AuditAction::RetentionPurged);
            }
            DueTarget::Record(id) => {
                if gone.insert(id) {
                    remove_record(gp, id, AuditAction::RetentionPurged);
                }
            }
            DueTarget::Dietary(id) => {
                dietary.insert(id, ());
            }
        }
        gp.plan.affected += 1;
    }
    for id in dietary.into_keys().filter(|id| !gone.contains(id)) {
        let Some(record) = gp.reg.record(id) else { continue };
        let mut purged = record.clone();
        if let RecordKind::Event(e) = &mut purged.kind {
            e.dietary = None;
        }
        purged.updated = gp.env.now;
        purged.stamp = gp.stamp;
        gp.push(Change::PutRecord(purged));
        gp.audit(AuditAction::RetentionPurged, EntityRef::Record(id), vec!["dietary".into()]);
    }
    Ok(())
}
