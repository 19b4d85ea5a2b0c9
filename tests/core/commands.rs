//! The register's commands: what each one changes, what it refuses, and
//! what it writes in the audit log.

use sidos::domain::testing::{env, Ids};
use sidos::domain::{
    AffiliationDraft, AuditAction, Change, Command, CommandError, DeviceId, EntityRef, FieldError, Filter,
    FinnishOrder, LabeledDraft, OrgChoice, PersonDraft, PersonField, PersonId, Plan, Problem, Register, Tombstone,
    TombstoneReason,
};

/// A register with a clock that moves one minute per command.
pub struct World {
    pub reg: Register,
    pub ids: Ids,
    pub minute: i64,
}

impl World {
    pub fn new() -> Self {
        World {
            reg: Register::new(DeviceId::new(uuid::Uuid::from_u128(0xD1)), Box::new(FinnishOrder)),
            ids: Ids(0),
            minute: 0,
        }
    }

    pub fn plan(&mut self, cmd: Command) -> Result<Plan, CommandError> {
        self.minute += 1;
        let ids = &mut self.ids;
        let mut next = || ids.next_id();
        self.reg.plan(&cmd, &mut env(self.minute, &mut next))
    }

    /// Plans and applies; panics on a refused command.
    pub fn run(&mut self, cmd: Command) -> Plan {
        let plan = self.plan(cmd).expect("the command is valid");
        self.reg.apply(plan.changes.clone());
        plan
    }

    pub fn add(&mut self, draft: PersonDraft) -> PersonId {
        match self.run(Command::AddPerson(draft)).created {
            Some(EntityRef::Person(id)) => id,
            other => panic!("no person created: {other:?}"),
        }
    }
}

pub fn person(given: &str, family: &str) -> PersonDraft {
    PersonDraft { given_name: given.into(), family_name: family.into(), ..PersonDraft::default() }
}

pub fn with_email(mut d: PersonDraft, email: &str) -> PersonDraft {
    d.emails.push(LabeledDraft { label: String::new(), value: email.into() });
    d
}

pub fn with_phone(mut d: PersonDraft, phone: &str) -> PersonDraft {
    d.phones.push(LabeledDraft { label: String::new(), value: phone.into() });
    d
}

pub fn at_org(mut d: PersonDraft, org: &str, role: &str) -> PersonDraft {
    d.affiliations.push(AffiliationDraft { org: OrgChoice::New(org.into()), role: role.into() });
    d
}

fn audits(plan: &Plan) -> Vec<&sidos::domain::AuditEntry> {
    plan.changes
        .iter()
        .filter_map(|c| match c {
            Change::Audit(a) => Some(a),
            _ => None,
        })
        .collect()
}

#[test]
fn adding_a_person_normalises_values_and_creates_the_organisation_once() {
    let mut w = World::new();
    let kati = w.add(at_org(
        with_phone(with_email(person(" Kati ", "Häkkinen"), "Kati@Mipro.FI"), "040 123 4567"),
        "Mipro Oy",
        "DPO",
    ));
    let antti = w.add(at_org(person("Antti", "Aho"), "MIPRO OY", ""));
    let k = w.reg.person(kati).unwrap();
    assert_eq!(k.given_name, "Kati");
    assert_eq!(k.emails[0].value, "Kati@mipro.fi");
    assert_eq!(k.phones[0].value, "+358401234567");
    assert_eq!(w.reg.org_count(), 1, "one organisation, matched by name");
    let org = k.affiliations[0].org;
    assert_eq!(w.reg.person(antti).unwrap().affiliations[0].org, org);
    assert_eq!(w.reg.members(org), vec![antti, kati], "members in name order");
}

#[test]
fn invalid_drafts_are_refused_field_by_field() {
    type Edit = fn(PersonDraft) -> PersonDraft;
    type Case = (&'static str, Edit, Vec<(&'static str, Problem)>);
    let cases: Vec<Case> = vec![
        ("no name", |_| PersonDraft::default(), vec![("family_name", Problem::NameRequired)]),
        ("bad e-mail", |d| with_email(d, "anna@"), vec![("emails.0", Problem::EmailInvalid)]),
        ("bad phone", |d| with_phone(d, "040 12x"), vec![("phones.0", Problem::PhoneInvalid)]),
        (
            "two problems",
            |d| with_phone(with_email(d, "x@y"), "1"),
            vec![("emails.0", Problem::EmailInvalid), ("phones.0", Problem::PhoneInvalid)],
        ),
        (
            "second e-mail bad",
            |d| with_email(with_email(d, "ok@example.fi"), "bad"),
            vec![("emails.1", Problem::EmailInvalid)],
        ),
        (
            "too long a name",
            |mut d| {
                d.family_name = "x".repeat(201);
                d
            },
            vec![("family_name", Problem::TooLong)],
        ),
        (
            "future provenance",
            |mut d| {
                d.provenance.date = "2030-01-01".into();
                d
            },
            vec![("provenance.date", Problem::DateInFuture)],
        ),
        (
            "unknown category",
            |mut d| {
                d.categories.insert(sidos::domain::CategoryKey::new("nonsense"));
                d
            },
            vec![("categories", Problem::Missing)],
        ),
    ];
    for (what, edit, want) in cases {
        let mut w = World::new();
        let result = w.plan(Command::AddPerson(edit(person("Anna", "Aho"))));
        let want: Vec<FieldError> = want.into_iter().map(|(f, p)| FieldError::new(f, p)).collect();
        assert_eq!(result, Err(CommandError::Invalid(want)), "{what}");
        assert_eq!(w.reg.people_count(), 0, "{what}: nothing saved");
    }
}

