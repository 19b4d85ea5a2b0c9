//! The whole register: organisations, relationship records, custom fields,
//! settings, derived dates, dietary clean-up, filters, segments,
//! duplicates and merging.

use std::collections::{BTreeMap, BTreeSet};

use sidos::domain::testing::day;
use sidos::domain::{
    AuditAction, Billing, CategoryDef, CategoryKey, Change, Command, CommandError, ContractKind, CustomValue,
    DuplicateReason, EntityRef, FieldDef, FieldError, FieldId, FieldKind, Filter, MergeSide, OrgDraft, OrgId,
    PersonField, PersonId, Problem, RecordDraft, RecordDraftKind, RecordId, RecordKind, Settings, TombstoneReason,
};

use crate::commands::{at_org, person, with_email, with_phone, World};

fn invalid(pairs: &[(&str, Problem)]) -> Result<(), CommandError> {
    Err(CommandError::Invalid(pairs.iter().map(|(f, p)| FieldError::new(*f, p.clone())).collect()))
}

fn add_org(w: &mut World, name: &str, business_id: &str) -> Result<OrgId, CommandError> {
    let draft = OrgDraft { name: name.into(), business_id: business_id.into(), ..OrgDraft::default() };
    let plan = w.plan(Command::AddOrg(draft))?;
    w.reg.apply(plan.changes.clone());
    match plan.created {
        Some(EntityRef::Org(id)) => Ok(id),
        other => panic!("no organisation: {other:?}"),
    }
}

fn record(w: &mut World, person: PersonId, kind: RecordDraftKind) -> Result<RecordId, CommandError> {
    let plan = w.plan(Command::AddRecord(RecordDraft { person, org: None, kind }))?;
    w.reg.apply(plan.changes.clone());
    match plan.created {
        Some(EntityRef::Record(id)) => Ok(id),
        other => panic!("no record: {other:?}"),
    }
}

fn contract(title: &str, start: &str, end: &str, value: &str, billing: Billing) -> RecordDraftKind {
    RecordDraftKind::Contract {
        kind: ContractKind::Order,
        title: title.into(),
        start: start.into(),
        end: end.into(),
        value: value.into(),
        billing,
    }
}

fn event(name: &str, date: &str, dietary: &str) -> RecordDraftKind {
    RecordDraftKind::Event { name: name.into(), date: date.into(), dietary: dietary.into() }
}

fn check(result: Result<RecordId, CommandError>) -> Result<(), CommandError> {
    result.map(|_| ())
}

#[test]
fn organisations_check_the_business_id_and_unique_names() {
    let mut w = World::new();
    assert!(add_org(&mut w, "Mipro Oy", "0112038-9").is_ok());
    let cases = [
        ("Nokia", "0112038-8", vec![("business_id", Problem::BusinessIdCheckDigit)]),
        ("Nokia", "112038", vec![("business_id", Problem::BusinessIdFormat)]),
        ("", "", vec![("name", Problem::Required)]),
        ("mipro oy", "", vec![("name", Problem::NameTaken)]),
    ];
    for (name, bid, want) in cases {
        assert_eq!(add_org(&mut w, name, bid).map(|_| ()), invalid(&want), "{name} {bid}");
    }
    assert_eq!(w.reg.org_count(), 1);
    let mut d = OrgDraft { name: "Mipro".into(), website: "javascript:alert(1)".into(), ..OrgDraft::default() };
    assert_eq!(w.plan(Command::AddOrg(d.clone())).map(|_| ()), invalid(&[("website", Problem::UrlInvalid)]));
    d.website = "mipro.fi".into();
    let plan = w.run(Command::AddOrg(d));
    let Some(EntityRef::Org(id)) = plan.created else { panic!() };
    assert_eq!(w.reg.org(id).unwrap().website.as_deref(), Some("https://mipro.fi"));
}

