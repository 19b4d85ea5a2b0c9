//! Merging colleagues' registers: what an export holds, what an import
//! changes, conflicts, and the properties that make passing bundles around
//! safe (idempotent, commutative, associative, convergent; erasure wins),
//! checked on many seeded random histories.

use std::collections::BTreeSet;

use sidos::domain::testing::{at, device, env, Ids};
use sidos::domain::{
    AffiliationDraft, AuditAction, AuditEntry, CategoryDef, CategoryKey, Change, Choices, Command, CommandError,
    ConflictKey, Disclosure, EntityRef, ExportScope, FinnishOrder, LabeledDraft, OrgChoice, OrgDraft, OrgId,
    Organisation, Person, PersonDraft, PersonField, PersonId, Plan, Record, RecordDraft, RecordDraftKind, RecordId,
    RecordKind, Register, Settings, Side, Snapshot, Tombstone, TombstoneReason,
};
use sidos::domain::{
    Basis, Channel, ConsentConfig, ConsentEntry, ConsentSource, ConsentState, Newsletter, NewsletterId,
};

/// One colleague's browser: a register on its own device, with its own
/// ids and a wall clock that may be off by `skew` minutes.
pub struct Replica {
    pub reg: Register,
    pub ids: Ids,
    pub minute: i64,
    pub skew: i64,
}

impl Replica {
    pub fn new(n: u128) -> Self {
        Replica { reg: Register::new(device(n), Box::new(FinnishOrder)), ids: Ids(n << 48), minute: 0, skew: 0 }
    }

    fn tick(&mut self) -> i64 {
        self.minute += 1;
        self.minute + self.skew
    }

    pub fn plan(&mut self, cmd: Command) -> Result<Plan, CommandError> {
        let m = self.tick();
        let ids = &mut self.ids;
        let mut next = || ids.next_id();
        self.reg.plan(&cmd, &mut env(m, &mut next))
    }

    /// Plans and applies; `None` when the command is refused.
    pub fn run(&mut self, cmd: Command) -> Option<Plan> {
        let plan = self.plan(cmd).ok()?;
        self.reg.apply(plan.changes.clone());
        Some(plan)
    }

    pub fn add(&mut self, draft: PersonDraft) -> PersonId {
        match self.run(Command::AddPerson(draft)).and_then(|p| p.created) {
            Some(EntityRef::Person(id)) => id,
            other => panic!("no person created: {other:?}"),
        }
    }

    pub fn add_record(&mut self, person: PersonId, org: Option<OrgId>, kind: RecordDraftKind) -> RecordId {
        match self.run(Command::AddRecord(RecordDraft { person, org, kind })).and_then(|p| p.created) {
            Some(EntityRef::Record(id)) => id,
            other => panic!("no record created: {other:?}"),
        }
    }

    pub fn export_scoped(&self, scope: &ExportScope) -> Snapshot {
        self.reg.export_snapshot(scope, at(self.minute + self.skew))
    }

    pub fn export(&self) -> Snapshot {
        self.export_scoped(&ExportScope::everything())
    }

    /// Imports as the app does: the preview's merge is kept and reused to
    /// plan. Every import also checks that this plans exactly what merging
    /// afresh does.
    pub fn import_with(&mut self, snapshot: &Snapshot, choices: &Choices) -> Result<Plan, CommandError> {
        let m = self.tick();
        let (preview, prepared) = self.reg.prepare_import(snapshot.clone());
        assert_eq!(preview, self.reg.preview_import(snapshot));
        let start = self.ids.0;
        let mut ids = Ids(start);
        let mut next = || ids.next_id();
        let fresh = self.reg.plan_import(snapshot, choices, &mut env(m, &mut next));
        let ids = &mut self.ids;
        let mut next = || ids.next_id();
        let plan = match self.reg.plan_prepared_import(prepared, choices, &mut env(m, &mut next)) {
            Some(plan) => plan,
            None => {
                // Only picks can make it not hold here (nothing changed since).
                assert!(!choices.is_empty(), "without picks the preview's merge always holds");
                fresh.clone()
            }
        };
        assert_eq!(plan, fresh, "the preview's merge plans what a fresh merge does");
        let plan = plan?;
        check_verbatim(&plan, snapshot);
        self.reg.apply(plan.changes.clone());
        Ok(plan)
    }

    pub fn import(&mut self, snapshot: &Snapshot) -> Plan {
        self.import_with(snapshot, &Choices::new()).expect("an import without picks always plans")
    }

    /// Imports the other's complete export.
    pub fn take(&mut self, other: &Replica) -> Plan {
        let snapshot = other.export();
        self.import(&snapshot)
    }

    /// Erases a person the way the later right-to-be-forgotten command
    /// will: the person and their records go, with `Erased` tombstones.
    pub fn erase(&mut self, id: PersonId) {
        let m = self.tick();
        let stamp = self.reg.clock().next(at(m).timestamp_millis() as u64, self.reg.device());
        let mut changes = Vec::new();
        for r in self.reg.records_of(id) {
            changes.push(Change::RemoveRecord(r.id));
            changes.push(Change::PutTombstone(Tombstone {
                entity: EntityRef::Record(r.id),
                stamp,
                reason: TombstoneReason::Erased,
            }));
        }
        changes.extend(self.reg.remove_consents_of(id));
        changes.push(Change::RemovePerson(id));
        changes.push(Change::PutTombstone(Tombstone {
            entity: EntityRef::Person(id),
            stamp,
            reason: TombstoneReason::Erased,
        }));
        changes.push(Change::Clock(stamp));
        self.reg.apply(changes);
    }

    pub fn person(&self, id: PersonId) -> &Person {
        self.reg.person(id).expect("the person is here")
    }

    /// Ids in order, so that random picks are the same on every run.
    fn people_ids(&self) -> Vec<PersonId> {
        let mut ids: Vec<PersonId> = self.reg.people().map(|p| p.id).collect();
        ids.sort();
        ids
    }

    fn record_ids(&self) -> Vec<RecordId> {
        let mut ids: Vec<RecordId> = self.reg.records().map(|r| r.id).collect();
        ids.sort();
        ids
    }

    fn org_ids(&self) -> Vec<OrgId> {
        let mut ids: Vec<OrgId> = self.reg.orgs().map(|o| o.id).collect();
        ids.sort();
        ids
    }
}

