//! Every entity survives its document form (what storage and bundles keep),
//! and damaged documents are refused rather than half-read.

use sidos::bundle::dto::{AuditDto, OrgDto, PersonDto, RecordDto, SettingsDto, TombstoneDto};
use sidos::domain::{
    AuditEntry, Billing, CategoryDef, CategoryKey, Change, Command, FieldDef, FieldId, FieldKind, Filter, OrgDraft,
    Organisation, Person, Record, RecordDraft, RecordDraftKind, Settings, Tombstone,
};

use crate::commands::{at_org, person, with_email, with_phone, World};

fn round_trip<D, T>(value: &T) -> T
where
    D: serde::Serialize + serde::de::DeserializeOwned + for<'a> From<&'a T>,
    T: TryFrom<D>,
    <T as TryFrom<D>>::Error: std::fmt::Debug,
{
    let json = serde_json::to_string(&D::from(value)).unwrap();
    T::try_from(serde_json::from_str::<D>(&json).unwrap()).unwrap()
}

#[test]
fn every_entity_type_round_trips() {
    let mut w = World::new();
    let size = FieldDef {
        id: FieldId::new(uuid::Uuid::from_u128(7)),
        name: "Koko".into(),
        kind: FieldKind::Choice(vec!["S".into(), "L".into()]),
        required: false,
    };
    let settings = Settings {
        user_name: "Kaisa".into(),
        categories: vec![CategoryDef { key: CategoryKey::new("custom-x"), name: "Kerho".into() }],
        fields: vec![size.clone()],
        ..Settings::default()
    };
    let mut changes: Vec<Change> = w.run(Command::UpdateSettings(settings)).changes;
    let mut d =
        at_org(with_phone(with_email(person("Kati", "Häkkinen"), "kati@mipro.fi"), "040 123 4567"), "Mipro Oy", "DPO");
    d.custom.insert(size.id, "L".into());
    d.websites = vec!["mipro.fi".into()];
    d.tags = vec!["VIP".into()];
    d.addresses.push(sidos::domain::Address {
        label: "työ".into(),
        street: "Kunnanmäki 9".into(),
        postal_code: "50600".into(),
        city: "Mikkeli".into(),
        country: String::new(),
    });
    changes.extend(w.run(Command::AddPerson(d)).changes);
    let kati = w.reg.people().next().unwrap().id;
    changes.extend(
        w.run(Command::AddOrg(OrgDraft {
            name: "Toinen Oy".into(),
            business_id: "0737546-2".into(),
            ..OrgDraft::default()
        }))
        .changes,
    );
    for kind in [
        RecordDraftKind::Contract {
            kind: sidos::domain::ContractKind::Assignment,
            title: "T".into(),
            start: "2026-01-01".into(),
            end: "".into(),
            value: "10,5".into(),
            billing: Billing::InCollection,
        },
        RecordDraftKind::Feedback { date: "2026-01-01".into(), text: "Hyvä".into() },
        RecordDraftKind::Ticket { opened: "2026-01-01".into(), closed: "2026-01-02".into(), description: "D".into() },
        RecordDraftKind::Training {
            name: "T".into(),
            date: "2026-01-01".into(),
            completed: true,
            grade: "5".into(),
            statutory: true,
        },
        RecordDraftKind::Event { name: "E".into(), date: "2026-12-01".into(), dietary: "vegaani".into() },
    ] {
        changes.extend(w.run(Command::AddRecord(RecordDraft { person: kati, org: None, kind })).changes);
    }
    let extra = w.add(person("Poistuva", "Henkilö"));
    changes.extend(w.run(Command::DeletePerson(extra)).changes);
    changes.extend(w.run(Command::SaveSegment { name: "S".into(), filter: Filter::text("x") }).changes);

    let mut seen = [0usize; 6];
    for change in &changes {
        match change {
            Change::PutPerson(p) => {
                seen[0] += 1;
                assert_eq!(&round_trip::<PersonDto, Person>(p), p);
            }
            Change::PutOrg(o) => {
                seen[1] += 1;
                assert_eq!(&round_trip::<OrgDto, Organisation>(o), o);
            }
            Change::PutRecord(r) => {
                seen[2] += 1;
                assert_eq!(&round_trip::<RecordDto, Record>(r), r);
            }
            Change::PutTombstone(t) => {
                seen[3] += 1;
                assert_eq!(&round_trip::<TombstoneDto, Tombstone>(t), t);
            }
            Change::PutSettings(s) => {
                seen[4] += 1;
                assert_eq!(&round_trip::<SettingsDto, Settings>(s), s);
            }
            Change::Audit(a) => {
                seen[5] += 1;
                assert_eq!(&round_trip::<AuditDto, AuditEntry>(a), a);
            }
            _ => {}
        }
    }
    assert!(seen.iter().all(|n| *n > 0), "every kind of document was checked: {seen:?}");
}