#[test]
fn empty_rows_are_dropped_not_errors() {
    let mut w = World::new();
    let d = with_phone(with_email(person("Anna", "Aho"), "  "), "");
    let id = w.add(d);
    let p = w.reg.person(id).unwrap();
    assert!(p.emails.is_empty() && p.phones.is_empty());
}

#[test]
fn planning_changes_nothing_until_applied() {
    let mut w = World::new();
    let plan = w.plan(Command::AddPerson(person("Anna", "Aho"))).unwrap();
    assert_eq!(w.reg.people_count(), 0);
    assert!(!plan.changes.is_empty());
    w.reg.apply(plan.changes);
    assert_eq!(w.reg.people_count(), 1);
}

#[test]
fn an_update_stamps_and_audits_only_the_changed_fields_without_values() {
    let mut w = World::new();
    let id = w.add(with_email(person("Anna", "Aho"), "anna@example.fi"));
    let before = w.reg.person(id).unwrap().clone();
    let plan = w.run(Command::UpdatePerson(id, with_email(person("Anna", "Aho"), "anna.aho@example.fi")));
    let after = w.reg.person(id).unwrap();
    assert!(after.stamps[&PersonField::Emails] > before.stamps[&PersonField::Emails]);
    assert_eq!(after.stamps[&PersonField::Name], before.stamps[&PersonField::Name]);
    let entries = audits(&plan);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, AuditAction::Updated);
    assert_eq!(entries[0].fields, vec!["emails".to_owned()]);
    assert_eq!(entries[0].actor, "Tester");
    let text = format!("{:?}", entries[0]);
    assert!(!text.contains("anna") && !text.contains("Aho"), "no personal values in the audit log: {text}");
}

#[test]
fn an_update_without_changes_writes_nothing() {
    let mut w = World::new();
    let id = w.add(with_email(person("Anna", "Aho"), "anna@example.fi"));
    let plan = w.run(Command::UpdatePerson(id, with_email(person("Anna", "Aho"), "anna@example.fi")));
    assert!(plan.is_empty());
}

#[test]
fn deleting_leaves_a_tombstone_and_an_audit_entry() {
    let mut w = World::new();
    let id = w.add(person("Anna", "Aho"));
    let plan = w.run(Command::DeletePerson(id));
    assert!(w.reg.person(id).is_none());
    assert!(matches!(w.reg.tombstone(EntityRef::Person(id)), Some(Tombstone { reason: TombstoneReason::Deleted, .. })));
    assert_eq!(audits(&plan)[0].action, AuditAction::Deleted);
    assert_eq!(w.plan(Command::DeletePerson(id)), Err(CommandError::NotFound(EntityRef::Person(id))));
    assert!(w.reg.search(&Filter::text("aho")).is_empty());
}

#[test]
fn every_command_moves_the_clock_forward() {
    let mut w = World::new();
    let mut last = w.reg.clock();
    for n in 0..5 {
        w.minute -= 2; // a wall clock going backwards
        w.add(person("Anna", &format!("Aho {n}")));
        assert!(w.reg.clock() > last);
        last = w.reg.clock();
    }
}

#[test]
fn search_matches_names_organisations_emails_and_phones() {
    let mut w = World::new();
    w.add(at_org(with_email(person("Kati", "Häkkinen"), "kati@mipro.fi"), "Mipro Oy", "Tietosuoja"));
    w.add(with_phone(person("Åsa", "Öberg"), "040 765 4321"));
    w.add(person("Antti", "Aho"));
    let names = |q: &str| -> Vec<String> {
        w.reg.search(&Filter::text(q)).iter().map(|id| w.reg.person(*id).unwrap().family_name.clone()).collect()
    };
    assert_eq!(names(""), ["Aho", "Häkkinen", "Öberg"]);
    assert_eq!(names("hakkinen"), ["Häkkinen"]);
    assert_eq!(names("mipro"), ["Häkkinen"]);
    assert_eq!(names("KATI@"), ["Häkkinen"]);
    assert_eq!(names("0407654321"), ["Öberg"]);
    assert_eq!(names("+35840765"), ["Öberg"]);
    assert_eq!(names("tietosuoja"), ["Häkkinen"]);
    // Names with a word that starts with "a" first (Antti, Åsa), then names
    // that only contain it (Kati Häkkinen); name order within each.
    assert_eq!(names("a"), ["Aho", "Öberg", "Häkkinen"]);
}