/// What a plan puts exactly as read is exactly the bundle's entity.
fn check_verbatim(plan: &Plan, snapshot: &Snapshot) {
    assert!(plan.verbatim.windows(2).all(|w| w[0] < w[1]), "positions ascend");
    for &at in &plan.verbatim {
        match &plan.changes[at] {
            Change::PutPerson(p) => assert_eq!(snapshot.people.iter().find(|x| x.id == p.id), Some(p)),
            Change::PutOrg(o) => assert_eq!(snapshot.orgs.iter().find(|x| x.id == o.id), Some(o)),
            Change::PutRecord(r) => assert_eq!(snapshot.records.iter().find(|x| x.id == r.id), Some(r)),
            other => panic!("not a person, organisation or record put: {other:?}"),
        }
    }
}

/// The form a person's data is edited in, filled from the person.
pub fn draft_of(p: &Person) -> PersonDraft {
    PersonDraft {
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        emails: p.emails.iter().map(|e| LabeledDraft { label: e.label.clone(), value: e.value.clone() }).collect(),
        phones: p.phones.iter().map(|e| LabeledDraft { label: e.label.clone(), value: e.value.clone() }).collect(),
        addresses: p.addresses.clone(),
        websites: p.websites.clone(),
        socials: p.socials.clone(),
        affiliations: p
            .affiliations
            .iter()
            .map(|a| AffiliationDraft { org: OrgChoice::Existing(a.org), role: a.role.clone() })
            .collect(),
        categories: p.categories.clone(),
        tags: p.tags.iter().cloned().collect(),
        custom: p.custom.iter().map(|(k, v)| (*k, v.to_input())).collect(),
        provenance: sidos::domain::ProvenanceDraft {
            source: p.provenance.source,
            detail: p.provenance.detail.clone(),
            date: p.provenance.date.format("%Y-%m-%d").to_string(),
        },
        notes: p.notes.clone(),
    }
}

fn person(given: &str, family: &str) -> PersonDraft {
    PersonDraft { given_name: given.into(), family_name: family.into(), ..PersonDraft::default() }
}

fn event(name: &str, dietary: &str) -> RecordDraftKind {
    RecordDraftKind::Event { name: name.into(), date: "2026-12-05".into(), dietary: dietary.into() }
}

fn edit(r: &mut Replica, id: PersonId, change: impl FnOnce(&mut PersonDraft)) -> Option<Plan> {
    let mut d = draft_of(r.reg.person(id)?);
    change(&mut d);
    r.run(Command::UpdatePerson(id, d))
}

/// Everything that must be the same on every replica (audit entries,
/// clocks, seen vectors and the user name are local).
#[derive(Debug, PartialEq)]
struct State {
    people: Vec<Person>,
    orgs: Vec<Organisation>,
    records: Vec<Record>,
    tombstones: Vec<Tombstone>,
    settings: Settings,
    disclosures: Vec<Disclosure>,
    consents: Vec<ConsentEntry>,
    consent_config: ConsentConfig,
}

fn state(reg: &Register) -> State {
    let mut people: Vec<Person> = reg.people().cloned().collect();
    people.sort_by_key(|p| p.id);
    let mut orgs: Vec<Organisation> = reg.orgs().cloned().collect();
    orgs.sort_by_key(|o| o.id);
    let mut records: Vec<Record> = reg.records().cloned().collect();
    records.sort_by_key(|r| r.id);
    let mut tombstones: Vec<Tombstone> = reg.tombstones().cloned().collect();
    tombstones.sort_by_key(|t| t.entity);
    State {
        people,
        orgs,
        records,
        tombstones,
        settings: Settings { user_name: String::new(), ..reg.settings().clone() },
        disclosures: reg.disclosures().into_iter().cloned().collect(),
        consents: {
            let mut list: Vec<ConsentEntry> = reg.consent_entries().cloned().collect();
            list.sort_by_key(|e| e.id);
            list
        },
        consent_config: reg.consent_config().clone(),
    }
}

/// Asserts two states are equal, showing only the first difference.
#[track_caller]
fn assert_same(a: &State, b: &State, what: &str) {
    fn first<T: PartialEq + std::fmt::Debug>(x: &[T], y: &[T]) -> String {
        for (i, (p, q)) in x.iter().zip(y).enumerate() {
            if p != q {
                return format!("item {i}:\n  {p:?}\n  {q:?}");
            }
        }
        let (long, short) = if x.len() > y.len() { (x, y) } else { (y, x) };
        let extra: Vec<&T> = long.iter().filter(|i| !short.contains(i)).collect();
        format!("lengths {} and {}; only in one: {extra:?}", x.len(), y.len())
    }
    if a == b {
        return;
    }
    let diff = if a.people != b.people {
        format!("people {}", first(&a.people, &b.people))
    } else if a.orgs != b.orgs {
        format!("organisations {}", first(&a.orgs, &b.orgs))
    } else if a.records != b.records {
        format!("records {}", first(&a.records, &b.records))
    } else if a.tombstones != b.tombstones {
        format!("tombstones {}", first(&a.tombstones, &b.tombstones))
    } else if a.settings != b.settings {
        format!("settings\n  {:?}\n  {:?}", a.settings, b.settings)
    } else if a.consents != b.consents {
        format!("consents {}", first(&a.consents, &b.consents))
    } else if a.consent_config != b.consent_config {
        format!("consent config\n  {:?}\n  {:?}", a.consent_config, b.consent_config)
    } else {
        format!("disclosures {}", first(&a.disclosures, &b.disclosures))
    };
    panic!("{what}: the registers differ in {diff}");
}

/// The register holds together: records belong to people who are here,
/// links go to organisations that are here, nothing tombstoned is here.
fn assert_whole(reg: &Register, what: &str) {
    for r in reg.records() {
        assert!(reg.person(r.person).is_some(), "{what}: record {} of a missing person", r.id);
        if let Some(o) = r.org {
            assert!(reg.org(o).is_some(), "{what}: record {} of a missing organisation", r.id);
        }
        assert!(reg.tombstone(EntityRef::Record(r.id)).is_none(), "{what}: tombstoned record {} is here", r.id);
    }
    for p in reg.people() {
        assert!(reg.tombstone(EntityRef::Person(p.id)).is_none(), "{what}: tombstoned person {} is here", p.id);
        for a in &p.affiliations {
            assert!(reg.org(a.org).is_some(), "{what}: person {} linked to a missing organisation", p.id);
        }
    }
    for o in reg.orgs() {
        assert!(reg.tombstone(EntityRef::Org(o.id)).is_none(), "{what}: tombstoned organisation {} is here", o.id);
    }
    for e in reg.consent_entries() {
        assert!(reg.person(e.person).is_some(), "{what}: consent {} of a missing person", e.id);
    }
}

// ----- a small seeded random generator -----

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.below(items.len())])
    }
}

