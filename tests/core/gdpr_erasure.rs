//! Erasure with legal holds, restriction and objection: what goes, what
//! stays and why, what the audit log keeps, and that an erased person does
//! not come back with a colleague's bundle.

use sidos::domain::gdpr::retention::record_holds;
use sidos::domain::gdpr::{
    DueTarget, ErasureChoice, GdprCommand, Hold, Refusal, RequestKind, RestrictionKind, RetentionRules, Why,
};
use sidos::domain::record::Billing;
use sidos::domain::testing::day;
use sidos::domain::{
    AuditAction, Change, Channel, Command, CommandError, ConsentSource, ConsentState, EntityRef, PersonField, Purpose,
    RecordDraft, Tombstone, TombstoneReason,
};

use super::gdpr::{assert_no_values_in_audit, assert_unique_audit_keys, audits, contract, event, training, Desk};
use super::sync::Replica;

fn holds_of(d: &Desk, record: sidos::domain::RecordId, today: chrono::NaiveDate) -> Vec<Hold> {
    record_holds(d.reg.record(record).unwrap(), today, &RetentionRules::default())
}

#[test]
fn hold_rules_open_invoices_collection_accounting_periods_and_statutory_training() {
    let mut d = Desk::new();
    let p = d.add("Kati", "Häkkinen", &["customer", "training"]);
    let open = d.record(p, contract("2026-10-31", "1200", Billing::OpenInvoice));
    let collection = d.record(p, contract("", "", Billing::InCollection));
    let paid_2020 = d.record(p, contract("2020-06-30", "100,00", Billing::Paid));
    let paid_no_value = d.record(p, contract("2020-06-30", "", Billing::Paid));
    let not_billed = d.record(p, contract("2020-06-30", "500", Billing::NotBilled));
    let statutory = d.record(p, training("2018-05-02", true));
    let optional = d.record(p, training("2018-05-02", false));

    let today = day(2026, 11, 22);
    assert_eq!(holds_of(&d, open, today), vec![Hold::OpenInvoice(open)]);
    assert_eq!(holds_of(&d, collection, today), vec![Hold::InCollection(collection)]);
    // Accounting: six years from the end of 2020, so until 31.12.2026.
    let until = day(2026, 12, 31);
    assert_eq!(holds_of(&d, paid_2020, today), vec![Hold::Accounting { record: paid_2020, until }]);
    assert_eq!(holds_of(&d, paid_2020, until), vec![Hold::Accounting { record: paid_2020, until }]);
    assert!(holds_of(&d, paid_2020, day(2027, 1, 1)).is_empty());
    assert!(holds_of(&d, paid_no_value, today).is_empty(), "no value, no accounting material");
    assert!(holds_of(&d, not_billed, today).is_empty(), "not billed: no voucher yet");
    // Statutory training: ten years from the training.
    let until = day(2028, 5, 2);
    assert_eq!(holds_of(&d, statutory, today), vec![Hold::StatutoryTraining { record: statutory, until }]);
    assert!(holds_of(&d, statutory, day(2028, 5, 3)).is_empty());
    assert!(holds_of(&d, optional, today).is_empty());
    assert_eq!(Hold::OpenInvoice(open).id(), "hold.open_invoice");
    let message =
        Hold::Accounting { record: paid_2020, until: day(2026, 12, 31) }.message(sidos::domain::gdpr::Lang::Fi);
    assert_eq!(message, "Kirjanpitoaineisto, säilytettävä 31.12.2026 asti");
}

