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

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// The user's picks, the stamp and time they are made with.
struct Picks<'c> {
    choices: &'c Choices,
    stamp: Stamp,
    now: DateTime<Utc>,
}

/// One entity an import touches: how it is here, how it will be.
struct Touched<T> {
    before: Option<T>,
    after: Option<T>,
    /// Whether the bundle holds it (only those count as unchanged/skipped).
    in_bundle: bool,
    /// Fields set by the user's picks (audited as a local edit).
    picked: Vec<String>,
}

impl<T: PartialEq> Touched<T> {
    fn changed(&self) -> bool {
        self.before != self.after
    }

    fn count(&self, counts: &mut Counts) {
        match (&self.before, &self.after) {
            (None, Some(_)) => counts.added += 1,
            (Some(_), None) => counts.erased += 1,
            (Some(b), Some(a)) if b != a => counts.updated += 1,
            (Some(_), Some(_)) if self.in_bundle => counts.unchanged += 1,
            (None, None) if self.in_bundle => counts.skipped += 1,
            _ => {}
        }
    }
}

/// Everything an import would change.
struct Merge {
    people: BTreeMap<PersonId, Touched<Person>>,
    orgs: BTreeMap<OrgId, Touched<Organisation>>,
    records: BTreeMap<RecordId, Touched<Record>>,
    /// Tombstones to write: new ones, and ones that beat the local one.
    tombstones: BTreeMap<EntityRef, Tombstone>,
    settings: Option<(Settings, Vec<&'static str>)>,
    disclosures: Vec<Disclosure>,
    consents: BTreeMap<ConsentId, Touched<ConsentEntry>>,
    consent_config: Option<ConsentConfig>,
    description: Option<super::gdpr::RegisterDescription>,
    requests: Vec<super::gdpr::Request>,
    seen: Option<BTreeMap<DeviceId, Stamp>>,
    conflicts: Vec<Conflict>,
}

/// Local tombstones and the ones the import adds, newest view first.
struct Tombs<'a> {
    local: &'a HashMap<EntityRef, Tombstone>,
    new: BTreeMap<EntityRef, Tombstone>,
}

impl Tombs<'_> {
    fn get(&self, entity: EntityRef) -> Option<&Tombstone> {
        self.new.get(&entity).or_else(|| self.local.get(&entity))
    }

    fn has(&self, entity: EntityRef) -> bool {
        self.get(entity).is_some()
    }
}

/// Whether tombstone `a` replaces `b` of the same entity: an erasure wins,
/// then a merge (so that what was moved to the kept person stays moved
/// everywhere), then the larger stamp.
fn beats(a: &Tombstone, b: &Tombstone) -> bool {
    let class = |t: &Tombstone| match t.reason {
        TombstoneReason::Erased => 2,
        TombstoneReason::MergedInto(_) => 1,
        TombstoneReason::Deleted => 0,
    };
    (class(a), a.stamp) > (class(b), b.stamp)
}

/// Which version of a record wins: the larger stamp. Two versions with one
/// stamp differ only where tombstones settled one of them (moved to the
/// person a merge kept, or unlinked from a deleted organisation): the one
/// with the larger person id wins, then the one without an organisation,
/// so that every register picks the same.
fn record_winner(local: &Record, inc: &Record) -> Side {
    let rank = |r: &Record| (r.stamp, r.person, r.org.is_none());
    if rank(inc) > rank(local) {
        Side::Incoming
    } else {
        Side::Local
    }
}

/// Where a person's data is now: under their own id, under the id of the
/// person they were merged into, or nowhere (deleted or erased).
fn fate(tombs: &Tombs<'_>, mut id: PersonId) -> Option<PersonId> {
    let mut path = BTreeSet::new();
    loop {
        let Some(t) = tombs.get(EntityRef::Person(id)) else { return Some(id) };
        match t.reason {
            TombstoneReason::Deleted | TombstoneReason::Erased => return None,
            TombstoneReason::MergedInto(next) => {
                // Two people merged into each other on two devices: both
                // are gone.
                if !path.insert(id) || path.len() > 64 {
                    return None;
                }
                id = next;
            }
        }
    }
}