#[test]
fn deleting_an_organisation_keeps_its_people_and_records() {
    let mut w = World::new();
    let kati = w.add(at_org(person("Kati", "Häkkinen"), "Mipro Oy", "DPO"));
    let org = w.reg.person(kati).unwrap().affiliations[0].org;
    let plan = w.plan(Command::AddRecord(RecordDraft {
        person: kati,
        org: Some(org),
        kind: contract("Ylläpito", "2026-01-01", "", "", Billing::Paid),
    }));
    w.reg.apply(plan.unwrap().changes);
    w.run(Command::DeleteOrg(org));
    assert!(w.reg.org(org).is_none());
    assert!(w.reg.person(kati).unwrap().affiliations.is_empty());
    assert_eq!(w.reg.records_of(kati).len(), 1);
    assert_eq!(w.reg.records_of(kati)[0].org, None);
}

#[test]
fn records_put_many_at_once_belong_to_their_people_whatever_comes_after_them() {
    let mut w = World::new();
    let (anna, bert) = (w.add(person("Anna", "Aho")), w.add(person("Bert", "Berg")));
    let mut ids = Vec::new();
    for (who, name) in [(anna, "Messut"), (bert, "Gaala"), (anna, "Kevätjuhla")] {
        ids.push(record(&mut w, who, event(name, "2026-12-05", "")).unwrap());
    }
    let puts = |reg: &sidos::domain::Register| -> Vec<Change> {
        ids.iter().map(|id| Change::PutRecord(reg.record(*id).unwrap().clone())).collect()
    };
    let people = |reg: &sidos::domain::Register| -> Vec<Change> {
        [anna, bert].iter().map(|id| Change::PutPerson(reg.person(*id).unwrap().clone())).collect()
    };
    let of = |w: &World, who: PersonId| -> BTreeSet<RecordId> { w.reg.records_of(who).iter().map(|r| r.id).collect() };
    // Records last of all, then again with the first moved to Bert: each
    // belongs to its person, the moved one only to Bert.
    let mut moved = w.reg.record(ids[0]).unwrap().clone();
    moved.person = bert;
    let mut changes = people(&w.reg);
    changes.extend(puts(&w.reg));
    changes.push(Change::PutRecord(moved));
    let mut fresh = World::new();
    fresh.reg.apply(changes);
    assert_eq!(of(&fresh, anna), BTreeSet::from([ids[2]]));
    assert_eq!(of(&fresh, bert), BTreeSet::from([ids[0], ids[1]]));
    // Records, then a removal of one of them.
    let mut changes = people(&w.reg);
    changes.extend(puts(&w.reg));
    changes.push(Change::RemoveRecord(ids[2]));
    let mut fresh = World::new();
    fresh.reg.apply(changes);
    assert_eq!(of(&fresh, anna), BTreeSet::from([ids[0]]));
    assert_eq!(of(&fresh, bert), BTreeSet::from([ids[1]]));
}

