//! Records packed to pass from the worker that decodes them to the page:
//! every kind and every optional field come back as they went, and bytes
//! that are cut short or damaged fail to read instead of being guessed at.

use chrono::{TimeZone, Utc};
use uuid::Uuid;

use sidos::bundle::packed::{pack, unpack, Unpackable, Unpacking};
use sidos::domain::record::{Contract, EventParticipation, Feedback, Ticket, Training};
use sidos::domain::testing::{day, device};
use sidos::domain::{Billing, ContractKind, OrgId, PersonId, Record, RecordId, RecordKind, Stamp};
use sidos::sample::{generate, snapshot, Config};

fn record(n: u128, org: bool, kind: RecordKind) -> Record {
    let created = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap() + chrono::Duration::nanoseconds(n as i64 * 1_001);
    Record {
        id: RecordId::new(Uuid::from_u128(0x1000 + n)),
        person: PersonId::new(Uuid::from_u128(0x2000 + n)),
        org: org.then(|| OrgId::new(Uuid::from_u128(0x3000 + n))),
        kind,
        created,
        updated: created + chrono::Duration::days(n as i64),
        stamp: Stamp { millis: 1_780_000_000_000 + n as u64, counter: n as u32, device: device(n) },
    }
}

/// Every kind, with each optional field both present and absent, and text
/// that is empty, long, or not ASCII.
fn every_kind() -> Vec<Record> {
    let contract = |kind, billing, start, end, value_cents, title: &str| {
        RecordKind::Contract(Contract { kind, title: title.into(), start, end, value_cents, billing })
    };
    vec![
        record(
            1,
            true,
            contract(ContractKind::Contract, Billing::NotBilled, Some(day(2026, 1, 1)), None, Some(-5), "Huolto"),
        ),
        record(2, false, contract(ContractKind::Order, Billing::Paid, None, Some(day(2027, 2, 28)), None, "")),
        record(3, true, contract(ContractKind::Assignment, Billing::OpenInvoice, None, None, Some(i64::MAX), "Ä\"\n")),
        record(
            4,
            false,
            contract(
                ContractKind::Contract,
                Billing::InCollection,
                Some(day(1900, 1, 1)),
                Some(day(2100, 12, 31)),
                Some(0),
                "x",
            ),
        ),
        record(5, false, RecordKind::Feedback(Feedback { date: day(2026, 5, 6), text: "Kiitos! ".repeat(500) })),
        record(
            6,
            true,
            RecordKind::Ticket(Ticket { opened: day(2026, 2, 3), closed: None, description: "Vuotaa".into() }),
        ),
        record(
            7,
            false,
            RecordKind::Ticket(Ticket {
                opened: day(2026, 2, 3),
                closed: Some(day(2026, 2, 4)),
                description: String::new(),
            }),
        ),
        record(
            8,
            false,
            RecordKind::Training(Training {
                name: "Tulityö".into(),
                date: day(2025, 9, 9),
                completed: true,
                grade: "5".into(),
                statutory: true,
            }),
        ),
        record(
            9,
            true,
            RecordKind::Training(Training {
                name: "EA1".into(),
                date: day(2025, 9, 9),
                completed: false,
                grade: String::new(),
                statutory: false,
            }),
        ),
        record(
            10,
            false,
            RecordKind::Event(EventParticipation {
                name: "Kesäjuhla".into(),
                date: day(2026, 6, 20),
                dietary: Some("gluteeniton".into()),
            }),
        ),
        record(
            11,
            false,
            RecordKind::Event(EventParticipation {
                name: "Messut".into(),
                date: day(2026, 6, 21),
                dietary: Some(String::new()),
            }),
        ),
        record(
            12,
            false,
            RecordKind::Event(EventParticipation { name: "Messut".into(), date: day(2026, 6, 21), dietary: None }),
        ),
    ]
}