#[test]
fn erasure_without_holds_removes_everything_with_tombstones_and_an_audit_without_values() {
    let mut d = Desk::new();
    let kati = d.add("Kati", "Häkkinen", &["customer", "event"]);
    let c = d.record(kati, contract("2024-01-31", "", Billing::NotBilled));
    let e = d.record(kati, event("2026-12-05", "gluteeniton"));
    d.run(Command::RecordConsent {
        person: kati,
        purpose: Purpose::DirectMarketing(Channel::Email),
        state: ConsentState::Given,
        date: String::new(),
        source: ConsentSource::Form,
        wording: "Saa lähettää tarjouksia".into(),
    });
    let request = d.open_request(kati, RequestKind::Erasure);
    let preview = d.reg.erasure_preview(kati, d.today, &d.reg.description().retention).unwrap();
    assert!(!preview.is_held());
    assert_eq!(preview.removed_records, {
        let mut v = vec![c, e];
        v.sort();
        v
    });
    assert!(
        preview.removed_fields.contains(&PersonField::Name) && preview.removed_fields.contains(&PersonField::Emails)
    );

    let plan =
        d.gdpr(GdprCommand::Erase { person: kati, request: Some(request), choice: ErasureChoice::Everything }).unwrap();
    assert_unique_audit_keys(&plan);
    assert!(d.reg.person(kati).is_none());
    assert!(d.reg.record(c).is_none() && d.reg.record(e).is_none());
    assert!(d.reg.consents_of(kati).is_empty(), "what the person said goes with them");
    for entity in [EntityRef::Person(kati), EntityRef::Record(c), EntityRef::Record(e)] {
        assert_eq!(d.reg.tombstone(entity).map(|t| &t.reason), Some(&TombstoneReason::Erased), "{entity:?}");
    }
    let erased: Vec<_> = audits(&plan).into_iter().filter(|a| a.action == AuditAction::Erased(Some(request))).collect();
    assert_eq!(erased.len(), 3);
    assert!(erased.iter().all(|a| a.fields.is_empty() && a.actor == "Tester"));
    assert_no_values_in_audit(&plan, &["Kati", "Häkkinen", "kati@example.fi", "gluteeniton", "Muistiinpano"]);
    // The request stays on record, by id.
    assert_eq!(d.request(request).person(), Some(kati));
}

#[test]
fn erasure_under_hold_is_refused_unless_the_rest_is_erased_then_a_minimal_entry_stays() {
    let mut d = Desk::new();
    let kati = d.add("Kati", "Häkkinen", &["customer"]);
    let invoice = d.record(kati, contract("2026-10-31", "1200", Billing::OpenInvoice));
    let ticket = d.record(
        kati,
        sidos::domain::RecordDraftKind::Ticket {
            opened: "2026-01-05".into(),
            closed: String::new(),
            description: "Kirjautuminen ei onnistu".into(),
        },
    );
    let request = d.open_request(kati, RequestKind::Erasure);
    let before = d.reg.person(kati).unwrap().clone();
    let clock = d.reg.clock();

    let refused =
        d.gdpr(GdprCommand::Erase { person: kati, request: Some(request), choice: ErasureChoice::Everything });
    assert_eq!(refused.unwrap_err(), CommandError::Refused(Refusal::UnderHold(vec![Hold::OpenInvoice(invoice)])));
    assert_eq!(d.reg.person(kati), Some(&before), "nothing changed");
    assert_eq!(d.reg.clock(), clock);
    assert_eq!(Refusal::UnderHold(vec![]).id(), "gdpr.under_hold");

    let preview = d.reg.erasure_preview(kati, d.today, &d.reg.description().retention).unwrap();
    assert!(preview.is_held());
    assert_eq!(preview.removed_records, vec![ticket]);
    assert_eq!(preview.kept.len(), 1);
    assert_eq!(preview.kept[0].record, invoice);
    assert_eq!(preview.kept_fields, vec![PersonField::Name]);
    assert!(!preview.removed_fields.contains(&PersonField::Name));

    let plan =
        d.gdpr(GdprCommand::Erase { person: kati, request: Some(request), choice: ErasureChoice::AllButHeld }).unwrap();
    assert_unique_audit_keys(&plan);
    let entry = d.reg.person(kati).unwrap();
    assert_eq!((entry.given_name.as_str(), entry.family_name.as_str()), ("Kati", "Häkkinen"));
    assert!(entry.emails.is_empty() && entry.notes.is_empty() && entry.categories.is_empty());
    let r = entry.restriction.as_ref().unwrap();
    assert_eq!((r.kind, r.request), (RestrictionKind::ErasedExceptHeld, Some(request)));
    assert!(entry.stamps.contains_key(&PersonField::Restriction), "the restriction travels with its own stamp");
    assert!(d.reg.record(invoice).is_some(), "the held record stays as it was");
    assert!(d.reg.record(ticket).is_none());
    assert_eq!(d.reg.tombstone(EntityRef::Record(ticket)).unwrap().reason, TombstoneReason::Erased);
    assert!(d.reg.tombstone(EntityRef::Person(kati)).is_none());
    let a = audits(&plan);
    let minimised = a.iter().find(|a| a.action == AuditAction::ErasedExceptHeld(Some(request))).unwrap();
    assert!(minimised.fields.contains(&"emails".to_owned()) && minimised.fields.contains(&"restriction".to_owned()));
    assert_no_values_in_audit(&plan, &["kati@example.fi", "Kirjautuminen", "Muistiinpano"]);

    // Doing it again changes nothing; the entry stays restricted.
    let again =
        d.gdpr(GdprCommand::Erase { person: kati, request: Some(request), choice: ErasureChoice::AllButHeld }).unwrap();
    assert!(again.is_empty());
    let lift = d.gdpr(GdprCommand::LiftRestriction { person: kati, request: None });
    assert_eq!(lift.unwrap_err(), CommandError::Refused(Refusal::ErasedEntry(kati)));
}

