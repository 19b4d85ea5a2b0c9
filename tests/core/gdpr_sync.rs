//! The desk's documents between colleagues: requests and the register
//! description travel in bundles and merge last-writer-wins; restrictions
//! travel as a field of the person; an erased person's minimal entry stays
//! minimal whatever a colleague did meanwhile.

use sidos::bundle::document;
use sidos::domain::gdpr::{
    Contact, Controller, ErasureChoice, GdprCommand, RegisterDescription, Request, RequestDraft, RequestKind,
    RequestStatus, Requester, RestrictionKind,
};
use sidos::domain::record::Billing;
use sidos::domain::testing::at;
use sidos::domain::{Command, ExportScope, LabeledDraft, PersonDraft, PersonId, RecordDraft, Register, RequestId};

use super::gdpr::contract;
use super::sync::{draft_of, Replica};

fn described(r: &Replica, name: &str) -> RegisterDescription {
    let mut d = r.reg.description().clone();
    d.controller = Controller { name: name.into(), address: "Kunnanmäki 9, Mikkeli".into(), ..Controller::default() };
    d.contact = Contact { name: "Kati".into(), email: "privacy@mipro.example".into(), ..Contact::default() };
    d
}

fn open(r: &mut Replica, person: PersonId, kind: RequestKind) -> RequestId {
    let draft = RequestDraft {
        requester: Requester::Person(person),
        kind,
        received: String::new(),
        identity_check: String::new(),
        due: String::new(),
    };
    let plan = r.run(Command::Gdpr(GdprCommand::OpenRequest(draft))).expect("opened");
    sidos::domain::gdpr::opened_request(&plan).unwrap()
}

fn requests(reg: &Register) -> Vec<Request> {
    let mut list: Vec<Request> = reg.requests().into_iter().cloned().collect();
    list.sort_by_key(|r| r.id);
    list
}

fn person(given: &str) -> PersonDraft {
    PersonDraft {
        given_name: given.into(),
        family_name: "Häkkinen".into(),
        emails: vec![LabeledDraft { label: String::new(), value: format!("{}@example.fi", given.to_lowercase()) }],
        ..PersonDraft::default()
    }
}

#[test]
fn requests_and_the_description_travel_and_the_newer_wins_in_any_order() {
    let mut a = Replica::new(0xA1);
    let mut b = Replica::new(0xB2);
    let kati = a.add(person("Kati"));
    let request = open(&mut a, kati, RequestKind::Access);
    a.run(Command::Gdpr(GdprCommand::UpdateDescription(Box::new(described(&a, "Mipro Oy"))))).unwrap();
    b.take(&a);
    assert_eq!(requests(&b.reg), requests(&a.reg));
    assert_eq!(b.reg.description(), a.reg.description());

    // Both change the request and the description; B's edits are later.
    a.run(Command::Gdpr(GdprCommand::ExtendRequest { id: request, told_on: String::new(), reason: String::new() }))
        .unwrap();
    b.skew = 30;
    b.run(Command::Gdpr(GdprCommand::CloseRequest {
        id: request,
        status: RequestStatus::Done,
        outcome: "Lähetetty".into(),
    }))
    .unwrap();
    b.run(Command::Gdpr(GdprCommand::UpdateDescription(Box::new(described(&b, "Mipro Group Oy"))))).unwrap();
    let (from_a, from_b) = (a.export(), b.export());
    let mut c = Replica::new(0xC3);
    c.import(&from_b);
    c.import(&from_a);
    let mut d = Replica::new(0xD4);
    d.import(&from_a);
    d.import(&from_b);
    a.import(&from_b);
    b.import(&from_a);
    for r in [&a, &b, &c, &d] {
        assert_eq!(r.reg.request(request).unwrap().status, RequestStatus::Done, "the later edit wins");
        assert_eq!(r.reg.description().controller.name, "Mipro Group Oy");
        assert_eq!(requests(&r.reg), requests(&a.reg));
    }
    // Importing again changes nothing.
    assert!(a.import(&b.export()).changes.iter().all(|c| !matches!(c, sidos::domain::Change::PutRequest(_))));
    assert!(a.reg.preview_import(&b.export()).changes_nothing());
}

