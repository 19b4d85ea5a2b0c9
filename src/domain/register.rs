//! The register in memory: people, organisations, relationship records,
//! tombstones and settings, with the indexes that make it fast to read.
//!
//! It changes in two steps. [`Register::plan`] (in `commands.rs`) checks a
//! command and returns the [`Change`]s it makes, without touching the
//! register; the host writes them to storage in one transaction; then
//! [`Register::apply`] makes them true in memory. So a failed write leaves
//! both storage and memory as they were.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::audit::{AuditEntry, EntityRef};
use super::consent::{ConsentConfig, ConsentEntry};
use super::disclosure::{Disclosure, DisclosureId};
use super::ids::{ConsentId, DeviceId, OrgId, PersonId, RecordId, Stamp};
use super::org::Organisation;
use super::person::Person;
use super::record::Record;
use super::search::{Filter, SearchIndex, Searchable};
use super::settings::{CustomValue, Settings};
use super::text::{fold, Collator};

/// One thing a command changes. A command's changes are written together.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    PutPerson(Person),
    RemovePerson(PersonId),
    PutOrg(Organisation),
    RemoveOrg(OrgId),
    PutRecord(Record),
    RemoveRecord(RecordId),
    PutTombstone(Tombstone),
    PutSettings(Settings),
    Audit(AuditEntry),
    /// The register's clock after the command.
    Clock(Stamp),
    /// The latest stamp seen from each other device, after an import (the
    /// whole vector; applying it keeps the larger stamp per device).
    Seen(BTreeMap<DeviceId, Stamp>),
    /// A new entry in the disclosure log (entries never change).
    PutDisclosure(Disclosure),
    /// An entry of the consent ledger: a new one, or one that follows its
    /// person into a merge.
    PutConsent(ConsentEntry),
    /// A ledger entry removed with its person (deleted or erased).
    RemoveConsent(ConsentId),
    /// The organisation's newsletters and the purposes' legal bases.
    PutConsentConfig(ConsentConfig),
    /// The register description (the GDPR desk's settings), whole.
    PutDescription(Box<super::gdpr::RegisterDescription>),
    /// A rights request, new or changed.
    PutRequest(super::gdpr::Request),
}

/// What is left of an entity that was deleted, merged away or erased, so
/// that no later import brings it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tombstone {
    pub entity: EntityRef,
    pub stamp: Stamp,
    pub reason: TombstoneReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TombstoneReason {
    Deleted,
    MergedInto(PersonId),
    Erased,
}

/// Above this many people in one `apply`, the search index is rebuilt
/// once instead of updated for each.
const BULK_PEOPLE: usize = 2_000;

/// Everything the register is made of, as storage hands it over.
#[derive(Default)]
pub struct Parts {
    pub people: Vec<Person>,
    pub orgs: Vec<Organisation>,
    pub records: Vec<Record>,
    pub tombstones: Vec<Tombstone>,
    pub settings: Option<Settings>,
    pub clock: Option<Stamp>,
}

pub struct Register {
    pub(crate) people: HashMap<PersonId, Person>,
    pub(crate) orgs: HashMap<OrgId, Organisation>,
    pub(crate) records: HashMap<RecordId, Record>,
    pub(crate) tombstones: HashMap<EntityRef, Tombstone>,
    pub(crate) settings: Settings,
    pub(crate) device: DeviceId,
    pub(crate) clock: Stamp,
    /// The latest stamp seen from each other device (this device's own
    /// entry is `clock`).
    pub(crate) seen: BTreeMap<DeviceId, Stamp>,
    pub(crate) disclosures: BTreeMap<DisclosureId, Disclosure>,
    pub(crate) consents: HashMap<ConsentId, ConsentEntry>,
    pub(crate) consents_by_person: HashMap<PersonId, BTreeSet<ConsentId>>,
    pub(crate) consent_config: ConsentConfig,
    pub(crate) gdpr: super::gdpr::GdprData,
    pub(crate) collator: Box<dyn Collator>,
    index: SearchIndex,
    records_by_person: HashMap<PersonId, BTreeSet<RecordId>>,
    members: HashMap<OrgId, BTreeSet<PersonId>>,
    by_email: HashMap<String, BTreeSet<PersonId>>,
}

