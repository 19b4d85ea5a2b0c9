//! Sharing the register between colleagues: what an export holds
//! ([`Snapshot`], chosen by an [`ExportScope`]) and how an import merges
//! it ([`Register::preview_import`], then [`Register::plan_import`]).
//!
//! The rules, so that everyone who passes bundles around in any order ends
//! with the same register:
//! - A person's fields merge one by one, the larger [`Stamp`] winning
//!   (stamps are totally ordered, so every register picks the same value).
//!   A field without a stamp in the bundle was left out, not emptied: it
//!   never overwrites anything.
//! - Organisations and records merge whole, the larger stamp winning.
//! - Tombstones win over everything and never go away: an entity that is
//!   tombstoned on either side is removed (and never brought back). Of two
//!   tombstones of one entity, an erasure wins, then a merge, then the
//!   larger stamp.
//! - What a tombstone leaves behind is settled the same way everywhere: a
//!   record of a person merged into another moves to that person (keeping
//!   its stamp); a record of a deleted or erased person goes with them (the
//!   person's tombstone keeps it out); links to a deleted organisation go.
//! - Settings: the definitions (categories, custom fields, segments) are
//!   joined by key or id, never removed; the rest comes from the newer
//!   settings. The local user name never travels.
//! - A conflict is a value changed on both sides since they last met: the
//!   incoming stamp is new to this register, and this register's stamp is
//!   new to the sender (by the `seen` vectors). The larger stamp wins
//!   unless the user picks the other side, which becomes a new local edit
//!   (a fresh stamp), so that the choice travels on.
//!
//! This module holds what an export is and what a preview shows;
//! `merge.rs` works out what an import changes, `plan.rs` turns that into
//! the changes to write.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::audit::{AuditAction, AuditEntry, EntityRef};

/// The audit field of an import's count of new entities:
/// `added:<people|organisations|records>:<count>`.
pub const ADDED_PREFIX: &str = "added:";
use super::commands::{CommandError, Env, Plan};
use super::consent::{ConsentConfig, ConsentEntry};
use super::disclosure::Disclosure;
use super::draft::FieldError;
use super::ids::{ConsentId, DeviceId, OrgId, PersonId, RecordId, Stamp};
use super::org::Organisation;
use super::person::{Person, PersonField};
use super::record::{Record, RecordKind};
use super::register::{Change, Register, Tombstone, TombstoneReason};
use super::settings::{CategoryKey, Settings};
use super::validate::Problem;

mod definitions;
mod merge;
mod plan;
mod touched;

use definitions::*;
use merge::*;
use plan::*;

/// What an export includes. Tombstones always travel, all of them; so do
/// the settings (without the local user name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportScope {
    /// The people in any of these categories; `None`: everyone.
    pub categories: Option<BTreeSet<CategoryKey>>,
    /// Relationship records (contracts, feedback, tickets, training,
    /// events) of the people included.
    pub relationship: bool,
    /// Only records of these kinds (`RecordKind::key`); `None`: all kinds.
    pub record_kinds: Option<BTreeSet<String>>,
    /// Dietary data of event participations. Left out, it is absent in the
    /// bundle, and an import keeps the receiver's own.
    pub dietary: bool,
    /// People's notes. Left out, the field has no stamp in the bundle.
    pub notes: bool,
    /// People's custom fields. Left out, they have no stamps in the bundle.
    pub custom: bool,
}

impl Default for ExportScope {
    fn default() -> Self {
        ExportScope::everything()
    }
}

impl ExportScope {
    /// The whole register: what colleagues exchange.
    pub fn everything() -> Self {
        ExportScope {
            categories: None,
            relationship: true,
            record_kinds: None,
            dietary: true,
            notes: true,
            custom: true,
        }
    }

    /// Whether nothing is left out. Only such a bundle tells an importer
    /// everything its sender has seen.
    pub fn is_everything(&self) -> bool {
        *self == ExportScope::everything()
    }

    pub fn includes_person(&self, person: &Person) -> bool {
        match &self.categories {
            None => true,
            Some(wanted) => !wanted.is_disjoint(&person.categories),
        }
    }

    pub fn includes_record_kind(&self, kind: &RecordKind) -> bool {
        self.relationship && self.record_kinds.as_ref().is_none_or(|kinds| kinds.contains(kind.key()))
    }

