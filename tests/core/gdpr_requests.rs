//! The request register: due dates (month ends, extensions), bad input,
//! the dashboard, the audit trail of handling, rectification and access
//! levels.

use sidos::domain::gdpr::requests::{extended_due, standard_due};
use sidos::domain::gdpr::{GdprCommand, Refusal, RequestDraft, RequestKind, RequestStatus, Requester};
use sidos::domain::testing::day;
use sidos::domain::{Actor, AuditAction, Command, CommandError, EntityRef, FieldError, Level, PersonDraft, Problem};

use super::gdpr::{assert_no_values_in_audit, assert_unique_audit_keys, audits, Desk};

fn check_due(received: (i32, u32, u32), due: (i32, u32, u32), extended: (i32, u32, u32)) {
    let r = day(received.0, received.1, received.2);
    let d = standard_due(r);
    assert_eq!(d, day(due.0, due.1, due.2), "due for {r}");
    assert_eq!(extended_due(d), day(extended.0, extended.1, extended.2), "extended due for {r}");
}

#[test]
fn due_dates_are_one_calendar_month_clamped_to_the_month_end_and_extend_by_two() {
    check_due((2026, 1, 31), (2026, 2, 28), (2026, 4, 28));
    check_due((2028, 1, 31), (2028, 2, 29), (2028, 4, 29)); // a leap year
    check_due((2026, 1, 29), (2026, 2, 28), (2026, 4, 28));
    check_due((2026, 3, 31), (2026, 4, 30), (2026, 6, 30));
    check_due((2026, 5, 15), (2026, 6, 15), (2026, 8, 15));
    check_due((2026, 11, 30), (2026, 12, 30), (2027, 2, 28));
    check_due((2026, 12, 31), (2027, 1, 31), (2027, 3, 31));
    check_due((2027, 12, 29), (2028, 1, 29), (2028, 3, 29));
}

fn draft(requester: Requester, received: &str, due: &str) -> RequestDraft {
    RequestDraft {
        requester,
        kind: RequestKind::Access,
        received: received.into(),
        identity_check: String::new(),
        due: due.into(),
    }
}

fn unidentified() -> Requester {
    Requester::Unidentified { name: "Liisa Laaksonen".into(), contact: "liisa@example.fi".into() }
}

#[test]
fn a_request_gets_its_due_date_and_bad_dates_are_refused_changing_nothing() {
    let mut d = Desk::on(day(2026, 3, 10));
    let plan = d.gdpr(GdprCommand::OpenRequest(draft(unidentified(), "31.1.2026", ""))).unwrap();
    let id = sidos::domain::gdpr::opened_request(&plan).unwrap();
    let r = d.request(id);
    assert_eq!((r.received, r.due, r.status), (day(2026, 1, 31), day(2026, 2, 28), RequestStatus::Open));
    assert_eq!(r.handled_by, "Tester");

    let clock = d.reg.clock();
    let before = d.reg.requests().len();
    let cases: Vec<(RequestDraft, Vec<FieldError>)> = vec![
        (draft(unidentified(), "2026-03-01", "2026-02-28"), vec![FieldError::new("due", Problem::DateOrder)]),
        (draft(unidentified(), "2026-03-11", ""), vec![FieldError::new("received", Problem::DateInFuture)]),
        (draft(unidentified(), "31.2.2026", ""), vec![FieldError::new("received", Problem::DateInvalid)]),
        (
            draft(Requester::Unidentified { name: " ".into(), contact: String::new() }, "", ""),
            vec![
                FieldError::new("requester.name", Problem::Required),
                FieldError::new("requester.contact", Problem::Required),
            ],
        ),
    ];
    for (bad, want) in cases {
        match d.gdpr(GdprCommand::OpenRequest(bad.clone())) {
            Err(CommandError::Invalid(errors)) => assert_eq!(errors, want, "{bad:?}"),
            other => panic!("{bad:?} was not refused: {other:?}"),
        }
    }
    assert_eq!(d.reg.requests().len(), before, "nothing changed");
    assert_eq!(d.reg.clock(), clock);
    // A due date of its own, not before receipt, is kept.
    let plan = d.gdpr(GdprCommand::OpenRequest(draft(unidentified(), "2026-03-01", "2026-03-01"))).unwrap();
    let id = sidos::domain::gdpr::opened_request(&plan).unwrap();
    assert_eq!(d.request(id).due, day(2026, 3, 1));
}