#[test]
fn requests_stay_out_of_partial_exports_and_survive_the_bundle_format() {
    let mut a = Replica::new(0xA1);
    let kati = a.add(person("Kati"));
    let request = open(&mut a, kati, RequestKind::Erasure);
    a.run(Command::Gdpr(GdprCommand::UpdateDescription(Box::new(described(&a, "Mipro Oy"))))).unwrap();
    let scoped = ExportScope { notes: false, ..ExportScope::everything() };
    assert!(a.export_scoped(&scoped).requests.is_empty());

    let snapshot = a.export();
    let back = document::read(&document::write(&snapshot), at(60)).unwrap();
    assert_eq!(back.requests, snapshot.requests);
    assert_eq!(back.description, snapshot.description);
    assert_eq!(back, snapshot);
    assert_eq!(back.requests[0].id, request);

    // A request due before it was received is refused, naming the request.
    let mut doc: serde_json::Value = serde_json::from_slice(&document::write(&snapshot)).unwrap();
    doc["requests"][0]["due"] = serde_json::json!("2000-01-01");
    let err = document::read(&serde_json::to_vec(&doc).unwrap(), at(60)).unwrap_err();
    assert!(err.to_string().contains(&request.to_string()), "{err}");
}

#[test]
fn a_restriction_travels_and_a_colleagues_older_edit_does_not_lift_it() {
    let mut a = Replica::new(0xA1);
    let mut b = Replica::new(0xB2);
    let kati = a.add(person("Kati"));
    b.take(&a);
    let mut draft = draft_of(b.person(kati));
    draft.notes = "Soita".into();
    b.run(Command::UpdatePerson(kati, draft)).unwrap();
    a.skew = 10;
    a.run(Command::Gdpr(GdprCommand::Restrict { person: kati, request: None })).unwrap();
    b.take(&a);
    a.take(&b);
    for r in [&a, &b] {
        let p = r.person(kati);
        assert_eq!(p.restriction.as_ref().map(|x| x.kind), Some(RestrictionKind::Requested));
        assert_eq!(p.notes, "Soita", "fields merge one by one");
    }
    // B cannot edit her now.
    let draft = draft_of(b.person(kati));
    assert!(b.plan(Command::UpdatePerson(kati, draft)).is_err());
}

#[test]
fn a_minimal_entry_stays_minimal_when_a_colleague_edited_the_person_meanwhile() {
    let mut a = Replica::new(0xA1);
    let mut b = Replica::new(0xB2);
    let kati = a.add(person("Kati"));
    a.add_record(kati, None, contract("2026-10-31", "100", Billing::OpenInvoice));
    b.take(&a);
    a.run(Command::Gdpr(GdprCommand::Erase { person: kati, request: None, choice: ErasureChoice::AllButHeld }))
        .unwrap();
    // B, not knowing, adds a phone number later than the erasure.
    b.skew = 120;
    let mut draft = draft_of(b.person(kati));
    draft.phones.push(LabeledDraft { label: String::new(), value: "040 123 4567".into() });
    draft.notes = "Uusi muistiinpano".into();
    b.run(Command::UpdatePerson(kati, draft)).unwrap();
    let (from_a, from_b) = (a.export(), b.export());
    a.import(&from_b);
    b.import(&from_a);
    for r in [&a, &b] {
        let p = r.person(kati);
        assert!(p.is_erased_except_held());
        assert!(p.phones.is_empty() && p.emails.is_empty() && p.notes.is_empty(), "{p:?}");
        assert_eq!(p.given_name, "Kati");
    }
    assert_eq!(a.person(kati), b.person(kati));
    // And B can no longer add anything to her.
    let refused =
        b.plan(Command::AddRecord(RecordDraft { person: kati, org: None, kind: super::gdpr::event("2026-12-01", "") }));
    assert!(refused.is_err());
}
