//! The consent and prohibition ledger: which state allows which output,
//! history, the prohibition register, the objection to direct marketing,
//! the config, and how entries follow people (merge, delete) and travel.

use chrono::NaiveDate;
use sidos::bundle::dto::{ConsentConfigDto, ConsentEntryDto};
use sidos::bundle::pages::{self, Kind};
use sidos::domain::consent::decide;
use sidos::domain::testing::{at, day, device, Ids};
use sidos::domain::{
    Actor, Basis, Change, Channel, Command, CommandError, ConsentConfig, ConsentEntry, ConsentId, ConsentSource,
    ConsentState, Denial, Env, FieldError, Level, Newsletter, NewsletterId, PersonId, Problem, Purpose, Stamp,
};

use crate::commands::{person, with_email, World};

const EMAIL: Purpose = Purpose::DirectMarketing(Channel::Email);
const PHONE: Purpose = Purpose::DirectMarketing(Channel::Phone);
const POST: Purpose = Purpose::DirectMarketing(Channel::Post);

fn news_id() -> NewsletterId {
    NewsletterId::new(uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_00ee_0001))
}

/// A world with one newsletter ("Kevään uutiskirje", consent basis).
fn world() -> World {
    let mut w = World::new();
    let config = ConsentConfig {
        newsletters: vec![Newsletter {
            id: news_id(),
            name: "Kevään uutiskirje".into(),
            channel: Channel::Email,
            basis: Basis::Consent,
            retired: false,
        }],
        ..ConsentConfig::default()
    };
    w.run(Command::UpdateConsentConfig(config));
    w
}

pub fn record(w: &mut World, person: PersonId, purpose: Purpose, state: ConsentState, date: &str) {
    w.run(Command::RecordConsent {
        person,
        purpose,
        state,
        date: date.into(),
        source: ConsentSource::Form,
        wording: "Haluan uutiskirjeen sähköpostiini.".into(),
    });
}

fn entry(n: u128, purpose: Purpose, state: ConsentState, date: NaiveDate, millis: u64) -> ConsentEntry {
    ConsentEntry {
        id: ConsentId::new(uuid::Uuid::from_u128(n)),
        person: PersonId::new(uuid::Uuid::from_u128(1)),
        purpose,
        state,
        date,
        source: ConsentSource::Form,
        wording: String::new(),
        recorded_at: at(0),
        by: "Tester".into(),
        stamp: Stamp { millis, counter: 0, device: device(1) },
    }
}