#[test]
fn an_extension_needs_the_person_told_in_time_and_happens_once() {
    let mut d = Desk::on(day(2026, 2, 10));
    let plan = d.gdpr(GdprCommand::OpenRequest(draft(unidentified(), "2026-01-31", ""))).unwrap();
    let id = sidos::domain::gdpr::opened_request(&plan).unwrap();
    // Told before receipt: refused.
    let err =
        d.gdpr(GdprCommand::ExtendRequest { id, told_on: "2026-01-30".into(), reason: String::new() }).unwrap_err();
    assert_eq!(err, CommandError::Invalid(vec![FieldError::new("told_on", Problem::DateOrder)]));
    let plan = d
        .gdpr(GdprCommand::ExtendRequest { id, told_on: "2026-02-09".into(), reason: "Paljon aineistoa".into() })
        .unwrap();
    assert!(audits(&plan)
        .iter()
        .any(|a| a.action == AuditAction::RequestExtended(id) && a.entity == EntityRef::Settings));
    let r = d.request(id);
    assert_eq!(r.due, day(2026, 2, 28), "the original due date stays on record");
    assert_eq!(r.effective_due(), day(2026, 4, 28));
    assert_eq!(r.extension.as_ref().unwrap().told_on, day(2026, 2, 9));
    let again = d.gdpr(GdprCommand::ExtendRequest { id, told_on: String::new(), reason: String::new() });
    assert_eq!(again.unwrap_err(), CommandError::Refused(Refusal::AlreadyExtended(id)));

    // Told after the original due date: too late to extend.
    let mut d = Desk::on(day(2026, 3, 5));
    let plan = d.gdpr(GdprCommand::OpenRequest(draft(unidentified(), "2026-01-31", ""))).unwrap();
    let id = sidos::domain::gdpr::opened_request(&plan).unwrap();
    let late = d.gdpr(GdprCommand::ExtendRequest { id, told_on: "2026-03-01".into(), reason: String::new() });
    assert_eq!(late.unwrap_err(), CommandError::Invalid(vec![FieldError::new("told_on", Problem::DateOrder)]));
}

#[test]
fn the_dashboard_shows_what_is_overdue_and_due_soon_for_a_fixed_today() {
    let mut d = Desk::on(day(2026, 6, 30));
    let open = |d: &mut Desk, received: &str| {
        let plan = d.gdpr(GdprCommand::OpenRequest(draft(unidentified(), received, ""))).unwrap();
        sidos::domain::gdpr::opened_request(&plan).unwrap()
    };
    let old = open(&mut d, "2026-05-10"); // due 10.6.
    let soon = open(&mut d, "2026-06-02"); // due 2.7.
    let later = open(&mut d, "2026-06-28"); // due 28.7.
    let closed = open(&mut d, "2026-05-01"); // due 1.6., but closed
    d.gdpr(GdprCommand::CloseRequest { id: closed, status: RequestStatus::Done, outcome: "Ote lähetetty".into() })
        .unwrap();
    let today = day(2026, 6, 30);
    let o = d.reg.request_overview(today, 7);
    let ids = |list: &[&sidos::domain::gdpr::Request]| list.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(&o.overdue), vec![old]);
    assert_eq!(ids(&o.due_soon), vec![soon]);
    assert_eq!(ids(&o.open), vec![old, soon, later]);
    assert_eq!(d.request(old).days_left(today), -20);
    // On the due date itself it is not yet overdue.
    assert!(!d.request(soon).is_overdue(day(2026, 7, 2)) && d.request(soon).is_overdue(day(2026, 7, 3)));
}

