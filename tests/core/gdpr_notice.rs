//! The privacy notice, the record of processing and the access report:
//! every section in every language, no untranslated phrase, clear refusals
//! for an incomplete description, warnings about undeclared data, the HTML
//! download, and the wire forms of the desk's documents.

use std::collections::BTreeSet;

use serde_json::Value;

use sidos::bundle::dto::AuditDto;
use sidos::bundle::gdpr::{personal_data_json, RegisterDescriptionDto, RequestDto, PERSONAL_DATA_FORMAT};
use sidos::domain::gdpr::notice::{notice_of, processing_record_of, NOTICE_SECTIONS, RECORD_SECTIONS};
use sidos::domain::gdpr::texts::{placeholders, table, MISSING_OPEN};
use sidos::domain::gdpr::{
    access_report, notice, processing_record, to_html, Contact, Controller, DataKind, Document, GdprCommand, Lang,
    LegalBasis, Purpose, Recipient, RegisterDescription, RequestKind, Safeguard, Transfer, Warning,
};
use sidos::domain::testing::at;
use sidos::domain::{
    AuditAction, AuditEntry, CategoryDef, CategoryKey, Channel, Command, CommandError, ConsentSource, ConsentState,
    EntityRef, FieldDef, FieldError, FieldId, FieldKind, LabeledDraft, PersonDraft, Problem, ProvenanceDraft,
    Purpose as ConsentPurpose, Settings, Social, Source,
};

use super::gdpr::Desk;

/// The register's description with who the controller is and whom to
/// contact: the defaults a small office accepts as they are.
pub fn filled(d: &Desk) -> RegisterDescription {
    let mut desc = d.reg.description().clone();
    desc.controller = Controller {
        name: "Mipro Oy".into(),
        business_id: "0112038-9".into(),
        address: "Kunnanmäki 9, 50600 Mikkeli".into(),
        email: "info@mipro.example".into(),
        phone: String::new(),
    };
    desc.contact =
        Contact { name: "Kati Häkkinen".into(), email: "privacy@mipro.example".into(), ..Contact::default() };
    desc
}

const FIELD: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0f0f;

fn club_settings() -> Settings {
    let mut s = Settings::default();
    s.categories.push(CategoryDef { key: CategoryKey::new("custom-kerho"), name: "Kerho".into() });
    s.fields.push(FieldDef {
        id: FieldId::new(uuid::Uuid::from_u128(FIELD)),
        name: "Asiakasnumero".into(),
        kind: FieldKind::Text,
        required: false,
    });
    s
}

/// A description with everything in it: a purpose of the organisation's
/// own, a DPO, recipients, a transfer and an extra section.
fn everything(d: &Desk) -> RegisterDescription {
    let mut desc = filled(d);
    desc.dpo =
        Some(Contact { name: "Tietosuojavastaava".into(), email: "dpo@mipro.example".into(), ..Contact::default() });
    desc.purposes.push(Purpose {
        key: String::new(),
        name: "Kerhon toiminta".into(),
        description: "Kerhon jäsenten tiedot kerhon tapahtumia varten.".into(),
        basis: LegalBasis::LegitimateInterest,
        interest: "kerhon toiminnan järjestäminen.".into(),
        categories: [CategoryKey::new("custom-kerho")].into(),
        data: [DataKind::Name, DataKind::Emails, DataKind::Custom(FieldId::new(uuid::Uuid::from_u128(FIELD)))].into(),
    });
    desc.recipients.push(Recipient { name: "Pitopalvelu Oy".into(), purpose: "ruokailun järjestäminen".into() });
    desc.transfers.push(Transfer {
        recipient: "Kyselypalvelu Inc.".into(),
        country: "USA".into(),
        safeguard: Safeguard::StandardClauses,
        note: String::new(),
    });
    desc.extra
        .push(sidos::domain::gdpr::ExtraSection {
            heading: "Evästeet".into(), text: "Emme käytä evästeitä.".into()
        });
    desc
}

fn assert_fully_translated(doc: &Document) {
    for text in doc.texts() {
        assert!(!text.contains(MISSING_OPEN), "{:?}: a phrase is missing: {text}", doc.lang);
        assert!(!text.contains('{') && !text.contains('}'), "{:?}: a placeholder is left: {text}", doc.lang);
    }
    assert!(doc.sections.iter().all(|s| !s.heading.trim().is_empty() && !s.blocks.is_empty()));
}