#[test]
fn damaged_documents_are_refused() {
    let cases = [
        (
            r#"{"id":"0190","name":"X","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","stamp":"x"}"#,
            "organisation: bad id",
        ),
        (
            r#"{"id":"01900000-0000-7000-8000-000000000001","name":"X","business_id":"123","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","stamp":"0000000000000001-00000000-01900000-0000-7000-8000-000000000001"}"#,
            "organisation: bad business id",
        ),
        (
            r#"{"id":"01900000-0000-7000-8000-000000000001","name":"X","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","stamp":"not a stamp"}"#,
            "organisation: bad stamp",
        ),
    ];
    for (json, what) in cases {
        let parsed = serde_json::from_str::<OrgDto>(json);
        let refused = match parsed {
            Err(_) => true,
            Ok(dto) => Organisation::try_from(dto).is_err(),
        };
        assert!(refused, "{what}");
    }
    let bad_record = r#"{"id":"01900000-0000-7000-8000-000000000001","person":"01900000-0000-7000-8000-000000000002","type":"contract","kind":"lease","title":"T","billing":"paid","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","stamp":"0000000000000001-00000000-01900000-0000-7000-8000-000000000001"}"#;
    assert!(Record::try_from(serde_json::from_str::<RecordDto>(bad_record).unwrap()).is_err());
    let unknown_kind = bad_record.replace("\"contract\"", "\"horoscope\"");
    assert!(serde_json::from_str::<RecordDto>(&unknown_kind).is_err());
    let no_title = bad_record.replace("\"title\":\"T\",", "");
    let e = serde_json::from_str::<RecordDto>(&no_title).unwrap_err().to_string();
    assert!(e.starts_with("missing field `title`"), "{e}");
    let no_type = bad_record.replace("\"type\":\"contract\",", "");
    let e = serde_json::from_str::<RecordDto>(&no_type).unwrap_err().to_string();
    assert!(e.starts_with("missing field `type`"), "{e}");
}

#[test]
fn stamps_are_written_compactly_and_both_forms_are_read() {
    use sidos::bundle::dto::{stamp, stamp_text};
    use sidos::domain::{DeviceId, Stamp};
    let device = DeviceId::new(uuid::Uuid::parse_str("0175f266-6c00-715c-8289-ec2d0a9167ec").unwrap());
    let s = Stamp { millis: 0x179_63de_0da3, counter: 2, device };
    let text = stamp_text(&s);
    assert_eq!(text, "17963de0da3.2.AXXyZmwAcVyCiewtCpFn7A");
    assert_eq!(stamp(&text), Ok(s));
    // Version 1's form.
    assert_eq!(stamp("0000017963de0da3-00000002-0175f266-6c00-715c-8289-ec2d0a9167ec"), Ok(s));
    assert_eq!(stamp(&stamp_text(&Stamp::ZERO)), Ok(Stamp::ZERO));
    assert_eq!(stamp_text(&Stamp::ZERO), "0.0.AAAAAAAAAAAAAAAAAAAAAA");
    // Written as `{:x}` writes: no leading zeros, every width.
    for (millis, counter) in [(1, 15), (16, 16), (0xabc, 0x1000), (u64::MAX, u32::MAX), (1 << 40, 7)] {
        let s = Stamp { millis, counter, device };
        assert_eq!(stamp_text(&s), format!("{millis:x}.{counter:x}.AXXyZmwAcVyCiewtCpFn7A"));
        assert_eq!(stamp(&stamp_text(&s)), Ok(s));
    }
    for bad in [
        "17963de0da3.2.AXXyZmwAcVyCiewtCpFn7AAA",
        "17963de0da3.2.AXXyZmwAcVyCiewtCpFn7AAAAAAAAAAAAAAAAAAAAAA",
        "",
        "17963de0da3.2",
        "17963de0da3..AXXyZmwAcVyCiewtCpFn7A",
        "zz.2.AXXyZmwAcVyCiewtCpFn7A",
        "17963de0da3.2.AXXyZmwAcVyCiewtCpFn7",
        "17963de0da3.2.AXXyZmwAcVyCiewtCpFn7A.0",
        "11111111111111111.2.AXXyZmwAcVyCiewtCpFn7A",
        "17963de0da3.2.AXXyZmwAcVyCiewtCpFn7A=",
    ] {
        assert!(stamp(bad).is_err(), "{bad:?} is not a stamp");
    }
}