#[test]
fn relationship_records_are_checked() {
    let mut w = World::new();
    let p = w.add(person("Anna", "Aho"));
    let cases: Vec<(RecordDraftKind, Result<(), CommandError>)> = vec![
        (contract("Sopimus", "2026-01-01", "2026-12-31", "1 250,50", Billing::OpenInvoice), Ok(())),
        (contract("", "", "", "", Billing::NotBilled), invalid(&[("title", Problem::Required)])),
        (contract("X", "2026-02-01", "2026-01-01", "", Billing::Paid), invalid(&[("end", Problem::DateOrder)])),
        (
            contract("X", "31.2.2026", "", "kymppi", Billing::Paid),
            invalid(&[("start", Problem::DateInvalid), ("value", Problem::NumberInvalid)]),
        ),
        (RecordDraftKind::Feedback { date: "2026-11-01".into(), text: "Hyvä palvelu".into() }, Ok(())),
        (
            RecordDraftKind::Feedback { date: "2026-12-01".into(), text: "x".into() },
            invalid(&[("date", Problem::DateInFuture)]),
        ),
        (
            RecordDraftKind::Feedback { date: "2026-11-01".into(), text: " ".into() },
            invalid(&[("text", Problem::Required)]),
        ),
        (
            RecordDraftKind::Ticket {
                opened: "2026-10-01".into(),
                closed: "2026-09-01".into(),
                description: String::new(),
            },
            invalid(&[("closed", Problem::DateOrder)]),
        ),
        (
            RecordDraftKind::Ticket { opened: "".into(), closed: "".into(), description: String::new() },
            invalid(&[("opened", Problem::Required)]),
        ),
        (
            RecordDraftKind::Training {
                name: "Työturvallisuus".into(),
                date: "2026-03-01".into(),
                completed: true,
                grade: "5".into(),
                statutory: true,
            },
            Ok(()),
        ),
        (
            RecordDraftKind::Training {
                name: "".into(),
                date: "x".into(),
                completed: false,
                grade: String::new(),
                statutory: false,
            },
            invalid(&[("name", Problem::Required), ("date", Problem::DateInvalid)]),
        ),
        (event("Messut", "2026-12-05", "gluteeniton"), Ok(())),
        (event("Vanhat messut", "2020-05-05", ""), invalid(&[("date", Problem::DateTooOld)])),
        (event("", "", ""), invalid(&[("name", Problem::Required), ("date", Problem::Required)])),
    ];
    for (kind, want) in cases {
        let what = format!("{kind:?}");
        assert_eq!(check(record(&mut w, p, kind)), want, "{what}");
    }
    assert_eq!(w.reg.records_of(p).len(), 4, "only the valid ones were saved");
    let value = w.reg.records_of(p).iter().find_map(|r| match &r.kind {
        RecordKind::Contract(c) => c.value_cents,
        _ => None,
    });
    assert_eq!(value, Some(125_050));
    let ghost = PersonId::new(uuid::Uuid::from_u128(999));
    assert_eq!(
        check(record(&mut w, ghost, event("E", "2026-12-01", ""))),
        Err(CommandError::NotFound(EntityRef::Person(ghost)))
    );
}

#[test]
fn an_old_event_can_be_edited_but_not_added() {
    let mut w = World::new();
    let p = w.add(person("Anna", "Aho"));
    let id = record(&mut w, p, event("Messut", "2026-10-01", "")).unwrap();
    let draft = RecordDraft { person: p, org: None, kind: event("Messut", "2020-10-01", "") };
    assert!(w.plan(Command::UpdateRecord(id, draft)).is_ok(), "correcting an old record is allowed");
}

#[test]
fn the_last_customer_event_comes_from_the_relationship_data() {
    let mut w = World::new();
    let p = w.add(person("Anna", "Aho"));
    assert_eq!(w.reg.last_customer_event(p), None);
    record(&mut w, p, event("Messut", "2026-11-20", "")).unwrap();
    assert_eq!(w.reg.last_customer_event(p), None, "an event participation is not a customer event");
    record(&mut w, p, contract("Tilaus", "2024-01-10", "2024-06-30", "", Billing::Paid)).unwrap();
    assert_eq!(w.reg.last_customer_event(p), Some(day(2024, 6, 30)));
    record(
        &mut w,
        p,
        RecordDraftKind::Ticket {
            opened: "2025-02-01".into(),
            closed: "2025-03-15".into(),
            description: String::new(),
        },
    )
    .unwrap();
    assert_eq!(w.reg.last_customer_event(p), Some(day(2025, 3, 15)));
    let fb = record(&mut w, p, RecordDraftKind::Feedback { date: "2026-01-05".into(), text: "Kiitos".into() }).unwrap();
    assert_eq!(w.reg.last_customer_event(p), Some(day(2026, 1, 5)));
    w.run(Command::DeleteRecord(fb));
    assert_eq!(w.reg.last_customer_event(p), Some(day(2025, 3, 15)));
}

#[test]
fn dietary_data_of_past_events_is_deleted_and_logged() {
    let mut w = World::new();
    let p = w.add(person("Anna", "Aho"));
    let past = record(&mut w, p, event("Syysseminaari", "2026-11-21", "laktoositon")).unwrap();
    let today = record(&mut w, p, event("Tänään", "2026-11-22", "vegaani")).unwrap();
    let none = record(&mut w, p, event("Ilman", "2026-11-01", "")).unwrap();
    let plan = w.run(Command::PurgePastDietary);
    assert_eq!(plan.affected, 1);
    let dietary = |id| match &w.reg.record(id).unwrap().kind {
        RecordKind::Event(e) => e.dietary.clone(),
        _ => panic!(),
    };
    assert_eq!(dietary(past), None);
    assert_eq!(dietary(today), Some("vegaani".into()), "kept until the event is over");
    assert_eq!(dietary(none), None);
    let audit: Vec<_> =
        plan.changes.iter().filter_map(|c| if let Change::Audit(a) = c { Some(a) } else { None }).collect();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, AuditAction::DietaryPurged);
    assert_eq!(audit[0].entity, EntityRef::Record(past));
    assert!(!format!("{audit:?}").contains("laktoositon"));
    assert!(w.run(Command::PurgePastDietary).is_empty(), "nothing left to do");
    let view = w.run(Command::LogDietaryView(today));
    assert!(matches!(&view.changes[0], Change::Audit(a) if a.action == AuditAction::DietaryViewed));
}

