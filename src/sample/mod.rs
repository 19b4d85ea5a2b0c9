//! Sample registers for benchmarks and demonstrations: deterministic,
//! realistic-looking people, organisations and relationship records.
//!
//! Everything follows from a seed through a small counter-based generator
//! (SplitMix64): the same seed and sizes give the same register, byte for
//! byte. It is sample data, not a source of secrets. Every value passes the
//! checks the documents get when storage reads them back (`bundle::dto`),
//! so the app loads a sample exactly as it loads a register it wrote.
//!
//! [`write_bundle`] seals a sample into an encrypted bundle, as a colleague
//! would send the register: the app imports it like any other bundle.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use uuid::{Builder, Uuid};

use crate::domain::record::{Contract, EventParticipation, Feedback, Ticket, Training};
use crate::domain::{
    Address, Affiliation, Billing, CategoryKey, ContractKind, DeviceId, EntityRef, Labeled, OrgId, Organisation, Parts,
    Person, PersonField, PersonId, Provenance, Record, RecordId, RecordKind, Settings, Social, Source, Stamp,
    Tombstone, TombstoneReason,
};

mod words;

use words::*;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    pub people: usize,
    pub orgs: usize,
    pub records: usize,
    pub seed: u64,
    /// The day the register is "as of": everything was created before it,
    /// and only events after it still have dietary data (so the app's
    /// clean-up of past events' dietary data finds nothing to do).
    pub today: NaiveDate,
}

impl Config {
    /// The sizes of the benchmark register.
    pub fn benchmark(today: NaiveDate) -> Self {
        Config { people: 50_000, orgs: 5_000, records: 200_000, seed: 1, today }
    }
}

/// A generated register: its parts and the device that "made" it.
pub struct Sample {
    pub device: DeviceId,
    pub parts: Parts,
}

/// A small deterministic generator (SplitMix64). For sample data only.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index in `0..n` where small indexes come up much more often
    /// (a few large organisations, a few very active customers).
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * n as f64) as usize).min(n - 1)
    }

    fn bytes10(&mut self) -> [u8; 10] {
        let a = self.next_u64().to_le_bytes();
        let b = self.next_u64().to_le_bytes();
        [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1]]
    }

    /// A UUIDv7 for a moment, as the app makes ids (time-ordered).
    pub fn uuid_v7(&mut self, at: DateTime<Utc>) -> Uuid {
        Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &self.bytes10()).into_uuid()
    }
}