#[test]
fn a_persons_document_names_only_the_stamps_that_differ_from_the_shared_one() {
    use sidos::domain::{PersonField, Stamp};
    let mut w = World::new();
    let id = w.add(with_email(person("Kati", "Häkkinen"), "kati@mipro.fi"));
    let mut p = w.reg.person(id).unwrap().clone();
    let first = p.stamps[&PersonField::Name];
    let later = Stamp { millis: first.millis + 5, ..first };
    p.stamps.insert(PersonField::Emails, later);
    let dto = PersonDto::from(&p);
    assert_eq!(dto.stamp.clone().flatten().as_deref(), Some(sidos::bundle::dto::stamp_text(&first).as_str()));
    assert_eq!(dto.stamps.keys().collect::<Vec<_>>(), vec!["emails"]);
    assert_eq!(round_trip::<PersonDto, Person>(&p), p);
    // Of stamps equally shared, the latest is the shared one, whichever
    // fields hold it.
    for (early_first, expected) in [(true, 7), (false, 7)] {
        let mut q = p.clone();
        for (i, field) in PersonField::FIXED.iter().enumerate() {
            let millis = match (i < 5, early_first) {
                _ if i == 10 => first.millis + 9,
                (true, true) | (false, false) => first.millis + 5,
                _ => first.millis + 7,
            };
            q.stamps.insert(field.clone(), Stamp { millis, ..first });
        }
        let dto = PersonDto::from(&q);
        let shared = Stamp { millis: first.millis + expected, ..first };
        assert_eq!(dto.stamp.clone().flatten(), Some(sidos::bundle::dto::stamp_text(&shared)), "{early_first}");
        assert_eq!(dto.stamps.len(), 6, "five fields of the other stamp and one of its own");
        assert_eq!(round_trip::<PersonDto, Person>(&q), q);
    }
    // A person without a stamp for every built-in field (an old document)
    // keeps exactly the stamps it had.
    p.stamps.remove(&PersonField::Notes);
    let dto = PersonDto::from(&p);
    assert!(dto.stamp.is_none());
    assert_eq!(dto.stamps.len(), p.stamps.len());
    assert_eq!(round_trip::<PersonDto, Person>(&p), p);
    // A shared stamp that is not a stamp is refused.
    let mut json: serde_json::Value = serde_json::to_value(PersonDto::from(w.reg.person(id).unwrap())).unwrap();
    json["stamp"] = "yesterday".into();
    assert!(Person::try_from(serde_json::from_value::<PersonDto>(json).unwrap()).is_err());
}

