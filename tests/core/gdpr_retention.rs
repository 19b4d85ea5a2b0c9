//! Retention: which rule makes whom due on fixed days, what holds stop,
//! and the purge that does it in one plan.

use chrono::NaiveDate;

use sidos::domain::gdpr::{
    Anchor, Due, DueTarget, GdprCommand, Hold, Period, RecordType, RetentionRule, RetentionRules, RetentionTarget,
    Unit, Why,
};
use sidos::domain::record::Billing;
use sidos::domain::testing::day;
use sidos::domain::{
    AuditAction, CategoryDef, CategoryKey, Command, CommandError, EntityRef, FieldError, PersonId, Problem,
    RecordDraftKind, RecordKind, Settings, TombstoneReason,
};

use super::gdpr::{assert_unique_audit_keys, audits, contract, event, Desk};

fn due_targets(d: &Desk, today: NaiveDate) -> Vec<(DueTarget, bool)> {
    d.reg.retention_dry_run(today, &RetentionRules::default()).iter().map(|d| (d.target, d.is_blocked())).collect()
}

fn person_due(d: &Desk, person: PersonId, today: NaiveDate) -> Option<Due> {
    d.reg
        .retention_dry_run(today, &RetentionRules::default())
        .into_iter()
        .find(|x| x.target == DueTarget::Person(person))
}

#[test]
fn customers_go_ten_years_after_their_last_customer_event() {
    let mut d = Desk::on(day(2014, 7, 1));
    let kati = d.add("Kati", "Häkkinen", &["customer"]);
    d.record(kati, contract("2014-06-30", "", Billing::NotBilled));
    d.record(kati, contract("2012-01-31", "", Billing::NotBilled));
    assert!(person_due(&d, kati, day(2024, 6, 29)).is_none());
    let due = person_due(&d, kati, day(2024, 6, 30)).expect("due on the day");
    let Why::Rules(hits) = &due.why else { panic!("{due:?}") };
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].from, hits[0].due_on), (day(2014, 6, 30), day(2024, 6, 30)));
    assert_eq!(hits[0].rule.applies_to, RetentionTarget::Category(CategoryKey::new("customer")));
    assert!(due.blocked_by.is_empty());
}

#[test]
fn prospects_go_two_years_after_creation_unless_they_became_customers() {
    let mut d = Desk::on(day(2024, 1, 10));
    let prospect = d.add("Pia", "Potentiaalinen", &["prospect"]);
    let became = d.add("Ben", "Asiakas", &["prospect"]);
    d.record(became, RecordDraftKind::Feedback { date: "2024-01-10".into(), text: "Kiinnostaa".into() });
    assert!(person_due(&d, prospect, day(2026, 1, 9)).is_none());
    assert!(person_due(&d, prospect, day(2026, 1, 10)).is_some());
    // The prospect rule does not apply to someone with a customer event,
    // and no other rule lets them go.
    assert!(person_due(&d, became, day(2040, 1, 1)).is_none());
}

#[test]
fn every_group_a_person_is_in_must_let_them_go() {
    let mut d = Desk::on(day(2020, 3, 1));
    let mut settings = Settings::default();
    settings.categories.push(CategoryDef { key: CategoryKey::new("custom-kerho"), name: "Kerho".into() });
    d.run(Command::UpdateSettings(settings));
    let both = d.add("Kati", "Häkkinen", &["customer", "event"]);
    let club = d.add("Kerttu", "Kerholainen", &["custom-kerho"]);
    d.record(both, contract("2010-01-31", "", Billing::NotBilled));
    d.today = day(2025, 11, 1);
    d.record(both, event("2025-10-15", ""));
    // Customer rule: 31.1.2020 passed; event rule: 2 years after the last
    // activity (15.10.2025) not yet.
    assert!(person_due(&d, both, day(2026, 11, 22)).is_none());
    assert!(person_due(&d, both, day(2027, 10, 15)).is_some());
    // A group without a rule keeps its people.
    assert!(person_due(&d, club, day(2099, 1, 1)).is_none());
}

#[test]
fn dietary_data_goes_the_day_after_the_event_and_records_by_their_own_rules() {
    let mut d = Desk::on(day(2026, 10, 20));
    let kati = d.add("Kati", "Häkkinen", &["event"]);
    let seminar = d.record(kati, event("2026-11-01", "gluteeniton"));
    d.record(kati, event("2026-11-01", ""));
    assert!(due_targets(&d, day(2026, 11, 1)).is_empty());
    assert_eq!(due_targets(&d, day(2026, 11, 2)), vec![(DueTarget::Dietary(seminar), false)]);

    // A rule for support tickets: three years after the ticket's date.
    let mut rules = RetentionRules::default();
    rules.rules.push(RetentionRule {
        applies_to: RetentionTarget::Records(RecordType::Ticket),
        period: Period::years(3),
        anchor: Anchor::RecordDate,
    });
    // (Kati goes as a whole by then; a customer stays ten years.)
    let customer = d.add("Kalle", "Asiakas", &["customer"]);
    let ticket = d.record(
        customer,
        RecordDraftKind::Ticket {
            opened: "2026-01-05".into(),
            closed: "2026-02-01".into(),
            description: "Salasana".into(),
        },
    );
    let due = d.reg.retention_dry_run(day(2029, 2, 1), &rules);
    let record_due = due.iter().find(|x| x.target == DueTarget::Record(ticket)).expect("the ticket is due");
    let Why::Rules(hits) = &record_due.why else { panic!() };
    assert_eq!(hits[0].from, day(2026, 2, 1), "counted from the closing");
    assert!(d.reg.retention_dry_run(day(2029, 1, 31), &rules).iter().all(|x| x.target != DueTarget::Record(ticket)));
}