fn field(name: &str, kind: FieldKind, required: bool) -> FieldDef {
    FieldDef { id: FieldId::new(uuid::Uuid::now_v7()), name: name.into(), kind, required }
}

#[test]
fn custom_fields_are_checked_like_built_in_ones() {
    let mut w = World::new();
    let number = field("Asiakasnumero", FieldKind::Number, true);
    let date = field("Sopimus päättyy", FieldKind::Date, false);
    let yes = field("Uutiskirje", FieldKind::YesNo, false);
    let choice = field("Koko", FieldKind::Choice(vec!["Pieni".into(), "Suuri".into()]), false);
    let text = field("IP-osoite", FieldKind::Text, false);
    let settings = Settings {
        fields: vec![number.clone(), date.clone(), yes.clone(), choice.clone(), text.clone()],
        ..Settings::default()
    };
    w.run(Command::UpdateSettings(settings));
    let with = |values: &[(&FieldDef, &str)]| {
        let mut d = person("Anna", "Aho");
        d.custom = values.iter().map(|(f, v)| (f.id, (*v).to_owned())).collect();
        d
    };
    let path = |f: &FieldDef| format!("custom.{}", f.id);
    let result = w.plan(Command::AddPerson(with(&[(&date, "32.1.2026"), (&yes, "ehkä"), (&choice, "Keskikokoinen")])));
    let want = vec![
        FieldError::new(path(&number), Problem::Required),
        FieldError::new(path(&date), Problem::DateInvalid),
        FieldError::new(path(&yes), Problem::YesNoInvalid),
        FieldError::new(path(&choice), Problem::ChoiceInvalid),
    ];
    assert_eq!(result.map(|_| ()), Err(CommandError::Invalid(want)));
    assert_eq!(
        w.plan(Command::AddPerson(with(&[(&number, "12x")]))).map(|_| ()),
        Err(CommandError::Invalid(vec![FieldError::new(path(&number), Problem::NumberInvalid)]))
    );
    let id = w.add(with(&[
        (&number, "1 024"),
        (&date, "2027-01-31"),
        (&yes, "kyllä"),
        (&choice, "suuri"),
        (&text, "10.0.0.1"),
    ]));
    let p = w.reg.person(id).unwrap();
    assert_eq!(p.custom[&number.id], CustomValue::Number(1024.0));
    assert_eq!(p.custom[&date.id], CustomValue::Date(day(2027, 1, 31)));
    assert_eq!(p.custom[&yes.id], CustomValue::YesNo(true));
    assert_eq!(p.custom[&choice.id], CustomValue::Choice("Suuri".into()), "the choice as declared");
    // Custom text is searchable.
    assert_eq!(w.reg.search(&Filter::text("10.0.0.1")), vec![id]);
}