const GIVEN: [&str; 6] = ["Kati", "Antti", "Åsa", "Mikko", "Liisa", "Pekka"];
const FAMILY: [&str; 6] = ["Häkkinen", "Aho", "Öberg", "Virtanen", "Korhonen", "Nieminen"];
const ORGS: [&str; 3] = ["Mipro Oy", "Nokia Oyj", "Kesko Oyj"];
const WORDS: [&str; 6] = ["kahvi", "sopimus", "messut", "tee", "vegaani", "laskutus"];

/// Which kinds of random change a history may hold.
#[derive(Clone, Copy)]
struct Mix {
    delete: bool,
    erase: bool,
    /// Merging people. One person merged away on one device and deleted,
    /// erased or merged into someone else on another before they met is the
    /// one case where a single merge step is not associative: records added
    /// for them meanwhile are moved or dropped by what a register knew when
    /// they arrived (see docs/bundle-format.md). Registers still converge.
    merge: bool,
    /// Each device deletes, erases and merges away only people it added
    /// itself (so no person gets two different tombstones).
    own_tombstones: bool,
    /// Renaming categories: definitions have no stamps of their own, so a
    /// single merge step of renames is not associative (they still
    /// converge).
    rename_categories: bool,
}

/// One random change on a replica. Refused commands are simply skipped.
fn act(r: &mut Replica, rng: &mut Rng, mix: Mix, tag: u128) {
    let people = r.people_ids();
    let own: Vec<PersonId> = people.iter().copied().filter(|p| (p.uuid().as_u128() >> 48) & 0xff == tag).collect();
    let doomed = if mix.own_tombstones { &own } else { &people };
    match rng.below(16) {
        0..=2 => {
            let mut d = person(GIVEN[rng.below(6)], FAMILY[rng.below(6)]);
            if rng.below(2) == 0 {
                d.emails.push(LabeledDraft { label: String::new(), value: format!("p{}@example.fi", rng.below(1000)) });
            }
            if rng.below(2) == 0 {
                d.categories.insert(CategoryKey::new(CategoryKey::BUILT_IN[rng.below(6)]));
            }
            if rng.below(2) == 0 {
                // Names unique to the replica and moment: with two
                // organisations of one name, which one a name finds is
                // not defined.
                let name = format!("{} {tag}-{}", ORGS[rng.below(3)], r.minute);
                d.affiliations.push(AffiliationDraft { org: OrgChoice::New(name), role: "DPO".into() });
            }
            r.run(Command::AddPerson(d));
        }
        3..=5 => {
            let Some(id) = rng.pick(&people) else { return };
            let word = WORDS[rng.below(6)].to_owned();
            let which = rng.below(5);
            let org = rng.pick(&r.org_ids());
            edit(r, id, |d| match which {
                0 => d.notes = format!("{} {word}", d.notes),
                1 => d.family_name = FAMILY[(word.len() + d.family_name.len()) % 6].to_owned(),
                2 => d.tags = vec![word],
                3 => {
                    d.categories = [CategoryKey::new(CategoryKey::BUILT_IN[word.len() % 6])].into();
                }
                _ => match org {
                    Some(org) => d.affiliations = vec![AffiliationDraft { org: OrgChoice::Existing(org), role: word }],
                    None => d.affiliations.clear(),
                },
            });
        }
        6 => {
            if let (true, Some(id)) = (mix.delete, rng.pick(doomed)) {
                r.run(Command::DeletePerson(id));
            }
        }
        7 | 8 => {
            let Some(id) = rng.pick(&people) else { return };
            let org = rng.pick(&r.org_ids());
            let kind = if rng.below(2) == 0 {
                event(WORDS[rng.below(6)], if rng.below(2) == 0 { "gluteeniton" } else { "" })
            } else {
                RecordDraftKind::Feedback { date: "2026-11-01".into(), text: WORDS[rng.below(6)].into() }
            };
            r.run(Command::AddRecord(RecordDraft { person: id, org, kind }));
        }
        9 => {
            let Some(id) = rng.pick(&r.record_ids()) else { return };
            let old = r.reg.record(id).unwrap().clone();
            let kind = match &old.kind {
                RecordKind::Event(e) => RecordDraftKind::Event {
                    name: format!("{} {}", e.name, WORDS[rng.below(6)]),
                    date: e.date.format("%Y-%m-%d").to_string(),
                    dietary: e.dietary.clone().unwrap_or_default(),
                },
                RecordKind::Feedback(f) => RecordDraftKind::Feedback {
                    date: f.date.format("%Y-%m-%d").to_string(),
                    text: format!("{} {}", f.text, WORDS[rng.below(6)]),
                },
                _ => return,
            };
            if rng.below(4) == 0 {
                r.run(Command::DeleteRecord(id));
            } else {
                r.run(Command::UpdateRecord(id, RecordDraft { person: old.person, org: old.org, kind }));
            }
        }
        10 => {
            let Some(org) = rng.pick(&r.org_ids()) else { return };
            if rng.below(3) == 0 {
                r.run(Command::DeleteOrg(org));
            } else {
                let old = r.reg.org(org).unwrap().clone();
                let name = format!("{} {} {tag}-{}", ORGS[rng.below(3)], WORDS[rng.below(6)], r.minute);
                let notes = WORDS[rng.below(6)].to_owned();
                r.run(Command::UpdateOrg(org, OrgDraft { name, notes, address: old.address, ..OrgDraft::default() }));
            }
        }
        11 => {
            let (Some(keep), Some(other)) = (rng.pick(&people), rng.pick(doomed)) else { return };
            if keep != other && mix.merge {
                r.run(Command::MergePeople { keep, other, choices: Default::default() });
            }
        }
        14 => {
            let Some(id) = rng.pick(&people) else { return };
            if rng.below(4) == 0 {
                r.run(Command::ObjectToMarketing { person: id, date: String::new(), source: ConsentSource::Phone });
            } else {
                let purposes = r.reg.consent_config().purposes();
                let purpose = purposes[rng.below(purposes.len())];
                let state = ConsentState::ALL[rng.below(4)];
                let date = format!("2026-11-{:02}", 1 + rng.below(21));
                r.run(Command::RecordConsent {
                    person: id,
                    purpose,
                    state,
                    date,
                    source: ConsentSource::Form,
                    wording: WORDS[rng.below(6)].into(),
                });
            }
        }
        15 => {
            let mut c = r.reg.consent_config().clone();
            if rng.below(2) == 0 {
                let n = c.newsletters.len();
                c.newsletters.push(Newsletter {
                    id: NewsletterId::new(r.ids.next_id()),
                    name: format!("Uutiskirje {tag} {n} {}", r.minute),
                    channel: Channel::Email,
                    basis: Basis::Consent,
                    retired: false,
                });
            } else {
                c.phone = if c.phone == Basis::Consent { Basis::LegitimateInterest } else { Basis::Consent };
            }
            r.run(Command::UpdateConsentConfig(c));
        }
        12 => {
            if mix.erase {
                if let Some(id) = rng.pick(doomed) {
                    r.erase(id);
                }
            }
        }
        _ => {
            let mut s = r.reg.settings().clone();
            if mix.rename_categories && !s.categories.is_empty() && rng.below(2) == 0 {
                let i = rng.below(s.categories.len());
                s.categories[i].name = format!("{} {}", s.categories[i].name, WORDS[rng.below(6)]);
            } else {
                let n = s.categories.len();
                s.categories.push(CategoryDef {
                    key: CategoryKey::new(format!("custom-{tag}-{n}-{}", r.minute)),
                    name: format!("Ryhmä {tag} {n} {}", r.minute),
                });
            }
            r.run(Command::UpdateSettings(s));
        }
    }
}