#[test]
fn which_state_allows_which_output() {
    use ConsentState::*;
    let d = day(2026, 3, 1);
    let later = day(2026, 4, 1);
    let news = Purpose::Newsletter(news_id());
    // (purpose, basis, current state, prohibition set, expected)
    type Case = (Purpose, Basis, Option<ConsentState>, bool, Result<(), Denial>);
    let cases: Vec<Case> = vec![
        (news, Basis::Consent, None, false, Err(Denial::NotAsked)),
        (news, Basis::Consent, Some(NotAsked), false, Err(Denial::NotAsked)),
        (news, Basis::Consent, Some(Given), false, Ok(())),
        (news, Basis::Consent, Some(Refused), false, Err(Denial::Refused)),
        (news, Basis::Consent, Some(Withdrawn), false, Err(Denial::Withdrawn)),
        (news, Basis::LegitimateInterest, None, false, Ok(())),
        (news, Basis::LegitimateInterest, Some(NotAsked), false, Ok(())),
        (news, Basis::LegitimateInterest, Some(Refused), false, Err(Denial::Refused)),
        (news, Basis::LegitimateInterest, Some(Withdrawn), false, Err(Denial::Withdrawn)),
        // A prohibition stops marketing, whatever the basis…
        (news, Basis::LegitimateInterest, None, true, Err(Denial::Prohibited)),
        (POST, Basis::LegitimateInterest, None, true, Err(Denial::Prohibited)),
        (Purpose::PartnerDisclosure, Basis::Consent, None, true, Err(Denial::Prohibited)),
        // …and a consent given before it.
        (news, Basis::Consent, Some(Given), true, Err(Denial::Prohibited)),
        // Surveys and directory publication are not marketing.
        (Purpose::Surveys, Basis::LegitimateInterest, None, true, Ok(())),
        (Purpose::Directory, Basis::Consent, Some(Given), true, Ok(())),
        (Purpose::Directory, Basis::Consent, None, false, Err(Denial::NotAsked)),
    ];
    for (purpose, basis, state, prohibited, want) in cases {
        let current = state.map(|s| entry(2, purpose, s, d, 10));
        let prohibition = prohibited.then(|| entry(3, PHONE, Refused, later, 20));
        assert_eq!(
            decide(&purpose, basis, current.as_ref(), prohibition.as_ref()),
            want,
            "{purpose:?} {basis:?} {state:?} prohibited: {prohibited}"
        );
    }
    // A consent given after the prohibition is the person's newer word.
    let prohibition = entry(3, PHONE, Refused, d, 20);
    let given_later = entry(4, news, Given, later, 5);
    assert_eq!(decide(&news, Basis::Consent, Some(&given_later), Some(&prohibition)), Ok(()));
    let given_same_day_after = entry(4, news, Given, d, 30);
    assert_eq!(decide(&news, Basis::Consent, Some(&given_same_day_after), Some(&prohibition)), Ok(()));
    let given_same_day_before = entry(4, news, Given, d, 10);
    assert_eq!(
        decide(&news, Basis::Consent, Some(&given_same_day_before), Some(&prohibition)),
        Err(Denial::Prohibited)
    );
}

#[test]
fn new_people_start_as_not_asked_and_the_defaults_follow_the_law() {
    let mut w = world();
    let anna = w.add(with_email(person("Anna", "Aho"), "anna@example.fi"));
    assert_eq!(w.reg.consent(anna, &EMAIL).state, ConsentState::NotAsked);
    assert!(w.reg.consents_of(anna).is_empty());
    // E-mail and SMS marketing need consent; phone and post may rely on
    // legitimate interest until the person refuses.
    assert_eq!(w.reg.consent_allows(anna, &EMAIL), Err(Denial::NotAsked));
    assert_eq!(w.reg.consent_allows(anna, &Purpose::DirectMarketing(Channel::Sms)), Err(Denial::NotAsked));
    assert_eq!(w.reg.consent_allows(anna, &PHONE), Ok(()));
    assert_eq!(w.reg.consent_allows(anna, &POST), Ok(()));
    assert_eq!(w.reg.consent_allows(anna, &Purpose::Newsletter(news_id())), Err(Denial::NotAsked));
    assert_eq!(w.reg.consent_allows(anna, &Purpose::PartnerDisclosure), Err(Denial::NotAsked));
    assert_eq!(w.reg.consent_allows(anna, &Purpose::Surveys), Ok(()));
}

#[test]
fn the_history_is_kept_and_the_latest_answer_counts() {
    let mut w = world();
    let anna = w.add(person("Anna", "Aho"));
    let news = Purpose::Newsletter(news_id());
    record(&mut w, anna, news, ConsentState::Given, "2026-03-01");
    record(&mut w, anna, news, ConsentState::Withdrawn, "2026-09-15");
    // Recorded later, but the person said it earlier: it does not win.
    record(&mut w, anna, news, ConsentState::Given, "2026-05-01");
    let history = w.reg.consents_of(anna);
    assert_eq!(history.len(), 3, "nothing is overwritten");
    assert_eq!(
        history.iter().map(|e| e.date).collect::<Vec<_>>(),
        [day(2026, 9, 15), day(2026, 5, 1), day(2026, 3, 1)]
    );
    assert_eq!(w.reg.consent(anna, &news).state, ConsentState::Withdrawn);
    assert_eq!(w.reg.consent_allows(anna, &news), Err(Denial::Withdrawn));
    // Two answers on one day: the one recorded later counts.
    record(&mut w, anna, news, ConsentState::Given, "2026-09-15");
    assert_eq!(w.reg.consent(anna, &news).state, ConsentState::Given);
    let e = w.reg.consent(anna, &news).entry.unwrap();
    assert_eq!(
        (e.source, e.by.as_str(), e.wording.as_str()),
        (ConsentSource::Form, "Tester", "Haluan uutiskirjeen sähköpostiini.")
    );
}