#[test]
fn search_texts_are_made_anew_after_the_custom_fields_change() {
    let mut w = World::new();
    let tag = field("Tunniste", FieldKind::Text, false);
    w.run(Command::UpdateSettings(Settings { fields: vec![tag.clone()], ..Settings::default() }));
    let mut draft = person("Anna", "Aho");
    draft.custom = [(tag.id, "ABC-123".to_owned())].into();
    let anna = w.add(draft);
    let bertta = w.add(person("Bertta", "Berg"));
    w.reg.prepare_search();
    assert!(w.reg.search_ready());
    assert_eq!(w.reg.search(&Filter::text("abc-123")), vec![anna]);

    // A second text field: the list is ordered again at once, and what a
    // search reads is made again, by the next search or beforehand.
    let note = field("Huomio", FieldKind::Text, false);
    w.run(Command::UpdateSettings(Settings { fields: vec![tag.clone(), note], ..w.reg.settings().clone() }));
    assert!(!w.reg.search_ready(), "made again only when needed");
    assert_eq!(w.reg.search(&Filter::text("")), vec![anna, bertta], "the list in name order");
    assert_eq!(w.reg.search(&Filter::text("abc-123")), vec![anna]);
    assert!(w.reg.search_ready());

    // The unused field removed again: made beforehand this time.
    w.run(Command::UpdateSettings(Settings { fields: vec![tag], ..w.reg.settings().clone() }));
    w.reg.prepare_search();
    assert!(w.reg.search_ready());
    assert_eq!(w.reg.search(&Filter::text("abc-123")), vec![anna]);
    assert_eq!(w.reg.search(&Filter::text("berg")), vec![bertta]);
}

#[test]
fn settings_refuse_bad_definitions_and_removing_what_is_in_use() {
    let mut w = World::new();
    let club = CategoryDef { key: CategoryKey::new("custom-club"), name: "Kerho".into() };
    let size = field("Koko", FieldKind::Number, false);
    w.run(Command::UpdateSettings(Settings {
        categories: vec![club.clone()],
        fields: vec![size.clone()],
        ..Settings::default()
    }));
    let mut d = person("Anna", "Aho");
    d.categories.insert(club.key.clone());
    d.custom.insert(size.id, "3".into());
    w.add(d);
    let base = w.reg.settings().clone();
    let cases: Vec<(Settings, Vec<(&str, Problem)>)> = vec![
        (Settings { categories: vec![], ..base.clone() }, vec![("removed_categories.0", Problem::InUse)]),
        (Settings { fields: vec![], ..base.clone() }, vec![("removed_fields.0", Problem::InUse)]),
        (
            Settings { fields: vec![FieldDef { kind: FieldKind::Text, ..size.clone() }], ..base.clone() },
            vec![("fields.0.kind", Problem::InUse)],
        ),
        (
            Settings {
                categories: vec![
                    club.clone(),
                    CategoryDef { key: CategoryKey::new("custom-2"), name: " kerho ".into() },
                ],
                ..base.clone()
            },
            vec![("categories.1", Problem::NameTaken)],
        ),
        (
            Settings {
                fields: vec![size.clone(), field("", FieldKind::Choice(vec![" ".into()]), false)],
                ..base.clone()
            },
            vec![("fields.1.name", Problem::Required), ("fields.1.choices", Problem::Required)],
        ),
        (Settings { country_code: "+35x".into(), ..base.clone() }, vec![("country_code", Problem::NumberInvalid)]),
    ];
    for (settings, want) in cases {
        assert_eq!(w.plan(Command::UpdateSettings(settings)).map(|_| ()), invalid(&want));
    }
    assert_eq!(w.reg.settings(), &base, "nothing changed");
    // Renaming is fine; so is the phone country code.
    let renamed =
        Settings { categories: vec![CategoryDef { name: "Klubi".into(), ..club }], country_code: "+46".into(), ..base };
    w.run(Command::UpdateSettings(renamed));
    assert_eq!(w.reg.settings().country_code, "46");
    let id = w.add(with_phone(person("Sven", "Berg"), "08 123 456"));
    assert_eq!(w.reg.person(id).unwrap().phones[0].value, "+468123456");
}