impl Register {
    /// An empty register for a device.
    pub fn new(device: DeviceId, collator: Box<dyn Collator>) -> Self {
        Register::from_parts(Parts::default(), device, collator)
    }

    /// Builds the register and its indexes from what storage loaded.
    pub fn from_parts(parts: Parts, device: DeviceId, collator: Box<dyn Collator>) -> Self {
        let mut reg = Register {
            people: parts.people.into_iter().map(|p| (p.id, p)).collect(),
            orgs: parts.orgs.into_iter().map(|o| (o.id, o)).collect(),
            records: HashMap::new(),
            tombstones: parts.tombstones.into_iter().map(|t| (t.entity, t)).collect(),
            settings: parts.settings.unwrap_or_default(),
            device,
            clock: parts.clock.unwrap_or(Stamp::ZERO),
            seen: BTreeMap::new(),
            disclosures: BTreeMap::new(),
            consents: HashMap::new(),
            consents_by_person: HashMap::new(),
            consent_config: ConsentConfig::default(),
            gdpr: Default::default(),
            collator,
            index: SearchIndex::default(),
            records_by_person: HashMap::new(),
            members: HashMap::new(),
            by_email: HashMap::new(),
        };
        reg.add_records(parts.records);
        // Indexed from the people taken out for a moment, not from copies.
        let people = std::mem::take(&mut reg.people);
        for person in people.values() {
            reg.index_person_links(person);
        }
        reg.people = people;
        // The order is all the list needs; the searchable texts are made
        // by the first search, or by `prepare_search` before it.
        reg.index = SearchIndex::order(reg.people.values(), reg.collator.as_ref());
        reg
    }

    /// Makes what a search reads, if it is not made yet, so that the first
    /// search as the user types is as quick as the rest. Opening a register
    /// leaves this for after the list is shown.
    pub fn prepare_search(&self) {
        self.index.fill_texts(self.search_source());
    }

    /// Whether what a search reads is made (see [`Register::prepare_search`]).
    pub fn search_ready(&self) -> bool {
        self.index.has_texts()
    }