/// Three replicas sharing a base, then `steps` random changes each,
/// with random full exchanges in between when `exchange` is set.
fn history(seed: u64, steps: usize, exchange: bool, mix: Mix) -> [Replica; 3] {
    let mut rng = Rng::new(seed);
    let mut rs = [Replica::new(1), Replica::new(2), Replica::new(3)];
    for (i, r) in rs.iter_mut().enumerate() {
        r.skew = rng.below(61) as i64 - 30;
        let _ = i;
    }
    for _ in 0..4 {
        act(&mut rs[0], &mut rng, mix, 1);
    }
    let base = rs[0].export();
    rs[1].import(&base);
    rs[2].import(&base);
    for _ in 0..steps {
        let i = rng.below(3);
        if exchange && rng.below(4) == 0 {
            let j = (i + 1 + rng.below(2)) % 3;
            let snapshot = rs[j].export();
            rs[i].import(&snapshot);
        } else {
            act(&mut rs[i], &mut rng, mix, i as u128 + 1);
        }
    }
    rs
}

/// How many random histories each property checks (more with
/// `SIDOS_SYNC_SEEDS=2000 cargo test --release`).
fn seeds() -> u64 {
    std::env::var("SIDOS_SYNC_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(150)
}
const ALL: Mix = Mix { delete: true, erase: true, merge: true, own_tombstones: false, rename_categories: true };

// ----- properties -----

#[test]
fn importing_the_same_bundle_twice_changes_nothing_the_second_time() {
    for seed in 0..seeds() {
        let [mut a, b, c] = history(seed, 30, true, ALL);
        for other in [&b, &c] {
            let snapshot = other.export();
            a.import(&snapshot);
            let before = state(&a.reg);
            let again = a.import(&snapshot);
            assert!(again.is_empty(), "seed {seed}: second import planned {:?}", again.changes);
            assert!(a.reg.preview_import(&snapshot).changes_nothing(), "seed {seed}");
            assert_eq!(state(&a.reg), before, "seed {seed}");
        }
    }
}

#[test]
fn merging_is_commutative() {
    for seed in 0..seeds() {
        let [mut a, mut b, _] = history(seed, 40, false, ALL);
        let (from_a, from_b) = (a.export(), b.export());
        a.import(&from_b);
        b.import(&from_a);
        assert_same(&state(&a.reg), &state(&b.reg), &format!("seed {seed}"));
        assert_whole(&a.reg, "a");
    }
}

#[test]
fn merging_is_associative() {
    let mixes = [
        Mix { delete: true, erase: true, merge: false, own_tombstones: false, rename_categories: false },
        Mix { delete: true, erase: true, merge: true, own_tombstones: true, rename_categories: false },
    ];
    for mix in mixes {
        for seed in 0..seeds() {
            // (A ← B) ← C
            let [mut a, b, c] = history(seed, 40, true, mix);
            a.import(&b.export());
            a.import(&c.export());
            // A ← (B ← C), from the same history
            let [mut a2, mut b2, c2] = history(seed, 40, true, mix);
            b2.import(&c2.export());
            a2.import(&b2.export());
            assert_same(
                &state(&a.reg),
                &state(&a2.reg),
                &format!("seed {seed}, erase {}, merge {}", mix.erase, mix.merge),
            );
            assert_whole(&a.reg, "a");
        }
    }
}

#[test]
fn three_colleagues_exchanging_in_any_order_end_with_the_same_register() {
    for seed in 0..seeds() {
        let mut rs = history(seed, 60, true, ALL);
        let mut rng = Rng::new(seed + 1000);
        // Exchange complete bundles in random order until nothing changes.
        let mut quiet_rounds = 0;
        let mut rounds = 0;
        while quiet_rounds < 2 {
            rounds += 1;
            assert!(rounds < 20, "seed {seed}: no convergence");
            let mut changed = false;
            let mut pairs: Vec<(usize, usize)> =
                (0..3).flat_map(|i| (0..3).filter(move |j| *j != i).map(move |j| (i, j))).collect();
            for k in (1..pairs.len()).rev() {
                pairs.swap(k, rng.below(k + 1));
            }
            for (i, j) in pairs {
                let snapshot = rs[j].export();
                let plan = rs[i].import(&snapshot);
                if rounds > 15 {
                    let puts: Vec<String> = plan
                        .changes
                        .iter()
                        .filter(|c| !matches!(c, Change::Audit(_)))
                        .map(|c| format!("{c:?}"))
                        .collect();
                    eprintln!("round {rounds} {i}<-{j}: {puts:#?}");
                }
                changed |= !plan.is_empty();
                assert_whole(&rs[i].reg, &format!("seed {seed}"));
            }
            quiet_rounds = if changed { 0 } else { quiet_rounds + 1 };
        }
        let first = state(&rs[0].reg);
        assert_same(&first, &state(&rs[1].reg), &format!("seed {seed}: A and B"));
        assert_same(&first, &state(&rs[2].reg), &format!("seed {seed}: A and C"));
    }
}

#[test]
fn an_erased_person_never_comes_back_in_any_order() {
    // A makes the person and shares; B erases them; C edits them and adds
    // a record without knowing; A adds a record too. Every order of the
    // six exchanges, twice over, ends with the person gone everywhere.
    let steps: Vec<(usize, usize)> =
        (0..3).flat_map(|i| (0..3).filter(move |j| *j != i).map(move |j| (i, j))).collect();
    let mut orders: Vec<Vec<(usize, usize)>> = Vec::new();
    permutations(&steps, &mut Vec::new(), &mut orders);
    assert_eq!(orders.len(), 720);
    for order in &orders {
        let mut rs = [Replica::new(1), Replica::new(2), Replica::new(3)];
        let kati = rs[0].add(person("Kati", "Häkkinen"));
        let base = rs[0].export();
        rs[1].import(&base);
        rs[2].import(&base);
        rs[1].erase(kati);
        edit(&mut rs[2], kati, |d| d.notes = "soita".into()).expect("C edits");
        rs[2].add_record(kati, None, event("Messut", "vegaani"));
        rs[0].add_record(kati, None, event("Seminaari", ""));
        for (i, j) in order.iter().chain(order.iter()) {
            let snapshot = rs[*j].export();
            rs[*i].import(&snapshot);
            for r in &rs {
                if r.reg.tombstone(EntityRef::Person(kati)).is_some() {
                    assert!(r.reg.person(kati).is_none(), "an erased person is back");
                    assert!(r.reg.records_of(kati).is_empty(), "an erased person's records are back");
                }
            }
        }
        for r in &rs {
            assert!(r.reg.person(kati).is_none());
            assert_eq!(r.reg.tombstone(EntityRef::Person(kati)).map(|t| &t.reason), Some(&TombstoneReason::Erased));
            assert!(r.reg.records().all(|rec| rec.person != kati));
            assert!(r
                .reg
                .tombstones()
                .filter(|t| matches!(t.entity, EntityRef::Record(_)))
                .all(|t| t.reason == TombstoneReason::Erased));
        }
    }
}

fn permutations(items: &[(usize, usize)], prefix: &mut Vec<(usize, usize)>, out: &mut Vec<Vec<(usize, usize)>>) {
    if prefix.len() == items.len() {
        out.push(prefix.clone());
        return;
    }
    for item in items {
        if !prefix.contains(item) {
            prefix.push(*item);
            permutations(items, prefix, out);
            prefix.pop();
        }
    }
}

#[test]
fn an_erasure_beats_a_later_deletion_and_wipes_the_local_copy() {
    let mut a = Replica::new(1);
    let mut b = Replica::new(2);
    let kati = a.add(person("Kati", "Häkkinen"));
    b.take(&a);
    a.erase(kati);
    b.minute += 100; // B's deletion is later than A's erasure
    b.run(Command::DeletePerson(kati)).unwrap();
    b.take(&a);
    assert_eq!(b.reg.tombstone(EntityRef::Person(kati)).unwrap().reason, TombstoneReason::Erased);
    a.take(&b);
    assert_eq!(a.reg.tombstone(EntityRef::Person(kati)).unwrap().reason, TombstoneReason::Erased);

    // A third colleague who still has the person: the import wipes it.
    let mut c = Replica::new(3);
    let mut early = Replica::new(4);
    let anna = early.add(person("Anna", "Aho"));
    c.take(&early);
    early.erase(anna);
    let preview = c.reg.preview_import(&early.export());
    assert_eq!(preview.people.erased, 1);
    c.take(&early);
    assert!(c.reg.person(anna).is_none());
    // And someone who never heard of the erasure cannot bring them back.
    let mut stale = Replica::new(5);
    stale.take(&early); // gets the tombstone only
    let mut old = Replica::new(6);
    let snapshot_with_anna = {
        let mut e2 = Replica::new(4);
        e2.add(person("Anna", "Aho"));
        e2.export()
    };
    old.import(&snapshot_with_anna);
    let preview = stale.reg.preview_import(&old.export());
    assert_eq!(preview.people.skipped, 1);
    stale.take(&old);
    assert!(stale.reg.person(anna).is_none());
}

// ----- conflicts -----

/// A and B in step, with Kati in both.
fn pair() -> (Replica, Replica, PersonId) {
    let mut a = Replica::new(1);
    let mut b = Replica::new(2);
    let kati = a.add(person("Kati", "Häkkinen"));
    b.take(&a);
    a.take(&b);
    (a, b, kati)
}

#[test]
fn the_same_field_changed_on_both_sides_is_a_conflict_won_by_the_newer() {
    let (mut a, mut b, kati) = pair();
    edit(&mut a, kati, |d| d.notes = "Soita maanantaina".into()).unwrap();
    edit(&mut b, kati, |d| d.notes = "Soita tiistaina".into()).unwrap();
    let ours = a.person(kati).stamps[&PersonField::Notes];
    let theirs = b.person(kati).stamps[&PersonField::Notes];
    assert_ne!(ours, theirs);
    let preview = a.reg.preview_import(&b.export());
    assert_eq!(preview.conflicts.len(), 1);
    let c = &preview.conflicts[0];
    assert_eq!(c.key, ConflictKey { entity: EntityRef::Person(kati), field: Some(PersonField::Notes) });
    let newer = if theirs > ours { Side::Incoming } else { Side::Local };
    assert_eq!(c.winner, newer);
    match (&c.local, &c.incoming) {
        (sidos::domain::Entity::Person(l), sidos::domain::Entity::Person(i)) => {
            assert_eq!(l.notes, "Soita maanantaina");
            assert_eq!(i.notes, "Soita tiistaina");
        }
        other => panic!("both sides of a person: {other:?}"),
    }
    a.take(&b);
    let want = if newer == Side::Incoming { "Soita tiistaina" } else { "Soita maanantaina" };
    assert_eq!(a.person(kati).notes, want);
}

#[test]
fn different_fields_changed_on_both_sides_merge_without_conflict() {
    let (mut a, mut b, kati) = pair();
    edit(&mut a, kati, |d| d.notes = "Soita".into()).unwrap();
    edit(&mut b, kati, |d| d.tags = vec!["VIP".into()]).unwrap();
    assert!(a.reg.preview_import(&b.export()).conflicts.is_empty());
    a.take(&b);
    b.take(&a);
    for r in [&a, &b] {
        assert_eq!(r.person(kati).notes, "Soita");
        assert!(r.person(kati).tags.contains("VIP"));
    }
}

#[test]
fn a_change_the_other_side_has_seen_is_not_a_conflict() {
    let (mut a, mut b, kati) = pair();
    edit(&mut a, kati, |d| d.notes = "A:n muistiinpano".into()).unwrap();
    b.take(&a);
    edit(&mut b, kati, |d| d.notes = "B korjasi".into()).unwrap();
    let preview = a.reg.preview_import(&b.export());
    assert!(preview.conflicts.is_empty(), "{:?}", preview.conflicts);
    assert_eq!(preview.people.updated, 1);
    a.take(&b);
    assert_eq!(a.person(kati).notes, "B korjasi");
}

#[test]
fn picking_the_losing_side_makes_a_new_edit_that_travels() {
    let (mut a, mut b, kati) = pair();
    edit(&mut a, kati, |d| d.family_name = "Häkkinen-Aho".into()).unwrap();
    b.minute += 50; // B's edit is newer: it would win
    edit(&mut b, kati, |d| d.family_name = "Häkkinen-Öberg".into()).unwrap();
    let snapshot = b.export();
    let preview = a.reg.preview_import(&snapshot);
    assert_eq!(preview.conflicts.len(), 1);
    assert_eq!(preview.conflicts[0].winner, Side::Incoming);
    let key = preview.conflicts[0].key.clone();
    let plan = a.import_with(&snapshot, &Choices::from([(key, Side::Local)])).unwrap();
    assert_eq!(a.person(kati).family_name, "Häkkinen-Aho");
    assert!(a.person(kati).stamps[&PersonField::Name] > b.person(kati).stamps[&PersonField::Name]);
    let picked = plan.changes.iter().any(
        |c| matches!(c, Change::Audit(e) if e.action == AuditAction::Updated && e.fields == vec!["name".to_owned()]),
    );
    assert!(picked, "the pick is audited as a local edit");
    // B gets the pick back without a conflict: B's edit was seen by A.
    let back = b.reg.preview_import(&a.export());
    assert!(back.conflicts.is_empty());
    b.take(&a);
    assert_eq!(b.person(kati).family_name, "Häkkinen-Aho");
    assert_eq!(state(&a.reg), state(&b.reg));
}

#[test]
fn a_preview_made_before_a_local_edit_is_not_applied_over_it() {
    let (mut a, mut b, kati) = pair();
    edit(&mut b, kati, |d| d.notes = "B:n muistiinpano".into()).unwrap();
    let snapshot = b.export();
    let (preview, prepared) = a.reg.prepare_import(snapshot.clone());
    assert_eq!(preview.people.updated, 1);
    // A edits the same field after the preview, later than B did.
    a.minute += 50;
    edit(&mut a, kati, |d| d.notes = "A:n uudempi".into()).unwrap();
    let m = a.minute + 1;
    let mut ids = Ids(a.ids.0);
    let mut next = || ids.next_id();
    assert!(
        a.reg.plan_prepared_import(prepared, &Choices::new(), &mut env(m, &mut next)).is_none(),
        "the preview's merge no longer holds: the document is planned again"
    );
    let mut ids = Ids(a.ids.0);
    let mut next = || ids.next_id();
    let plan = a.reg.plan_import(&snapshot, &Choices::new(), &mut env(m, &mut next)).unwrap();
    a.reg.apply(plan.changes);
    assert_eq!(a.person(kati).notes, "A:n uudempi", "the newer local edit stays");
}

#[test]
fn organisations_and_records_conflict_as_a_whole() {
    let (mut a, mut b, kati) = pair();
    let rec = a.add_record(kati, None, event("Messut", ""));
    b.take(&a);
    a.take(&b);
    let update = |r: &mut Replica, name: &str| {
        r.run(Command::UpdateRecord(rec, RecordDraft { person: kati, org: None, kind: event(name, "") })).unwrap();
    };
    update(&mut a, "Messut A");
    update(&mut b, "Messut B");
    let preview = a.reg.preview_import(&b.export());
    assert_eq!(preview.conflicts.len(), 1);
    assert_eq!(preview.conflicts[0].key, ConflictKey { entity: EntityRef::Record(rec), field: None });
    // Picking the stale side of a conflict that is not there is refused.
    let ghost = ConflictKey { entity: EntityRef::Person(kati), field: Some(PersonField::Tags) };
    let refused = a.import_with(&b.export(), &Choices::from([(ghost, Side::Local)]));
    assert!(matches!(refused, Err(CommandError::Invalid(_))));
    assert!(a.reg.record(rec).is_some_and(|r| matches!(&r.kind, RecordKind::Event(e) if e.name == "Messut A")));
}

// ----- what an import changes -----

#[test]
fn the_preview_counts_what_would_change_and_changes_nothing() {
    let mut a = Replica::new(1);
    let mut b = Replica::new(2);
    let p1 = a.add(person("Kati", "Häkkinen"));
    let p2 = a.add(person("Antti", "Aho"));
    let p3 = a.add(person("Åsa", "Öberg"));
    let _p5 = a.add(person("Mikko", "Virtanen"));
    b.take(&a);
    edit(&mut b, p1, |d| d.notes = "uusi".into()).unwrap();
    b.run(Command::DeletePerson(p2)).unwrap();
    b.add(person("Liisa", "Korhonen"));
    a.run(Command::DeletePerson(p3)).unwrap();
    let before = state(&a.reg);
    let snapshot = b.export();
    let preview = a.reg.preview_import(&snapshot);
    assert_eq!(state(&a.reg), before, "a preview changes nothing");
    let c = preview.people;
    assert_eq!((c.added, c.updated, c.unchanged, c.erased, c.skipped), (1, 1, 1, 1, 1), "{c:?}");
    assert_eq!(preview.from, b.reg.device());
    assert!(!preview.changes_nothing());
    let plan = a.import(&snapshot);
    assert_eq!(plan.affected, 3);
    assert_eq!(a.reg.people_count(), 3);
}

#[test]
fn an_import_is_audited_by_field_names_only() {
    let (mut a, mut b, kati) = pair();
    edit(&mut b, kati, |d| {
        d.notes = "Salainen muistiinpano".into();
        d.emails.push(LabeledDraft { label: String::new(), value: "kati@mipro.fi".into() });
    })
    .unwrap();
    let gone = b.add(person("Antti", "Aho"));
    a.take(&b);
    b.run(Command::DeletePerson(gone)).unwrap();
    let plan = a.take(&b);
    let entries: Vec<_> = plan
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Audit(e) => Some(e),
            _ => None,
        })
        .collect();
    assert!(entries.iter().any(|e| e.action == AuditAction::ImportDeleted && e.entity == EntityRef::Person(gone)));
    let (mut a2, mut b2, kati2) = pair();
    edit(&mut b2, kati2, |d| d.notes = "Salainen muistiinpano".into()).unwrap();
    let plan = a2.take(&b2);
    let entry = plan
        .changes
        .iter()
        .find_map(|c| match c {
            Change::Audit(e) if e.entity == EntityRef::Person(kati2) => Some(e),
            _ => None,
        })
        .expect("an audit entry for the person");
    assert_eq!(entry.action, AuditAction::Imported);
    assert_eq!(entry.fields, vec!["notes".to_owned()]);
    assert_eq!(entry.actor, "Tester");
    let text = format!("{plan:?}");
    let audit_text: String =
        plan.changes.iter().filter(|c| matches!(c, Change::Audit(_))).map(|c| format!("{c:?}")).collect();
    assert!(text.contains("Salainen"), "the person change carries the value");
    assert!(!audit_text.contains("Salainen") && !audit_text.contains("Häkkinen"), "{audit_text}");
    let _ = kati;
}