#[test]
fn holds_and_restrictions_block_a_due_person_and_the_count_leaves_them_out() {
    let mut d = Desk::on(day(2010, 5, 1));
    let held = d.add("Hilkka", "Laskullinen", &["customer"]);
    let restricted = d.add("Raili", "Rajoitettu", &["customer"]);
    let free = d.add("Vapaa", "Asiakas", &["customer"]);
    let invoice = d.record(held, contract("2010-04-30", "300", Billing::OpenInvoice));
    d.record(restricted, contract("2010-04-30", "", Billing::NotBilled));
    d.record(free, contract("2010-04-30", "", Billing::NotBilled));
    d.gdpr(GdprCommand::Restrict { person: restricted, request: None }).unwrap();
    let today = day(2026, 11, 22);
    assert_eq!(person_due(&d, held, today).unwrap().blocked_by, vec![Hold::OpenInvoice(invoice)]);
    assert_eq!(person_due(&d, restricted, today).unwrap().blocked_by, vec![Hold::Restricted(restricted)]);
    assert!(person_due(&d, free, today).unwrap().blocked_by.is_empty());
    assert_eq!(d.reg.retention_due_count(today), 1);
}

#[test]
fn the_purge_is_one_plan_with_tombstones_and_audit_entries_and_refuses_a_future_day() {
    let mut d = Desk::on(day(2012, 2, 1));
    let old = d.add("Olli", "Vanha", &["customer"]);
    let c = d.record(old, contract("2012-01-31", "", Billing::NotBilled));
    let held = d.add("Hilkka", "Laskullinen", &["customer"]);
    d.record(held, contract("2012-01-31", "300", Billing::InCollection));
    d.today = day(2026, 11, 10);
    let fresh = d.add("Kati", "Häkkinen", &["event"]);
    let ev = d.record(fresh, event("2026-11-10", "vegaani"));
    d.today = day(2026, 11, 22);

    let clock = d.reg.clock();
    let future = d.gdpr(GdprCommand::PurgeRetention { today: day(2026, 11, 23) });
    assert_eq!(future.unwrap_err(), CommandError::Invalid(vec![FieldError::new("today", Problem::DateInFuture)]));
    assert_eq!(d.reg.clock(), clock, "nothing changed");

    let plan = d.gdpr(GdprCommand::PurgeRetention { today: d.today }).unwrap();
    assert_unique_audit_keys(&plan);
    assert_eq!(plan.affected, 2, "one person, one dietary entry");
    assert!(d.reg.person(old).is_none() && d.reg.record(c).is_none());
    assert_eq!(d.reg.tombstone(EntityRef::Person(old)).unwrap().reason, TombstoneReason::Erased);
    assert!(d.reg.person(held).is_some(), "held back by the collection case");
    match &d.reg.record(ev).unwrap().kind {
        RecordKind::Event(e) => assert_eq!(e.dietary, None),
        other => panic!("{other:?}"),
    }
    let a = audits(&plan);
    assert!(a.iter().all(|a| a.action == AuditAction::RetentionPurged));
    assert!(a.iter().any(|a| a.entity == EntityRef::Record(ev) && a.fields == ["dietary"]));
    assert!(a.iter().any(|a| a.entity == EntityRef::Person(old) && a.fields.is_empty()));
    // Nothing is due any more but the held person.
    assert_eq!(d.reg.retention_due_count(d.today), 0);
    assert!(d.gdpr(GdprCommand::PurgeRetention { today: d.today }).unwrap().is_empty());
}

#[test]
fn rules_are_checked_when_the_description_is_saved() {
    let mut d = Desk::new();
    let mut settings = Settings::default();
    settings.categories.push(CategoryDef { key: CategoryKey::new("custom-kerho"), name: "Kerho".into() });
    d.run(Command::UpdateSettings(settings));
    let mut desc = super::gdpr_notice::filled(&d);
    desc.retention.rules.push(RetentionRule {
        applies_to: RetentionTarget::Category(CategoryKey::new("custom-tuntematon")),
        period: Period::years(1),
        anchor: Anchor::Created,
    });
    desc.retention.rules.push(RetentionRule {
        applies_to: RetentionTarget::Dietary,
        period: Period { amount: 2, unit: Unit::Days },
        anchor: Anchor::LastActivity,
    });
    desc.retention.rules.push(RetentionRule {
        applies_to: RetentionTarget::Category(CategoryKey::new("custom-kerho")),
        period: Period::years(101),
        anchor: Anchor::Created,
    });
    desc.retention.accounting_years = 0;
    let n = RetentionRules::default().rules.len();
    let err = d.gdpr(GdprCommand::UpdateDescription(Box::new(desc))).unwrap_err();
    assert_eq!(
        err,
        CommandError::Invalid(vec![
            FieldError::new(format!("retention.rules.{n}.target"), Problem::Missing),
            FieldError::new(format!("retention.rules.{}.anchor", n + 1), Problem::ChoiceInvalid),
            FieldError::new(format!("retention.rules.{}.target", n + 1), Problem::NameTaken),
            FieldError::new(format!("retention.rules.{}.amount", n + 2), Problem::NumberInvalid),
            FieldError::new("retention.accounting_years", Problem::NumberInvalid),
        ])
    );
    assert!(!d.reg.has_description());
}
