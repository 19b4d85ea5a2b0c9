//! An import's people, organisations and records stored as their document
//! wrote them (`pages::Verbatim`): only what the import takes exactly as it
//! read it, and what storage reads back is exactly what the register holds.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use sidos::bundle::{document, dto, pages};
use sidos::domain::testing::at;
use sidos::domain::{
    AffiliationDraft, Change, Command, EntityRef, ExportScope, OrgChoice, Organisation, Person, PersonDraft, Plan,
    Record, RecordDraft, RecordDraftKind, Snapshot,
};

use crate::sync::{draft_of, Replica};

fn person(given: &str, family: &str) -> PersonDraft {
    PersonDraft { given_name: given.into(), family_name: family.into(), ..PersonDraft::default() }
}

fn event(name: &str, dietary: &str) -> RecordDraftKind {
    RecordDraftKind::Event { name: name.into(), date: "2026-12-05".into(), dietary: dietary.into() }
}

/// What a plan puts exactly as the import read it.
fn verbatim(plan: &Plan) -> BTreeSet<EntityRef> {
    assert!(plan.verbatim.windows(2).all(|w| w[0] < w[1]), "positions ascend");
    plan.verbatim
        .iter()
        .map(|&at| match &plan.changes[at] {
            Change::PutPerson(p) => EntityRef::Person(p.id),
            Change::PutOrg(o) => EntityRef::Org(o.id),
            Change::PutRecord(r) => EntityRef::Record(r.id),
            other => panic!("not a person, organisation or record put: {other:?}"),
        })
        .collect()
}

#[test]
fn an_import_marks_only_what_it_takes_exactly_as_read() {
    let mut a = Replica::new(1);
    let mut b = Replica::new(2);
    let mut d = person("Kati", "Häkkinen");
    d.affiliations.push(AffiliationDraft { org: OrgChoice::New("Mipro Oy".into()), role: String::new() });
    let kati = a.add(d);
    let org = a.person(kati).affiliations[0].org;
    let with_org = a.add_record(kati, Some(org), event("Messut", "vegaani"));
    let plain = a.add_record(kati, None, event("Kevätjuhla", ""));

    // Everything is new to B: all of it is taken as read.
    let first = b.import(&a.export());
    let all: BTreeSet<EntityRef> =
        [EntityRef::Person(kati), EntityRef::Org(org), EntityRef::Record(with_org), EntityRef::Record(plain)].into();
    assert_eq!(verbatim(&first), all);

    // B deletes the organisation. A edits Kati's notes, changes both
    // events, and adds two people, one of them linked to the organisation.
    b.run(Command::DeleteOrg(org)).unwrap();
    let mut d = draft_of(a.person(kati));
    d.notes = "Soita maanantaina".into();
    a.run(Command::UpdatePerson(kati, d)).unwrap();
    for (rec, org, name) in [(with_org, Some(org), "Syysmessut"), (plain, None, "Kesäjuhla")] {
        a.run(Command::UpdateRecord(rec, RecordDraft { person: kati, org, kind: event(name, "") })).unwrap();
    }
    let mut d = person("Antti", "Aho");
    d.affiliations.push(AffiliationDraft { org: OrgChoice::Existing(org), role: String::new() });
    let antti = a.add(d);
    let liisa = a.add(person("Liisa", "Laine"));
    let second = b.import(&a.export());
    // Kati is merged field by field; Antti and the event with the deleted
    // organisation lose their links to it: none of them as read.
    assert_eq!(verbatim(&second), [EntityRef::Record(plain), EntityRef::Person(liisa)].into());
    assert!(b.person(antti).affiliations.is_empty());
    assert!(second.changes.iter().any(|c| matches!(c, Change::PutPerson(p) if p.id == kati)));

    // A bundle without dietary data: the receiver keeps its own, so the
    // record it puts is not the one read.
    let mut c = Replica::new(3);
    c.import(&a.export());
    a.run(Command::UpdateRecord(plain, RecordDraft { person: kati, org: None, kind: event("Juhla", "gluteeniton") }))
        .unwrap();
    c.import(&a.export());
    a.run(Command::UpdateRecord(plain, RecordDraft { person: kati, org: None, kind: event("Joulujuhla", "") }))
        .unwrap();
    let partial = a.export_scoped(&ExportScope { dietary: false, ..ExportScope::everything() });
    let third = c.import(&partial);
    assert!(third.changes.iter().any(|change| matches!(change, Change::PutRecord(r) if r.id == plain)));
    assert!(!verbatim(&third).contains(&EntityRef::Record(plain)));
}