#[test]
fn new_people_organisations_and_records_are_counted_in_one_audit_entry() {
    let mut a = Replica::new(1);
    let mut b = Replica::new(2);
    for i in 0..5 {
        let id = b.add(person("Uusi", &format!("Henkilö{i}")));
        b.add_record(id, None, event("Kevätjuhla", ""));
    }
    let audits = |plan: &Plan| -> Vec<AuditEntry> {
        plan.changes
            .iter()
            .filter_map(|c| match c {
                Change::Audit(e) => Some(e.clone()),
                _ => None,
            })
            .collect()
    };
    let plan = a.take(&b);
    let entries = audits(&plan);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].action, AuditAction::Imported);
    assert_eq!(entries[0].entity, EntityRef::Settings);
    assert_eq!(entries[0].fields, vec!["added:people:5".to_owned(), "added:records:5".to_owned()]);
    assert_eq!(a.reg.people_count(), 5);

    // A change to someone already here is still audited on its own.
    let first = a.people_ids()[0];
    edit(&mut b, first, |d| d.notes = "Soita syksyllä".into()).unwrap();
    b.add(person("Toinen", "Uusi"));
    let entries = audits(&a.take(&b));
    assert!(
        entries.iter().any(|e| e.entity == EntityRef::Person(first) && e.fields == vec!["notes".to_owned()]),
        "{entries:?}"
    );
    assert!(
        entries.iter().any(|e| e.entity == EntityRef::Settings && e.fields == vec!["added:people:1".to_owned()]),
        "{entries:?}"
    );
    assert_eq!(entries.len(), 2, "{entries:?}");
}