/// Generates a register. The same config gives the same register.
pub fn generate(config: &Config) -> Sample {
    let mut rng = Rng::new(config.seed);
    // All moments lie before midnight (UTC) at the start of `today`.
    let now = Utc.from_utc_datetime(&config.today.and_hms_opt(0, 0, 0).expect("midnight"));
    let oldest = now - Duration::days(6 * 365);
    let device = DeviceId::new(rng.uuid_v7(oldest));
    let mut clock = Stamp::ZERO;
    let mut stamp_at = |at: DateTime<Utc>| {
        let stamp = Stamp { millis: at.timestamp_millis() as u64, counter: 0, device };
        clock = clock.max(stamp);
        stamp
    };
    let moment = |rng: &mut Rng, from: DateTime<Utc>| -> DateTime<Utc> {
        let span = (now - from).num_seconds().max(3_600);
        // Milliseconds too, as real clocks have; at least an hour before `now`.
        from + Duration::seconds(rng.between(0, span - 3_600)) + Duration::milliseconds(rng.between(0, 999))
    };

    // Organisations.
    let mut orgs = Vec::with_capacity(config.orgs);
    let mut org_names = HashSet::new();
    let mut business_ids = HashSet::new();
    for _ in 0..config.orgs {
        let name = org_name(&mut rng, &mut org_names);
        let created = moment(&mut rng, oldest);
        let updated = if rng.chance(30) { moment(&mut rng, created) } else { created };
        let business_id =
            (!name.starts_with("Tmi") && rng.chance(75)).then(|| business_id(&mut rng, &mut business_ids));
        let slug = slug(without_form(&name));
        orgs.push(Organisation {
            id: OrgId::new(rng.uuid_v7(created)),
            business_id,
            address: address(&mut rng, ""),
            website: rng.chance(60).then(|| format!("https://www.{slug}.fi")),
            notes: if rng.chance(10) { rng.pick(NOTES).to_string() } else { String::new() },
            created,
            updated,
            stamp: stamp_at(updated),
            name,
        });
    }
    let domains: Vec<String> = orgs.iter().map(|o| format!("{}.fi", slug(without_form(&o.name)))).collect();

    // People.
    let mut people = Vec::with_capacity(config.people);
    for n in 0..config.people {
        let swedish = rng.chance(12);
        let given = if swedish { *rng.pick(GIVEN_SV) } else { *rng.pick(GIVEN_FI) };
        let family = if swedish != rng.chance(10) { *rng.pick(FAMILY_SV) } else { *rng.pick(FAMILY_FI) };
        let created = moment(&mut rng, oldest);
        let updated = if rng.chance(40) { moment(&mut rng, created) } else { created };

        let mut affiliations: Vec<Affiliation> = Vec::new();
        if !orgs.is_empty() {
            let count = match rng.below(100) {
                0..=34 => 0,
                35..=89 => 1,
                _ => 2,
            };
            for _ in 0..count {
                let org = orgs[rng.skewed(orgs.len())].id;
                if affiliations.iter().all(|a| a.org != org) {
                    affiliations.push(Affiliation { org, role: rng.pick(ROLES).to_string() });
                }
            }
        }
        let local = format!("{}.{}", slug(given), slug(family));
        let mut emails = Vec::new();
        if let Some(first) = affiliations.first() {
            if rng.chance(85) {
                let i = orgs.iter().position(|o| o.id == first.org).expect("an organisation");
                emails.push(Labeled { label: "työ".into(), value: format!("{local}@{}", domains[i]) });
            }
        }
        if (emails.is_empty() || rng.chance(25)) && rng.chance(90) {
            let suffix = if rng.chance(50) { format!("{}", n % 1000) } else { String::new() };
            let domain = rng.pick(PERSONAL_DOMAINS);
            emails.push(Labeled { label: "koti".into(), value: format!("{local}{suffix}@{domain}") });
        }
        let mut phones = Vec::new();
        if rng.chance(80) {
            phones.push(Labeled { label: "matkapuhelin".into(), value: mobile(&mut rng) });
        }
        if rng.chance(20) {
            let number = if swedish && rng.chance(40) {
                format!("+468{}", rng.between(1_000_000, 9_999_999))
            } else {
                format!("+3589{}", rng.between(1_000_000, 9_999_999))
            };
            phones.push(Labeled { label: "työ".into(), value: number });
        }
        let addresses = if rng.chance(45) { vec![address(&mut rng, "koti")] } else { vec![] };
        let websites = if rng.chance(5) { vec![format!("https://{}.example.fi", slug(family))] } else { vec![] };
        let socials = if rng.chance(15) {
            vec![Social {
                service: "LinkedIn".into(),
                handle: format!("https://www.linkedin.com/in/{}-{}", slug(given), slug(family)),
            }]
        } else {
            vec![]
        };
        let mut categories = BTreeSet::new();
        categories.insert(CategoryKey::new(*rng.pick(&CategoryKey::BUILT_IN)));
        if rng.chance(30) {
            categories.insert(CategoryKey::new(*rng.pick(&CategoryKey::BUILT_IN)));
        }
        let mut tags = BTreeSet::new();
        for _ in 0..rng.below(3) {
            tags.insert(rng.pick(TAGS).to_string());
        }
        let source = *rng.pick(&Source::ALL);
        let provenance = Provenance {
            source,
            detail: match source {
                Source::EventSignup => format!("{} {}", rng.pick(EVENTS), rng.between(2020, 2026)),
                Source::PublicRegister => "YTJ".into(),
                Source::Import => "vanha asiakasrekisteri.xlsx".into(),
                _ => String::new(),
            },
            date: created.date_naive(),
        };
        let created_stamp = stamp_at(created);
        let mut stamps: BTreeMap<PersonField, Stamp> =
            PersonField::FIXED.iter().cloned().map(|f| (f, created_stamp)).collect();
        if updated > created {
            let changed = PersonField::FIXED[rng.below(PersonField::FIXED.len() as u64) as usize].clone();
            stamps.insert(changed, stamp_at(updated));
        }
        people.push(Person {
            id: PersonId::new(rng.uuid_v7(created)),
            given_name: given.into(),
            family_name: family.into(),
            emails,
            phones,
            addresses,
            websites,
            socials,
            affiliations,
            categories,
            tags,
            custom: BTreeMap::new(),
            provenance,
            notes: if rng.chance(8) { rng.pick(NOTES).to_string() } else { String::new() },
            restriction: None,
            created,
            updated,
            stamps,
        });
    }

    // Relationship records: half spread evenly, half on a few busy people.
    let record_count = if people.is_empty() { 0 } else { config.records };
    let mut records = Vec::with_capacity(record_count);
    for _ in 0..record_count {
        let person = if rng.chance(50) { rng.below(people.len() as u64) as usize } else { rng.skewed(people.len()) };
        let person = &people[person];
        let org = person.affiliations.first().filter(|_| rng.chance(70)).map(|a| a.org);
        let created = moment(&mut rng, person.created);
        let day = created.date_naive();
        let kind = match rng.below(100) {
            0..=29 => {
                let start = day;
                let end = rng.chance(60).then(|| start + Duration::days(rng.between(1, 3 * 365)));
                let billing = match rng.below(100) {
                    0..=69 => Billing::Paid,
                    70..=89 => Billing::NotBilled,
                    90..=97 => Billing::OpenInvoice,
                    _ => Billing::InCollection,
                };
                let kind = *rng.pick(&ContractKind::ALL);
                let title = match kind {
                    ContractKind::Order => format!("Tilaus {}", rng.between(10_000, 99_999)),
                    _ => format!("{} {}", rng.pick(CONTRACT_TITLES), start.format("%Y")),
                };
                RecordKind::Contract(Contract {
                    kind,
                    title,
                    start: Some(start),
                    end,
                    value_cents: rng.chance(85).then(|| rng.between(5_000, 5_000_000)),
                    billing,
                })
            }
            30..=44 => RecordKind::Feedback(Feedback { date: day, text: rng.pick(FEEDBACK).to_string() }),
            45..=69 => {
                let closed = day + Duration::days(rng.between(0, 30));
                RecordKind::Ticket(Ticket {
                    opened: day,
                    closed: (closed < config.today && rng.chance(90)).then_some(closed),
                    description: rng.pick(TICKETS).to_string(),
                })
            }
            70..=84 => {
                let i = rng.below(TRAININGS.len() as u64) as usize;
                let completed = rng.chance(85);
                RecordKind::Training(Training {
                    name: TRAININGS[i].into(),
                    date: day,
                    completed,
                    grade: if completed { rng.pick(GRADES).to_string() } else { String::new() },
                    statutory: i < STATUTORY_TRAININGS,
                })
            }
            _ => {
                // A sign-up made now and then for an event up to half a year ahead.
                let date = day + Duration::days(rng.between(0, 180));
                let dietary = (date >= config.today && rng.chance(25)).then(|| rng.pick(DIETS).to_string());
                RecordKind::Event(EventParticipation {
                    name: format!("{} {}", rng.pick(EVENTS), date.format("%Y")),
                    date,
                    dietary,
                })
            }
        };
        let updated = if rng.chance(20) { moment(&mut rng, created) } else { created };
        records.push(Record {
            id: RecordId::new(rng.uuid_v7(created)),
            person: person.id,
            org,
            kind,
            created,
            updated,
            stamp: stamp_at(updated),
        });
    }

    // What a register that has been in use leaves behind: a few deletions.
    let mut tombstones = Vec::new();
    for _ in 0..config.people / 500 {
        let at = moment(&mut rng, oldest);
        let gone = PersonId::new(rng.uuid_v7(at));
        let reason = match people.get(rng.below(people.len().max(1) as u64) as usize) {
            Some(p) if rng.chance(30) => TombstoneReason::MergedInto(p.id),
            _ => TombstoneReason::Deleted,
        };
        tombstones.push(Tombstone { entity: EntityRef::Person(gone), stamp: stamp_at(at), reason });
    }

    let settings = Settings { stamp: stamp_at(oldest), ..Settings::default() };
    Sample { device, parts: Parts { people, orgs, records, tombstones, settings: Some(settings), clock: Some(clock) } }
}