/// A record after the tombstones have had their say: moved (with its
/// stamp) to the person its person was merged into, without a link to a
/// deleted organisation; or gone with its person. A record gone with its
/// person needs no tombstone of its own: the person's keeps it out.
fn settle_record(tombs: &Tombs<'_>, mut record: Record) -> Option<Record> {
    record.person = fate(tombs, record.person)?;
    if record.org.is_some_and(|o| tombs.has(EntityRef::Org(o))) {
        record.org = None;
    }
    Some(record)
}

/// A ledger entry after the tombstones have had their say: it follows its
/// person into a merge (keeping its id and stamp) and goes with a deleted
/// or erased person.
fn settle_consent(tombs: &Tombs<'_>, mut entry: ConsentEntry) -> Option<ConsentEntry> {
    entry.person = fate(tombs, entry.person)?;
    Some(entry)
}

/// Of two versions of one ledger entry (they differ only where a merge
/// moved one of them), the one every register picks: the larger stamp,
/// then the larger person id.
fn consent_winner(a: ConsentEntry, b: ConsentEntry) -> ConsentEntry {
    if (b.stamp, b.person) > (a.stamp, a.person) {
        b
    } else {
        a
    }
}

/// The consent config as canonical text, to order two configs with one
/// stamp the same way everywhere.
fn consent_config_text(c: &ConsentConfig) -> String {
    let mut newsletters: Vec<_> = c.newsletters.iter().collect();
    newsletters.sort_by_key(|n| n.id);
    let mut out = String::new();
    for p in super::consent::Purpose::FIXED {
        out.push_str(&format!("b\t{}\t{}\n", p.key(), c.basis(&p).key()));
    }
    for n in newsletters {
        out.push_str(&format!("n\t{}\t{}\t{}\t{}\t{}\n", n.id, n.channel.key(), n.basis.key(), n.retired, n.name));
    }
    out
}

/// Joins two consent configs: the newer one's bases and newsletters, plus
/// the other's newsletters it lacks (newsletters are never removed: the
/// ledger may refer to them; then in id order).
fn merge_consent_config(local: &ConsentConfig, incoming: &ConsentConfig) -> ConsentConfig {
    let rank = |c: &ConsentConfig| (c.stamp, consent_config_text(c));
    let (winner, other) = if rank(incoming) > rank(local) { (incoming, local) } else { (local, incoming) };
    let mut out = winner.clone();
    let mut joined = false;
    for n in &other.newsletters {
        if !out.newsletters.iter().any(|x| x.id == n.id) {
            out.newsletters.push(n.clone());
            joined = true;
        }
    }
    if joined {
        out.newsletters.sort_by_key(|n| n.id);
    }
    out
}

/// A person without links to deleted organisations.
fn settle_person(tombs: &Tombs<'_>, mut person: Person) -> Person {
    person.affiliations.retain(|a| !tombs.has(EntityRef::Org(a.org)));
    person
}

/// The settings as canonical text (without the local user name), to order
/// two settings with one stamp the same way everywhere: the country code,
/// then one line per category (by key), custom field (by id) and segment
/// (by id). `docs/bundle-format.md` spells it out.
fn settings_text(s: &Settings) -> String {
    let mut out = format!("{}\n", s.country_code);
    let mut categories: Vec<_> = s.categories.iter().collect();
    categories.sort_by(|a, b| a.key.cmp(&b.key));
    for c in categories {
        out.push_str(&format!("c\t{}\t{}\n", c.key.as_str(), c.name));
    }
    let mut fields: Vec<_> = s.fields.iter().collect();
    fields.sort_by_key(|f| f.id);
    for f in fields {
        let choices = match &f.kind {
            super::settings::FieldKind::Choice(c) => c.join("\u{1f}"),
            _ => String::new(),
        };
        out.push_str(&format!("f\t{}\t{}\t{}\t{}\t{choices}\n", f.id, f.kind.key(), f.required, f.name));
    }
    let mut segments: Vec<_> = s.segments.iter().collect();
    segments.sort_by_key(|g| g.id);
    for g in segments {
        let f = &g.filter;
        let categories: Vec<&str> = f.categories.iter().map(CategoryKey::as_str).collect();
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "s\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            g.id,
            g.name,
            f.text,
            categories.join(","),
            f.org.map(|o| o.to_string()).unwrap_or_default(),
            f.tag.clone().unwrap_or_default(),
            date(f.last_event_before),
            date(f.last_event_after),
        ));
    }
    out
}