/// The pages' documents read back as the store reads them.
fn stored(texts: &[(String, Option<String>)]) -> (Vec<Person>, Vec<Organisation>, Vec<Record>) {
    let (mut people, mut orgs, mut records) = (Vec::new(), Vec::new(), Vec::new());
    for (key, text) in texts {
        let text = text.as_deref().expect("no page is emptied");
        for entry in pages::Page::entries(text) {
            let (_, doc) = entry.expect("a readable line");
            match pages::Kind::from_page_key(key).expect("a page key") {
                pages::Kind::People => people.push(dto::decode::<dto::PersonDto, Person>(doc).unwrap()),
                pages::Kind::Orgs => orgs.push(dto::decode::<dto::OrgDto, Organisation>(doc).unwrap()),
                pages::Kind::Records => records.push(dto::decode::<dto::RecordDto, Record>(doc).unwrap()),
                _ => {}
            }
        }
    }
    people.sort_by_key(|p| p.id);
    orgs.sort_by_key(|o| o.id);
    records.sort_by_key(|r| r.id);
    (people, orgs, records)
}

/// What a register holds, as [`stored`] gives it.
fn held(r: &Replica) -> (Vec<Person>, Vec<Organisation>, Vec<Record>) {
    let mut people: Vec<Person> = r.reg.people().cloned().collect();
    let mut orgs: Vec<Organisation> = r.reg.orgs().cloned().collect();
    let mut records: Vec<Record> = r.reg.records().cloned().collect();
    people.sort_by_key(|p| p.id);
    orgs.sort_by_key(|o| o.id);
    records.sort_by_key(|r| r.id);
    (people, orgs, records)
}

/// Imports the document `bytes` into a new register, storing the texts
/// kept; checks that storage reads back what the register holds, and
/// returns the pages' texts and how many entities' texts were kept.
fn import_and_store(bytes: Vec<u8>) -> (Vec<(String, Option<String>)>, usize) {
    let now = at(100_000);
    let plain = document::read(&bytes, now).expect("the document reads");
    let (snapshot, source) = document::read_source(bytes, now).expect("the document reads with its texts");
    assert_eq!(snapshot, plain, "keeping the texts reads the same");
    let mut c = Replica::new(9);
    let plan = c.import(&snapshot);
    let kept = pages::Verbatim { changes: &plan.verbatim, source: &source };
    let texts = pages::Rewrite::with(&plan.changes, Some(kept)).texts(&BTreeMap::new()).unwrap();
    assert_eq!(stored(&texts), held(&c), "storage reads back what the register holds");
    let written = pages::Rewrite::new(&plan.changes).texts(&BTreeMap::new()).unwrap();
    assert_eq!(stored(&written), held(&c));
    (texts, source.len())
}

fn sample() -> Snapshot {
    let mut a = Replica::new(1);
    let mut d = person("Kati", "Häkkinen");
    d.affiliations.push(AffiliationDraft { org: OrgChoice::New("Mipro Oy".into()), role: "hallitus".into() });
    d.notes = "Tab\there, \"quoted\", newline\nthere".into();
    let kati = a.add(d);
    let org = a.person(kati).affiliations[0].org;
    a.add_record(kati, Some(org), event("Messut", "vegaani"));
    let antti = a.add(person("Antti", "Aho"));
    a.add_record(antti, None, event("Kevätjuhla", ""));
    let mut d = draft_of(a.person(antti));
    d.family_name = "Aho-Laine".into();
    a.run(Command::UpdatePerson(antti, d)).unwrap();
    a.export()
}