#[test]
fn when_the_hold_ends_retention_removes_the_minimal_entry_for_good() {
    let mut d = Desk::new();
    let kati = d.add("Kati", "Häkkinen", &["customer"]);
    let invoice = d.record(kati, contract("2026-10-31", "", Billing::OpenInvoice));
    d.gdpr(GdprCommand::Erase { person: kati, request: None, choice: ErasureChoice::AllButHeld }).unwrap();
    let rules = d.reg.description().retention.clone();

    // While the invoice is open, retention lists the entry as blocked.
    let due = d.reg.retention_dry_run(d.today, &rules);
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].target, due[0].why.clone()), (DueTarget::Person(kati), Why::ErasedExceptHeld));
    assert_eq!(due[0].blocked_by, vec![Hold::OpenInvoice(invoice)]);
    assert_eq!(d.reg.retention_due_count(d.today), 0);
    assert!(d.gdpr(GdprCommand::PurgeRetention { today: d.today }).unwrap().is_empty());

    // The invoice is paid (changing billing alone is allowed on a
    // restricted entry; any other edit is not).
    let record = d.reg.record(invoice).unwrap().clone();
    let mut draft = RecordDraft { person: kati, org: None, kind: contract("2026-10-31", "", Billing::Paid) };
    let title_too = RecordDraft { kind: contract("2026-10-31", "9", Billing::Paid), ..draft.clone() };
    assert_eq!(
        d.plan(Command::UpdateRecord(record.id, title_too)).unwrap_err(),
        CommandError::Refused(Refusal::Restricted(kati))
    );
    draft.kind = contract("2026-10-31", "", Billing::Paid);
    d.run(Command::UpdateRecord(record.id, draft));

    // No hold is left: the next purge removes the entry and its record.
    assert_eq!(d.reg.retention_due_count(d.today), 1);
    let plan = d.gdpr(GdprCommand::PurgeRetention { today: d.today }).unwrap();
    assert_unique_audit_keys(&plan);
    assert!(d.reg.person(kati).is_none() && d.reg.record(invoice).is_none());
    for entity in [EntityRef::Person(kati), EntityRef::Record(invoice)] {
        assert_eq!(d.reg.tombstone(entity).unwrap().reason, TombstoneReason::Erased);
    }
    assert!(audits(&plan).iter().all(|a| a.action == AuditAction::RetentionPurged));
}

#[test]
fn an_accounting_hold_ends_by_itself_and_then_the_entry_goes() {
    let mut d = Desk::on(day(2021, 3, 1));
    let kati = d.add("Kati", "Häkkinen", &["customer"]);
    let paid = d.record(kati, contract("2020-12-31", "250", Billing::Paid));
    d.gdpr(GdprCommand::Erase { person: kati, request: None, choice: ErasureChoice::AllButHeld }).unwrap();
    assert!(d.reg.person(kati).unwrap().is_erased_except_held());
    let rules = d.reg.description().retention.clone();
    let due = d.reg.retention_dry_run(day(2026, 12, 31), &rules);
    assert_eq!(due[0].blocked_by, vec![Hold::Accounting { record: paid, until: day(2026, 12, 31) }]);
    let due = d.reg.retention_dry_run(day(2027, 1, 1), &rules);
    assert!(due[0].blocked_by.is_empty());
    d.today = day(2027, 1, 1);
    d.gdpr(GdprCommand::PurgeRetention { today: d.today }).unwrap();
    assert!(d.reg.person(kati).is_none());
}