    /// The scope in words (stable English keys and values, for the
    /// disclosure log when the UI gives no text of its own):
    /// `everything`, or e.g.
    /// `categories: event; records: event; dietary: yes; notes: no; custom fields: no`.
    pub fn describe(&self) -> String {
        if self.is_everything() {
            return "everything".into();
        }
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let categories = match &self.categories {
            None => "all".to_owned(),
            Some(set) => set.iter().map(CategoryKey::as_str).collect::<Vec<_>>().join(", "),
        };
        let records = match (&self.record_kinds, self.relationship) {
            (_, false) => "none".to_owned(),
            (None, true) => "all".to_owned(),
            (Some(kinds), true) => kinds.iter().map(String::as_str).collect::<Vec<_>>().join(", "),
        };
        format!(
            "categories: {categories}; records: {records}; dietary: {}; notes: {}; custom fields: {}",
            yes_no(self.relationship && self.dietary),
            yes_no(self.notes),
            yes_no(self.custom)
        )
    }

    /// The person as this scope exports them: left-out fields are emptied
    /// and lose their stamps.
    fn trim_person(&self, person: &Person) -> Person {
        let mut p = person.clone();
        if !self.notes {
            p.notes.clear();
            p.stamps.remove(&PersonField::Notes);
        }
        if !self.custom {
            p.custom.clear();
            p.stamps.retain(|f, _| !matches!(f, PersonField::Custom(_)));
        }
        p
    }
}

/// A register's data as a bundle carries it, before serialisation (going
/// out) or after checking (coming in).
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The device that made the export, and its clock then.
    pub device: DeviceId,
    pub clock: Stamp,
    pub exported_at: DateTime<Utc>,
    /// The latest stamp the sender had seen from each device (its own
    /// included).
    pub seen: BTreeMap<DeviceId, Stamp>,
    pub scope: ExportScope,
    /// Without the user name.
    pub settings: Option<Settings>,
    pub people: Vec<Person>,
    pub orgs: Vec<Organisation>,
    pub records: Vec<Record>,
    pub tombstones: Vec<Tombstone>,
    /// Only in complete exports.
    pub disclosures: Vec<Disclosure>,
    /// The consent ledger entries of the people included.
    pub consents: Vec<ConsentEntry>,
    /// The organisation's newsletters and legal bases.
    pub consent_config: Option<ConsentConfig>,
    /// The register description, when the sender has saved one.
    pub description: Option<super::gdpr::RegisterDescription>,
    /// Rights requests (only in complete exports).
    pub requests: Vec<super::gdpr::Request>,
}

/// An export borrowing what it takes unchanged from the register
/// ([`Register::export_view`]): `head` holds everything but the people,
/// organisations and records, which are here: people and organisations by
/// id, records by person, then id (as a bundle lists them).
pub struct ExportView<'a> {
    pub head: Snapshot,
    pub people: Vec<Cow<'a, Person>>,
    pub orgs: Vec<&'a Organisation>,
    pub records: Vec<Cow<'a, Record>>,
}

impl ExportView<'_> {
    /// The export as a snapshot of its own.
    pub fn into_snapshot(self) -> Snapshot {
        Snapshot {
            people: self.people.into_iter().map(Cow::into_owned).collect(),
            orgs: self.orgs.into_iter().cloned().collect(),
            records: {
                let mut records: Vec<Record> = self.records.into_iter().map(Cow::into_owned).collect();
                records.sort_unstable_by_key(|r| r.id);
                records
            },
            ..self.head
        }
    }
}

impl Snapshot {
    /// The people whose data the snapshot holds.
    pub fn people_ids(&self) -> Vec<PersonId> {
        self.people.iter().map(|p| p.id).collect()
    }

    /// The largest stamp anywhere in the snapshot.
    pub fn max_stamp(&self) -> Stamp {
        let mut max = self.clock;
        let mut see = |s: Stamp| max = max.max(s);
        self.seen.values().copied().for_each(&mut see);
        if let Some(s) = &self.settings {
            see(s.stamp);
        }
        self.people.iter().flat_map(|p| p.stamps.values().copied()).for_each(&mut see);
        self.orgs.iter().map(|o| o.stamp).for_each(&mut see);
        self.records.iter().map(|r| r.stamp).for_each(&mut see);
        self.tombstones.iter().map(|t| t.stamp).for_each(&mut see);
        self.consents.iter().map(|e| e.stamp).for_each(&mut see);
        if let Some(c) = &self.consent_config {
            see(c.stamp);
        }
        if let Some(d) = &self.description {
            see(d.stamp);
        }
        self.requests.iter().map(|r| r.stamp).for_each(&mut see);
        max
    }

    /// What the sender had seen from a device.
    fn seen_from(&self, device: DeviceId) -> Stamp {
        let listed = self.seen.get(&device).copied().unwrap_or(Stamp::ZERO);
        if device == self.device {
            listed.max(self.clock)
        } else {
            listed
        }
    }
}