/// Lower-case ASCII letters and digits of a text: "Mäkisen Sähkö" → "makisensahko".
fn slug(text: &str) -> String {
    crate::domain::fold(text).chars().filter(char::is_ascii_alphanumeric).collect()
}

/// An organisation's name without its legal form, for its web address.
fn without_form(name: &str) -> &str {
    let name = name.strip_prefix("Tmi ").or_else(|| name.strip_prefix("Kiinteistö Oy ")).unwrap_or(name);
    ["Oy Ab", "Oyj", "Oy", "Ab", "Ky", "ry", "osk"]
        .iter()
        .find_map(|form| name.strip_suffix(form).map(str::trim_end))
        .unwrap_or(name)
}

fn org_name(rng: &mut Rng, taken: &mut HashSet<String>) -> String {
    loop {
        let form = *rng.pick(ORG_FORM);
        let name = if form == "Tmi" {
            format!("Tmi {} {}", rng.pick(GIVEN_FI), rng.pick(FAMILY_FI))
        } else if rng.chance(4) {
            format!("Kiinteistö Oy {} {}", rng.pick(STREETS), rng.between(1, 60))
        } else {
            let first = rng.pick(ORG_FIRST).trim_end_matches('-');
            format!("{first} {} {form}", rng.pick(ORG_BRANCH))
        };
        if taken.insert(crate::domain::fold(&name)) {
            return name;
        }
    }
}