#[test]
fn the_clock_observes_imported_stamps_so_later_edits_win() {
    let (mut a, mut b, kati) = pair();
    b.skew = 10_000; // B's wall clock runs a week ahead
    edit(&mut b, kati, |d| d.notes = "B".into()).unwrap();
    a.take(&b);
    assert!(a.reg.clock() >= b.export().max_stamp());
    edit(&mut a, kati, |d| d.notes = "A, myöhemmin".into()).unwrap();
    assert!(a.person(kati).stamps[&PersonField::Notes] > b.person(kati).stamps[&PersonField::Notes]);
    b.take(&a);
    assert_eq!(b.person(kati).notes, "A, myöhemmin");
}

#[test]
fn records_follow_a_merged_person_and_links_to_deleted_organisations_go() {
    let mut a = Replica::new(1);
    let mut b = Replica::new(2);
    let mut d = person("Kati", "Häkkinen");
    d.affiliations.push(AffiliationDraft { org: OrgChoice::New("Mipro Oy".into()), role: String::new() });
    let kati = a.add(d);
    let dup = a.add(person("Kati", "Hakkinen"));
    let org = a.person(kati).affiliations[0].org;
    b.take(&a);
    // B merges the duplicate away and deletes the organisation…
    b.run(Command::MergePeople { keep: kati, other: dup, choices: Default::default() }).unwrap();
    b.run(Command::DeleteOrg(org)).unwrap();
    // …while A records an event for the duplicate with the organisation,
    // and links someone new to it.
    let rec = a.add_record(dup, Some(org), event("Messut", ""));
    let mut d = person("Antti", "Aho");
    d.affiliations.push(AffiliationDraft { org: OrgChoice::Existing(org), role: String::new() });
    let antti = a.add(d);
    let (from_a, from_b) = (a.export(), b.export());
    a.import(&from_b);
    b.import(&from_a);
    for r in [&a, &b] {
        let moved = r.reg.record(rec).expect("the record is kept");
        assert_eq!(moved.person, kati);
        assert_eq!(moved.org, None);
        assert!(r.person(antti).affiliations.is_empty());
        assert_whole(&r.reg, "after");
    }
    assert_eq!(state(&a.reg), state(&b.reg));
}