#[test]
fn stored_texts_of_an_import_read_back_as_the_register_holds_them() {
    let snapshot = sample();
    let entities = snapshot.people.len() + snapshot.orgs.len() + snapshot.records.len();
    let (texts, kept) = import_and_store(document::write(&snapshot));
    assert_eq!(kept, entities, "every entity's text is kept");
    let all: String = texts.iter().filter_map(|(_, t)| t.clone()).collect();
    assert_eq!(all.matches("\"implied_by\":").count(), entities, "each kept text says whose stamps it implies");
}

#[test]
fn each_entity_s_text_is_found_by_its_id_in_whatever_order_the_document_lists_them() {
    let mut value: Value = serde_json::from_slice(&document::write(&sample())).unwrap();
    for list in ["people", "organisations", "records"] {
        value[list].as_array_mut().unwrap().reverse();
    }
    let (read, source) = document::read_source(serde_json::to_vec(&value).unwrap(), at(100_000)).unwrap();
    assert_texts_are_the_listed(&source, &read, &value, "reversed", true);
    assert!(source.len() >= 5);
}

#[test]
fn many_texts_are_found_in_the_document_s_order_in_any_other_and_never_where_there_is_none() {
    let snapshot = sample();
    let (read, source) = document::read_source(document::write(&snapshot), at(100_000)).unwrap();
    let listed: Vec<EntityRef> = read
        .people
        .iter()
        .map(|p| EntityRef::Person(p.id))
        .chain(read.orgs.iter().map(|o| EntityRef::Org(o.id)))
        .chain(read.records.iter().map(|r| EntityRef::Record(r.id)))
        .collect();
    assert_eq!(listed.len(), source.len());
    // From both ends towards the middle: never where the last one ended.
    let mut zigzag = Vec::new();
    let (mut front, mut back) = (0, listed.len());
    while front < back {
        zigzag.push(listed[front]);
        front += 1;
        if front < back {
            back -= 1;
            zigzag.push(listed[back]);
        }
    }
    for order in [listed.clone(), zigzag, listed.iter().rev().copied().collect()] {
        let mut texts = source.texts();
        for entity in &order {
            let text = texts.text(*entity).unwrap_or_else(|| panic!("the text of {entity:?}"));
            assert_eq!(Some(text), source.text(*entity), "{entity:?}");
            let id = match entity {
                EntityRef::Person(id) => id.uuid(),
                EntityRef::Org(id) => id.uuid(),
                EntityRef::Record(id) => id.uuid(),
                EntityRef::Settings => unreachable!(),
            };
            let value: Value = serde_json::from_slice(text).unwrap();
            assert_eq!(value["id"], id.to_string(), "{entity:?}: its own text");
        }
    }
    let mut texts = source.texts();
    let stranger = sidos::domain::PersonId::new(uuid::Uuid::from_u128(u128::MAX));
    assert_eq!(texts.text(EntityRef::Person(stranger)), None);
    assert_eq!(texts.text(EntityRef::Org(sidos::domain::OrgId::new(read.people[0].id.uuid()))), None, "a person's id");
    assert_eq!(texts.text(EntityRef::Settings), None);
}

#[test]
fn a_document_with_line_breaks_keeps_no_texts_and_imports_the_same() {
    let compact = document::write(&sample());
    let value: Value = serde_json::from_slice(&compact).unwrap();
    let (texts, kept) = import_and_store(serde_json::to_vec_pretty(&value).unwrap());
    assert_eq!(kept, 0);
    assert!(texts.iter().all(|(_, t)| !t.as_deref().unwrap_or("").contains("implied_by")));
}