/// A valid, unused Finnish business ID (Y-tunnus): seven digits and the
/// check digit (weights 7 9 10 5 8 4 2, modulo 11; remainder 1 is unused).
pub fn business_id(rng: &mut Rng, taken: &mut HashSet<String>) -> String {
    const WEIGHTS: [u64; 7] = [7, 9, 10, 5, 8, 4, 2];
    loop {
        let body = format!("{:07}", rng.between(100_000, 3_399_999));
        let sum: u64 = body.bytes().zip(WEIGHTS).map(|(b, w)| u64::from(b - b'0') * w).sum();
        let check = match sum % 11 {
            0 => 0,
            1 => continue,
            r => 11 - r,
        };
        let id = format!("{body}-{check}");
        if taken.insert(id.clone()) {
            return id;
        }
    }
}

/// A Finnish mobile number in international form.
fn mobile(rng: &mut Rng) -> String {
    let prefix = rng.pick(&["40", "41", "44", "45", "46", "50", "400", "457"]);
    let digits = if prefix.len() == 3 { rng.between(100_000, 999_999) } else { rng.between(1_000_000, 9_999_999) };
    format!("+358{prefix}{digits}")
}

fn address(rng: &mut Rng, label: &str) -> Address {
    let (city, postal) = *rng.pick(CITIES);
    let street = match rng.below(4) {
        0 => format!("{} {} A {}", rng.pick(STREETS), rng.between(1, 120), rng.between(1, 40)),
        1 => format!("{} {} B", rng.pick(STREETS), rng.between(1, 120)),
        _ => format!("{} {}", rng.pick(STREETS), rng.between(1, 120)),
    };
    Address {
        label: label.into(),
        street,
        postal_code: format!("{postal}{:03}", rng.between(1, 99) * 10),
        city: city.into(),
        country: if rng.chance(3) { "Ruotsi".into() } else { String::new() },
    }
}