fn problems() -> Vec<[&'static str; 3]> {
    vec![["pages", "records/0003", "damaged or tampered with"], ["records", "0190-x", "line 4 is unreadable"]]
}

#[test]
fn every_kind_and_problem_comes_back_as_it_went() {
    let records = every_kind();
    let (back, problems_back) = unpack(&pack(&records, &problems())).unwrap();
    assert_eq!(back, records);
    let expected: Vec<[String; 3]> = problems().iter().map(|p| p.map(str::to_owned)).collect();
    assert_eq!(problems_back, expected);
}

#[test]
fn nothing_packs_and_reads_as_nothing() {
    assert_eq!(unpack(&pack(&[], &[])).unwrap(), (vec![], vec![]));
}

#[test]
fn a_generated_register_reads_back_in_batches() {
    let config = Config { people: 200, orgs: 20, records: 2_000, seed: 5, today: day(2026, 11, 22) };
    let records = snapshot(generate(&config), &config).records;
    assert_eq!(records.len(), 2_000);
    let bytes = pack(&records, &[]);
    let mut reading = Unpacking::new(&bytes).unwrap();
    assert_eq!(reading.count(), 2_000);
    let mut back = Vec::new();
    while reading.remaining() > 0 {
        let before = back.len();
        reading.read(333, &mut back).unwrap();
        assert!(back.len() - before <= 333);
    }
    assert!(reading.problems().unwrap().is_empty());
    assert_eq!(back, records);
}

#[test]
fn bytes_cut_short_anywhere_do_not_read() {
    let bytes = pack(&every_kind(), &problems());
    for len in 0..bytes.len() {
        assert_eq!(unpack(&bytes[..len]), Err(Unpackable), "cut at {len}");
    }
}

#[test]
fn trailing_bytes_do_not_read() {
    let mut bytes = pack(&every_kind(), &problems());
    bytes.push(0);
    assert_eq!(unpack(&bytes), Err(Unpackable));
}

#[test]
fn problems_are_not_read_before_the_records() {
    let bytes = pack(&every_kind(), &[]);
    let reading = Unpacking::new(&bytes).unwrap();
    assert_eq!(reading.problems(), Err(Unpackable));
}

#[test]
fn damaged_bytes_fail_or_read_as_something_else_never_panic() {
    let records = every_kind();
    let bytes = pack(&records, &problems());
    let whole = unpack(&bytes).unwrap();
    let mut failed = 0;
    for at in 0..bytes.len() {
        for value in [0x02, 0xff] {
            let mut damaged = bytes.clone();
            if damaged[at] == value {
                continue;
            }
            damaged[at] = value;
            match unpack(&damaged) {
                Err(Unpackable) => failed += 1,
                Ok(back) => assert_ne!(back, whole, "a change at {at} went unnoticed"),
            }
        }
    }
    // Lengths, counts, tags, flags and text are checked.
    assert!(failed > bytes.len() / 4, "only {failed} damaged copies failed");
}

#[test]
fn a_count_beyond_the_bytes_is_refused_before_reserving_memory() {
    let mut bytes = pack(&every_kind(), &[]);
    bytes[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(Unpacking::new(&bytes).is_err());
}

#[test]
fn tags_out_of_range_are_refused() {
    // The kind's tag follows the fixed-width head: three ids, a flag, two
    // times and the stamp.
    let head = 16 * 3 + 1 + 12 * 2 + 8 + 4 + 16;
    let one = vec![record(1, false, RecordKind::Feedback(Feedback { date: day(2026, 1, 1), text: "a".into() }))];
    let bytes = pack(&one, &[]);
    for tag in [5u8, 200] {
        let mut damaged = bytes.clone();
        damaged[4 + head] = tag;
        assert_eq!(unpack(&damaged), Err(Unpackable), "tag {tag}");
    }
    let mut flag = bytes.clone();
    flag[4 + 32] = 2;
    assert_eq!(unpack(&flag), Err(Unpackable), "a flag of 2");
}