/// One side of a conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// This register's value.
    Local,
    /// The bundle's value.
    Incoming,
}

/// What a conflict is about: a person's field, or a whole organisation or
/// record (`field` is `None`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConflictKey {
    pub entity: EntityRef,
    pub field: Option<PersonField>,
}

/// The user's picks for conflicts; a conflict not named takes its winner.
pub type Choices = BTreeMap<ConflictKey, Side>;

/// A whole entity, for showing both sides of a conflict.
#[derive(Clone, Debug, PartialEq)]
pub enum Entity {
    Person(Person),
    Org(Organisation),
    Record(Record),
}

/// The same value changed on both sides since they last met.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub key: ConflictKey,
    /// This register's entity, as it is now.
    pub local: Entity,
    /// The bundle's entity.
    pub incoming: Entity,
    /// The side that wins unless the user picks the other: the newer one.
    pub winner: Side,
}

/// How an import would change one kind of entity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// New here.
    pub added: usize,
    /// Here already, and changed by the import.
    pub updated: usize,
    /// In the bundle, and here already just so.
    pub unchanged: usize,
    /// Here, and removed because the bundle says it was deleted or erased.
    pub erased: usize,
    /// In the bundle, but deleted here: not brought back.
    pub skipped: usize,
}

/// What an import would do, before anything changes.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportPreview {
    pub from: DeviceId,
    pub exported_at: DateTime<Utc>,
    pub scope: ExportScope,
    pub people: Counts,
    pub orgs: Counts,
    pub records: Counts,
    /// Whether the settings' definitions or values would change.
    pub settings_changed: bool,
    /// Disclosure log entries new here.
    pub disclosures_added: usize,
    /// Tombstones new here (including those of entities never seen here).
    pub tombstones_added: usize,
    /// Consent ledger entries new here.
    pub consents_added: usize,
    /// Whether the newsletters or legal bases would change.
    pub consent_config_changed: bool,
    /// Whether the register description would change.
    pub description_changed: bool,
    /// Rights requests new here or changed.
    pub requests_changed: usize,
    pub conflicts: Vec<Conflict>,
}

impl ImportPreview {
    /// Whether applying the import would change nothing the user can see.
    pub fn changes_nothing(&self) -> bool {
        let quiet = |c: &Counts| c.added + c.updated + c.erased == 0;
        quiet(&self.people)
            && quiet(&self.orgs)
            && quiet(&self.records)
            && !self.settings_changed
            && self.disclosures_added == 0
            && self.tombstones_added == 0
            && self.consents_added == 0
            && !self.consent_config_changed
            && !self.description_changed
            && self.requests_changed == 0
    }
}

impl Register {
    // ----- export -----

    /// What an export of this scope holds, as of `now`. Reading only: the
    /// register does not change (record the disclosure with
    /// [`super::Command::RecordDisclosure`]).
    pub fn export_snapshot(&self, scope: &ExportScope, now: DateTime<Utc>) -> Snapshot {
        self.export_view(scope, now).into_snapshot()
    }