#[test]
fn the_phrase_tables_have_the_same_keys_and_placeholders_in_every_language() {
    let fi = table(Lang::Fi);
    assert!(fi.len() > 200);
    for lang in [Lang::Sv, Lang::En] {
        let other = table(lang);
        let missing: Vec<_> = fi.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !fi.contains_key(*k)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{lang:?}: missing {missing:?}, extra {extra:?}");
        for (key, text) in fi {
            let mut a = placeholders(text);
            let mut b = placeholders(&other[key]);
            a.sort();
            b.sort();
            assert_eq!(a, b, "{lang:?}: {key} has other placeholders");
            assert!(!other[key].trim().is_empty(), "{lang:?}: {key} is empty");
        }
    }
    // Every standard purpose and data kind has its wording.
    for p in sidos::domain::gdpr::STANDARD_PURPOSES {
        assert!(fi.contains_key(&format!("purpose.{p}.name")) && fi.contains_key(&format!("purpose.{p}.description")));
    }
    for k in DataKind::BUILT_IN {
        assert!(fi.contains_key(&format!("data.{}", k.key())), "{k:?}");
    }
}

#[test]
fn the_notice_has_every_section_in_every_language_and_nothing_untranslated() {
    let mut d = Desk::new();
    d.run(Command::UpdateSettings(club_settings()));
    let full = everything(&d);
    d.gdpr(GdprCommand::UpdateDescription(Box::new(full.clone()))).unwrap();
    let mut titles = BTreeSet::new();
    for lang in Lang::ALL {
        let doc = notice(&d.reg, lang).unwrap();
        let mut want: Vec<&str> = NOTICE_SECTIONS.to_vec();
        want.push("extra.0");
        assert_eq!(doc.keys(), want, "{lang:?}");
        assert_fully_translated(&doc);
        titles.insert(doc.title.clone());
        let text = doc.to_text();
        for must in [
            "Mipro Oy",
            "0112038-9",
            "privacy@mipro.example",
            "dpo@mipro.example",
            "Kerhon toiminta",
            "Asiakasnumero",
            "Pitopalvelu Oy",
            "USA",
            "tietosuoja@om.fi",
            "Evästeet",
        ] {
            assert!(text.contains(must), "{lang:?} lacks {must}");
        }
        // The Art. 13/14 essentials, in the notice's own words.
        let rights = doc.section("rights").unwrap();
        let items = match &rights.blocks[1] {
            sidos::domain::gdpr::Block::List(items) => items.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            items, 8,
            "access, rectification, erasure, restriction, objection, direct marketing, portability, consent"
        );

        let record = processing_record(&d.reg, lang).unwrap();
        assert_eq!(record.keys(), RECORD_SECTIONS.to_vec());
        assert_fully_translated(&record);

        let html = to_html(&doc);
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains(&format!("<html lang=\"{}\">", lang.code())));
        assert!(html.contains("size: A4") && html.contains("<section id=\"complaint\">"));
    }
    assert_eq!(titles.len(), 3, "three languages, three titles");

    // The defaults alone (no DPO, no recipients, no transfers) read as whole
    // sentences too.
    let plain = filled(&Desk::new());
    for lang in Lang::ALL {
        let doc = notice_of(&plain, &Settings::default(), lang).unwrap();
        assert_eq!(doc.keys(), NOTICE_SECTIONS.to_vec());
        assert_fully_translated(&doc);
        assert_fully_translated(&processing_record_of(&plain, &Settings::default(), lang).unwrap());
    }
}