#[test]
fn a_refusal_of_direct_marketing_on_any_channel_stops_every_marketing_output() {
    let mut w = world();
    let anna = w.add(person("Anna", "Aho"));
    let news = Purpose::Newsletter(news_id());
    record(&mut w, anna, news, ConsentState::Given, "2026-01-10");
    record(&mut w, anna, EMAIL, ConsentState::Given, "2026-01-10");
    record(&mut w, anna, Purpose::PartnerDisclosure, ConsentState::Given, "2026-01-10");
    record(&mut w, anna, Purpose::Directory, ConsentState::Given, "2026-01-10");
    assert_eq!(w.reg.consent_allows(anna, &news), Ok(()));
    assert!(w.reg.prohibition_register().is_empty());

    record(&mut w, anna, PHONE, ConsentState::Refused, "2026-02-01");
    let (who, why) = w.reg.prohibition_register()[0];
    assert_eq!((who, why.purpose), (anna, PHONE));
    for p in [news, EMAIL, PHONE, POST, Purpose::PartnerDisclosure] {
        assert!(w.reg.consent_allows(anna, &p).is_err(), "{p:?} must stop");
    }
    assert_eq!(w.reg.consent_allows(anna, &news), Err(Denial::Prohibited));
    assert_eq!(w.reg.consent_allows(anna, &Purpose::Directory), Ok(()), "not marketing");
    assert_eq!(w.reg.consent_allows(anna, &Purpose::Surveys), Ok(()), "not marketing");

    // She subscribes again later: that newsletter only.
    record(&mut w, anna, news, ConsentState::Given, "2026-06-01");
    assert_eq!(w.reg.consent_allows(anna, &news), Ok(()));
    assert_eq!(w.reg.consent_allows(anna, &EMAIL), Err(Denial::Prohibited));
    assert_eq!(w.reg.prohibition_register().len(), 1, "still in the prohibition register");
    // Phone marketing allowed again: the prohibition ends.
    record(&mut w, anna, PHONE, ConsentState::Given, "2026-07-01");
    assert!(w.reg.prohibition_register().is_empty());
    assert_eq!(w.reg.consent_allows(anna, &EMAIL), Ok(()));
}

#[test]
fn an_objection_to_direct_marketing_refuses_every_marketing_purpose_at_once() {
    let mut w = world();
    let anna = w.add(person("Anna", "Aho"));
    let bo = w.add(person("Bo", "Berg"));
    record(&mut w, anna, Purpose::Newsletter(news_id()), ConsentState::Given, "2026-01-10");
    record(&mut w, anna, Purpose::Surveys, ConsentState::Given, "2026-01-10");
    let plan =
        w.run(Command::ObjectToMarketing { person: anna, date: "20.11.2026".into(), source: ConsentSource::Phone });
    let refused: Vec<Purpose> = plan
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::PutConsent(e) => Some(e.purpose),
            _ => None,
        })
        .collect();
    assert_eq!(
        refused,
        [
            Purpose::Newsletter(news_id()),
            EMAIL,
            PHONE,
            POST,
            Purpose::DirectMarketing(Channel::Sms),
            Purpose::PartnerDisclosure
        ]
    );
    for p in w.reg.consent_config().marketing_purposes() {
        let current = w.reg.consent(anna, &p);
        assert_eq!(current.state, ConsentState::Refused, "{p:?}");
        let e = current.entry.unwrap();
        assert_eq!((e.date, e.source), (day(2026, 11, 20), ConsentSource::Phone));
    }
    assert_eq!(w.reg.consent(anna, &Purpose::Surveys).state, ConsentState::Given, "surveys are not marketing");
    assert_eq!(w.reg.prohibition_register().iter().map(|(p, _)| *p).collect::<Vec<_>>(), [anna]);
    assert_eq!(w.reg.consent_allows(bo, &POST), Ok(()));
    // One audit entry, by field name only.
    let audits: Vec<_> =
        plan.changes.iter().filter_map(|c| if let Change::Audit(a) = c { Some(a) } else { None }).collect();
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].fields, ["consents"]);
}

