//! How an import merges: the tombstones' say, which version of each
//! entity wins, and where both sides changed a value since they last met.

use super::touched::{Touched, Touches};
use super::*;

/// The user's picks, the stamp and time they are made with.
pub(super) struct Picks<'c> {
    pub(super) choices: &'c Choices,
    pub(super) stamp: Stamp,
    pub(super) now: DateTime<Utc>,
}

/// Everything an import would change.
pub(super) struct Merge {
    pub(super) people: Touches<PersonId, Person>,
    pub(super) orgs: Touches<OrgId, Organisation>,
    pub(super) records: Touches<RecordId, Record>,
    /// Tombstones to write: new ones, and ones that beat the local one.
    pub(super) tombstones: BTreeMap<EntityRef, Tombstone>,
    pub(super) settings: Option<(Settings, Vec<&'static str>)>,
    pub(super) disclosures: Vec<Disclosure>,
    pub(super) consents: BTreeMap<ConsentId, Touched<ConsentEntry>>,
    pub(super) consent_config: Option<ConsentConfig>,
    pub(super) description: Option<crate::domain::gdpr::RegisterDescription>,
    pub(super) requests: Vec<crate::domain::gdpr::Request>,
    pub(super) seen: Option<BTreeMap<DeviceId, Stamp>>,
    pub(super) conflicts: Vec<Conflict>,
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

/// Unlinks a person from deleted organisations; whether there were any.
fn settle_person(tombs: &Tombs<'_>, person: &mut Person) -> bool {
    let before = person.affiliations.len();
    person.affiliations.retain(|a| !tombs.has(EntityRef::Org(a.org)));
    person.affiliations.len() != before
}

fn event_dietary(record: &Record) -> Option<&Option<String>> {
    match &record.kind {
        RecordKind::Event(e) => Some(&e.dietary),
        _ => None,
    }
}

pub(super) fn set_dietary(record: &mut Record, dietary: Option<String>) {
    if let RecordKind::Event(e) = &mut record.kind {
        e.dietary = dietary;
    }
}

impl Register {
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

    /// Merges `incoming` (taken: what wins from it is moved, not copied).
    pub(super) fn merge(&self, mut incoming: Snapshot, picks: Option<Picks<'_>>) -> Merge {
        let incoming_orgs = std::mem::take(&mut incoming.orgs);
        let incoming_people = std::mem::take(&mut incoming.people);
        let incoming_records = std::mem::take(&mut incoming.records);
        let incoming_consents = std::mem::take(&mut incoming.consents);
        let incoming = &incoming;
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
        let mut orgs = Touches::with_capacity(incoming_orgs.len());
        for inc in incoming_orgs {
            let id = inc.id;
            let before = self.orgs.get(&id).cloned();
            let mut picked = Vec::new();
            let mut as_read = false;
            let after = if tombs.has(EntityRef::Org(id)) {
                None
            } else {
                Some(match &before {
                    None => {
                        as_read = true;
                        inc
                    }
                    Some(local) => {
                        let winner = if inc.stamp > local.stamp { Side::Incoming } else { Side::Local };
                        let key = ConflictKey { entity: EntityRef::Org(id), field: None };
                        let mut chosen = winner;
                        if *local != inc && self.concurrent(incoming, local.stamp, inc.stamp) {
                            chosen = pick(&key).unwrap_or(winner);
                            conflicts.push(Conflict {
                                key,
                                local: Entity::Org(local.clone()),
                                incoming: Entity::Org(inc.clone()),
                                winner,
                            });
                        }
                        if let (true, Some(_)) = (chosen != winner, &picks) {
                            picked = local.changed_fields(&inc).into_iter().map(str::to_owned).collect();
                        }
                        as_read = chosen == Side::Incoming && chosen == winner;
                        let mut out = if chosen == Side::Incoming { inc } else { local.clone() };
                        if let (true, Some(p)) = (chosen != winner, &picks) {
                            out.stamp = p.stamp;
                            out.updated = p.now;
                        }
                        out
                    }
                })
            };
            orgs.push(id, Touched { before: before.map(Box::new), after, in_bundle: true, picked, as_read });
        }
        for entity in tombs.new.keys() {
            if let EntityRef::Org(id) = entity {
                if let Some(local) = self.orgs.get(id) {
                    orgs.entry_or_insert_with(*id, || Touched {
                        before: Some(Box::new(local.clone())),
                        after: None,
                        in_bundle: false,
                        picked: vec![],
                        as_read: false,
                    });
                }
            }
        }

        // People: field by field, the newer wins.
        let mut people = Touches::with_capacity(incoming_people.len());
        for inc in incoming_people {
            let id = inc.id;
            let before = self.people.get(&id).cloned();
            let mut picked = Vec::new();
            let mut as_read = false;
            let after = if tombs.has(EntityRef::Person(id)) {
                None
            } else {
                Some(match &before {
                    None => {
                        as_read = true;
                        inc
                    }
                    Some(local) => {
                        self.merge_person(local, &inc, incoming, picks.as_ref(), &mut conflicts, &mut picked)
                    }
                })
            };
            people.push(id, Touched { before: before.map(Box::new), after, in_bundle: true, picked, as_read });
        }
        let new_entities: Vec<EntityRef> = tombs.new.keys().copied().collect();
        for entity in &new_entities {
            match entity {
                EntityRef::Person(id) => {
                    if let Some(local) = self.people.get(id) {
                        let t = people.entry_or_insert_with(*id, || Touched {
                            before: Some(Box::new(local.clone())),
                            after: None,
                            in_bundle: false,
                            picked: vec![],
                            as_read: false,
                        });
                        t.after = None;
                        t.as_read = false;
                    }
                }
                EntityRef::Org(org) => {
                    for member in self.members(*org) {
                        let Some(local) = self.people.get(&member) else { continue };
                        people.entry_or_insert_with(member, || Touched {
                            before: Some(Box::new(local.clone())),
                            after: Some(local.clone()),
                            in_bundle: false,
                            picked: vec![],
                            as_read: false,
                        });
                    }
                }
                _ => {}
            }
        }
        for (_, t) in people.iter_mut() {
            if t.after.as_mut().is_some_and(|p| settle_person(&tombs, p)) {
                t.as_read = false;
            }
        }

        // Records: whole, the newer wins; then the tombstones settle them.
        let mut records = Touches::with_capacity(incoming_records.len());
        for inc in incoming_records {
            let id = inc.id;
            let before = self.records.get(&id).cloned();
            let mut picked = Vec::new();
            let mut as_read = false;
            let after = if tombs.has(EntityRef::Record(id)) {
                None
            } else {
                let mut inc = inc;
                let mut kept_dietary = false;
                if !incoming.scope.dietary {
                    // Left out, not removed: keep ours.
                    if let Some(dietary) = before.as_ref().and_then(event_dietary) {
                        set_dietary(&mut inc, dietary.clone());
                        kept_dietary = true;
                    }
                }
                Some(match &before {
                    None => {
                        as_read = true;
                        inc
                    }
                    Some(local) => {
                        let winner = record_winner(local, &inc);
                        let key = ConflictKey { entity: EntityRef::Record(id), field: None };
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
                        if let (true, Some(_)) = (chosen != winner, &picks) {
                            picked = record_fields(local, &inc).into_iter().map(str::to_owned).collect();
                        }
                        as_read = chosen == Side::Incoming && chosen == winner && !kept_dietary;
                        let mut out = if chosen == Side::Incoming { inc } else { local.clone() };
                        if let (true, Some(p)) = (chosen != winner, &picks) {
                            out.stamp = p.stamp;
                            out.updated = p.now;
                        }
                        out
                    }
                })
            };
            records.push(id, Touched { before: before.map(Box::new), after, in_bundle: true, picked, as_read });
        }
        for entity in &new_entities {
            let local: Vec<&Record> = match entity {
                EntityRef::Person(id) => self.records_of(*id),
                EntityRef::Org(id) => self.records_of_org(*id),
                EntityRef::Record(id) => self.records.get(id).into_iter().collect(),
                EntityRef::Settings => vec![],
            };
            for r in local {
                records.entry_or_insert_with(r.id, || Touched {
                    before: Some(Box::new(r.clone())),
                    after: Some(r.clone()),
                    in_bundle: false,
                    picked: vec![],
                    as_read: false,
                });
            }
        }
        for (id, t) in records.iter_mut() {
            if tombs.has(EntityRef::Record(id)) {
                t.after = None;
            }
            let was = t.after.as_ref().map(|r| (r.person, r.org));
            t.after = t.after.take().and_then(|r| settle_record(&tombs, r));
            if t.after.as_ref().map(|r| (r.person, r.org)) != was {
                t.as_read = false;
            }
        }

        // Settings: definitions joined, the rest from the newer.
        let settings = incoming.settings.as_ref().and_then(|inc| {
            let merged = merge_settings(&self.settings, inc);
            let changed = merged != self.settings;
            changed.then(|| {
                let sections = self.settings.changed_sections(&merged);
                (merged, sections)
            })
        });

        // Consent entries: a union by id; the tombstones settle them.
        let mut consents: BTreeMap<ConsentId, Touched<ConsentEntry>> = BTreeMap::new();
        for inc in incoming_consents {
            let id = inc.id;
            let before = self.consents.get(&id).cloned();
            let ours = before.clone().and_then(|e| settle_consent(&tombs, e));
            let after = match (ours, settle_consent(&tombs, inc)) {
                (Some(a), Some(b)) => Some(consent_winner(a, b)),
                (a, b) => a.or(b),
            };
            consents.insert(
                id,
                Touched { before: before.map(Box::new), after, in_bundle: true, picked: vec![], as_read: false },
            );
        }
        for entity in &new_entities {
            if let EntityRef::Person(id) = entity {
                for entry in self.consents_of(*id) {
                    consents.entry(entry.id).or_insert_with(|| Touched {
                        before: Some(Box::new(entry.clone())),
                        after: settle_consent(&tombs, entry.clone()),
                        in_bundle: false,
                        picked: vec![],
                        as_read: false,
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
            crate::domain::gdpr::merged_description(self.gdpr.description.as_ref(), incoming.description.as_ref());
        let requests = crate::domain::gdpr::merged_requests(self, &incoming.requests);

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
        crate::domain::gdpr::settle_erased_entry(&mut out);
        out
    }
}