#[test]
fn an_entity_that_names_implied_by_itself_is_read_without_it_and_written_anew() {
    let snapshot = sample();
    let mut value: Value = serde_json::from_slice(&document::write(&snapshot)).unwrap();
    let first = &mut value["people"][0];
    let id: uuid::Uuid = first["id"].as_str().unwrap().parse().unwrap();
    first["implied_by"] = Value::from("00000000-0000-0000-0000-0000000000ff");
    let bytes = serde_json::to_vec(&value).unwrap();
    let (read, source) = document::read_source(bytes.clone(), at(100_000)).unwrap();
    let person = read.people.iter().find(|p| p.id.uuid() == id).unwrap();
    assert_eq!(Some(person), snapshot.people.iter().find(|p| p.id.uuid() == id), "a bundle's reader ignores it");
    assert_eq!(source.text(EntityRef::Person(person.id)), None);
    let entities = snapshot.people.len() + snapshot.orgs.len() + snapshot.records.len();
    let (_, kept) = import_and_store(bytes);
    assert_eq!(kept, entities - 1);
}

#[test]
fn documents_of_every_version_store_their_texts_readably() {
    // Versions 1 and 2 imply little: their texts are stored as they are.
    for (file, version, implies) in [
        ("bundle-v1.plaintext.json", 1, false),
        ("bundle-v1-doc2.plaintext.json", 2, false),
        ("bundle-v1-doc3.plaintext.json", 3, true),
    ] {
        let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
        let value: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        assert_eq!(value["version"], version);
        let (texts, kept) = import_and_store(serde_json::to_vec(&value).unwrap());
        assert!(kept > 0, "{file}");
        let all: String = texts.iter().filter_map(|(_, t)| t.clone()).collect();
        assert_eq!(all.contains("\"implied_by\":"), implies, "{file}");
    }
}

/// Every entity's kept text is the JSON the document lists for it, and
/// every kept text is one of them.
fn assert_texts_are_the_listed(source: &document::Source, read: &Snapshot, value: &Value, case: &str, exact: bool) {
    let entities = read.people.iter().map(|p| (EntityRef::Person(p.id), "people", p.id.uuid()));
    let entities = entities
        .chain(read.orgs.iter().map(|o| (EntityRef::Org(o.id), "organisations", o.id.uuid())))
        .chain(read.records.iter().map(|r| (EntityRef::Record(r.id), "records", r.id.uuid())));
    let mut found = 0;
    for (entity, list, id) in entities {
        let text = source.text(entity).unwrap_or_else(|| panic!("{case}: the text of {entity:?}"));
        let listed = value[list].as_array().unwrap().iter().find(|e| e["id"] == id.to_string()).unwrap();
        assert_eq!(&serde_json::from_slice::<Value>(text).unwrap(), listed, "{case}: {entity:?}");
        // Exactly as written, where the document was written from `value`.
        if exact {
            assert_eq!(text, serde_json::to_vec(listed).unwrap().as_slice(), "{case}: {entity:?}");
        }
        found += 1;
    }
    assert_eq!(found, source.len(), "{case}");
}