#[test]
fn filters_combine_category_organisation_tag_and_dates() {
    let mut w = World::new();
    let mut d = at_org(person("Kati", "Häkkinen"), "Mipro Oy", "");
    d.categories.insert(CategoryKey::new(CategoryKey::CUSTOMER));
    d.tags = vec!["VIP".into()];
    let kati = w.add(d);
    let mut d = at_org(person("Antti", "Aho"), "Muu Oy", "");
    d.categories.insert(CategoryKey::new(CategoryKey::PROSPECT));
    let antti = w.add(d);
    record(&mut w, kati, contract("Tilaus", "2025-05-01", "", "", Billing::Paid)).unwrap();
    record(&mut w, antti, contract("Kokeilu", "2026-06-01", "", "", Billing::NotBilled)).unwrap();
    let mipro = w.reg.org_by_name("mipro oy").unwrap().id;
    let cases: Vec<(Filter, Vec<PersonId>)> = vec![
        (
            Filter { categories: BTreeSet::from([CategoryKey::new(CategoryKey::CUSTOMER)]), ..Filter::default() },
            vec![kati],
        ),
        (Filter { org: Some(mipro), ..Filter::default() }, vec![kati]),
        (Filter { tag: Some("vip".into()), ..Filter::default() }, vec![kati]),
        (Filter { last_event_before: Some(day(2025, 12, 31)), ..Filter::default() }, vec![kati]),
        (Filter { last_event_after: Some(day(2026, 1, 1)), ..Filter::default() }, vec![antti]),
        (Filter { text: "a".into(), last_event_after: Some(day(2020, 1, 1)), ..Filter::default() }, vec![antti, kati]),
        (
            Filter {
                text: "kati".into(),
                categories: BTreeSet::from([CategoryKey::new(CategoryKey::PROSPECT)]),
                ..Filter::default()
            },
            vec![],
        ),
    ];
    for (filter, want) in cases {
        assert_eq!(w.reg.search(&filter), want, "{filter:?}");
    }
}

#[test]
fn segments_are_saved_by_name_and_deleted() {
    let mut w = World::new();
    let filter = Filter { tag: Some("VIP".into()), ..Filter::default() };
    w.run(Command::SaveSegment { name: "Kevään uutiskirje".into(), filter: filter.clone() });
    w.run(Command::SaveSegment { name: "kevään UUTISKIRJE".into(), filter: Filter::text("aho") });
    assert_eq!(w.reg.settings().segments.len(), 1, "the same name replaces");
    assert_eq!(w.reg.settings().segments[0].filter, Filter::text("aho"));
    assert_eq!(
        w.plan(Command::SaveSegment { name: " ".into(), filter }).map(|_| ()),
        invalid(&[("name", Problem::Required)])
    );
    let id = w.reg.settings().segments[0].id;
    w.run(Command::DeleteSegment(id));
    assert!(w.reg.settings().segments.is_empty());
}

#[test]
fn duplicates_are_found_by_email_phone_and_similar_name_at_one_organisation() {
    let mut w = World::new();
    let a = w.add(with_email(person("Kati", "Häkkinen"), "kati@mipro.fi"));
    let b = w.add(with_email(person("K.", "Häkkinen"), "KATI@mipro.fi"));
    let c = w.add(with_phone(person("Antti", "Aho"), "040 111 2222"));
    let d = w.add(with_phone(person("A", "Aho"), "+358401112222"));
    let e = w.add(at_org(person("Matti", "Virtanen"), "Mipro Oy", ""));
    let f = w.add(at_org(person("Mati", "Virtanen"), "Mipro Oy", ""));
    w.add(at_org(person("Matti", "Virtanen"), "Muu Oy", ""));
    let found: Vec<(PersonId, PersonId, Vec<DuplicateReason>)> =
        w.reg.find_duplicates().into_iter().map(|p| (p.a, p.b, p.reasons)).collect();
    let mipro = w.reg.org_by_name("Mipro Oy").unwrap().id;
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.contains(&(c, d, vec![DuplicateReason::SamePhone("+358401112222".into())])));
    assert!(found.contains(&(a, b, vec![DuplicateReason::SameEmail("kati@mipro.fi".into())])));
    assert!(found.contains(&(e, f, vec![DuplicateReason::SimilarNameSameOrg(mipro)])));
}