#[test]
fn recording_is_checked_field_by_field() {
    let mut w = world();
    let anna = w.add(person("Anna", "Aho"));
    let ghost = PersonId::new(uuid::Uuid::from_u128(999));
    let cmd = |person, purpose, state, date: &str, wording: &str| Command::RecordConsent {
        person,
        purpose,
        state,
        date: date.into(),
        source: ConsentSource::Email,
        wording: wording.into(),
    };
    let invalid = |list: &[(&str, Problem)]| {
        Err(CommandError::Invalid(list.iter().map(|(f, p)| FieldError::new(*f, p.clone())).collect()))
    };
    let unknown = Purpose::Newsletter(NewsletterId::new(uuid::Uuid::from_u128(77)));
    assert_eq!(
        w.plan(cmd(anna, EMAIL, ConsentState::Given, "", "")).map(|_| ()),
        invalid(&[("wording", Problem::Required)])
    );
    assert_eq!(
        w.plan(cmd(anna, EMAIL, ConsentState::Refused, "2027-01-01", "")).map(|_| ()),
        invalid(&[("date", Problem::DateInFuture)])
    );
    assert_eq!(
        w.plan(cmd(anna, EMAIL, ConsentState::Refused, "eilen", "")).map(|_| ()),
        invalid(&[("date", Problem::DateInvalid)])
    );
    assert_eq!(
        w.plan(cmd(anna, unknown, ConsentState::Refused, "", "")).map(|_| ()),
        invalid(&[("purpose", Problem::Missing)])
    );
    assert_eq!(
        w.plan(cmd(ghost, EMAIL, ConsentState::Refused, "", "")).map(|_| ()),
        Err(CommandError::NotFound(sidos::domain::EntityRef::Person(ghost)))
    );
    // A refusal needs no wording; an empty date is today.
    w.run(cmd(anna, EMAIL, ConsentState::Refused, " ", ""));
    assert_eq!(w.reg.consent(anna, &EMAIL).entry.unwrap().date, day(2026, 11, 22));
    assert_eq!(w.reg.consents_of(anna).len(), 1);
}

#[test]
fn staff_record_consents_and_only_administrators_change_the_config() {
    let mut w = world();
    let anna = w.add(person("Anna", "Aho"));
    let check = |w: &World, level: Level, cmd: &Command| {
        let actor = Actor::new("X", level);
        let mut ids = Ids(5000);
        let mut next = || ids.next_id();
        let mut env = Env { now: at(100), today: day(2026, 11, 22), actor: &actor, new_id: &mut next };
        w.reg.plan(cmd, &mut env).is_ok()
    };
    let record = Command::RecordConsent {
        person: anna,
        purpose: POST,
        state: ConsentState::Refused,
        date: String::new(),
        source: ConsentSource::Letter,
        wording: String::new(),
    };
    let object = Command::ObjectToMarketing { person: anna, date: String::new(), source: ConsentSource::Letter };
    let config = Command::UpdateConsentConfig(ConsentConfig { post: Basis::Consent, ..w.reg.consent_config().clone() });
    for (cmd, want) in [
        (&record, [true, true, true, false]),
        (&object, [true, true, true, false]),
        (&config, [true, false, false, false]),
    ] {
        let got = [Level::Admin, Level::Staff, Level::EventOrganiser, Level::ReadOnly].map(|l| check(&w, l, cmd));
        assert_eq!(got, want, "{cmd:?}");
    }
}