/// Joins two settings: the newer one's values and definitions, plus the
/// other's definitions it lacks (then every list in key or id order). The
/// user name stays `local`'s.
fn merge_settings(local: &Settings, incoming: &Settings) -> Settings {
    let rank = |s: &Settings| (s.stamp, settings_text(s));
    let (winner, other) = if rank(incoming) > rank(local) { (incoming, local) } else { (local, incoming) };
    let mut out = winner.clone();
    let mut joined = false;
    for c in &other.categories {
        if !out.categories.iter().any(|x| x.key == c.key) {
            out.categories.push(c.clone());
            joined = true;
        }
    }
    for f in &other.fields {
        if !out.fields.iter().any(|x| x.id == f.id) {
            out.fields.push(f.clone());
            joined = true;
        }
    }
    for g in &other.segments {
        if !out.segments.iter().any(|x| x.id == g.id) {
            out.segments.push(g.clone());
            joined = true;
        }
    }
    if joined {
        // Joined lists take one order whatever the order of the imports:
        // by key and id (both made from UUIDv7, so in order of creation).
        out.categories.sort_by(|a, b| a.key.cmp(&b.key));
        out.fields.sort_by_key(|f| f.id);
        out.segments.sort_by_key(|g| g.id);
    }
    out.user_name = local.user_name.clone();
    out
}

fn settings_sections(old: &Settings, new: &Settings) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if old.country_code != new.country_code {
        changed.push("country_code");
    }
    if old.categories != new.categories {
        changed.push("categories");
    }
    if old.fields != new.fields {
        changed.push("fields");
    }
    if old.segments != new.segments {
        changed.push("segments");
    }
    changed
}

fn event_dietary(record: &Record) -> Option<&Option<String>> {
    match &record.kind {
        RecordKind::Event(e) => Some(&e.dietary),
        _ => None,
    }
}

fn set_dietary(record: &mut Record, dietary: Option<String>) {
    if let RecordKind::Event(e) = &mut record.kind {
        e.dietary = dietary;
    }
}

impl Register {
    // ----- export -----

    /// What an export of this scope holds, as of `now`. Reading only: the
    /// register does not change (record the disclosure with
    /// [`super::Command::RecordDisclosure`]).
    pub fn export_snapshot(&self, scope: &ExportScope, now: DateTime<Utc>) -> Snapshot {
        let mut people: Vec<Person> =
            self.people.values().filter(|p| scope.includes_person(p)).map(|p| scope.trim_person(p)).collect();
        people.sort_by_key(|p| p.id);
        let ids: BTreeSet<PersonId> = people.iter().map(|p| p.id).collect();
        let mut records: Vec<Record> = self
            .records
            .values()
            .filter(|r| ids.contains(&r.person) && scope.includes_record_kind(&r.kind))
            .cloned()
            .map(|mut r| {
                if !scope.dietary {
                    set_dietary(&mut r, None);
                }
                r
            })
            .collect();
        records.sort_by_key(|r| r.id);
        let mut orgs: Vec<Organisation> = if scope.categories.is_none() {
            self.orgs.values().cloned().collect()
        } else {
            let wanted: BTreeSet<OrgId> = people
                .iter()
                .flat_map(|p| p.affiliations.iter().map(|a| a.org))
                .chain(records.iter().filter_map(|r| r.org))
                .collect();
            wanted.into_iter().filter_map(|id| self.orgs.get(&id).cloned()).collect()
        };
        orgs.sort_by_key(|o| o.id);
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
        Snapshot {
            device: self.device,
            clock: self.clock,
            exported_at: now,
            seen: self.seen(),
            scope: scope.clone(),
            settings: Some(Settings { user_name: String::new(), ..self.settings.clone() }),
            people,
            orgs,
            records,
            tombstones,
            disclosures,
            consents,
            consent_config: Some(self.consent_config.clone()),
            description: self.gdpr.description.clone(),
            requests: if scope.is_everything() { self.gdpr.requests.values().cloned().collect() } else { Vec::new() },
        }
    }