/// A document's members as JSON, in this order.
fn members(value: &Value, order: &[&str]) -> String {
    let object = value.as_object().unwrap();
    let mut keys: Vec<&String> = object.keys().collect();
    keys.sort_by_key(|k| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
    let parts: Vec<String> =
        keys.iter().map(|k| format!("{}:{}", serde_json::to_string(k).unwrap(), object[k.as_str()])).collect();
    format!("{{{}}}", parts.join(","))
}

#[test]
fn a_document_spaced_or_ordered_otherwise_reads_the_same_with_every_text_kept() {
    let snapshot = sample();
    let compact = document::write(&snapshot);
    let value: Value = serde_json::from_slice(&compact).unwrap();
    let expected = document::read(&compact, at(100_000)).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    let lists_first = members(&value, &["records", "people", "organisations"]);
    // Each case, and whether its entities are written as `value` writes
    // them (then their texts are exactly that).
    let cases: Vec<(&str, String, bool)> = vec![
        ("as written", String::from_utf8(compact.clone()).unwrap(), false),
        ("spaces, tabs and carriage returns between its parts", pretty.replace('\n', " \r\t "), false),
        ("its lists first, in another order", lists_first.clone(), true),
        ("a member's name with an escape", lists_first.replacen("\"people\":", "\"peo\\u0070le\":", 1), true),
        ("white space around it", format!(" \t{}\r ", String::from_utf8(compact.clone()).unwrap()), false),
    ];
    for (case, text, exact) in cases {
        assert!(!text.contains('\n'), "{case}: no line breaks, so texts are kept");
        let (read, source) =
            document::read_source(text.clone().into_bytes(), at(100_000)).unwrap_or_else(|e| panic!("{case}: {e:?}"));
        assert_eq!(read, expected, "{case}");
        assert_eq!(source.len(), read.people.len() + read.orgs.len() + read.records.len(), "{case}");
        assert_texts_are_the_listed(&source, &read, &value, case, exact);
    }

    // Empty lists, spaced.
    let mut empty = value.clone();
    for list in ["people", "organisations", "records"] {
        empty[list] = Value::Array(Vec::new());
    }
    let empty = serde_json::to_string(&empty).unwrap().replace("[]", "[ \t ]");
    let (read, source) = document::read_source(empty.into_bytes(), at(100_000)).unwrap();
    assert!(read.people.is_empty() && read.orgs.is_empty() && read.records.is_empty());
    assert!(source.is_empty());
}

#[test]
fn a_document_that_does_not_read_is_refused_with_its_texts_as_by_the_plain_reader() {
    let compact = String::from_utf8(document::write(&sample())).unwrap();
    let value: Value = serde_json::from_str(&compact).unwrap();
    let people = serde_json::to_string(&value["people"]).unwrap();
    let i = compact.find("\"person\":\"").unwrap() + 10;
    let dangling = format!("{}00000000-0000-7000-8000-000000000001{}", &compact[..i], &compact[i + 36..]);
    let cases: Vec<(&str, String, &str)> = vec![
        ("people listed twice", compact.replacen('{', &format!("{{\"people\":{people},"), 1), "duplicate field"),
        ("an unknown member", compact.replacen('{', "{\"extra\":1,", 1), "unknown field"),
        ("something after it", format!("{compact} x"), ""),
        ("a second document after it", format!("{compact}{{}}"), ""),
        ("cut short in its people", compact[..compact.find("\"organisations\"").unwrap()].to_owned(), ""),
        ("no records", members(&value, &[]).replacen("\"records\":", "\"recordz\":", 1), "unknown field"),
        ("people that are no list", compact.replacen("\"people\":[", "\"people\":{\"a\":[", 1), ""),
        ("a person that is no object", compact.replacen("\"people\":[", "\"people\":[1,", 1), "person #1"),
        ("a list closed too early", compact.replacen("\"people\":[", "\"people\":[{}],[", 1), ""),
        ("a list without its comma", compact.replacen("},{\"id\"", "} {\"id\"", 1), ""),
        ("not an object", format!("[{compact}]"), ""),
        ("empty", String::new(), ""),
        ("a dangling link (read, then checked)", dangling, "neither in the bundle"),
    ];
    for (case, text, says) in cases {
        let plain = document::read(text.as_bytes(), at(100_000)).expect_err(case);
        let kept = document::read_source(text.clone().into_bytes(), at(100_000)).err().expect(case);
        assert_eq!(format!("{kept:?}"), format!("{plain:?}"), "{case}");
        for size in [1, 7, 4096] {
            let kept = in_pieces(text.as_bytes(), size).finish(at(100_000)).err().expect(case);
            assert_eq!(format!("{kept:?}"), format!("{plain:?}"), "{case}, in pieces of {size}");
        }
        assert_eq!(format!("{kept:?}"), format!("{plain:?}"), "{case}");
        assert!(format!("{kept:?}").contains(says), "{case}: {kept:?}");
    }
}

#[test]
fn a_document_that_is_not_utf8_is_refused_as_such() {
    let compact = String::from_utf8(document::write(&sample())).unwrap();
    let mut bytes = compact.replacen("{\"id\"", "{\"x\":\"\u{e4}\",\"id\"", 1).into_bytes();
    let at_char = bytes.windows(5).position(|w| w == b"\"x\":\"").unwrap() + 5;
    assert_eq!(bytes[at_char], 0xc3);
    bytes[at_char] = 0xff;
    let e = document::read_source(bytes.clone(), at(100_000)).err().unwrap();
    assert!(format!("{e:?}").contains("UTF-8"), "{e:?}");
    for size in [1, 2, 3, 1000] {
        let e = in_pieces(&bytes, size).finish(at(100_000)).err().unwrap();
        assert!(format!("{e:?}").contains("UTF-8"), "in pieces of {size}: {e:?}");
    }
    // Cut inside a character at its end.
    let ends_early = compact.as_bytes()[..compact.find('\u{e4}').unwrap() + 1].to_vec();
    let e = in_pieces(&ends_early, 10).finish(at(100_000)).err().unwrap();
    assert!(format!("{e:?}").contains("Schema"), "{e:?}");
}

/// A document read as it would arrive, in pieces of `size` bytes.
fn in_pieces(bytes: &[u8], size: usize) -> document::Reading {
    let mut reading = document::Reading::new(bytes.len());
    for piece in bytes.chunks(size) {
        reading.push(piece);
    }
    assert_eq!(reading.len(), bytes.len());
    reading
}

#[test]
fn a_document_read_as_it_arrives_in_pieces_of_any_size_reads_as_when_whole() {
    let snapshot = sample();
    let compact = String::from_utf8(document::write(&snapshot)).unwrap();
    let value: Value = serde_json::from_str(&compact).unwrap();
    let spaced = serde_json::to_string_pretty(&value).unwrap().replace('\n', " \r\t ");
    let lists_first = members(&value, &["records", "people", "organisations"]);
    for (case, text, exact) in
        [("as written", compact, false), ("spaced", spaced, false), ("lists first", lists_first, true)]
    {
        let (expected, whole) = document::read_source(text.clone().into_bytes(), at(100_000)).unwrap();
        assert!(whole.len() >= 5, "{case}");
        // Pieces end inside names, numbers, escapes and characters.
        for size in [1, 2, 3, 5, 64, 1000, text.len()] {
            // Everything is read before the document's end comes.
            let end = text.rfind('}').unwrap();
            let mut reading = in_pieces(&text.as_bytes()[..end], size);
            assert_eq!(reading.entities(), whole.len(), "{case}, in pieces of {size}: read as it comes");
            reading.push(&text.as_bytes()[end..]);
            let read = reading.finish(at(100_000)).unwrap().0;
            assert_eq!(read, expected, "{case}, in pieces of {size}");
            let (read, source) = in_pieces(text.as_bytes(), size).finish(at(100_000)).unwrap();
            assert_eq!(read, expected, "{case}, in pieces of {size}");
            assert_eq!(source.bytes(), text.as_bytes(), "{case}, in pieces of {size}");
            assert_eq!(source.len(), whole.len(), "{case}, in pieces of {size}");
            assert_texts_are_the_listed(&source, &read, &value, case, exact);
        }
    }
    // With line breaks: read as a whole, keeping no texts.
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    let (read, source) = in_pieces(pretty.as_bytes(), 100).finish(at(100_000)).unwrap();
    assert_eq!(read, document::read(pretty.as_bytes(), at(100_000)).unwrap());
    assert!(source.is_empty());
}
