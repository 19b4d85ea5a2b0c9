//! Lists, labels and partner lists: every output filters through the
//! ledger and says whom it left out and why.

use std::collections::BTreeMap;

use sidos::domain::outputs::LabelOptions;
use sidos::domain::{
    Address, Basis, CategoryKey, Channel, Command, CommandError, ConsentConfig, ConsentSource, ConsentState, Denial,
    Filter, LabelSheet, Newsletter, NewsletterId, PersonDraft, PersonId, Purpose, Reason,
};

use crate::commands::{at_org, person, with_email, with_phone, World};
use crate::consent::record;

fn spring() -> NewsletterId {
    NewsletterId::new(uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_5001))
}

fn with_address(mut d: PersonDraft, street: &str, code: &str, city: &str, country: &str) -> PersonDraft {
    d.addresses.push(Address {
        label: String::new(),
        street: street.into(),
        postal_code: code.into(),
        city: city.into(),
        country: country.into(),
    });
    d
}

fn customer(mut d: PersonDraft) -> PersonDraft {
    d.categories.insert(CategoryKey::new(CategoryKey::CUSTOMER));
    d
}

fn world() -> World {
    let mut w = World::new();
    let config = ConsentConfig {
        newsletters: vec![Newsletter {
            id: spring(),
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

fn customers() -> Filter {
    Filter { categories: [CategoryKey::new(CategoryKey::CUSTOMER)].into(), ..Filter::default() }
}

#[test]
fn a_newsletter_list_keeps_those_who_may_receive_it_and_counts_the_rest() {
    let mut w = world();
    let news = Purpose::Newsletter(spring());
    let add = |w: &mut World, given: &str, email: &str| w.add(customer(with_email(person(given, "Asiakas"), email)));
    let given = add(&mut w, "Aino", "aino@example.fi");
    let not_asked = add(&mut w, "Bertta", "bertta@example.fi");
    let refused = add(&mut w, "Cecilia", "cecilia@example.fi");
    let withdrawn = add(&mut w, "Daniel", "daniel@example.fi");
    let prohibited = add(&mut w, "Eino", "eino@example.fi");
    let no_email = w.add(customer(person("Fanni", "Asiakas")));
    let same_email = add(&mut w, "Gustav", "AINO@example.fi");
    let given_too = add(&mut w, "Hilkka", "hilkka@example.fi");
    let not_customer = w.add(with_email(person("Iida", "Muu"), "iida@example.fi"));
    for id in [given, refused, withdrawn, prohibited, no_email, same_email, given_too, not_customer] {
        record(&mut w, id, news, ConsentState::Given, "2026-01-15");
    }
    record(&mut w, refused, news, ConsentState::Refused, "2026-02-01");
    record(&mut w, withdrawn, news, ConsentState::Withdrawn, "2026-02-01");
    w.run(Command::ObjectToMarketing { person: prohibited, date: "2026-03-01".into(), source: ConsentSource::Phone });
    // A refusal on another channel only is a prohibition too.
    record(&mut w, given_too, Purpose::DirectMarketing(Channel::Sms), ConsentState::Refused, "2026-03-01");

    let list = w.reg.audience(&customers(), &news);
    assert_eq!(list.channel, Some(Channel::Email));
    assert_eq!(list.included, [given]);
    let reasons: BTreeMap<PersonId, Reason> = list.left_out.iter().copied().collect();
    assert_eq!(reasons[&not_asked], Reason::NotAsked);
    assert_eq!(reasons[&refused], Reason::Refused);
    assert_eq!(reasons[&withdrawn], Reason::Withdrawn);
    assert_eq!(reasons[&prohibited], Reason::Refused, "the objection refused the newsletter itself");
    assert_eq!(reasons[&given_too], Reason::Prohibited);
    assert_eq!(reasons[&no_email], Reason::NoEmail);
    assert_eq!(reasons[&same_email], Reason::SameContact(given));
    assert!(!reasons.contains_key(&not_customer), "outside the segment: neither in nor out");
    let counts = list.counts();
    assert_eq!(
        counts.into_iter().collect::<Vec<_>>(),
        [
            ("consent_not_asked", 1),
            ("consent_refused", 2),
            ("consent_withdrawn", 1),
            ("marketing_prohibition", 1),
            ("no_email", 1),
            ("same_contact", 1),
        ]
    );
    assert_eq!(list.included.len() + list.left_out.len(), 8);
}

#[test]
fn a_saved_segment_gives_the_same_list() {
    let mut w = world();
    let news = Purpose::Newsletter(spring());
    let a = w.add(customer(with_email(person("Aino", "Aalto"), "aino@example.fi")));
    record(&mut w, a, news, ConsentState::Given, "2026-01-15");
    w.run(Command::SaveSegment { name: "Asiakkaat".into(), filter: customers() });
    let segment = w.reg.settings().segments[0].clone();
    assert_eq!(w.reg.audience(&segment.filter, &news).included, [a]);
}

#[test]
fn postal_marketing_needs_an_address_and_colleagues_at_one_address_each_get_their_own() {
    let mut w = world();
    let post = Purpose::DirectMarketing(Channel::Post);
    let office = |d| with_address(d, "Kunnanmäki 9", "50600", "Mikkeli", "Suomi");
    let kati = w.add(customer(office(at_org(person("Kati", "Häkkinen"), "Mipro Oy", "DPO"))));
    let antti = w.add(customer(office(person("Antti", "Aho"))));
    let kati_again = w.add(customer(office(person("kati", "HÄKKINEN"))));
    let no_street = w.add(customer(with_address(person("Pekka", "Puuttuu"), "", "50100", "Mikkeli", "")));
    let objected = w.add(customer(office(person("Olli", "Kieltäjä"))));
    w.run(Command::ObjectToMarketing { person: objected, date: String::new(), source: ConsentSource::Letter });

    let list = w.reg.audience(&customers(), &post);
    assert_eq!(list.included, [antti, kati], "legitimate interest: not asked is enough; name order");
    let reasons: BTreeMap<PersonId, Reason> = list.left_out.iter().copied().collect();
    assert_eq!(reasons[&kati_again], Reason::SameContact(kati));
    assert_eq!(reasons[&no_street], Reason::NoAddress);
    assert_eq!(reasons[&objected], Reason::Refused);

    // Under a consent basis nobody asked receives nothing.
    let config = ConsentConfig { post: Basis::Consent, ..w.reg.consent_config().clone() };
    w.run(Command::UpdateConsentConfig(config));
    let list = w.reg.audience(&customers(), &post);
    assert!(list.included.is_empty());
    assert_eq!(list.counts()["consent_not_asked"], 4);
}

#[test]
fn phone_and_sms_lists_need_a_number_and_sms_prefers_a_mobile() {
    let mut w = world();
    let mut d = with_phone(with_phone(customer(person("Anna", "Aho")), "015 321 7000"), "040 123 4567");
    d.phones[0].label = "työ".into();
    let anna = w.add(d);
    let bo = w.add(customer(person("Bo", "Berg")));
    for id in [anna, bo] {
        record(&mut w, id, Purpose::DirectMarketing(Channel::Sms), ConsentState::Given, "2026-01-01");
    }
    let list = w.reg.audience(&customers(), &Purpose::DirectMarketing(Channel::Sms));
    assert_eq!(list.included, [anna]);
    assert_eq!(list.left_out, [(bo, Reason::NoPhone)]);
    let p = w.reg.person(anna).unwrap();
    assert_eq!(sidos::domain::outputs::mobile_of(p), Some("+358401234567"));
    assert_eq!(sidos::domain::outputs::phone_of(p), Some("+358153217000"));
}

#[test]
fn labels_fill_a4_sheets_row_by_row() {
    let mut w = world();
    for n in 0..23 {
        let d =
            with_address(person("Asiakas", &format!("Numero {n:02}")), &format!("Katu {n}"), "00100", "Helsinki", "");
        w.add(customer(d));
    }
    let abroad = w.add(customer(with_address(
        at_org(person("Åsa", "Lindqvist"), "Nordic Event AB", "Projektledare"),
        "Sveavägen 44",
        "111 34",
        "Stockholm",
        "Sverige",
    )));
    let list = w.reg.audience(&customers(), &Purpose::DirectMarketing(Channel::Post));
    assert_eq!(list.included.len(), 24);

    let pages = w.reg.labels(&list, &LabelSheet::A4_3X7, &LabelOptions::default());
    assert_eq!(pages.iter().map(|p| p.labels.len()).collect::<Vec<_>>(), [21, 3]);
    let all: Vec<_> = pages.iter().flat_map(|p| &p.labels).flatten().collect();
    assert_eq!(all[0].person, abroad, "name order: Lindqvist first");
    assert_eq!(all[1].lines, ["Asiakas Numero 00", "Katu 0", "00100 HELSINKI"]);
    let asa = pages.iter().flat_map(|p| &p.labels).flatten().find(|l| l.person == abroad).unwrap();
    assert_eq!(asa.lines, ["Åsa Lindqvist", "Nordic Event AB", "Sveavägen 44", "111 34 STOCKHOLM", "SVERIGE"]);

    // Starting on a used sheet: the first labels stay blank.
    let options = LabelOptions { skip: 5, organisation: false, ..LabelOptions::default() };
    let pages = w.reg.labels(&list, &LabelSheet::A4_3X8, &options);
    assert_eq!(pages.iter().map(|p| p.labels.len()).collect::<Vec<_>>(), [24, 5]);
    assert!(pages[0].labels[..5].iter().all(Option::is_none));
    let asa = pages.iter().flat_map(|p| &p.labels).flatten().find(|l| l.person == abroad).unwrap();
    assert!(!asa.lines.contains(&"Nordic Event AB".to_owned()));
}

#[test]
fn every_sheet_preset_fits_on_a4() {
    for sheet in LabelSheet::PRESETS {
        assert!(sheet.fits(), "{}", sheet.key);
        assert_eq!(LabelSheet::preset(sheet.key), Some(sheet.clone()));
    }
    let s = LabelSheet::A4_3X7_MARGINS;
    assert_eq!(s.position(0), (7.21, 15.15));
    let (x, y) = s.position(20);
    assert!((x - (7.21 + 2.0 * 66.04)).abs() < 1e-9 && (y - (15.15 + 6.0 * 38.1)).abs() < 1e-9);
    let too_big = LabelSheet { rows: 8, ..LabelSheet::A4_3X7 };
    assert!(!too_big.fits());
}

#[test]
fn a_partner_list_holds_only_people_who_may_be_disclosed_and_is_logged() {
    let mut w = world();
    let yes = w.add(customer(person("Aino", "Aalto")));
    let not_asked = w.add(customer(person("Bertta", "Berg")));
    let refused = w.add(customer(person("Cecilia", "Carlsson")));
    let objected = w.add(customer(person("Daniel", "Dahl")));
    for id in [yes, refused, objected] {
        record(&mut w, id, Purpose::PartnerDisclosure, ConsentState::Given, "2026-01-01");
    }
    record(&mut w, refused, Purpose::PartnerDisclosure, ConsentState::Refused, "2026-02-01");
    // A refusal of direct marketing stops disclosure to partners too.
    record(&mut w, objected, Purpose::DirectMarketing(Channel::Email), ConsentState::Refused, "2026-02-01");

    let list = w.reg.partner_list(&customers());
    assert_eq!(list.included, [yes]);
    let reasons: BTreeMap<PersonId, Reason> = list.left_out.iter().copied().collect();
    assert_eq!(reasons[&not_asked], Reason::NotAsked);
    assert_eq!(reasons[&refused], Reason::Refused);
    assert_eq!(reasons[&objected], Reason::Prohibited);

    // The core refuses a partner list with someone who may not be on it.
    let sneaky = Command::RecordPartnerDisclosure {
        recipient: "Yhteistyökumppani Oy".into(),
        purpose: "Suoramarkkinointi".into(),
        scope: "nimi ja osoite".into(),
        people: vec![yes, refused],
    };
    assert_eq!(w.plan(sneaky).map(|_| ()), Err(CommandError::NotPermitted(vec![(refused, Denial::Refused)])));
    let nameless = list.partner_disclosure("", "Suoramarkkinointi", "nimi ja osoite");
    assert!(matches!(w.plan(nameless), Err(CommandError::Invalid(_))), "the recipient is required");

    w.run(list.partner_disclosure("Yhteistyökumppani Oy", "Suoramarkkinointi", "nimi ja osoite"));
    let log = w.reg.disclosures();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].recipient.as_str(), log[0].people.as_slice()), ("Yhteistyökumppani Oy", [yes].as_slice()));
    assert_eq!(w.reg.disclosures_of(refused).len(), 0);
    assert_eq!(log[0].at, sidos::domain::testing::at(w.minute));
}

#[test]
fn a_restricted_person_is_left_out_of_every_output() {
    use sidos::domain::gdpr::GdprCommand;
    let mut w = world();
    let news = Purpose::Newsletter(spring());
    let anna = w.add(customer(with_address(
        with_email(person("Anna", "Aho"), "anna@example.fi"),
        "Katu 1",
        "00100",
        "Helsinki",
        "",
    )));
    let bo = w.add(customer(with_address(
        with_email(person("Bo", "Berg"), "bo@example.fi"),
        "Katu 2",
        "00100",
        "Helsinki",
        "",
    )));
    for id in [anna, bo] {
        record(&mut w, id, news, ConsentState::Given, "2026-01-01");
        record(&mut w, id, Purpose::PartnerDisclosure, ConsentState::Given, "2026-01-01");
    }
    w.run(Command::Gdpr(GdprCommand::Restrict { person: anna, request: None }));
    for list in [
        w.reg.audience(&customers(), &news),
        w.reg.audience(&customers(), &Purpose::DirectMarketing(Channel::Post)),
        w.reg.partner_list(&customers()),
    ] {
        assert_eq!(list.included, [bo]);
        assert_eq!(list.left_out, [(anna, Reason::Restricted)]);
    }
    let disclose = Command::RecordPartnerDisclosure {
        recipient: "Kumppani Oy".into(),
        purpose: String::new(),
        scope: String::new(),
        people: vec![anna, bo],
    };
    assert_eq!(w.plan(disclose).map(|_| ()), Err(CommandError::NotPermitted(vec![(anna, Denial::Restricted)])));
    // An objection to direct marketing is still recorded.
    w.run(Command::ObjectToMarketing { person: anna, date: String::new(), source: ConsentSource::Letter });
    assert!(w.reg.marketing_prohibition(anna).is_some());
}