#[test]
fn records_of_a_person_deleted_elsewhere_go_with_them() {
    let (mut a, mut b, kati) = pair();
    b.run(Command::DeletePerson(kati)).unwrap();
    let rec = a.add_record(kati, None, event("Messut", ""));
    let preview = a.reg.preview_import(&b.export());
    assert_eq!((preview.people.erased, preview.records.erased), (1, 1));
    a.take(&b);
    assert!(a.reg.record(rec).is_none());
    assert!(a.export().records.iter().all(|r| r.id != rec));
    // B never had the record; a bundle from someone who still has it does
    // not bring it in, the person's tombstone keeps it out.
    let mut c = Replica::new(3);
    c.take(&a);
    let stale = {
        let (mut a2, _, _) = pair();
        a2.add_record(kati, None, event("Messut", ""));
        a2.export()
    };
    let preview = b.reg.preview_import(&stale);
    assert_eq!(preview.records.skipped, 1);
    b.import(&stale);
    assert!(b.reg.record(rec).is_none());
    b.take(&a);
    assert_same(&state(&a.reg), &state(&b.reg), "a and b");
}

#[test]
fn the_seen_vector_grows_only_with_complete_bundles() {
    let (mut a, mut b, kati) = pair();
    let seen_b = a.reg.seen()[&b.reg.device()];
    edit(&mut b, kati, |d| d.tags = vec!["x".into()]).unwrap();
    let partial = b.export_scoped(&ExportScope { notes: false, ..ExportScope::everything() });
    let plan = a.import(&partial);
    assert!(!plan.changes.iter().any(|c| matches!(c, Change::Seen(_))));
    assert_eq!(a.reg.seen()[&b.reg.device()], seen_b);
    edit(&mut b, kati, |d| d.tags = vec!["y".into()]).unwrap();
    a.take(&b);
    assert_eq!(a.reg.seen()[&b.reg.device()], b.reg.clock());
    assert_eq!(a.reg.seen()[&a.reg.device()], a.reg.clock(), "own entry is the clock");
}