#[test]
fn an_incomplete_description_is_refused_with_field_problems_and_changes_nothing() {
    let mut d = Desk::new();
    let err = notice(&d.reg, Lang::Fi).unwrap_err();
    assert!(err.contains(&FieldError::new("controller.name", Problem::Required)));
    assert!(err.contains(&FieldError::new("contact.name", Problem::Required)));
    assert!(processing_record(&d.reg, Lang::En).is_err());

    let mut desc = filled(&d);
    desc.controller.name = "   ".into();
    desc.controller.business_id = "0112038-8".into();
    desc.purposes.push(Purpose {
        key: String::new(),
        name: String::new(),
        description: String::new(),
        basis: LegalBasis::LegitimateInterest,
        interest: String::new(),
        categories: BTreeSet::new(),
        data: [DataKind::Custom(FieldId::new(uuid::Uuid::from_u128(77)))].into(),
    });
    let i = desc.purposes.len() - 1;
    let clock = d.reg.clock();
    let err = d.gdpr(GdprCommand::UpdateDescription(Box::new(desc))).unwrap_err();
    assert_eq!(
        err,
        CommandError::Invalid(vec![
            FieldError::new("controller.business_id", Problem::BusinessIdCheckDigit),
            FieldError::new("controller.name", Problem::Required),
            FieldError::new(format!("purposes.{i}.name"), Problem::Required),
            FieldError::new(format!("purposes.{i}.interest"), Problem::Required),
            FieldError::new(format!("purposes.{i}.categories"), Problem::Required),
            FieldError::new(format!("purposes.{i}.data"), Problem::Missing),
        ])
    );
    assert!(!d.reg.has_description());
    assert_eq!(d.reg.clock(), clock);

    // Complete, it is saved, dated and audited by section name.
    let plan = d.gdpr(GdprCommand::UpdateDescription(Box::new(filled(&d)))).unwrap();
    assert!(d.reg.has_description());
    assert_eq!(d.reg.description().updated, Some(d.today));
    let audit = super::gdpr::audits(&plan);
    assert_eq!(audit[0].entity, EntityRef::Settings);
    assert_eq!(audit[0].fields, vec!["description.controller", "description.contact"]);
    super::gdpr::assert_no_values_in_audit(&plan, &["Mipro", "privacy@"]);
    // Saving the same again changes nothing.
    assert!(d.gdpr(GdprCommand::UpdateDescription(Box::new(filled(&d)))).unwrap().is_empty());
}

#[test]
fn warnings_name_data_groups_and_sources_that_the_description_does_not_declare() {
    let mut d = Desk::new();
    d.run(Command::UpdateSettings(club_settings()));
    let field = FieldId::new(uuid::Uuid::from_u128(FIELD));
    let draft = PersonDraft {
        given_name: "Kerttu".into(),
        family_name: "Kerholainen".into(),
        emails: vec![LabeledDraft { label: String::new(), value: "kerttu@example.fi".into() }],
        socials: vec![Social { service: "LinkedIn".into(), handle: "kerttu".into() }],
        categories: [CategoryKey::new("custom-kerho")].into(),
        custom: [(field, "A-1001".to_owned())].into(),
        provenance: ProvenanceDraft { source: Source::Import, ..ProvenanceDraft::default() },
        ..PersonDraft::default()
    };
    d.run(Command::AddPerson(draft));
    let kerho = CategoryKey::new("custom-kerho");
    assert_eq!(
        sidos::domain::gdpr::warnings(&d.reg),
        vec![
            Warning::UndeclaredData(DataKind::Custom(field)),
            Warning::UndeclaredCategory(kerho.clone()),
            Warning::UndeclaredSource(Source::Import),
            Warning::NoRetentionRule(kerho.clone()),
        ]
    );
    let w = Warning::UndeclaredData(DataKind::Custom(field));
    assert_eq!(w.id(), "warning.undeclared_data");
    assert!(w.message(Lang::Fi, d.reg.settings()).contains("Asiakasnumero"));
    assert!(!w.message(Lang::Sv, d.reg.settings()).contains(MISSING_OPEN));

    // Declared, they go away.
    let mut desc = everything(&d);
    desc.sources.insert(Source::Import);
    desc.retention.rules.push(sidos::domain::gdpr::RetentionRule {
        applies_to: sidos::domain::gdpr::RetentionTarget::Category(kerho),
        period: sidos::domain::gdpr::Period::years(3),
        anchor: sidos::domain::gdpr::Anchor::LastActivity,
    });
    d.gdpr(GdprCommand::UpdateDescription(Box::new(desc))).unwrap();
    assert_eq!(sidos::domain::gdpr::warnings(&d.reg), vec![]);
}

#[test]
fn the_html_download_escapes_every_text() {
    let d = Desk::new();
    let mut desc = filled(&d);
    desc.controller.name = "<script>alert(1)</script> & \"Co\"".into();
    let html = to_html(&notice_of(&desc, &Settings::default(), Lang::En).unwrap());
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"));
    // The organisation's own purpose text is used as written.
    let mut desc = filled(&d);
    desc.purposes[0].name = "Asiakkuudet".into();
    let doc = notice_of(&desc, &Settings::default(), Lang::En).unwrap();
    assert!(doc.to_text().contains("Asiakkuudet"));
    assert!(doc.to_text().contains("Marketing, newsletters and events"), "standard wording in the notice's language");
}