#[test]
fn a_restricted_person_is_frozen_until_lifted_but_can_be_erased() {
    let mut d = Desk::new();
    let kati = d.add("Kati", "Häkkinen", &["customer"]);
    let mika = d.add("Mika", "Hakala", &["customer"]);
    let ticket =
        d.record(kati, sidos::domain::RecordDraftKind::Feedback { date: "2026-11-01".into(), text: "Hyvä".into() });
    let request = d.open_request(kati, RequestKind::Restriction);
    let plan = d.gdpr(GdprCommand::Restrict { person: kati, request: Some(request) }).unwrap();
    assert_eq!(audits(&plan)[0].action, AuditAction::Restricted(Some(request)));
    let p = d.reg.person(kati).unwrap();
    assert!(p.is_restricted() && !p.is_erased_except_held());

    let person = d.reg.person(kati).unwrap();
    let draft = sidos::domain::rebase::person_draft(&d.reg, person);
    let refused = CommandError::Refused(Refusal::Restricted(kati));
    let edits = vec![
        Command::UpdatePerson(kati, draft.clone()),
        Command::DeletePerson(kati),
        Command::MergePeople { keep: mika, other: kati, choices: Default::default() },
        Command::AddRecord(RecordDraft { person: kati, org: None, kind: event("2026-12-01", "") }),
        Command::DeleteRecord(ticket),
        Command::Gdpr(GdprCommand::Rectify { request, person: kati, draft: draft.clone() }),
    ];
    for cmd in edits {
        assert_eq!(d.plan(cmd.clone()).unwrap_err(), refused, "{cmd:?}");
    }
    assert_eq!(Refusal::Restricted(kati).id(), "gdpr.restricted");
    // Restricting again changes nothing.
    assert!(d.gdpr(GdprCommand::Restrict { person: kati, request: None }).unwrap().is_empty());

    // Lifted, edits work again.
    d.gdpr(GdprCommand::LiftRestriction { person: kati, request: Some(request) }).unwrap();
    assert!(!d.reg.person(kati).unwrap().is_restricted());
    let mut edit = draft;
    edit.notes = "Soita aamulla".into();
    d.run(Command::UpdatePerson(kati, edit));

    // Restricted again, an erasure still goes through.
    d.gdpr(GdprCommand::Restrict { person: kati, request: None }).unwrap();
    d.gdpr(GdprCommand::Erase { person: kati, request: None, choice: ErasureChoice::Everything }).unwrap();
    assert!(d.reg.person(kati).is_none());
}

#[test]
fn an_objection_sets_every_marketing_prohibition_at_once_even_when_restricted() {
    let mut d = Desk::new();
    let kati = d.add("Kati", "Häkkinen", &["customer"]);
    let request = d.open_request(kati, RequestKind::Objection);
    d.gdpr(GdprCommand::Restrict { person: kati, request: None }).unwrap();
    let plan = d
        .gdpr(GdprCommand::ObjectToDirectMarketing {
            person: kati,
            request: Some(request),
            source: ConsentSource::Email,
        })
        .unwrap();
    assert_unique_audit_keys(&plan);
    assert!(audits(&plan).iter().any(|a| a.action == AuditAction::ObjectedToMarketing(Some(request))));
    assert!(d.reg.marketing_prohibition(kati).is_some());
    for c in Channel::ALL {
        assert!(d.reg.consent(kati, &Purpose::DirectMarketing(c)).state.is_no(), "{c:?}");
    }
    assert!(d.reg.consent(kati, &Purpose::PartnerDisclosure).state.is_no());
    assert_eq!(plan.changes.iter().filter(|c| matches!(c, Change::Clock(_))).count(), 1);
}

#[test]
fn an_erased_person_does_not_come_back_with_a_colleagues_bundle() {
    let mut a = Replica::new(0xA1);
    let mut b = Replica::new(0xB2);
    let kati = a.add(sidos::domain::PersonDraft {
        given_name: "Kati".into(),
        family_name: "Häkkinen".into(),
        ..Default::default()
    });
    b.take(&a);
    a.run(Command::Gdpr(GdprCommand::Erase { person: kati, request: None, choice: ErasureChoice::Everything }))
        .unwrap();
    // Meanwhile the colleague edits her (a newer stamp than the erasure).
    b.skew = 60;
    let mut draft = super::sync::draft_of(b.person(kati));
    draft.notes = "Uusi muistiinpano".into();
    b.run(Command::UpdatePerson(kati, draft)).unwrap();
    b.take(&a);
    assert!(b.reg.person(kati).is_none(), "the erasure wins over a later edit");
    a.take(&b);
    assert!(a.reg.person(kati).is_none());
    assert_eq!(
        a.reg.tombstone(EntityRef::Person(kati)).map(|t: &Tombstone| t.reason.clone()),
        Some(TombstoneReason::Erased)
    );
}