#[test]
fn settings_definitions_are_joined_and_the_user_name_stays_local() {
    let (mut a, mut b, _) = pair();
    b.minute += 10; // B's settings are the newer
    let mut s = a.reg.settings().clone();
    s.user_name = "Kaisa".into();
    s.categories.push(CategoryDef { key: CategoryKey::new("custom-a"), name: "Kerho".into() });
    a.run(Command::UpdateSettings(s)).unwrap();
    let mut s = b.reg.settings().clone();
    s.user_name = "Pekka".into();
    s.country_code = "46".into();
    s.categories.push(CategoryDef { key: CategoryKey::new("custom-b"), name: "Seura".into() });
    b.run(Command::UpdateSettings(s)).unwrap();
    a.take(&b);
    b.take(&a);
    for (r, name) in [(&a, "Kaisa"), (&b, "Pekka")] {
        let s = r.reg.settings();
        assert_eq!(s.user_name, name);
        let keys: BTreeSet<&str> = s.categories.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, BTreeSet::from(["custom-a", "custom-b"]));
        assert_eq!(s.country_code, "46", "the newer settings' values");
    }
    assert_eq!(state(&a.reg), state(&b.reg));
}

// ----- export scopes -----

#[test]
fn a_scope_leaves_fields_out_without_deleting_them_anywhere() {
    let (mut a, mut b, kati) = pair();
    edit(&mut a, kati, |d| d.notes = "A:n muistiinpano".into()).unwrap();
    b.take(&a);
    // B edits the name later, and sends a bundle without notes.
    edit(&mut b, kati, |d| {
        d.family_name = "Häkkinen-Aho".into();
        d.notes = "B:n muistiinpano".into();
    })
    .unwrap();
    let partial = b.export_scoped(&ExportScope { notes: false, ..ExportScope::everything() });
    let p = partial.people.iter().find(|p| p.id == kati).unwrap();
    assert!(p.notes.is_empty() && !p.stamps.contains_key(&PersonField::Notes));
    a.import(&partial);
    assert_eq!(a.person(kati).family_name, "Häkkinen-Aho");
    assert_eq!(a.person(kati).notes, "A:n muistiinpano", "absence is not deletion");
}

#[test]
fn a_category_scope_includes_the_organisations_it_refers_to_and_every_tombstone() {
    let mut a = Replica::new(1);
    let mut d = person("Kati", "Häkkinen");
    d.categories.insert(CategoryKey::new("event"));
    d.affiliations.push(AffiliationDraft { org: OrgChoice::New("Mipro Oy".into()), role: String::new() });
    let kati = a.add(d);
    let mut d = person("Antti", "Aho");
    d.categories.insert(CategoryKey::new("prospect"));
    d.affiliations.push(AffiliationDraft { org: OrgChoice::New("Nokia Oyj".into()), role: String::new() });
    let antti = a.add(d);
    let kesko =
        match a.run(Command::AddOrg(OrgDraft { name: "Kesko Oyj".into(), ..OrgDraft::default() })).unwrap().created {
            Some(EntityRef::Org(id)) => id,
            _ => panic!(),
        };
    a.add_record(kati, Some(kesko), event("Messut", "vegaani"));
    a.add_record(antti, None, event("Seminaari", ""));
    let gone = a.add(person("Poistuva", "Henkilö"));
    a.run(Command::DeletePerson(gone)).unwrap();
    let scope = ExportScope {
        categories: Some([CategoryKey::new("event")].into()),
        relationship: true,
        record_kinds: Some(["event".to_owned()].into()),
        dietary: true,
        notes: false,
        custom: false,
    };
    let s = a.export_scoped(&scope);
    assert_eq!(s.people_ids(), vec![kati]);
    let names: BTreeSet<&str> = s.orgs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["Mipro Oy", "Kesko Oyj"]), "the person's and the record's organisations");
    assert_eq!(s.records.len(), 1);
    assert!(s.tombstones.iter().any(|t| t.entity == EntityRef::Person(gone)));
    assert!(s.disclosures.is_empty());
    assert_eq!(s.scope.describe(), "categories: event; records: event; dietary: yes; notes: no; custom fields: no");
    let without = a.export_scoped(&ExportScope { relationship: false, ..scope.clone() });
    assert!(without.records.is_empty());
    assert_eq!(without.orgs.len(), 1, "only the person's organisation");
}

#[test]
fn dietary_data_left_out_is_kept_by_the_receiver() {
    let (mut a, mut b, kati) = pair();
    let rec = a.add_record(kati, None, event("Messut", "vegaani"));
    b.take(&a);
    // B renames the event and sends it without dietary data.
    b.run(Command::UpdateRecord(rec, RecordDraft { person: kati, org: None, kind: event("Syysmessut", "vegaani") }))
        .unwrap();
    let partial = b.export_scoped(&ExportScope { dietary: false, ..ExportScope::everything() });
    assert!(partial.records.iter().all(|r| matches!(&r.kind, RecordKind::Event(e) if e.dietary.is_none())));
    a.import(&partial);
    match &a.reg.record(rec).unwrap().kind {
        RecordKind::Event(e) => {
            assert_eq!(e.name, "Syysmessut");
            assert_eq!(e.dietary.as_deref(), Some("vegaani"));
        }
        other => panic!("{other:?}"),
    }
    // Someone new gets the event without the dietary data.
    let mut c = Replica::new(3);
    c.import(&partial);
    assert!(matches!(&c.reg.record(rec).unwrap().kind, RecordKind::Event(e) if e.dietary.is_none()));
}

#[test]
fn disclosures_are_recorded_and_travel_in_complete_bundles() {
    let (mut a, mut b, kati) = pair();
    let plan = a
        .run(Command::RecordDisclosure {
            recipient: " Pitopalvelu Oy ".into(),
            purpose: "Messujen tarjoilu".into(),
            scope: ExportScope::everything().describe(),
            people: vec![kati, kati],
        })
        .unwrap();
    assert!(plan.changes.iter().any(|c| matches!(c, Change::PutDisclosure(_))));
    let d = a.reg.disclosures_of(kati)[0].clone();
    assert_eq!((d.recipient.as_str(), d.by.as_str(), d.people.len()), ("Pitopalvelu Oy", "Tester", 1));
    let partial = a.export_scoped(&ExportScope { custom: false, ..ExportScope::everything() });
    assert!(partial.disclosures.is_empty(), "an outside recipient does not get the log");
    b.take(&a);
    assert_eq!(b.reg.disclosures_of(kati), vec![&d]);
    assert!(b.take(&a).is_empty());
    let long = a.plan(Command::RecordDisclosure {
        recipient: "x".repeat(500),
        purpose: String::new(),
        scope: String::new(),
        people: vec![],
    });
    assert!(matches!(long, Err(CommandError::Invalid(_))));
}