#[test]
fn the_description_and_requests_round_trip_as_json() {
    let mut d = Desk::new();
    d.run(Command::UpdateSettings(club_settings()));
    d.gdpr(GdprCommand::UpdateDescription(Box::new(everything(&d)))).unwrap();
    let desc = d.reg.description().clone();
    let json = serde_json::to_string(&RegisterDescriptionDto::from(&desc)).unwrap();
    let back: RegisterDescription = serde_json::from_str::<RegisterDescriptionDto>(&json).unwrap().try_into().unwrap();
    assert_eq!(back, desc);

    let kati = d.add("Kati", "Häkkinen", &["customer"]);
    let id = d.open_request(kati, RequestKind::Access);
    d.gdpr(GdprCommand::ExtendRequest { id, told_on: String::new(), reason: "Laaja".into() }).unwrap();
    let r = d.request(id).clone();
    let json = serde_json::to_string(&RequestDto::from(&r)).unwrap();
    let back: sidos::domain::gdpr::Request = serde_json::from_str::<RequestDto>(&json).unwrap().try_into().unwrap();
    assert_eq!(back, r);
    let mut bad = RequestDto::from(&r);
    bad.due = r.received.pred_opt().unwrap();
    assert!(sidos::domain::gdpr::Request::try_from(bad).is_err(), "a due date before receipt is refused");

    for action in [
        AuditAction::RequestOpened(id),
        AuditAction::Rectified(id),
        AuditAction::Erased(Some(id)),
        AuditAction::Erased(None),
        AuditAction::ErasedExceptHeld(None),
        AuditAction::RetentionPurged,
        AuditAction::ObjectedToMarketing(Some(id)),
    ] {
        let entry = AuditEntry {
            key: "k".into(),
            at: at(0),
            actor: "Tester".into(),
            action: action.clone(),
            entity: EntityRef::Person(kati),
            fields: vec![],
        };
        let json = serde_json::to_string(&AuditDto::from(&entry)).unwrap();
        let back: AuditEntry = serde_json::from_str::<AuditDto>(&json).unwrap().try_into().unwrap();
        assert_eq!(back.action, action);
    }
}

#[test]
fn the_access_report_and_the_portable_copy_hold_all_of_a_persons_data() {
    let mut d = Desk::new();
    d.gdpr(GdprCommand::UpdateDescription(Box::new(filled(&d)))).unwrap();
    let kati = d.add("Kati", "Häkkinen", &["customer", "event"]);
    let other = d.add("Mika", "Hakala", &["customer"]);
    d.record(kati, super::gdpr::event("2026-12-05", "gluteeniton"));
    d.run(Command::RecordConsent {
        person: kati,
        purpose: ConsentPurpose::DirectMarketing(Channel::Email),
        state: ConsentState::Given,
        date: String::new(),
        source: ConsentSource::Form,
        wording: "Saa lähettää tarjouksia".into(),
    });
    d.run(Command::RecordDisclosure {
        recipient: "Pitopalvelu Oy".into(),
        purpose: "ruokailu".into(),
        scope: "everything".into(),
        people: vec![kati, other],
    });
    let request = d.open_request(kati, RequestKind::Access);
    d.gdpr(GdprCommand::Restrict { person: kati, request: None }).unwrap();

    for lang in Lang::ALL {
        let doc = access_report(&d.reg, kati, lang, d.today, Some(request)).unwrap();
        assert_eq!(
            doc.keys(),
            vec![
                "about",
                "person",
                "records",
                "consents",
                "purposes",
                "sources",
                "recipients",
                "retention",
                "requests",
                "rights"
            ]
        );
        assert_fully_translated(&doc);
        let text = doc.to_text();
        for must in [
            "kati@example.fi",
            "Muistiinpano Kati",
            "gluteeniton",
            "Pitopalvelu Oy",
            "Saa lähettää tarjouksia",
            "Mipro Oy",
        ] {
            assert!(text.contains(must), "{lang:?} lacks {must}");
        }
        assert!(!text.contains("Mika"), "nobody else's data");
    }

    let json = personal_data_json(&d.reg, kati, at(30)).unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format"], PERSONAL_DATA_FORMAT);
    assert_eq!(v["person"]["emails"][0]["value"], "kati@example.fi");
    assert!(v["person"].get("stamps").is_none() && v["person"].get("stamp").is_none(), "no change stamps");
    assert!(v["person"]["restriction"].is_object());
    assert_eq!(v["records"].as_array().unwrap().len(), 1);
    assert_eq!(v["consents"][0]["wording"], "Saa lähettää tarjouksia");
    assert_eq!(v["disclosures"][0]["people"], serde_json::json!([kati.to_string()]), "other people left out");
    assert_eq!(v["requests"][0]["kind"], "access");
    assert_eq!(v["controller"], "Mipro Oy");
    assert!(personal_data_json(&d.reg, sidos::domain::PersonId::new(uuid::Uuid::from_u128(1)), at(0)).is_none());
}