#[test]
fn newsletters_are_retired_never_removed_and_named_once() {
    let mut w = world();
    let mut config = w.reg.consent_config().clone();
    config.newsletters.clear();
    assert_eq!(
        w.plan(Command::UpdateConsentConfig(config)).map(|_| ()),
        Err(CommandError::Invalid(vec![FieldError::new("removed_newsletters.0", Problem::InUse)]))
    );
    let mut config = w.reg.consent_config().clone();
    let mut second = config.newsletters[0].clone();
    second.id = NewsletterId::new(uuid::Uuid::from_u128(0xabc));
    second.name = " kevään UUTISKIRJE ".into();
    config.newsletters.push(second);
    assert_eq!(
        w.plan(Command::UpdateConsentConfig(config)).map(|_| ()),
        Err(CommandError::Invalid(vec![FieldError::new("newsletters.1", Problem::NameTaken)]))
    );
    let mut config = w.reg.consent_config().clone();
    config.newsletters[0].retired = true;
    w.run(Command::UpdateConsentConfig(config.clone()));
    assert!(w.reg.consent_config().newsletters[0].retired);
    assert!(w.plan(Command::UpdateConsentConfig(config)).unwrap().is_empty(), "no change, no plan");
}

#[test]
fn entries_follow_a_merged_person_and_go_with_a_deleted_one() {
    let mut w = world();
    let anna = w.add(person("Anna", "Aho"));
    let anna2 = w.add(person("Anna", "Ahoo"));
    let bo = w.add(person("Bo", "Berg"));
    record(&mut w, anna, EMAIL, ConsentState::Given, "2026-01-01");
    record(&mut w, anna2, PHONE, ConsentState::Refused, "2026-02-01");
    record(&mut w, bo, EMAIL, ConsentState::Given, "2026-01-01");
    w.run(Command::MergePeople { keep: anna, other: anna2, choices: Default::default() });
    assert_eq!(w.reg.consents_of(anna).len(), 2);
    assert!(w.reg.consents_of(anna2).is_empty());
    assert!(w.reg.marketing_prohibition(anna).is_some(), "the refusal made under the other record still holds");

    let plan = w.run(Command::DeletePerson(bo));
    assert_eq!(plan.changes.iter().filter(|c| matches!(c, Change::RemoveConsent(_))).count(), 1);
    assert!(w.reg.consents_of(bo).is_empty());
    assert_eq!(w.reg.consent_entries().count(), 2);
    // What an erasure removes.
    assert_eq!(w.reg.remove_consents_of(anna).len(), 2);
}

#[test]
fn entries_and_the_config_are_stored_and_read_back() {
    let mut w = world();
    let anna = w.add(person("Anna", "Aho"));
    record(&mut w, anna, Purpose::Newsletter(news_id()), ConsentState::Given, "2026-01-01");
    let e = w.reg.consents_of(anna)[0].clone();
    let json = serde_json::to_string(&ConsentEntryDto::from(&e)).unwrap();
    assert!(json.contains(&format!("\"purpose\":\"newsletter:{}\"", news_id())), "{json}");
    let back = ConsentEntry::try_from(serde_json::from_str::<ConsentEntryDto>(&json).unwrap()).unwrap();
    assert_eq!(back, e);
    let mut bad = ConsentEntryDto::from(&e);
    bad.state = "maybe".into();
    assert_eq!(ConsentEntry::try_from(bad).unwrap_err().what, "consent state");

    let mut config = w.reg.consent_config().clone();
    config.phone = Basis::Consent;
    let dto = ConsentConfigDto::from(&config);
    assert_eq!(dto.bases["marketing:phone"], "consent");
    assert_eq!(ConsentConfig::try_from(dto).unwrap(), config);

    let (kind, key, doc) = pages::entry(&Change::PutConsent(e.clone())).unwrap();
    assert_eq!((kind, key.as_str()), (Kind::Consents, e.id.to_string().as_str()));
    assert!(doc.is_some());
    assert_eq!(pages::entry(&Change::RemoveConsent(e.id)).unwrap().2, None);
    assert!(pages::entry(&Change::PutConsentConfig(config)).is_none(), "the config is kept in meta");
    assert_eq!(Kind::from_page_key("consents/0007"), Some(Kind::Consents));
}