    // ----- import -----

    /// What importing `incoming` would change, and its conflicts with their
    /// default winners. The register does not change.
    pub fn preview_import(&self, incoming: &Snapshot) -> ImportPreview {
        let merge = self.merge(incoming, None);
        let mut preview = ImportPreview {
            from: incoming.device,
            exported_at: incoming.exported_at,
            scope: incoming.scope.clone(),
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
        preview.conflicts = merge.conflicts;
        preview
    }

    /// The changes that import `incoming`, with the user's picks for
    /// conflicts: write them in one transaction, then [`Register::apply`].
    /// Importing what is already here plans nothing. Fails (changing
    /// nothing) when a pick names a conflict that no longer exists: the
    /// register changed since the preview; preview again.
    pub fn plan_import(&self, incoming: &Snapshot, choices: &Choices, env: &mut Env<'_>) -> Result<Plan, CommandError> {
        if !env.actor.level.may_edit() {
            return Err(CommandError::NotAllowed);
        }
        let observed = self.clock.max(incoming.max_stamp());
        let stamp = observed.next(env.now.timestamp_millis().max(0) as u64, self.device);
        let merge = self.merge(incoming, Some(Picks { choices, stamp, now: env.now }));
        let stale: Vec<FieldError> = choices
            .keys()
            .filter(|key| !merge.conflicts.iter().any(|c| &c.key == *key))
            .map(|key| FieldError::new(format!("conflicts.{}", key.entity.kind()), Problem::Missing))
            .collect();
        if !stale.is_empty() {
            return Err(CommandError::Invalid(stale));
        }

        let mut changes = Vec::new();
        let mut audits: Vec<(AuditAction, EntityRef, Vec<String>, &str)> = Vec::new();
        let actor = env.actor.name.as_str();
        let affected = merge.people.values().filter(|t| t.changed()).count()
            + merge.orgs.values().filter(|t| t.changed()).count()
            + merge.records.values().filter(|t| t.changed()).count();

        if let Some((settings, sections)) = &merge.settings {
            changes.push(Change::PutSettings(settings.clone()));
            audits.push((
                AuditAction::Imported,
                EntityRef::Settings,
                sections.iter().map(|s| (*s).to_owned()).collect(),
                actor,
            ));
        }
        if let Some(config) = &merge.consent_config {
            changes.push(Change::PutConsentConfig(config.clone()));
            audits.push((AuditAction::Imported, EntityRef::Settings, vec!["consent_config".into()], actor));
        }
        if let Some(description) = &merge.description {
            changes.push(Change::PutDescription(Box::new(description.clone())));
            audits.push((AuditAction::Imported, EntityRef::Settings, vec!["register_description".into()], actor));
        }
        if !merge.requests.is_empty() {
            changes.extend(merge.requests.iter().cloned().map(Change::PutRequest));
            audits.push((AuditAction::Imported, EntityRef::Settings, vec!["requests".into()], actor));
        }
        let mut removals = Vec::new();
        // What is new here is counted in one entry (an import of a whole
        // register would otherwise write one entry per person, organisation
        // and record); changes and deletions of what was here are audited
        // one by one.
        let mut added = [0usize; 3];
        for (id, t) in &merge.orgs {
            match (&t.before, &t.after) {
                (None, Some(after)) if t.changed() => {
                    changes.push(Change::PutOrg(after.clone()));
                    added[1] += 1;
                }
                (Some(before), Some(after)) if t.changed() => {
                    changes.push(Change::PutOrg(after.clone()));
                    let fields = before.changed_fields(after);
                    audits.push((AuditAction::Imported, EntityRef::Org(*id), strs(&fields), actor));
                }
                (Some(_), None) => {
                    removals.push(Change::RemoveOrg(*id));
                    audits.push((AuditAction::ImportDeleted, EntityRef::Org(*id), vec![], actor));
                }
                _ => {}
            }
            if !t.picked.is_empty() {
                audits.push((AuditAction::Updated, EntityRef::Org(*id), t.picked.clone(), actor));
            }
        }
        for (id, t) in &merge.people {
            match (&t.before, &t.after) {
                (None, Some(after)) if t.changed() => {
                    changes.push(Change::PutPerson(after.clone()));
                    added[0] += 1;
                }
                (Some(before), Some(after)) if t.changed() => {
                    changes.push(Change::PutPerson(after.clone()));
                    let fields = before.changed_fields(after);
                    audits.push((
                        AuditAction::Imported,
                        EntityRef::Person(*id),
                        fields.iter().map(PersonField::key).collect(),
                        actor,
                    ));
                }
                (Some(_), None) => {
                    removals.push(Change::RemovePerson(*id));
                    audits.push((AuditAction::ImportDeleted, EntityRef::Person(*id), vec![], actor));
                }
                _ => {}
            }
            if !t.picked.is_empty() {
                audits.push((AuditAction::Updated, EntityRef::Person(*id), t.picked.clone(), actor));
            }
        }
        for (id, t) in &merge.records {
            match (&t.before, &t.after) {
                (None, Some(after)) if t.changed() => {
                    changes.push(Change::PutRecord(after.clone()));
                    added[2] += 1;
                }
                (Some(before), Some(after)) if t.changed() => {
                    changes.push(Change::PutRecord(after.clone()));
                    let fields = record_fields(before, after);
                    audits.push((AuditAction::Imported, EntityRef::Record(*id), strs(&fields), actor));
                }
                (Some(_), None) => {
                    removals.push(Change::RemoveRecord(*id));
                    audits.push((AuditAction::ImportDeleted, EntityRef::Record(*id), vec![], actor));
                }
                _ => {}
            }
            if !t.picked.is_empty() {
                audits.push((AuditAction::Updated, EntityRef::Record(*id), t.picked.clone(), actor));
            }
        }
        let mut consent_people = BTreeSet::new();
        for (id, t) in &merge.consents {
            match (&t.before, &t.after) {
                (_, Some(after)) if t.changed() => {
                    changes.push(Change::PutConsent(after.clone()));
                    consent_people.insert(after.person);
                }
                (Some(_), None) => removals.push(Change::RemoveConsent(*id)),
                _ => {}
            }
        }
        for person in consent_people.into_iter().filter(|p| self.people.contains_key(p)) {
            audits.push((AuditAction::Imported, EntityRef::Person(person), vec!["consents".into()], actor));
        }
        let counts: Vec<String> = ["people", "organisations", "records"]
            .iter()
            .zip(added)
            .filter(|(_, n)| *n > 0)
            .map(|(kind, n)| format!("{ADDED_PREFIX}{kind}:{n}"))
            .collect();
        if !counts.is_empty() {
            audits.push((AuditAction::Imported, EntityRef::Settings, counts, actor));
        }
        // Records go before their people, people before organisations.
        removals.sort_by_key(|c| match c {
            Change::RemoveRecord(_) => 0,
            Change::RemovePerson(_) => 1,
            _ => 2,
        });
        changes.extend(removals);
        changes.extend(merge.tombstones.into_values().map(Change::PutTombstone));
        changes.extend(merge.disclosures.into_iter().map(Change::PutDisclosure));
        let quiet = changes.is_empty();
        if let Some(seen) = merge.seen {
            changes.push(Change::Seen(seen));
        }
        if quiet {
            // Nothing but news of what the sender has seen: note it, and
            // observe the sender's clock without a stamp of our own (a
            // stamp of our own would be news to the sender in turn).
            if !changes.is_empty() && observed > self.clock {
                changes.push(Change::Clock(observed));
            }
            return Ok(Plan { changes, created: None, affected: 0 });
        }
        for (seq, (action, entity, fields, actor)) in audits.into_iter().enumerate() {
            changes.push(Change::Audit(AuditEntry {
                key: AuditEntry::key_for(stamp, seq),
                at: env.now,
                actor: actor.to_owned(),
                action,
                entity,
                fields,
            }));
        }
        changes.push(Change::Clock(stamp));
        Ok(Plan { changes, created: None, affected })
    }

    /// What this register has seen from a device.
    fn seen_from(&self, device: DeviceId) -> Stamp {
        if device == self.device {
            self.clock
        } else {
            self.seen.get(&device).copied().unwrap_or(Stamp::ZERO)
        }
    }

    /// Whether both sides changed something since they last met: `ours`
    /// is new to the sender, `theirs` new to us.
    fn concurrent(&self, incoming: &Snapshot, ours: Stamp, theirs: Stamp) -> bool {
        ours != theirs && theirs > self.seen_from(theirs.device) && ours > incoming.seen_from(ours.device)
    }

    fn merge(&self, incoming: &Snapshot, picks: Option<Picks<'_>>) -> Merge {
        let mut tombs = Tombs { local: &self.tombstones, new: BTreeMap::new() };
        for t in &incoming.tombstones {
            if t.entity == EntityRef::Settings {
                continue;
            }
            let wins = match tombs.get(t.entity) {
                None => true,
                Some(old) => beats(t, old),
            };
            if wins {
                tombs.new.insert(t.entity, t.clone());
            }
        }
        let mut conflicts = Vec::new();
        let pick = |key: &ConflictKey| picks.as_ref().and_then(|p| p.choices.get(key).copied());

        // Organisations: whole, the newer wins.
        let mut orgs: BTreeMap<OrgId, Touched<Organisation>> = BTreeMap::new();
        for inc in &incoming.orgs {
            let before = self.orgs.get(&inc.id).cloned();
            let mut picked = Vec::new();
            let after = if tombs.has(EntityRef::Org(inc.id)) {
                None
            } else {
                Some(match &before {
                    None => inc.clone(),
                    Some(local) => {
                        let winner = if inc.stamp > local.stamp { Side::Incoming } else { Side::Local };
                        let key = ConflictKey { entity: EntityRef::Org(inc.id), field: None };
                        let mut chosen = winner;
                        if local != inc && self.concurrent(incoming, local.stamp, inc.stamp) {
                            chosen = pick(&key).unwrap_or(winner);
                            conflicts.push(Conflict {
                                key,
                                local: Entity::Org(local.clone()),
                                incoming: Entity::Org(inc.clone()),
                                winner,
                            });
                        }
                        let mut out = if chosen == Side::Incoming { inc.clone() } else { local.clone() };
                        if let (true, Some(p)) = (chosen != winner, &picks) {
                            out.stamp = p.stamp;
                            out.updated = p.now;
                            picked = local.changed_fields(inc).into_iter().map(str::to_owned).collect();
                        }
                        out
                    }
                })
            };
            orgs.insert(inc.id, Touched { before, after, in_bundle: true, picked });
        }
        for entity in tombs.new.keys() {
            if let EntityRef::Org(id) = entity {
                if let Some(local) = self.orgs.get(id) {
                    orgs.entry(*id).or_insert_with(|| Touched {
                        before: Some(local.clone()),
                        after: None,
                        in_bundle: false,
                        picked: vec![],
                    });
                }
            }
        }

        // People: field by field, the newer wins.
        let mut people: BTreeMap<PersonId, Touched<Person>> = BTreeMap::new();
        for inc in &incoming.people {
            let before = self.people.get(&inc.id).cloned();
            let mut picked = Vec::new();
            let after = if tombs.has(EntityRef::Person(inc.id)) {
                None
            } else {
                Some(match &before {
                    None => inc.clone(),
                    Some(local) => self.merge_person(local, inc, incoming, picks.as_ref(), &mut conflicts, &mut picked),
                })
            };
            people.insert(inc.id, Touched { before, after, in_bundle: true, picked });
        }
        let new_entities: Vec<EntityRef> = tombs.new.keys().copied().collect();
        for entity in &new_entities {
            match entity {
                EntityRef::Person(id) => {
                    if let Some(local) = self.people.get(id) {
                        let t = people.entry(*id).or_insert_with(|| Touched {
                            before: Some(local.clone()),
                            after: None,
                            in_bundle: false,
                            picked: vec![],
                        });
                        t.after = None;
                    }
                }
                EntityRef::Org(org) => {
                    for member in self.members(*org) {
                        let Some(local) = self.people.get(&member) else { continue };
                        people.entry(member).or_insert_with(|| Touched {
                            before: Some(local.clone()),
                            after: Some(local.clone()),
                            in_bundle: false,
                            picked: vec![],
                        });
                    }
                }
                _ => {}
            }
        }
        for t in people.values_mut() {
            t.after = t.after.take().map(|p| settle_person(&tombs, p));
        }

        // Records: whole, the newer wins; then the tombstones settle them.
        let mut records: BTreeMap<RecordId, Touched<Record>> = BTreeMap::new();
        for inc in &incoming.records {
            let before = self.records.get(&inc.id).cloned();
            let mut picked = Vec::new();
            let after = if tombs.has(EntityRef::Record(inc.id)) {
                None
            } else {
                let mut inc = inc.clone();
                if !incoming.scope.dietary {
                    // Left out, not removed: keep ours.
                    if let Some(dietary) = before.as_ref().and_then(event_dietary) {
                        set_dietary(&mut inc, dietary.clone());
                    }
                }
                Some(match &before {
                    None => inc,
                    Some(local) => {
                        let winner = record_winner(local, &inc);
                        let key = ConflictKey { entity: EntityRef::Record(inc.id), field: None };
                        let mut chosen = winner;
                        if *local != inc && self.concurrent(incoming, local.stamp, inc.stamp) {
                            chosen = pick(&key).unwrap_or(winner);
                            conflicts.push(Conflict {
                                key,
                                local: Entity::Record(local.clone()),
                                incoming: Entity::Record(inc.clone()),
                                winner,
                            });
                        }
                        let mut out = if chosen == Side::Incoming { inc.clone() } else { local.clone() };
                        if let (true, Some(p)) = (chosen != winner, &picks) {
                            out.stamp = p.stamp;
                            out.updated = p.now;
                            picked = record_fields(local, &inc).into_iter().map(str::to_owned).collect();
                        }
                        out
                    }
                })
            };
            records.insert(inc.id, Touched { before, after, in_bundle: true, picked });
        }
        for entity in &new_entities {
            let local: Vec<&Record> = match entity {
                EntityRef::Person(id) => self.records_of(*id),
                EntityRef::Org(id) => self.records_of_org(*id),
                EntityRef::Record(id) => self.records.get(id).into_iter().collect(),
                EntityRef::Settings => vec![],
            };
            for r in local {
                records.entry(r.id).or_insert_with(|| Touched {
                    before: Some(r.clone()),
                    after: Some(r.clone()),
                    in_bundle: false,
                    picked: vec![],
                });
            }
        }
        for (id, t) in records.iter_mut() {
            if tombs.has(EntityRef::Record(*id)) {
                t.after = None;
            }
            t.after = t.after.take().and_then(|r| settle_record(&tombs, r));
        }

        // Settings: definitions joined, the rest from the newer.
        let settings = incoming.settings.as_ref().and_then(|inc| {
            let merged = merge_settings(&self.settings, inc);
            let changed = merged != self.settings;
            changed.then(|| {
                let sections = settings_sections(&self.settings, &merged);
                (merged, sections)
            })
        });

        // Consent entries: a union by id; the tombstones settle them.
        let mut consents: BTreeMap<ConsentId, Touched<ConsentEntry>> = BTreeMap::new();
        for inc in &incoming.consents {
            let before = self.consents.get(&inc.id).cloned();
            let ours = before.clone().and_then(|e| settle_consent(&tombs, e));
            let after = match (ours, settle_consent(&tombs, inc.clone())) {
                (Some(a), Some(b)) => Some(consent_winner(a, b)),
                (a, b) => a.or(b),
            };
            consents.insert(inc.id, Touched { before, after, in_bundle: true, picked: vec![] });
        }
        for entity in &new_entities {
            if let EntityRef::Person(id) = entity {
                for entry in self.consents_of(*id) {
                    consents.entry(entry.id).or_insert_with(|| Touched {
                        before: Some(entry.clone()),
                        after: settle_consent(&tombs, entry.clone()),
                        in_bundle: false,
                        picked: vec![],
                    });
                }
            }
        }
        let consent_config = incoming.consent_config.as_ref().and_then(|inc| {
            let merged = merge_consent_config(&self.consent_config, inc);
            (merged != self.consent_config).then_some(merged)
        });

        let disclosures: Vec<Disclosure> =
            incoming.disclosures.iter().filter(|d| !self.disclosures.contains_key(&d.id)).cloned().collect();
        let description =
            super::gdpr::merged_description(self.gdpr.description.as_ref(), incoming.description.as_ref());
        let requests = super::gdpr::merged_requests(self, &incoming.requests);

        // Only a complete bundle tells everything its sender has seen.
        let seen = incoming.scope.is_everything().then(|| {
            let mut seen = self.seen.clone();
            let theirs = incoming.seen.iter().map(|(d, s)| (*d, *s)).chain([(incoming.device, incoming.clock)]);
            for (device, stamp) in theirs {
                if device != self.device {
                    let entry = seen.entry(device).or_insert(stamp);
                    *entry = (*entry).max(stamp);
                }
            }
            seen
        });
        let seen = seen.filter(|s| *s != self.seen);

        conflicts.sort_by(|a, b| a.key.cmp(&b.key));
        Merge {
            people,
            orgs,
            records,
            tombstones: tombs.new,
            settings,
            disclosures,
            consents,
            consent_config,
            description,
            requests,
            seen,
            conflicts,
        }
    }

    /// One person merged field by field.
    fn merge_person(
        &self,
        local: &Person,
        inc: &Person,
        incoming: &Snapshot,
        picks: Option<&Picks<'_>>,
        conflicts: &mut Vec<Conflict>,
        picked: &mut Vec<String>,
    ) -> Person {
        let mut out = local.clone();
        let fields: BTreeSet<&PersonField> = local.stamps.keys().chain(inc.stamps.keys()).collect();
        for field in fields {
            let Some(theirs) = inc.stamps.get(field).copied() else { continue };
            let ours = local.stamps.get(field).copied();
            let winner = match ours {
                Some(ours) if ours >= theirs => Side::Local,
                _ => Side::Incoming,
            };
            let mut chosen = winner;
            if let Some(ours) = ours {
                if !local.same_field(inc, field) && self.concurrent(incoming, ours, theirs) {
                    let key = ConflictKey { entity: EntityRef::Person(local.id), field: Some(field.clone()) };
                    chosen = picks.and_then(|p| p.choices.get(&key).copied()).unwrap_or(winner);
                    conflicts.push(Conflict {
                        key,
                        local: Entity::Person(local.clone()),
                        incoming: Entity::Person(inc.clone()),
                        winner,
                    });
                }
            }
            if chosen == Side::Incoming {
                out.take_field(inc, field);
                out.stamps.insert(field.clone(), theirs);
            }
            if let (true, Some(p)) = (chosen != winner, picks) {
                // The user's pick is a new edit here, so that it travels on.
                out.stamps.insert(field.clone(), p.stamp);
                out.updated = p.now;
                picked.push(field.key());
            }
        }
        out.created = local.created.min(inc.created);
        out.updated = out.updated.max(inc.updated);
        super::gdpr::settle_erased_entry(&mut out);
        out
    }
}

fn strs(fields: &[&'static str]) -> Vec<String> {
    fields.iter().map(|s| (*s).to_owned()).collect()
}

/// The names of a record's fields that differ, for the audit log.
fn record_fields(old: &Record, new: &Record) -> Vec<&'static str> {
    let mut fields = old.kind.changed_fields(&new.kind);
    if old.org != new.org {
        fields.push("organisation");
    }
    if old.person != new.person {
        fields.push("person");
    }
    fields
}
