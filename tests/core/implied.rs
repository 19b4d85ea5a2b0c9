//! Document version 3 leaves out the stamps and times a reader can work
//! out (`docs/bundle-format.md` section 8.1): what is left out, and how it
//! is read back — in version 3 only.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};

use sidos::bundle::document;
use sidos::bundle::dto::{OrgDto, PersonDto, RecordDto};
use sidos::bundle::BundleError;
use sidos::domain::testing::device;
use sidos::domain::{PersonField, Snapshot, Stamp};
use sidos::sample::{generate, snapshot, Config};

fn fixture(name: &str) -> Value {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

fn read(doc: &Value) -> Result<Snapshot, BundleError> {
    document::read(&serde_json::to_vec(doc).unwrap(), now())
}

/// A generated register: its ids are UUIDv7s made when the entities were.
fn sample() -> Snapshot {
    let config = Config { people: 300, orgs: 30, records: 1_200, seed: 3, today: now().date_naive() };
    snapshot(generate(&config), &config)
}

/// The time of a UUIDv7, to the millisecond.
fn id_time(id: uuid::Uuid) -> u64 {
    let (seconds, nanos) = id.get_timestamp().unwrap().to_unix();
    seconds * 1000 + u64::from(nanos) / 1_000_000
}

fn millis(t: DateTime<Utc>) -> u64 {
    t.timestamp_millis() as u64
}

#[test]
fn a_document_leaves_out_what_its_ids_and_stamps_tell() {
    let snap = sample();
    let doc: Value = serde_json::from_slice(&document::write(&snap)).unwrap();
    assert_eq!(doc["version"], json!(3));
    let by_id = |list: &str| -> std::collections::HashMap<String, Value> {
        doc[list].as_array().unwrap().iter().map(|e| (e["id"].as_str().unwrap().to_owned(), e.clone())).collect()
    };
    let records = by_id("records");
    let mut implied = 0;
    for r in &snap.records {
        let written = &records[&r.id.to_string()];
        let own = Stamp { millis: id_time(r.id.uuid()), counter: 0, device: snap.device };
        assert_eq!(written.get("stamp").is_none(), r.stamp == own, "record {}", r.id);
        assert_eq!(written.get("created").is_none(), millis(r.created) == id_time(r.id.uuid()));
        let latest = r.created.max(DateTime::from_timestamp_millis(r.stamp.millis as i64).unwrap());
        assert_eq!(written.get("updated").is_none(), r.updated == latest);
        implied += usize::from(r.stamp == own);
    }
    assert!(implied > snap.records.len() / 2, "most records were never changed: {implied}");
    let orgs = by_id("organisations");
    for o in &snap.orgs {
        let own = Stamp { millis: id_time(o.id.uuid()), counter: 0, device: snap.device };
        assert_eq!(orgs[&o.id.to_string()].get("stamp").is_none(), o.stamp == own);
    }
    let people = by_id("people");
    let unchanged = snap
        .people
        .iter()
        .filter(|p| p.stamps.values().all(|s| s.millis == id_time(p.id.uuid()) && s.counter == 0))
        .inspect(|p| {
            let written = &people[&p.id.to_string()];
            for member in ["stamp", "stamps", "created", "updated"] {
                assert!(written.get(member).is_none(), "person {}: {member} {written}", p.id);
            }
        })
        .count();
    assert!(unchanged > 0);

    // Read back: the same register.
    let mut back = read(&doc).unwrap();
    let mut want = snap;
    for s in [&mut back, &mut want] {
        s.records.sort_by_key(|r| r.id);
        s.people.sort_by_key(|p| p.id);
        s.orgs.sort_by_key(|o| o.id);
    }
    assert_eq!(back.people, want.people);
    assert_eq!(back.orgs, want.orgs);
    assert_eq!(back.records, want.records);
}

#[test]
fn storage_spells_every_stamp_and_time_out() {
    let snap = sample();
    for p in &snap.people {
        let dto = PersonDto::from(p);
        assert!(dto.stamp.flatten().is_some(), "person {}", p.id);
    }
    assert!(snap.orgs.iter().all(|o| OrgDto::from(o).stamp.is_some()));
    assert!(snap.records.iter().all(|r| RecordDto::from(r).stamp.is_some()));
    // A stored record without a stamp is refused, as before.
    let mut dto = RecordDto::from(&snap.records[0]);
    dto.stamp = None;
    assert_eq!(sidos::domain::Record::try_from(dto).unwrap_err().what, "stamp");
}

#[test]
fn a_person_without_a_shared_stamp_says_so() {
    let mut snap = sample();
    let p = &mut snap.people[0];
    p.stamps.remove(&PersonField::Notes);
    let id = p.id.to_string();
    let stamps = p.stamps.clone();
    let doc: Value = serde_json::from_slice(&document::write(&snap)).unwrap();
    let written = doc["people"].as_array().unwrap().iter().find(|e| e["id"] == json!(id)).unwrap();
    assert_eq!(written["stamp"], Value::Null, "{written}");
    let back = read(&doc).unwrap();
    assert_eq!(back.people.iter().find(|p| p.id.to_string() == id).unwrap().stamps, stamps);
}

#[test]
fn what_is_left_out_is_read_as_the_version_says() {
    let a1 = device(0xa1);
    // The test vector's ids are UUIDv7s of 0x0190_0000_0000 milliseconds.
    let id_stamp = Stamp { millis: 0x0190_0000_0000, counter: 0, device: a1 };
    let v3 = fixture("bundle-v1-doc3.plaintext.json");

    // A record without a stamp: made by the document's device at its id's time.
    let mut doc = v3.clone();
    doc["records"][0].as_object_mut().unwrap().remove("stamp");
    let back = read(&doc).unwrap();
    let record = back.records.iter().find(|r| r.id.to_string() == doc["records"][0]["id"]).unwrap();
    assert_eq!(record.stamp, id_stamp);
    assert_eq!(record.updated, record.created, "created is later than the id's time");

    // An organisation without `updated`: the time of its stamp.
    let org = &read(&v3).unwrap().orgs[0];
    assert_eq!(org.updated, Utc.with_ymd_and_hms(2026, 11, 22, 10, 7, 0).unwrap());
    assert_eq!(v3["organisations"][0].get("updated"), None);

    // A person without a stamp gets the id's for every built-in field; with
    // `null`, only the stamps named.
    let mut doc = v3.clone();
    doc["people"][1].as_object_mut().unwrap().remove("stamp");
    let antti = read(&doc).unwrap().people.into_iter().find(|p| p.family_name == "Aho").unwrap();
    assert!(antti.stamps.values().all(|s| *s == id_stamp) && antti.stamps.len() == PersonField::FIXED.len());
    let mut doc = v3.clone();
    doc["people"][0]["stamp"] = Value::Null;
    let kati = read(&doc).unwrap().people.into_iter().find(|p| p.family_name == "Häkkinen").unwrap();
    assert_eq!(kati.stamps.len(), 1, "only the custom field's");

    // Nothing is implied where the id is not a UUIDv7, or before version 3.
    let mut doc = v3.clone();
    doc["records"][0]["id"] = json!("01900000-0000-4000-80f1-000000000006");
    doc["records"][0].as_object_mut().unwrap().remove("stamp");
    let e = read(&doc).unwrap_err();
    assert_eq!(e, BundleError::Schema("record 01900000-0000-4000-80f1-000000000006: stamp".into()));
    let mut doc = fixture("bundle-v1-doc2.plaintext.json");
    doc["records"][0].as_object_mut().unwrap().remove("stamp");
    assert!(matches!(read(&doc), Err(BundleError::Schema(detail)) if detail.ends_with(": stamp")));
    let mut doc = fixture("bundle-v1-doc2.plaintext.json");
    doc["organisations"][0].as_object_mut().unwrap().remove("updated");
    let org = &read(&doc).unwrap().orgs[0];
    assert_eq!(org.updated, org.created, "version 2: `updated` left out is `created`");
}

#[test]
fn an_implied_stamp_far_in_the_future_is_refused() {
    let mut doc = fixture("bundle-v1-doc3.plaintext.json");
    // A UUIDv7 centuries ahead, without a stamp of its own.
    doc["records"][0]["id"] = json!("0f4d4d9b-b000-7000-8000-000000000006");
    doc["records"][0].as_object_mut().unwrap().remove("stamp");
    let e = read(&doc).unwrap_err();
    assert_eq!(
        e,
        BundleError::Schema(
            "record 0f4d4d9b-b000-7000-8000-000000000006: a time stamp lies in the future (is a computer's clock wrong?)"
                .into()
        ),
        "the message names what holds the stamp"
    );
    let mut doc = fixture("bundle-v1-doc3.plaintext.json");
    doc["clock"] = json!("fffffffffff.0.AXY_pdAAcVyCiewtCpFn7A");
    assert!(
        matches!(read(&doc), Err(BundleError::Schema(d)) if d.starts_with("document clock: a time stamp lies in the future"))
    );
}

/// Every kind of value a person, an organisation or a record can hold.
fn everything(snap: &mut Snapshot) {
    use sidos::domain::gdpr::{Restriction, RestrictionKind};
    use sidos::domain::record::{Contract, EventParticipation, Ticket, Training};
    use sidos::domain::{
        Address, Affiliation, Billing, CategoryKey, ContractKind, CustomValue, FieldId, Labeled, RecordKind, Social,
    };
    let field = |n: u128| FieldId::new(uuid::Uuid::from_u128(n));
    let p = &mut snap.people[0];
    p.emails.push(Labeled { label: String::new(), value: "a@b.fi".into() });
    p.phones.push(Labeled { label: "työ \"sisä\"".into(), value: "+358401234567".into() });
    p.addresses.push(Address { country: "Suomi".into(), ..Address::default() });
    p.addresses.push(Address::default());
    p.websites.push("https://esimerkki.fi/ä?q=1&r=\\".into());
    p.socials.push(Social { service: "mastodon".into(), handle: "@kati".into() });
    p.affiliations.push(Affiliation { org: snap.orgs[0].id, role: String::new() });
    p.categories.insert(CategoryKey::new("customer"));
    p.tags.insert("VIP\n".into());
    p.custom.insert(field(1), CustomValue::Text("\u{1f600}".into()));
    p.custom.insert(field(2), CustomValue::Number(-1.5e-7));
    p.custom.insert(field(3), CustomValue::Date(now().date_naive()));
    p.custom.insert(field(4), CustomValue::YesNo(false));
    p.custom.insert(field(5), CustomValue::Choice(String::new()));
    p.notes = "rivi\trivi".into();
    p.restriction =
        Some(Restriction { since: now().date_naive(), request: None, kind: RestrictionKind::ErasedExceptHeld });
    p.stamps.insert(PersonField::Custom(field(2)), Stamp { counter: 3, ..p.stamps[&PersonField::Name] });
    snap.people[1].stamps.remove(&PersonField::Tags);
    // Times to the nanosecond and microsecond, and in the distant past.
    snap.people[2].updated = snap.people[2].created + chrono::Duration::nanoseconds(1);
    snap.people[3].updated = snap.people[3].created + chrono::Duration::microseconds(5);
    snap.people[4].created = Utc.with_ymd_and_hms(1, 2, 3, 4, 5, 6).unwrap();
    let o = &mut snap.orgs[0];
    o.business_id = None;
    o.website = None;
    o.notes = "x".into();
    o.address = Address::default();
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let kinds = [
        RecordKind::Contract(Contract {
            kind: ContractKind::Order,
            title: String::new(),
            start: None,
            end: Some(day(10_000, 1, 1)),
            value_cents: Some(-1),
            billing: Billing::InCollection,
        }),
        RecordKind::Ticket(Ticket { opened: day(999, 12, 31), closed: None, description: String::new() }),
        RecordKind::Ticket(Ticket { opened: day(2026, 1, 9), closed: Some(day(2026, 2, 1)), description: "ok".into() }),
        RecordKind::Training(Training {
            name: "EA".into(),
            date: now().date_naive(),
            completed: true,
            grade: String::new(),
            statutory: true,
        }),
        RecordKind::Event(EventParticipation { name: "Juhla".into(), date: now().date_naive(), dietary: None }),
        RecordKind::Event(EventParticipation {
            name: String::new(),
            date: now().date_naive(),
            dietary: Some(String::new()),
        }),
    ];
    for (r, kind) in snap.records.iter_mut().zip(kinds) {
        r.kind = kind;
        r.org = None;
    }
    snap.records[7].updated = snap.records[7].created + chrono::Duration::milliseconds(1500);
}

#[test]
fn entities_written_from_the_register_are_their_documents_byte_for_byte() {
    use sidos::bundle::dto::{Implied, OrgOut, PersonOut, RecordOut};
    let mut snap = sample();
    everything(&mut snap);
    for implied in [Implied::LITTLE, Implied::by(snap.device)] {
        for p in &snap.people {
            assert_eq!(
                serde_json::to_string(&PersonOut::new(p, implied)).unwrap(),
                serde_json::to_string(&PersonDto::written(p, implied)).unwrap()
            );
        }
        for o in &snap.orgs {
            assert_eq!(
                serde_json::to_string(&OrgOut::new(o, implied)).unwrap(),
                serde_json::to_string(&OrgDto::written(o, implied)).unwrap()
            );
        }
        for r in &snap.records {
            assert_eq!(
                serde_json::to_string(&RecordOut::new(r, implied)).unwrap(),
                serde_json::to_string(&RecordDto::written(r, implied)).unwrap()
            );
        }
    }
    // The whole document, too.
    let written = document::write(&snap);
    assert!(written == serde_json::to_vec(&document::DocumentDto::from(&snap)).unwrap());
}

#[test]
fn an_export_written_from_the_register_is_its_snapshot_written() {
    use sidos::domain::{CategoryKey, ExportScope, FinnishOrder, Register};
    let config = Config { people: 300, orgs: 30, records: 1_200, seed: 5, today: now().date_naive() };
    let sample = generate(&config);
    let reg = Register::from_parts(sample.parts, sample.device, Box::new(FinnishOrder));
    let everything = ExportScope::everything();
    let events = ExportScope {
        categories: Some([CategoryKey::new("event")].into()),
        relationship: true,
        record_kinds: Some(["event".to_owned(), "contract".to_owned()].into()),
        dietary: false,
        notes: false,
        custom: false,
    };
    let people_only = ExportScope { relationship: false, ..ExportScope::everything() };
    for scope in [everything, events, people_only] {
        let view = reg.export_view(&scope, now());
        let mut by_view = Vec::new();
        document::write_view_to(&view, &mut by_view).unwrap();
        let snapshot = view.into_snapshot();
        assert!(by_view == document::write(&snapshot), "{}", scope.describe());
        assert!(!snapshot.people.is_empty());
        // What the scope leaves out is left out of the written document.
        let back = document::read(&by_view, now()).unwrap();
        assert_eq!(back.people.len(), snapshot.people.len());
        if !scope.dietary {
            assert!(snapshot
                .records
                .iter()
                .all(|r| !matches!(&r.kind, sidos::domain::RecordKind::Event(e) if e.dietary.is_some())));
            assert!(snapshot.people.iter().all(|p| p.notes.is_empty() && p.custom.is_empty()));
        }
    }
}