#[test]
fn consents_travel_in_bundles_and_the_newsletters_are_joined() {
    use crate::sync::Replica;
    let mut a = Replica::new(1);
    let mut b = Replica::new(2);
    let anna = a.add(person("Anna", "Aho"));
    b.take(&a);
    // A adds a newsletter and records a consent; B changes the bases later.
    let n1 = NewsletterId::new(uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0a01));
    let mut config = a.reg.consent_config().clone();
    config.newsletters.push(Newsletter {
        id: n1,
        name: "Asiakastiedote".into(),
        channel: Channel::Post,
        basis: Basis::LegitimateInterest,
        retired: false,
    });
    a.run(Command::UpdateConsentConfig(config)).unwrap();
    a.run(Command::RecordConsent {
        person: anna,
        purpose: Purpose::Newsletter(n1),
        state: ConsentState::Refused,
        date: String::new(),
        source: ConsentSource::Phone,
        wording: String::new(),
    })
    .unwrap();
    b.minute += 10;
    let config = ConsentConfig { surveys: Basis::Consent, ..b.reg.consent_config().clone() };
    b.run(Command::UpdateConsentConfig(config)).unwrap();

    let preview = b.reg.preview_import(&a.export());
    assert_eq!((preview.consents_added, preview.consent_config_changed), (1, true));
    b.take(&a);
    a.take(&b);
    for r in [&a, &b] {
        assert_eq!(r.reg.consent(anna, &Purpose::Newsletter(n1)).state, ConsentState::Refused);
        let c = r.reg.consent_config();
        assert_eq!((c.newsletters.len(), c.surveys), (1, Basis::Consent), "joined: the newsletter and the newer bases");
    }
    assert_eq!(a.reg.consent_config(), b.reg.consent_config());
    // Importing again changes nothing.
    assert!(b.reg.preview_import(&a.export()).changes_nothing());

    // An erasure elsewhere removes the person's entries here.
    a.erase(anna);
    b.take(&a);
    assert!(b.reg.consents_of(anna).is_empty());
    assert_eq!(b.reg.consent_entries().count(), 0);
}

#[test]
fn a_bundle_with_consents_is_checked_when_read() {
    use crate::sync::Replica;
    let mut a = Replica::new(1);
    let anna = a.add(person("Anna", "Aho"));
    a.run(Command::ObjectToMarketing { person: anna, date: String::new(), source: ConsentSource::Letter }).unwrap();
    let snapshot = a.export();
    let bytes = sidos::bundle::document::write(&snapshot);
    let back = sidos::bundle::document::read(&bytes, at(60)).unwrap();
    assert_eq!(back.consents, snapshot.consents);
    assert_eq!(back.consents.len(), 5);
    // An entry of someone the bundle does not know is refused.
    let mut doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    doc["consents"][0]["person"] = serde_json::json!(uuid::Uuid::from_u128(4242).to_string());
    let err = sidos::bundle::document::read(&serde_json::to_vec(&doc).unwrap(), at(60)).unwrap_err();
    assert!(err.to_string().contains("neither in the bundle nor deleted"), "{err}");
    // A register without consents writes what earlier versions read.
    let plain = Replica::new(3);
    let text = String::from_utf8(sidos::bundle::document::write(&plain.export())).unwrap();
    assert!(!text.contains("consent"), "{text}");
}