#[test]
fn handling_is_recorded_by_id_and_linking_drops_the_requesters_details() {
    let mut d = Desk::new();
    let kati = d.add("Kati", "Häkkinen", &["customer"]);
    let plan = d.gdpr(GdprCommand::OpenRequest(draft(unidentified(), "", ""))).unwrap();
    let id = sidos::domain::gdpr::opened_request(&plan).unwrap();
    assert_no_values_in_audit(&plan, &["Liisa", "liisa@example.fi"]);
    assert_eq!(audits(&plan)[0].entity, EntityRef::Settings, "no person yet: about the register");

    let plan = d.gdpr(GdprCommand::LinkRequest { id, person: kati }).unwrap();
    assert_eq!(d.request(id).requester, Requester::Person(kati));
    let a = audits(&plan);
    assert_eq!((a[0].action.clone(), a[0].entity), (AuditAction::RequestLinked(id), EntityRef::Person(kati)));

    // Closing: a refusal needs its reason; a closed request stays closed.
    let refuse = d.gdpr(GdprCommand::CloseRequest { id, status: RequestStatus::Refused, outcome: " ".into() });
    assert_eq!(refuse.unwrap_err(), CommandError::Invalid(vec![FieldError::new("outcome", Problem::Required)]));
    let plan = d
        .gdpr(GdprCommand::CloseRequest { id, status: RequestStatus::Done, outcome: "Ote postitettu".into() })
        .unwrap();
    assert!(audits(&plan)
        .iter()
        .any(|a| a.action == AuditAction::RequestClosed(id) && a.fields == ["status", "outcome"]));
    assert_no_values_in_audit(&plan, &["Ote postitettu"]);
    assert_eq!(d.request(id).closed, Some(d.today));
    let again = d.gdpr(GdprCommand::CloseRequest { id, status: RequestStatus::Done, outcome: String::new() });
    assert_eq!(again.unwrap_err(), CommandError::Refused(Refusal::RequestClosed(id)));
    assert_eq!(d.reg.requests_of(kati).len(), 1);
}

#[test]
fn a_rectification_is_the_normal_edit_with_an_entry_naming_the_request() {
    let mut d = Desk::new();
    let kati = d.add("Kati", "Häkkinen", &["customer"]);
    let other = d.add("Mika", "Hakala", &["customer"]);
    let id = d.open_request(kati, RequestKind::Rectification);
    let person = d.reg.person(kati).unwrap();
    let mut draft = sidos::domain::rebase::person_draft(&d.reg, person);
    draft.family_name = "Häkkinen-Laine".into();
    let plan = d.gdpr(GdprCommand::Rectify { request: id, person: kati, draft: draft.clone() }).unwrap();
    assert_unique_audit_keys(&plan);
    let a = audits(&plan);
    assert_eq!(a.len(), 2);
    assert_eq!((a[0].action.clone(), a[0].fields.clone()), (AuditAction::Updated, vec!["name".to_owned()]));
    assert_eq!((a[1].action.clone(), a[1].fields.clone()), (AuditAction::Rectified(id), vec!["name".to_owned()]));
    assert_eq!(d.reg.person(kati).unwrap().family_name, "Häkkinen-Laine");
    assert_no_values_in_audit(&plan, &["Häkkinen"]);
    // The request must be this person's.
    let wrong = d.gdpr(GdprCommand::Rectify { request: id, person: other, draft: PersonDraft::default() });
    assert_eq!(wrong.unwrap_err(), CommandError::Invalid(vec![FieldError::new("request", Problem::ChoiceInvalid)]));
}

#[test]
fn staff_handle_requests_but_only_administrators_erase_purge_and_describe() {
    let mut d = Desk::new();
    let kati = d.add("Kati", "Häkkinen", &["customer"]);
    d.actor = Actor::new("Sihteeri", Level::Staff);
    let id = d.open_request(kati, RequestKind::Erasure);
    let admin_only = [
        GdprCommand::Erase { person: kati, request: Some(id), choice: sidos::domain::gdpr::ErasureChoice::Everything },
        GdprCommand::PurgeRetention { today: d.today },
        GdprCommand::UpdateDescription(Box::new(d.reg.description().clone())),
    ];
    for cmd in admin_only {
        assert_eq!(d.gdpr(cmd.clone()).unwrap_err(), CommandError::NotAllowed, "{cmd:?}");
    }
    d.gdpr(GdprCommand::Restrict { person: kati, request: None }).expect("staff may restrict");
    d.actor = Actor::new("Lukija", Level::ReadOnly);
    let read_only = d.plan(Command::Gdpr(GdprCommand::LiftRestriction { person: kati, request: None }));
    assert_eq!(read_only.unwrap_err(), CommandError::NotAllowed);
}