    /// The same as [`Register::export_snapshot`], borrowing the people,
    /// organisations and records the scope takes unchanged instead of
    /// copying them: what an export writes straight away.
    pub fn export_view(&self, scope: &ExportScope, now: DateTime<Utc>) -> ExportView<'_> {
        // Sorted by keys held beside the references: comparing through
        // them would visit every entity at random, many times over. The
        // keys are the ids as numbers, in the same order as the ids but
        // compared in a step or two.
        let whole_people = scope.notes && scope.custom;
        let mut people: Vec<(u128, &Person)> =
            self.people.values().filter(|p| scope.includes_person(p)).map(|p| (p.id.uuid().as_u128(), p)).collect();
        people.sort_unstable_by_key(|(id, _)| *id);
        let ids: HashSet<PersonId> = people.iter().map(|(_, p)| p.id).collect();
        let people: Vec<Cow<'_, Person>> = people
            .into_iter()
            .map(|(_, p)| if whole_people { Cow::Borrowed(p) } else { Cow::Owned(scope.trim_person(p)) })
            .collect();
        let mut records: Vec<((u128, u128), &Record)> = self
            .records
            .values()
            .filter(|r| ids.contains(&r.person) && scope.includes_record_kind(&r.kind))
            .map(|r| (r.document_order(), r))
            .collect();
        records.sort_unstable_by_key(|(key, _)| *key);
        let records: Vec<Cow<'_, Record>> = records
            .into_iter()
            .map(|(_, r)| match &r.kind {
                RecordKind::Event(e) if !scope.dietary && e.dietary.is_some() => {
                    let mut r = r.clone();
                    set_dietary(&mut r, None);
                    Cow::Owned(r)
                }
                _ => Cow::Borrowed(r),
            })
            .collect();
        let mut orgs: Vec<&Organisation> = if scope.categories.is_none() {
            self.orgs.values().collect()
        } else {
            let wanted: BTreeSet<OrgId> = people
                .iter()
                .flat_map(|p| p.affiliations.iter().map(|a| a.org))
                .chain(records.iter().filter_map(|r| r.org))
                .collect();
            wanted.into_iter().filter_map(|id| self.orgs.get(&id)).collect()
        };
        orgs.sort_unstable_by_key(|o| o.id);
        let mut tombstones: Vec<Tombstone> = self.tombstones.values().cloned().collect();
        tombstones.sort_by_key(|t| t.entity);
        let mut consents: Vec<ConsentEntry> =
            self.consents.values().filter(|e| ids.contains(&e.person)).cloned().collect();
        consents.sort_by_key(|e| e.id);
        let disclosures = if scope.is_everything() {
            let mut list: Vec<Disclosure> = self.disclosures.values().cloned().collect();
            list.sort_by_key(|d| d.id);
            list
        } else {
            Vec::new()
        };
        let head = Snapshot {
            device: self.device,
            clock: self.clock,
            exported_at: now,
            seen: self.seen(),
            scope: scope.clone(),
            settings: Some(Settings { user_name: String::new(), ..self.settings.clone() }),
            people: Vec::new(),
            orgs: Vec::new(),
            records: Vec::new(),
            tombstones,
            disclosures,
            consents,
            consent_config: Some(self.consent_config.clone()),
            description: self.gdpr.description.clone(),
            requests: if scope.is_everything() { self.gdpr.requests.values().cloned().collect() } else { Vec::new() },
        };
        ExportView { head, people, orgs, records }
    }

    // ----- import -----

    /// What importing `incoming` would change, and its conflicts with their
    /// default winners. The register does not change.
    pub fn preview_import(&self, incoming: &Snapshot) -> ImportPreview {
        self.prepare_import(incoming.clone()).0
    }

    /// [`Register::preview_import`], and the merge made for it, kept so
    /// that applying the import need not merge again
    /// ([`Register::plan_prepared_import`]). Takes the document: what
    /// wins from it moves into the merge.
    pub fn prepare_import(&self, incoming: Snapshot) -> (ImportPreview, PreparedImport) {
        let (from, exported_at, scope) = (incoming.device, incoming.exported_at, incoming.scope.clone());
        let max_stamp = incoming.max_stamp();
        let merge = self.merge(incoming, None);
        let mut preview = ImportPreview {
            from,
            exported_at,
            scope,
            people: Counts::default(),
            orgs: Counts::default(),
            records: Counts::default(),
            settings_changed: merge.settings.is_some(),
            disclosures_added: merge.disclosures.len(),
            tombstones_added: merge.tombstones.len(),
            consents_added: merge.consents.values().filter(|t| t.before.is_none() && t.after.is_some()).count(),
            consent_config_changed: merge.consent_config.is_some(),
            description_changed: merge.description.is_some(),
            requests_changed: merge.requests.len(),
            conflicts: Vec::new(),
        };
        merge.people.values().for_each(|t| t.count(&mut preview.people));
        merge.orgs.values().for_each(|t| t.count(&mut preview.orgs));
        merge.records.values().for_each(|t| t.count(&mut preview.records));
        preview.conflicts = merge.conflicts.clone();
        (preview, PreparedImport { merge, clock: self.clock, max_stamp })
    }
}

/// An import's merge as its preview found it, for applying the import
/// without merging again while nothing has changed here since.
pub struct PreparedImport {
    merge: Merge,
    /// The register's clock when the merge was made: every change moves it.
    clock: Stamp,
    /// The document's latest stamp: the import's own stamp comes after it.
    max_stamp: Stamp,
}

impl PreparedImport {
    /// Whether the merge still holds for `reg` with these picks: the
    /// register has not changed, and no pick overrides a winner (a pick
    /// that does is a new local edit, with a stamp of its own).
    pub fn holds(&self, reg: &Register, choices: &Choices) -> bool {
        self.clock == reg.clock
            && choices.iter().all(|(key, side)| self.merge.conflicts.iter().any(|c| &c.key == key && c.winner == *side))
    }
}