#[test]
fn merging_keeps_every_record_and_leaves_a_tombstone() {
    let mut w = World::new();
    let mut first = at_org(with_email(person("Kati", "Häkkinen"), "kati@mipro.fi"), "Mipro Oy", "DPO");
    first.tags = vec!["VIP".into()];
    let keep = w.add(first);
    let mut second = with_phone(with_email(person("Katariina", "Häkkinen"), "kati.h@gmail.com"), "040 123 4567");
    second.notes = "Tavattu messuilla".into();
    let other = w.add(second);
    record(&mut w, other, contract("Tilaus", "2026-01-01", "", "", Billing::OpenInvoice)).unwrap();
    record(&mut w, keep, event("Messut", "2026-12-01", "")).unwrap();

    let choices = BTreeMap::from([(PersonField::Name, MergeSide::Other), (PersonField::Emails, MergeSide::Keep)]);
    let plan = w.run(Command::MergePeople { keep, other, choices });
    let merged = w.reg.person(keep).unwrap();
    assert_eq!(merged.given_name, "Katariina", "the chosen side");
    assert_eq!(merged.emails.len(), 1, "kept as chosen");
    assert_eq!(merged.phones[0].value, "+358401234567", "taken from the other: keep had none");
    assert_eq!(merged.notes, "Tavattu messuilla");
    assert!(merged.tags.contains("VIP"));
    assert_eq!(merged.affiliations.len(), 1);
    assert_eq!(w.reg.records_of(keep).len(), 2, "every record kept");
    assert!(w.reg.person(other).is_none());
    assert!(matches!(
        w.reg.tombstone(EntityRef::Person(other)).map(|t| &t.reason),
        Some(TombstoneReason::MergedInto(k)) if *k == keep
    ));
    let actions: Vec<AuditAction> = plan
        .changes
        .iter()
        .filter_map(|c| if let Change::Audit(a) = c { Some(a.action.clone()) } else { None })
        .collect();
    assert!(actions.contains(&AuditAction::MergedFrom(other)));
    assert!(actions.contains(&AuditAction::MergedInto(keep)));
    assert_eq!(
        w.plan(Command::MergePeople { keep, other, choices: BTreeMap::new() }),
        Err(CommandError::NotFound(EntityRef::Person(other)))
    );
    assert!(w.reg.find_duplicates().is_empty());
}

#[test]
fn both_lists_are_joined_without_repeats() {
    let mut w = World::new();
    let keep = w.add(with_email(with_email(person("A", "Aho"), "a@x.fi"), "b@x.fi"));
    let other = w.add(with_email(with_email(person("A", "Aho"), "b@x.fi"), "c@x.fi"));
    w.run(Command::MergePeople { keep, other, choices: BTreeMap::from([(PersonField::Emails, MergeSide::Both)]) });
    let emails: Vec<_> = w.reg.person(keep).unwrap().emails.iter().map(|e| e.value.clone()).collect();
    assert_eq!(emails, ["a@x.fi", "b@x.fi", "c@x.fi"]);
}

#[test]
fn records_added_after_the_rest_make_the_same_register() {
    use sidos::domain::{DeviceId, ExportScope, FinnishOrder, Parts, Register};
    use sidos::sample::{generate, Config};
    let config = Config { people: 300, orgs: 30, records: 1_200, seed: 3, today: day(2026, 11, 22) };
    let device = DeviceId::new(uuid::Uuid::from_u128(5));
    let whole = {
        let sample = generate(&config);
        Register::from_parts(sample.parts, device, Box::new(FinnishOrder))
    };
    let sample = generate(&config);
    let mut records = sample.parts.records;
    let people: Vec<_> = sample.parts.people.iter().map(|p| p.id).collect();
    let first = Parts { records: Vec::new(), ..sample.parts };
    let mut split = Register::from_parts(first, device, Box::new(FinnishOrder));
    assert!(people.iter().all(|&p| split.records_of(p).is_empty()), "no records before they are added");
    // In two batches, the second repeating a record of the first.
    let later = records.split_off(records.len() / 2);
    let repeated = records[0].clone();
    split.add_records(records);
    split.add_records(later.into_iter().chain([repeated]).collect());
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 22, 9, 0, 0).unwrap();
    assert_eq!(
        split.export_snapshot(&ExportScope::everything(), now),
        whole.export_snapshot(&ExportScope::everything(), now)
    );
    for &p in &people {
        let ids = |r: &Register| r.records_of(p).iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(&split), ids(&whole));
        assert_eq!(split.last_customer_event(p), whole.last_customer_event(p));
    }
    assert!(people.iter().any(|&p| !whole.records_of(p).is_empty()), "the sample has records");
}