    /// What the search index reads of a person, by id.
    fn search_source<'a>(&'a self) -> impl FnMut(PersonId) -> Option<Searchable<'a>> + 'a {
        |id| self.people.get(&id).map(|p| searchable(&self.orgs, p))
    }

    /// Adds relationship records read from storage after the rest of the
    /// register (the list can be shown before they are all read). The same
    /// as having had them in [`Parts`]; a record already here is replaced.
    pub fn add_records(&mut self, records: Vec<Record>) {
        self.records.reserve(records.len());
        for record in records {
            if let Some(old) = self.records.remove(&record.id) {
                self.unindex_record(&old);
            }
            self.index_record(&record);
            self.records.insert(record.id, record);
        }
    }

    // ----- reading -----

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    pub fn clock(&self) -> Stamp {
        self.clock
    }

    /// The latest stamp seen from each device, this one's included (its
    /// clock): what a bundle from here tells colleagues it has seen.
    pub fn seen(&self) -> BTreeMap<DeviceId, Stamp> {
        let mut seen = self.seen.clone();
        seen.insert(self.device, self.clock);
        seen
    }

    /// The disclosure log, oldest first.
    pub fn disclosures(&self) -> Vec<&Disclosure> {
        let mut list: Vec<&Disclosure> = self.disclosures.values().collect();
        list.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        list
    }

    /// The disclosures that included a person's data, oldest first.
    pub fn disclosures_of(&self, person: PersonId) -> Vec<&Disclosure> {
        self.disclosures().into_iter().filter(|d| d.includes(person)).collect()
    }

    pub fn person(&self, id: PersonId) -> Option<&Person> {
        self.people.get(&id)
    }

    pub fn org(&self, id: OrgId) -> Option<&Organisation> {
        self.orgs.get(&id)
    }

    pub fn record(&self, id: RecordId) -> Option<&Record> {
        self.records.get(&id)
    }

    pub fn tombstone(&self, entity: EntityRef) -> Option<&Tombstone> {
        self.tombstones.get(&entity)
    }

    pub fn people_count(&self) -> usize {
        self.people.len()
    }

    pub fn org_count(&self) -> usize {
        self.orgs.len()
    }

    pub fn record_count(&self) -> usize {
        self.records.len()
    }

    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.people.values()
    }

    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.values()
    }

    pub fn orgs(&self) -> impl Iterator<Item = &Organisation> {
        self.orgs.values()
    }

    pub fn tombstones(&self) -> impl Iterator<Item = &Tombstone> {
        self.tombstones.values()
    }

    /// Everyone, in name order.
    pub fn people_in_order(&self) -> Vec<PersonId> {
        self.index.all().collect()
    }

    /// Organisations in name order.
    pub fn orgs_in_order(&self) -> Vec<&Organisation> {
        let mut orgs: Vec<&Organisation> = self.orgs.values().collect();
        orgs.sort_by(|a, b| self.collator.compare(&a.name, &b.name).then(a.id.cmp(&b.id)));
        orgs
    }

    /// The organisation with this name (case and accents ignored).
    pub fn org_by_name(&self, name: &str) -> Option<&Organisation> {
        let wanted = fold(name);
        self.orgs.values().find(|o| fold(&o.name) == wanted)
    }

    /// The people linked to an organisation, in name order.
    pub fn members(&self, org: OrgId) -> Vec<PersonId> {
        let Some(set) = self.members.get(&org) else { return Vec::new() };
        let mut ids: Vec<PersonId> = set.iter().copied().collect();
        ids.sort_by(|a, b| self.compare_people(*a, *b));
        ids
    }

    /// A person's relationship records, newest first.
    pub fn records_of(&self, person: PersonId) -> Vec<&Record> {
        let mut list: Vec<&Record> =
            self.records_by_person.get(&person).into_iter().flatten().filter_map(|id| self.records.get(id)).collect();
        list.sort_by(|a, b| b.kind.date().cmp(&a.kind.date()).then(b.created.cmp(&a.created)));
        list
    }

    /// The records made with an organisation, newest first.
    pub fn records_of_org(&self, org: OrgId) -> Vec<&Record> {
        let mut list: Vec<&Record> = self.records.values().filter(|r| r.org == Some(org)).collect();
        list.sort_by_key(|r| std::cmp::Reverse(r.kind.date()));
        list
    }

    /// The date of the person's last customer event (contracts, orders,
    /// assignments, tickets, feedback, training), if any.
    pub fn last_customer_event(&self, person: PersonId) -> Option<NaiveDate> {
        self.records_by_person
            .get(&person)?
            .iter()
            .filter_map(|id| self.records.get(id))
            .filter_map(|r| r.kind.customer_event_date())
            .max()
    }

    /// The people who have this e-mail address (case ignored), but `except`.
    pub fn email_owners(&self, email: &str, except: Option<PersonId>) -> Vec<PersonId> {
        self.by_email
            .get(&email.trim().to_lowercase())
            .into_iter()
            .flatten()
            .copied()
            .filter(|id| Some(*id) != except)
            .collect()
    }

    /// The people who match a filter, best match first (name order when
    /// there is no text to rank by).
    pub fn search(&self, filter: &Filter) -> Vec<PersonId> {
        if filter.is_text_only() {
            return self.index.search(&filter.text, |_| true, self.search_source());
        }
        let tag = filter.tag.as_deref().map(fold);
        let keep = |id: PersonId| {
            let Some(p) = self.people.get(&id) else { return false };
            if !filter.categories.is_empty() && filter.categories.is_disjoint(&p.categories) {
                return false;
            }
            if let Some(org) = filter.org {
                if !p.affiliations.iter().any(|a| a.org == org) {
                    return false;
                }
            }
            if let Some(tag) = &tag {
                if !p.tags.iter().any(|t| &fold(t) == tag) {
                    return false;
                }
            }
            if filter.last_event_before.is_some() || filter.last_event_after.is_some() {
                let Some(last) = self.last_customer_event(id) else { return false };
                if filter.last_event_before.is_some_and(|d| last > d)
                    || filter.last_event_after.is_some_and(|d| last < d)
                {
                    return false;
                }
            }
            true
        };
        self.index.search(&filter.text, keep, self.search_source())
    }

    /// Every tag in use, in order.
    pub fn tags(&self) -> Vec<String> {
        let mut tags: Vec<String> =
            self.people.values().flat_map(|p| p.tags.iter().cloned()).collect::<BTreeSet<_>>().into_iter().collect();
        tags.sort_by(|a, b| self.collator.compare(a, b));
        tags
    }

    pub(crate) fn compare_people(&self, a: PersonId, b: PersonId) -> std::cmp::Ordering {
        match (self.people.get(&a), self.people.get(&b)) {
            (Some(pa), Some(pb)) => self.collator.compare(&pa.sort_name(), &pb.sort_name()).then(a.cmp(&b)),
            _ => a.cmp(&b),
        }
    }

    // ----- changing -----

    /// Makes written changes true in memory. Never fails: the changes were
    /// checked when they were planned.
    pub fn apply(&mut self, changes: Vec<Change>) {
        // Many people at once (a contacts import, a colleague's register):
        // the search index is built again once, not updated person by
        // person (each update moves the entries after it).
        let (mut people, mut orgs, mut records) = (0, 0, 0);
        for change in &changes {
            match change {
                Change::PutPerson(_) => people += 1,
                Change::PutOrg(_) => orgs += 1,
                Change::PutRecord(_) => records += 1,
                _ => {}
            }
        }
        let bulk = people > BULK_PEOPLE;
        // Room first: growing a map step by step moves every entry again
        // at each step (a colleague's whole register is 250 000 of them).
        self.people.reserve(people);
        self.orgs.reserve(orgs);
        self.records.reserve(records);
        // New records' links to their people, added a run of one person's
        // records at a time (a bundle lists records by person), before any
        // other change can look at them.
        let mut linking: Vec<(PersonId, RecordId)> = Vec::new();
        for change in changes {
            if !matches!(change, Change::PutRecord(_)) {
                self.index_records(&mut linking);
            }
            match change {
                Change::PutPerson(person) if bulk => self.put_person_links(person),
                Change::PutPerson(person) => self.put_person(person),
                Change::RemovePerson(id) => {
                    if let Some(old) = self.people.remove(&id) {
                        self.unindex_person_links(&old);
                        self.index.remove(id, self.collator.as_ref());
                    }
                }
                Change::PutOrg(org) => {
                    let renamed = self.orgs.get(&org.id).is_some_and(|old| old.name != org.name);
                    let id = org.id;
                    self.orgs.insert(id, org);
                    if renamed {
                        self.reindex_members(id);
                    }
                }
                Change::RemoveOrg(id) => {
                    self.orgs.remove(&id);
                    self.members.remove(&id);
                }
                Change::PutRecord(record) => {
                    let link = (record.person, record.id);
                    if let Some(old) = self.records.insert(record.id, record) {
                        self.index_records(&mut linking);
                        self.unindex_record(&old);
                    }
                    linking.push(link);
                }
                Change::RemoveRecord(id) => {
                    if let Some(old) = self.records.remove(&id) {
                        self.unindex_record(&old);
                    }
                }
                Change::PutTombstone(t) => {
                    self.tombstones.insert(t.entity, t);
                }
                Change::PutSettings(settings) => {
                    let custom_changed = settings.fields != self.settings.fields;
                    self.settings = settings;
                    if custom_changed {
                        self.rebuild_index();
                    }
                }
                Change::Audit(_) => {}
                Change::Clock(stamp) => self.clock = self.clock.max(stamp),
                Change::Seen(seen) => {
                    for (device, stamp) in seen {
                        if device == self.device {
                            self.clock = self.clock.max(stamp);
                            continue;
                        }
                        let entry = self.seen.entry(device).or_insert(stamp);
                        *entry = (*entry).max(stamp);
                    }
                }
                Change::PutDisclosure(d) => {
                    self.disclosures.insert(d.id, d);
                }
                Change::PutConsent(entry) => {
                    self.remove_consent(entry.id);
                    self.consents_by_person.entry(entry.person).or_default().insert(entry.id);
                    self.consents.insert(entry.id, entry);
                }
                Change::RemoveConsent(id) => self.remove_consent(id),
                Change::PutConsentConfig(config) => self.consent_config = config,
                Change::PutDescription(d) => self.gdpr.description = Some(*d),
                Change::PutRequest(r) => {
                    self.gdpr.requests.insert(r.id, r);
                }
            }
        }
        self.index_records(&mut linking);
        if bulk {
            self.rebuild_index();
        }
    }

    /// Links records to their people (see [`Register::apply`]).
    fn index_records(&mut self, linking: &mut Vec<(PersonId, RecordId)>) {
        for run in linking.chunk_by(|a, b| a.0 == b.0) {
            self.records_by_person.entry(run[0].0).or_default().extend(run.iter().map(|(_, id)| *id));
        }
        linking.clear();
    }

    fn put_person_links(&mut self, person: Person) {
        if let Some(old) = self.people.remove(&person.id) {
            self.unindex_person_links(&old);
        }
        self.index_person_links(&person);
        self.people.insert(person.id, person);
    }

    fn remove_consent(&mut self, id: ConsentId) {
        if let Some(old) = self.consents.remove(&id) {
            if let Some(set) = self.consents_by_person.get_mut(&old.person) {
                set.remove(&id);
                if set.is_empty() {
                    self.consents_by_person.remove(&old.person);
                }
            }
        }
    }

    fn put_person(&mut self, person: Person) {
        if let Some(old) = self.people.remove(&person.id) {
            self.unindex_person_links(&old);
        }
        self.index_person_links(&person);
        self.index.upsert(searchable(&self.orgs, &person), self.collator.as_ref());
        self.people.insert(person.id, person);
    }

    /// The list order anew, after many changes at once (an import) or a
    /// change of the custom fields. The searchable texts are made again by
    /// the next search, or by [`Register::prepare_search`] before it.
    fn rebuild_index(&mut self) {
        self.index = SearchIndex::order(self.people.values(), self.collator.as_ref());
    }

    fn reindex_members(&mut self, org: OrgId) {
        for id in self.members.get(&org).into_iter().flatten() {
            if let Some(person) = self.people.get(id) {
                self.index.upsert(searchable(&self.orgs, person), self.collator.as_ref());
            }
        }
    }

    fn index_person_links(&mut self, person: &Person) {
        for a in &person.affiliations {
            self.members.entry(a.org).or_default().insert(person.id);
        }
        for e in &person.emails {
            self.by_email.entry(e.value.to_lowercase()).or_default().insert(person.id);
        }
    }

    fn unindex_person_links(&mut self, person: &Person) {
        for a in &person.affiliations {
            if let Some(set) = self.members.get_mut(&a.org) {
                set.remove(&person.id);
            }
        }
        for e in &person.emails {
            let key = e.value.to_lowercase();
            if let Some(set) = self.by_email.get_mut(&key) {
                set.remove(&person.id);
                if set.is_empty() {
                    self.by_email.remove(&key);
                }
            }
        }
    }

    fn index_record(&mut self, record: &Record) {
        self.records_by_person.entry(record.person).or_default().insert(record.id);
    }

    fn unindex_record(&mut self, record: &Record) {
        if let Some(set) = self.records_by_person.get_mut(&record.person) {
            set.remove(&record.id);
        }
    }
}

/// What the search index reads of a person.
fn searchable<'a>(orgs: &'a HashMap<OrgId, Organisation>, person: &'a Person) -> Searchable<'a> {
    Searchable {
        person,
        org_names: person.affiliations.iter().filter_map(|a| orgs.get(&a.org).map(|o| o.name.as_str())).collect(),
        custom_text: person
            .custom
            .values()
            .filter_map(|v| match v {
                CustomValue::Text(t) | CustomValue::Choice(t) => Some(t.as_str()),
                _ => None,
            })
            .collect(),
    }
}