#[test]
fn creation_and_change_times_are_left_out_when_the_stamp_tells_them() {
    let mut w = World::new();
    let id = w.add(person("Kati", "Häkkinen"));
    let p = w.reg.person(id).unwrap().clone();
    let json = serde_json::to_value(PersonDto::from(&p)).unwrap();
    assert!(json.get("created").is_none() && json.get("updated").is_none(), "{json}");
    assert_eq!(round_trip::<PersonDto, Person>(&p), p);
    // Changed later: both times are written.
    let mut later = p.clone();
    later.updated = p.created + chrono::Duration::days(3);
    later.stamps.insert(
        sidos::domain::PersonField::Name,
        sidos::domain::Stamp {
            millis: p.stamps[&sidos::domain::PersonField::Name].millis + 3 * 86_400_000,
            ..p.stamps[&sidos::domain::PersonField::Name]
        },
    );
    let json = serde_json::to_value(PersonDto::from(&later)).unwrap();
    assert!(json.get("created").is_some() || json.get("stamp").is_some());
    assert_eq!(json["updated"], serde_json::to_value(later.updated).unwrap());
    assert_eq!(round_trip::<PersonDto, Person>(&later), later);
    // A time that is not the stamp's is kept exactly.
    let mut odd = p.clone();
    odd.created = p.created - chrono::Duration::milliseconds(1);
    let json = serde_json::to_value(PersonDto::from(&odd)).unwrap();
    assert!(json.get("created").is_some() && json.get("updated").is_some());
    assert_eq!(round_trip::<PersonDto, Person>(&odd), odd);
}

#[test]
fn every_kind_of_record_needs_its_own_fields_in_any_order() {
    let head = r#""id":"01900000-0000-7000-8000-000000000001","person":"01900000-0000-7000-8000-000000000002","stamp":"1.0.AZAAAAAAcACAAAAAAAAAAQ""#;
    // Each kind with its required fields; every one of them is needed.
    let kinds: [(&str, &[(&str, &str)]); 5] = [
        ("contract", &[("kind", r#""order""#), ("title", r#""T""#), ("billing", r#""paid""#)]),
        ("feedback", &[("date", r#""2026-01-02""#), ("text", r#""Hyvä""#)]),
        ("ticket", &[("opened", r#""2026-01-02""#)]),
        ("training", &[("name", r#""Ensiapu""#), ("date", r#""2026-01-02""#)]),
        ("event", &[("name", r#""Kevätjuhla""#), ("date", r#""2026-01-02""#)]),
    ];
    for (kind, fields) in kinds {
        let body = |skip: Option<&str>| {
            let own: Vec<String> =
                fields.iter().filter(|(f, _)| Some(*f) != skip).map(|(f, v)| format!(r#""{f}":{v}"#)).collect();
            own.join(",")
        };
        let tag_first = format!(r#"{{"type":"{kind}",{},{head}}}"#, body(None));
        let tag_last = format!(r#"{{{head},{},"type":"{kind}"}}"#, body(None));
        let first = serde_json::from_str::<RecordDto>(&tag_first).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let last = serde_json::from_str::<RecordDto>(&tag_last).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(first, last, "{kind}: where the type stands does not matter");
        assert_eq!(serde_json::to_value(&first).unwrap()["type"], kind);
        assert!(Record::try_from(first).is_ok(), "{kind}");
        for (field, _) in fields {
            let doc = format!(r#"{{"type":"{kind}",{},{head}}}"#, body(Some(field)));
            let e = serde_json::from_str::<RecordDto>(&doc.replace(",,", ","))
                .expect_err(&format!("{kind} without {field}"))
                .to_string();
            assert!(e.starts_with(&format!("missing field `{field}`")), "{kind}: {e}");
        }
    }
    // Optional fields may be null; wrong types and bad dates are refused.
    let ticket = format!(r#"{{"type":"ticket","opened":"2026-01-02","closed":null,{head}}}"#);
    assert!(serde_json::from_str::<RecordDto>(&ticket).is_ok());
    for bad in [r#""opened":"2026-02-30""#, r#""opened":20260102"#, r#""opened":"2.1.2026""#, r#""opened":null"#] {
        let doc = format!(r#"{{"type":"ticket",{bad},{head}}}"#);
        assert!(serde_json::from_str::<RecordDto>(&doc).is_err(), "{bad}");
    }
    let e = serde_json::from_str::<RecordDto>(&format!(r#"{{"type":"horoscope",{head}}}"#)).unwrap_err().to_string();
    assert!(e.starts_with("unknown variant `horoscope`"), "{e}");
}