/// The passphrase of sample bundles. Sample data is not secret.
pub const PASSPHRASE: &str = "sample register passphrase";

/// The sample as a colleague would send it: the whole register in an
/// encrypted bundle (the current format, default key-derivation cost),
/// sealed with [`PASSPHRASE`]. Salt and nonce follow from the seed, so the
/// same options give the same file (never do that with real data).
pub fn write_bundle(sample: Sample, config: &Config) -> Result<Vec<u8>, crate::bundle::BundleError> {
    let snapshot = snapshot(sample, config);
    let mut rng = Rng::new(config.seed ^ 0x5eed_b0d1e);
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    for b in salt.iter_mut().chain(nonce.iter_mut()) {
        *b = rng.below(256) as u8;
    }
    crate::bundle::write_bundle(&snapshot, PASSPHRASE, crate::bundle::KdfParams::DEFAULT, salt, nonce)
}

/// Everything in the sample, as an export of the whole register made at
/// nine in the morning of the sample's day.
pub fn snapshot(sample: Sample, config: &Config) -> crate::domain::Snapshot {
    let reg = crate::domain::Register::from_parts(sample.parts, sample.device, Box::new(crate::domain::FinnishOrder));
    let now = Utc.from_utc_datetime(&config.today.and_hms_opt(9, 0, 0).expect("a time of day"));
    reg.export_snapshot(&crate::domain::ExportScope::everything(), now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::dto::{OrgDto, PersonDto, RecordDto, TombstoneDto};
    use crate::domain::{validate, Filter, FinnishOrder, Register};

    fn small() -> Config {
        Config { people: 600, orgs: 60, records: 2_400, seed: 7, today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap() }
    }

    fn bundle(config: &Config) -> Vec<u8> {
        write_bundle(generate(config), config).unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_register() {
        let config = small();
        assert_eq!(bundle(&config), bundle(&config));
        let other = Config { seed: 8, ..small() };
        let a = snapshot(generate(&config), &config);
        let b = snapshot(generate(&other), &other);
        assert_ne!(a.people, b.people);
    }

    #[test]
    fn counts_are_as_asked() {
        let s = generate(&small());
        assert_eq!((s.parts.people.len(), s.parts.orgs.len(), s.parts.records.len()), (600, 60, 2_400));
        assert_eq!(s.parts.tombstones.len(), 1);
        let ids: HashSet<PersonId> = s.parts.people.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), 600);
        let orgs: HashSet<OrgId> = s.parts.orgs.iter().map(|o| o.id).collect();
        assert!(s.parts.records.iter().all(|r| ids.contains(&r.person) && r.org.is_none_or(|o| orgs.contains(&o))));
        assert!(s.parts.people.iter().flat_map(|p| &p.affiliations).all(|a| orgs.contains(&a.org)));
    }

    #[test]
    fn every_value_is_one_the_app_accepts() {
        let config = small();
        let s = generate(&config);
        let clock = s.parts.clock.unwrap();
        for p in &s.parts.people {
            let back = Person::try_from(PersonDto::from(p)).expect("a readable person");
            assert_eq!(&back, p);
            for e in &p.emails {
                assert_eq!(validate::email(&e.value).as_deref(), Ok(e.value.as_str()));
            }
            for ph in &p.phones {
                assert_eq!(validate::phone(&ph.value, "358").as_deref(), Ok(ph.value.as_str()));
            }
            for w in p.websites.iter().chain(p.socials.iter().map(|s| &s.handle)) {
                assert_eq!(validate::url(w).as_deref(), Ok(w.as_str()));
            }
            assert!(p.categories.iter().all(CategoryKey::is_built_in));
            assert!(p.created <= p.updated && p.stamps.values().all(|st| *st <= clock));
            assert_eq!(p.stamps.len(), PersonField::FIXED.len());
        }
        let mut kinds = BTreeSet::new();
        for o in &s.parts.orgs {
            assert_eq!(Organisation::try_from(OrgDto::from(o)).expect("a readable organisation"), *o);
            if let Some(id) = &o.business_id {
                assert_eq!(validate::business_id(id).as_deref(), Ok(id.as_str()));
            }
        }
        assert!(s.parts.orgs.iter().filter(|o| o.business_id.is_some()).count() > 30);
        for r in &s.parts.records {
            assert_eq!(Record::try_from(RecordDto::from(r)).expect("a readable record"), *r);
            assert!(r.stamp <= clock);
            kinds.insert(r.kind.key());
            if let RecordKind::Event(e) = &r.kind {
                assert!(e.dietary.is_none() || e.date >= config.today, "past events keep no dietary data");
            }
        }
        assert_eq!(kinds.len(), 5, "every kind of record: {kinds:?}");
        for t in &s.parts.tombstones {
            assert_eq!(Tombstone::try_from(TombstoneDto::from(t)).unwrap(), *t);
        }
        let all = || s.parts.people.iter().flat_map(|p| [p.given_name.as_str(), p.family_name.as_str()]);
        assert!(all().any(|n| n.contains('ä')) && all().any(|n| n.contains('ö')) && all().any(|n| n.contains('å')));
    }

    #[test]
    fn the_bundle_opens_into_a_register_that_searches() {
        let config = small();
        let file = bundle(&config);
        let now = Utc.from_utc_datetime(&config.today.and_hms_opt(10, 0, 0).unwrap());
        let back = crate::bundle::read_bundle(&file, PASSPHRASE, now).expect("a readable bundle");
        assert!(crate::bundle::read_bundle(&file, "not the passphrase", now).is_err());
        assert_eq!((back.people.len(), back.orgs.len(), back.records.len()), (600, 60, 2_400));

        // Imported into an empty register, as the app does.
        let mut reg = Register::new(DeviceId::new(Uuid::from_u128(9)), Box::new(FinnishOrder));
        let mut n = 0u128;
        let mut ids = || {
            n += 1;
            Uuid::from_u128(n)
        };
        let actor = crate::domain::Actor::admin("");
        let mut env = crate::domain::Env { now, today: config.today, actor: &actor, new_id: &mut ids };
        let plan = reg.plan_import(&back, &Default::default(), &mut env).expect("an import plan");
        reg.apply(plan.changes);
        assert_eq!((reg.people_count(), reg.org_count(), reg.record_count()), (600, 60, 2_400));
        let first = reg.person(reg.people_in_order()[0]).unwrap().clone();
        let query = format!("{} {}", first.given_name.to_uppercase(), first.family_name);
        let found = reg.search(&Filter::text(query));
        assert!(found.contains(&first.id));
        assert!(found.len() < reg.people_count());
        assert!(reg.search(&Filter::text("xyzzy")).is_empty());
        let org = &reg.orgs_in_order()[0];
        assert!(reg.members(org.id).iter().all(|id| reg.search(&Filter::text(org.name.clone())).contains(id)));
        // The app's clean-up at start has nothing to do.
        let plan = reg.plan(&crate::domain::Command::PurgePastDietary, &mut env).unwrap();
        assert!(plan.is_empty());
    }

    #[test]
    fn business_ids_are_valid() {
        let mut rng = Rng::new(3);
        let mut taken = HashSet::new();
        for _ in 0..2_000 {
            let id = business_id(&mut rng, &mut taken);
            assert_eq!(validate::business_id(&id), Ok(id.clone()));
        }
    }
}
