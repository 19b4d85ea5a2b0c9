//! The store against the browser's real IndexedDB (headless Chromium):
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

use std::cmp::Ordering;

use sidos::domain::testing::{env, Ids};
use sidos::domain::{
    AffiliationDraft, Billing, CategoryDef, CategoryKey, Collator, Command, ContractKind, DeviceId, EntityRef,
    FieldDef, FieldId, FieldKind, Filter, FinnishOrder, LabeledDraft, OrgChoice, OrgDraft, PersonDraft, RecordDraft,
    RecordDraftKind, Register, Settings,
};
use sidos::store::schema::{self, AUDIT};
use sidos::store::{Store, StoreError};
use sidos::web::IntlCollator;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A database name of its own for each test.
fn db_name(test: &str) -> String {
    format!("sidos-test-{test}-{}", uuid::Uuid::now_v7())
}

fn draft(given: &str, family: &str, email: &str) -> PersonDraft {
    PersonDraft {
        given_name: given.into(),
        family_name: family.into(),
        emails: vec![LabeledDraft { label: "work".into(), value: email.into() }],
        affiliations: vec![AffiliationDraft { org: OrgChoice::New("Mipro Oy".into()), role: "CEO".into() }],
        ..PersonDraft::default()
    }
}

fn register(device: u128) -> Register {
    Register::new(DeviceId::new(uuid::Uuid::from_u128(device)), Box::new(FinnishOrder))
}

/// Plans a command, writes it, applies it: what the app does.
async fn run(store: &Store, reg: &mut Register, ids: &mut Ids, minute: i64, cmd: Command) {
    let mut next = || ids.next_id();
    let plan = reg.plan(&cmd, &mut env(minute, &mut next)).expect("a valid command");
    store.write(&plan.changes).await.expect("written");
    reg.apply(plan.changes);
}

#[wasm_bindgen_test]
async fn writes_read_back_and_survive_a_reopen() {
    let name = db_name("roundtrip");
    let store = Store::open(&name).await.unwrap();
    let mut reg = register(1);
    let mut ids = Ids(0);
    run(&store, &mut reg, &mut ids, 0, Command::AddPerson(draft("Kati", "Häkkinen", "kati@example.fi"))).await;
    run(&store, &mut reg, &mut ids, 1, Command::AddPerson(draft("Åsa", "Öberg", "asa@example.fi"))).await;

    let loaded = store.load().await.unwrap();
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.parts.people.len(), 2);
    assert_eq!(loaded.parts.orgs.len(), 1, "both work at one organisation");
    store.close();

    let store = Store::open(&name).await.unwrap();
    let loaded = store.load().await.unwrap();
    let back = Register::from_parts(loaded.parts, reg.device(), Box::new(FinnishOrder));
    assert_eq!(back.people_count(), 2);
    for person in reg.people() {
        assert_eq!(back.person(person.id), Some(person), "the same person after a reopen");
    }
    assert_eq!(back.clock(), reg.clock(), "the clock survives too");
    let audit = store.audit_page(None, 10).await.unwrap();
    assert_eq!(audit.len(), 3, "two people and one organisation created");
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn every_entity_type_survives_storage() {
    let name = db_name("entities");
    let store = Store::open(&name).await.unwrap();
    let mut reg = register(4);
    let mut ids = Ids(0);
    let size = FieldDef {
        id: FieldId::new(uuid::Uuid::from_u128(77)),
        name: "Koko".into(),
        kind: FieldKind::Number,
        required: false,
    };
    let settings = Settings {
        user_name: "Kaisa".into(),
        categories: vec![CategoryDef { key: CategoryKey::new("custom-club"), name: "Kerho".into() }],
        fields: vec![size.clone()],
        ..Settings::default()
    };
    run(&store, &mut reg, &mut ids, 0, Command::UpdateSettings(settings)).await;
    run(&store, &mut reg, &mut ids, 1, Command::SaveSegment { name: "VIP".into(), filter: Filter::text("vip") }).await;
    let mut d = draft("Kati", "Häkkinen", "kati@example.fi");
    d.custom.insert(size.id, "3".into());
    d.categories.insert(CategoryKey::new("custom-club"));
    run(&store, &mut reg, &mut ids, 2, Command::AddPerson(d)).await;
    let kati = reg.people().next().unwrap().id;
    run(
        &store,
        &mut reg,
        &mut ids,
        3,
        Command::AddOrg(OrgDraft { name: "Toinen Oy".into(), business_id: "0737546-2".into(), ..OrgDraft::default() }),
    )
    .await;
    for kind in [
        RecordDraftKind::Contract {
            kind: ContractKind::Order,
            title: "T".into(),
            start: "2026-01-01".into(),
            end: String::new(),
            value: "5".into(),
            billing: Billing::OpenInvoice,
        },
        RecordDraftKind::Feedback { date: "2026-02-01".into(), text: "Hyvä".into() },
        RecordDraftKind::Ticket { opened: "2026-03-01".into(), closed: String::new(), description: "D".into() },
        RecordDraftKind::Training {
            name: "T".into(),
            date: "2026-04-01".into(),
            completed: true,
            grade: "5".into(),
            statutory: true,
        },
        RecordDraftKind::Event { name: "E".into(), date: "2026-12-01".into(), dietary: "vegaani".into() },
    ] {
        run(&store, &mut reg, &mut ids, 4, Command::AddRecord(RecordDraft { person: kati, org: None, kind })).await;
    }
    run(&store, &mut reg, &mut ids, 5, Command::AddPerson(draft("Poistuva", "Henkilö", "pois@example.fi"))).await;
    let gone = reg.people().find(|p| p.given_name == "Poistuva").unwrap().id;
    run(&store, &mut reg, &mut ids, 6, Command::DeletePerson(gone)).await;
    run(
        &store,
        &mut reg,
        &mut ids,
        7,
        Command::RecordDisclosure {
            recipient: "Pitopalvelu Oy".into(),
            purpose: "Tapahtuman tarjoilu".into(),
            scope: "Tapahtumaan osallistujat".into(),
            people: vec![kati],
        },
    )
    .await;
    let colleague = DeviceId::new(uuid::Uuid::from_u128(0xC0));
    let mut seen = reg.seen().clone();
    seen.insert(colleague, sidos::domain::Stamp { millis: 5, counter: 0, device: colleague });
    store.write(&[sidos::domain::Change::Seen(seen.clone())]).await.unwrap();
    reg.apply(vec![sidos::domain::Change::Seen(seen)]);
    store.close();

    let store = Store::open(&name).await.unwrap();
    let loaded = store.load().await.unwrap();
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let back = loaded.into_register(reg.device(), Box::new(FinnishOrder));
    assert_eq!(back.settings(), reg.settings());
    assert_eq!(back.seen(), reg.seen(), "what colleagues' bundles brought is remembered");
    assert_eq!(back.disclosures_of(kati).len(), 1, "the disclosure log survives");
    assert_eq!(back.people_count(), 1);
    assert_eq!(back.person(kati), reg.person(kati));
    assert_eq!(back.org_count(), 2);
    for org in reg.orgs_in_order() {
        assert_eq!(back.org(org.id), Some(org));
    }
    assert_eq!(back.record_count(), 5);
    for record in reg.records() {
        assert_eq!(back.record(record.id), Some(record));
    }
    assert_eq!(back.tombstone(EntityRef::Person(gone)), reg.tombstone(EntityRef::Person(gone)));
    assert!(back.tombstone(EntityRef::Person(gone)).is_some());
    assert_eq!(back.last_customer_event(kati), reg.last_customer_event(kati));
    let history = store.audit_of(&EntityRef::Person(kati)).await.unwrap();
    assert_eq!(history.len(), 1, "created once");
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_failed_transaction_leaves_nothing_behind() {
    let name = db_name("atomic");
    let store = Store::open(&name).await.unwrap();
    let mut reg = register(2);
    let mut ids = Ids(0);
    run(&store, &mut reg, &mut ids, 0, Command::AddPerson(draft("Anna", "Aho", "anna@example.fi"))).await;
    let first_audit = store.audit_page(None, 1).await.unwrap().remove(0);

    // A second command whose audit entry reuses a key that exists: the
    // audit log refuses to overwrite, so the whole transaction must abort.
    let mut next = || ids.next_id();
    let mut plan =
        reg.plan(&Command::AddPerson(draft("Bertta", "Berg", "bertta@example.fi")), &mut env(1, &mut next)).unwrap();
    for change in &mut plan.changes {
        if let sidos::domain::Change::Audit(entry) = change {
            entry.key = first_audit.key.clone();
        }
    }
    let result = store.write(&plan.changes).await;
    assert!(matches!(result, Err(StoreError::Failed(ref name)) if name == "ConstraintError"), "{result:?}");

    let loaded = store.load().await.unwrap();
    assert_eq!(loaded.parts.people.len(), 1, "Bertta was not half-written");
    assert_eq!(loaded.parts.orgs.len(), 1);
    assert_eq!(store.audit_page(None, 10).await.unwrap().len(), 2);
    store.close();
    Store::delete(&name).await.unwrap();
}

/// A database as an earlier schema version made it, with Kati in it.
async fn old_database(name: &str, version: u32) -> (Register, sidos::domain::PersonId) {
    let old = Store::open_version(name, version).await.unwrap();
    assert_eq!(old.version(), version);
    let mut reg = register(3);
    let mut ids = Ids(0);
    let mut next = || ids.next_id();
    for (minute, cmd) in [
        (0, Command::AddPerson(draft("Kati", "Häkkinen", "kati@example.fi"))),
        (1, Command::AddPerson(draft("Åsa", "Öberg", "asa@example.fi"))),
    ] {
        let plan = reg.plan(&cmd, &mut env(minute, &mut next)).unwrap();
        old.write_as_version_2(&plan.changes).await.unwrap();
        reg.apply(plan.changes);
    }
    let kati = reg.people().find(|p| p.given_name == "Kati").unwrap().id;
    let record = RecordDraft {
        person: kati,
        org: None,
        kind: RecordDraftKind::Feedback { date: "2026-11-01".into(), text: "Hyvä".into() },
    };
    let plan = reg.plan(&Command::AddRecord(record), &mut env(2, &mut next)).unwrap();
    old.write_as_version_2(&plan.changes).await.unwrap();
    reg.apply(plan.changes);
    old.close();
    (reg, kati)
}

#[wasm_bindgen_test]
async fn data_of_versions_1_and_2_moves_into_pages_with_its_history() {
    for version in [1, 2] {
        let name = db_name(&format!("upgrade-v{version}"));
        let (reg, kati) = old_database(&name, version).await;
        let store = Store::open(&name).await.unwrap();
        assert_eq!(store.version(), schema::VERSION);
        assert_eq!(store.index_names(AUDIT).unwrap(), vec![schema::AUDIT_BY_ENTITY.to_owned()]);
        let loaded = store.load().await.unwrap();
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let back = Register::from_parts(loaded.parts, reg.device(), Box::new(FinnishOrder));
        assert_eq!(back.people_count(), 2, "from version {version}");
        assert_eq!(back.person(kati), reg.person(kati));
        assert_eq!(back.org_count(), 1);
        assert_eq!(back.records_of(kati).len(), 1);
        assert_eq!(back.clock(), reg.clock());
        // The history index finds what the old version wrote.
        let history = store.audit_of(&EntityRef::Person(kati)).await.unwrap();
        assert_eq!(history.len(), 1);
        // Moved once: writing and reopening keeps everything in pages.
        store.close();
        let again = Store::open(&name).await.unwrap();
        assert_eq!(again.load().await.unwrap().parts.people.len(), 2);
        again.close();
        Store::delete(&name).await.unwrap();
    }
}

#[wasm_bindgen_test]
async fn a_newer_database_is_refused_clearly() {
    let name = db_name("newer");
    let future = Store::open_version(&name, schema::VERSION + 1).await.unwrap();
    future.close();
    let result = Store::open(&name).await;
    assert_eq!(result.err(), Some(StoreError::NewerVersion));
    Store::delete(&name).await.unwrap();
}

/// Another tab of an older version holds the database open and does not
/// let go: the upgrade is reported as blocked, and once that tab closes,
/// the upgrade completes with the whole schema.
#[wasm_bindgen_test]
async fn an_upgrade_blocked_by_another_tab_is_reported_then_completes() {
    use wasm_bindgen::JsCast;
    let name = db_name("blocked");
    // A database as version 1 made it, held open by a tab that ignores
    // requests to close.
    Store::open_version(&name, 1).await.unwrap().close();
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let other_tab: web_sys::IdbDatabase =
        sidos::store::request(&factory.open_with_u32(&name, 1).unwrap()).await.unwrap().unchecked_into();
    assert_eq!(Store::open(&name).await.err(), Some(StoreError::Blocked));
    other_tab.close();
    // The pending upgrade goes on in the background; opening again waits
    // for it and finds every store in place.
    let store = Store::open(&name).await.expect("opens once the other tab has closed");
    let mut reg = register(5);
    let mut ids = Ids(5 << 48);
    run(&store, &mut reg, &mut ids, 1, Command::AddPerson(draft("Esteetön", "Avaus", ""))).await;
    assert_eq!(store.load().await.unwrap().parts.people.len(), 1);
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
fn the_browser_collator_agrees_with_finnish_order() {
    let intl = IntlCollator::finnish().expect("Chromium has Intl.Collator");
    let mut names = vec!["Öhman", "Zetterberg", "Ahonen", "Äijälä", "Åberg", "Virtanen", "Wallin", "Müller", "Mäki"];
    names.sort_by(|a, b| intl.compare(a, b));
    assert_eq!(names, ["Ahonen", "Müller", "Mäki", "Virtanen", "Wallin", "Zetterberg", "Åberg", "Äijälä", "Öhman"]);
    let mut by_core = names.clone();
    by_core.sort_by(|a, b| FinnishOrder.compare(a, b));
    assert_eq!(names, by_core, "Intl.Collator and the core's Finnish order agree");
    assert_eq!(intl.compare("aho", "Aho"), Ordering::Less);
}

/// Everything stored, as bytes and text, to search for readable data.
async fn stored_bytes(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    for name in [schema::PAGES, schema::META, AUDIT, schema::VAULT] {
        for (key, value) in store.raw_values(name).await.unwrap() {
            out.extend(key.as_bytes());
            if let Some(text) = value.as_string() {
                out.extend(text.as_bytes());
            }
            for field in ["data", "doc", "entity"] {
                if let Some(text) = js_sys::Reflect::get(&value, &field.into()).ok().and_then(|v| v.as_string()) {
                    out.extend(text.as_bytes());
                }
            }
            for field in ["sealed", "gcm", "iv"] {
                if let Ok(sealed) = js_sys::Reflect::get(&value, &field.into()) {
                    if !sealed.is_undefined() {
                        out.extend(js_sys::Uint8Array::new(&sealed).to_vec());
                    }
                }
            }
        }
    }
    out
}

/// One page as it is on disk.
async fn stored_page(store: &Store, key: &str) -> JsValue {
    store.raw_values(schema::PAGES).await.unwrap().into_iter().find(|(k, _)| k == key).expect("the page is stored").1
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[wasm_bindgen_test]
async fn the_vault_seals_everything_in_place_and_opens_with_the_passphrase_only() {
    let name = db_name("vault");
    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.vault().await.unwrap(), None, "no vault yet");
    let mut reg = register(5);
    let mut ids = Ids(0);
    run(&store, &mut reg, &mut ids, 0, Command::AddPerson(draft("Kati", "Häkkinen", "kati@example.fi"))).await;
    let before = stored_bytes(&store).await;
    assert!(contains(&before, "Häkkinen") && contains(&before, "kati@example.fi"), "plain before the vault");

    let admin = store.create_vault("Kaisa Keskinen", "kolme pientä porsasta metsässä").await.unwrap();
    let after = stored_bytes(&store).await;
    for secret in ["Häkkinen", "kati@example.fi", "Mipro", "Kati"] {
        assert!(!contains(&after, secret), "{secret} is readable in the stored bytes");
    }
    // Writing while unlocked seals too.
    run(&store, &mut reg, &mut ids, 1, Command::AddPerson(draft("Åsa", "Öberg", "asa@example.fi"))).await;
    assert!(!contains(&stored_bytes(&store).await, "asa@example.fi"));
    // Pages are sealed by the browser (AES-GCM), the small values by the
    // app (XChaCha20-Poly1305); nothing is left plain.
    let has =
        |value: &JsValue, field: &str| js_sys::Reflect::get(value, &field.into()).is_ok_and(|v| !v.is_undefined());
    let pages = store.raw_values(schema::PAGES).await.unwrap();
    assert!(!pages.is_empty());
    for (key, value) in &pages {
        assert!(has(value, "gcm") && has(value, "iv") && !has(value, "sealed") && !has(value, "data"), "page {key}");
    }
    for (key, value) in
        store.raw_values(schema::META).await.unwrap().iter().chain(&store.raw_values(AUDIT).await.unwrap())
    {
        assert!(has(value, "sealed") && !has(value, "doc"), "{key}");
    }
    store.close();

    // Another tab, or tomorrow: locked until a passphrase opens it.
    let store = Store::open(&name).await.unwrap();
    let vault = store.vault().await.unwrap().expect("a vault");
    assert_eq!(vault.users.len(), 1);
    let locked = store.load().await.unwrap();
    assert!(locked.parts.people.is_empty(), "nothing readable while locked");
    assert!(!locked.problems.is_empty());
    assert_eq!(
        store.unlock(&vault.users[0], "väärä salasana").err(),
        Some(sidos::bundle::vault::VaultError::WrongPassphrase)
    );
    assert!(!store.is_unlocked());
    store.unlock(&vault.users[0], "kolme pientä porsasta metsässä").unwrap();
    let loaded = store.load().await.unwrap();
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let back = loaded.into_register(reg.device(), Box::new(FinnishOrder));
    assert_eq!(back.people_count(), 2);
    assert_eq!(back.clock(), reg.clock());
    assert_eq!(
        store.audit_page(None, 10).await.unwrap().len(),
        3,
        "the sealed audit log reads back (two people, one organisation)"
    );
    let access = store.access().await.unwrap();
    assert_eq!(access.actor(&admin).level, sidos::domain::Level::Admin);
    store.lock();
    assert!(!store.is_unlocked());
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_damaged_sealed_value_is_reported_and_never_overwritten() {
    let name = db_name("damaged");
    let store = Store::open(&name).await.unwrap();
    let mut reg = register(6);
    let mut ids = Ids(0);
    run(&store, &mut reg, &mut ids, 0, Command::AddPerson(draft("Kati", "Häkkinen", "kati@example.fi"))).await;
    store.create_vault("Admin", "kolme pientä porsasta metsässä").await.unwrap();
    run(&store, &mut reg, &mut ids, 1, Command::AddPerson(draft("Åsa", "Öberg", "asa@example.fi"))).await;
    let pages = store.raw_values(schema::PAGES).await.unwrap();
    let (page_key, value) = pages.iter().find(|(k, _)| k.starts_with("people/")).cloned().unwrap();
    let sealed = js_sys::Uint8Array::new(&js_sys::Reflect::get(&value, &"gcm".into()).unwrap());
    let mut bytes = sealed.to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    let damaged = js_sys::Object::new();
    js_sys::Reflect::set(&damaged, &"gcm".into(), &js_sys::Uint8Array::from(bytes.as_slice())).unwrap();
    js_sys::Reflect::set(&damaged, &"iv".into(), &js_sys::Reflect::get(&value, &"iv".into()).unwrap()).unwrap();
    store.raw_put(schema::PAGES, &page_key, &damaged).await.unwrap();

    let loaded = store.load().await.unwrap();
    assert_eq!(loaded.problems.len(), 1, "the damaged page is reported: {:?}", loaded.problems);
    assert_eq!(loaded.problems[0].key, page_key);
    assert!(loaded.parts.people.len() < 2, "the rest loads");
    // Writing to the damaged page is refused rather than overwriting it.
    let victims: Vec<_> = reg
        .people()
        .filter(|p| sidos::bundle::pages::page_key(sidos::bundle::pages::Kind::People, &p.id.to_string()) == page_key)
        .map(|p| p.id)
        .collect();
    let mut next = || ids.next_id();
    let plan = reg
        .plan(&Command::UpdatePerson(victims[0], draft("Katri", "Häkkinen", "kati@example.fi")), &mut env(2, &mut next))
        .unwrap();
    assert!(store.write(&plan.changes).await.is_err());
    let still = stored_page(&store, &page_key).await;
    let still = js_sys::Uint8Array::new(&js_sys::Reflect::get(&still, &"gcm".into()).unwrap()).to_vec();
    assert_eq!(still, bytes, "the damaged value is left as it was");
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_sealed_page_moved_to_another_key_does_not_open() {
    let name = db_name("moved");
    let store = Store::open(&name).await.unwrap();
    let mut reg = register(7);
    let mut ids = Ids(0);
    store.create_vault("Admin", "kolme pientä porsasta metsässä").await.unwrap();
    for (minute, (given, family)) in
        [("Kati", "Häkkinen"), ("Åsa", "Öberg"), ("Ville", "Virta")].into_iter().enumerate()
    {
        let email = format!("{}@example.fi", given.to_lowercase());
        run(&store, &mut reg, &mut ids, minute as i64, Command::AddPerson(draft(given, family, &email))).await;
    }
    let people: Vec<_> =
        store.raw_values(schema::PAGES).await.unwrap().into_iter().filter(|(k, _)| k.starts_with("people/")).collect();
    assert!(people.len() >= 2, "three people on at least two pages: {}", people.len());
    // One page's sealed value copied over another's: bound to its own key,
    // it does not open there.
    store.raw_put(schema::PAGES, &people[1].0, &people[0].1).await.unwrap();
    let loaded = store.load().await.unwrap();
    assert_eq!(loaded.problems.len(), 1, "{:?}", loaded.problems);
    assert_eq!(loaded.problems[0].key, people[1].0);
    assert_eq!(loaded.problems[0].detail, "damaged or tampered with");
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn pages_sealed_by_earlier_versions_open_and_are_sealed_anew_when_written() {
    let name = db_name("earlier-seal");
    let store = Store::open(&name).await.unwrap();
    let mut reg = register(8);
    let mut ids = Ids(0);
    run(&store, &mut reg, &mut ids, 0, Command::AddPerson(draft("Kati", "Häkkinen", "kati@example.fi"))).await;
    let person = reg.people().next().unwrap().id;
    let page_key = sidos::bundle::pages::page_key(sidos::bundle::pages::Kind::People, &person.to_string());
    let plain = stored_page(&store, &page_key).await;
    let text = js_sys::Reflect::get(&plain, &"data".into()).unwrap().as_string().unwrap();
    store.create_vault("Admin", "kolme pientä porsasta metsässä").await.unwrap();
    // The page as earlier versions sealed it: XChaCha20-Poly1305 in `sealed`.
    let key = store.data_key().unwrap();
    let earlier = js_sys::Object::new();
    let sealed = sidos::bundle::vault::seal(&key, schema::PAGES, &page_key, [7; 24], text.as_bytes());
    js_sys::Reflect::set(&earlier, &"sealed".into(), &js_sys::Uint8Array::from(sealed.as_slice())).unwrap();
    store.raw_put(schema::PAGES, &page_key, &earlier).await.unwrap();

    let loaded = store.load().await.unwrap();
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.parts.people.len(), 1, "the earlier form opens");

    let mut next = || ids.next_id();
    let plan = reg
        .plan(&Command::UpdatePerson(person, draft("Katri", "Häkkinen", "kati@example.fi")), &mut env(1, &mut next))
        .unwrap();
    store.write(&plan.changes).await.unwrap();
    let now = stored_page(&store, &page_key).await;
    let has = |field: &str| js_sys::Reflect::get(&now, &field.into()).is_ok_and(|v| !v.is_undefined());
    assert!(has("gcm") && !has("sealed"), "written anew in the browser's form");
    let back = store.load().await.unwrap().into_register(reg.device(), Box::new(FinnishOrder));
    assert_eq!(back.person(person).unwrap().given_name, "Katri");
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_register_opens_first_without_its_records_then_with_them() {
    let name = db_name("two-parts");
    let store = Store::open(&name).await.unwrap();
    let mut reg = register(8);
    let mut ids = Ids(0);
    run(&store, &mut reg, &mut ids, 0, Command::AddPerson(draft("Kati", "Häkkinen", "kati@example.fi"))).await;
    let kati = reg.people().next().unwrap().id;
    for n in 1..=6u32 {
        let kind = RecordDraftKind::Feedback { date: format!("2026-02-{n:02}"), text: "Hyvä".into() };
        run(&store, &mut reg, &mut ids, 1, Command::AddRecord(RecordDraft { person: kati, org: None, kind })).await;
    }
    run(&store, &mut reg, &mut ids, 2, Command::AddPerson(draft("Poistuva", "Henkilö", "pois@example.fi"))).await;
    let gone = reg.people().find(|p| p.given_name == "Poistuva").unwrap().id;
    run(&store, &mut reg, &mut ids, 3, Command::DeletePerson(gone)).await;
    store.close();

    let store = Store::open(&name).await.unwrap();
    let (first, pending) = store.load_first().await.unwrap();
    assert!(first.problems.is_empty(), "{:?}", first.problems);
    assert!(first.parts.records.is_empty(), "records come second");
    assert_eq!(first.parts.people.len(), 1);
    assert_eq!(first.parts.orgs.len(), 1, "pages before the records' are read");
    assert_eq!(first.parts.tombstones.len(), 1, "and pages after them");
    // The browser finishes reading meanwhile; the records are still there.
    sidos::web::sleep(50).await;
    let mut records = Vec::new();
    let problems =
        pending.finish(Some(0.0), &|| true, &mut |part| records.extend(part)).await.unwrap().expect("still wanted");
    assert!(problems.is_empty(), "{:?}", problems);
    let mut got: Vec<_> = records.iter().map(|r| r.id).collect();
    let mut want: Vec<_> = reg.records().map(|r| r.id).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let mut back = first.into_register(reg.device(), Box::new(FinnishOrder));
    assert!(back.records_of(kati).is_empty());
    back.add_records(records);
    assert_eq!(back.records_of(kati).len(), 6);
    assert_eq!(back.last_customer_event(kati), reg.last_customer_event(kati));

    // Locked meanwhile: the work stops after its first slice.
    let (_, pending) = store.load_first().await.unwrap();
    let mut taken = 0;
    assert!(pending.finish(Some(0.0), &|| false, &mut |part| taken += part.len()).await.unwrap().is_none());
    assert_eq!(taken, 0, "nothing is taken once the register is no longer wanted");

    // The pages are read in runs; a stored value that is no page, wherever
    // its key falls among them, is still read and reported.
    let stray = ["archive/0001", "notes/0001", "quotes/0001", "zzz/0001", "people/0031x"];
    for key in stray {
        let value = js_sys::Object::new();
        js_sys::Reflect::set(&value, &"data".into(), &"x".into()).unwrap();
        store.raw_put(schema::PAGES, key, &value).await.unwrap();
    }
    let (first, _) = store.load_first().await.unwrap();
    let mut reported: Vec<_> = first.problems.iter().map(|p| p.key.as_str()).collect();
    reported.sort();
    assert_eq!(reported, ["archive/0001", "notes/0001", "people/0031x", "quotes/0001", "zzz/0001"]);
    assert_eq!(first.parts.people.len(), 1, "the rest loads");
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_browsers_deflate_makes_bundles_that_open() {
    use sidos::bundle::envelope;
    let document: Vec<u8> =
        (0..20_000u32).flat_map(|n| format!("{{\"n\":{n},\"name\":\"Häkkinen\"}}\n").into_bytes()).collect();
    let deflated = sidos::web::deflate_raw(&document).await.expect("the browser compresses");
    assert!(deflated.len() * 5 < document.len(), "{} of {} bytes", deflated.len(), document.len());
    assert_eq!(miniz_oxide::inflate::decompress_to_vec(&deflated).unwrap(), document);
    let fast = envelope::KdfParams { m_kib: envelope::KdfParams::M_KIB.0, t: 1, p: 1 };
    let file = envelope::seal_deflated(&deflated, document.len(), "salasana", fast, [1; 16], [2; 24]).unwrap();
    assert_eq!(envelope::open(&file, "salasana").unwrap().plaintext, document);
}

#[wasm_bindgen_test]
async fn the_browser_decompresses_bundles_within_the_limit_and_refuses_damage() {
    use sidos::web::{inflate_raw, Inflated};
    let document: Vec<u8> =
        (0..20_000u32).flat_map(|n| format!("{{\"n\":{n},\"name\":\"Häkkinen\"}}\n").into_bytes()).collect();
    let deflated = miniz_oxide::deflate::compress_to_vec(&document, 6);
    assert_eq!(inflate_raw(&deflated, 1 << 28).await, Inflated::Done(document.clone()));
    assert_eq!(inflate_raw(&deflated, document.len()).await, Inflated::Done(document.clone()), "the limit itself");
    // A "bomb": stopped as soon as the output passes the limit.
    assert_eq!(inflate_raw(&deflated, document.len() - 1).await, Inflated::TooLarge);
    let zeros = miniz_oxide::deflate::compress_to_vec(&vec![0u8; 64 << 20], 6);
    assert!(zeros.len() < 1 << 20);
    assert_eq!(inflate_raw(&zeros, 1 << 20).await, Inflated::TooLarge);
    // Cut short, or not DEFLATE at all.
    assert_eq!(inflate_raw(&deflated[..deflated.len() / 2], 1 << 28).await, Inflated::Damaged);
    assert_eq!(inflate_raw(&[0xff; 64], 1 << 28).await, Inflated::Damaged);
}

#[wasm_bindgen_test]
async fn pages_sealed_by_an_earlier_version_are_sealed_anew_once() {
    let name = db_name("seal-anew");
    let store = Store::open(&name).await.unwrap();
    let mut reg = register(9);
    let mut ids = Ids(0);
    for (minute, (given, family)) in
        [("Kati", "Häkkinen"), ("Åsa", "Öberg"), ("Ville", "Virta")].into_iter().enumerate()
    {
        let email = format!("{}@example.fi", given.to_lowercase());
        run(&store, &mut reg, &mut ids, minute as i64, Command::AddPerson(draft(given, family, &email))).await;
    }
    let plain: Vec<(String, String)> = store
        .raw_values(schema::PAGES)
        .await
        .unwrap()
        .into_iter()
        .filter(|(k, _)| k.starts_with("people/"))
        .map(|(k, v)| (k, js_sys::Reflect::get(&v, &"data".into()).unwrap().as_string().unwrap()))
        .collect();
    assert!(plain.len() >= 2, "three people on at least two pages");
    store.create_vault("Admin", "kolme pientä porsasta metsässä").await.unwrap();
    assert!(store.pages_sealed_now().await.unwrap(), "a new vault seals every page the browser's way");

    // As an earlier version left it: the people's pages sealed by the app,
    // one of them damaged, and no note that pages were sealed anew.
    let key = store.data_key().unwrap();
    let earlier = |page_key: &str, text: &str, damage: bool| {
        let mut sealed = sidos::bundle::vault::seal(&key, schema::PAGES, page_key, [3; 24], text.as_bytes());
        if damage {
            sealed[30] ^= 1;
        }
        let value = js_sys::Object::new();
        js_sys::Reflect::set(&value, &"sealed".into(), &js_sys::Uint8Array::from(sealed.as_slice())).unwrap();
        JsValue::from(value)
    };
    let damaged = plain[0].0.clone();
    for (i, (page_key, text)) in plain.iter().enumerate() {
        store.raw_put(schema::PAGES, page_key, &earlier(page_key, text, i == 0)).await.unwrap();
    }
    let untouched = js_sys::Object::new();
    js_sys::Reflect::set(&untouched, &"doc".into(), &"".into()).unwrap();
    store.raw_put(schema::META, "page_seal", &untouched).await.unwrap();
    assert!(!store.pages_sealed_now().await.unwrap());
    let before = store.load().await.unwrap();

    assert_eq!(store.seal_earlier_pages().await.unwrap(), plain.len() - 1, "all but the damaged page");
    assert!(store.pages_sealed_now().await.unwrap());
    let has =
        |value: &JsValue, field: &str| js_sys::Reflect::get(value, &field.into()).is_ok_and(|v| !v.is_undefined());
    for (page_key, _) in &plain {
        let value = stored_page(&store, page_key).await;
        if *page_key == damaged {
            assert!(has(&value, "sealed") && !has(&value, "gcm"), "a page that does not open is left as it is");
        } else {
            assert!(has(&value, "gcm") && !has(&value, "sealed"), "{page_key} sealed anew");
        }
    }
    let after = store.load().await.unwrap();
    assert_eq!(after.parts.people, before.parts.people, "the same people read back");
    assert_eq!(after.problems.len(), 1, "the damaged page is still reported: {:?}", after.problems);
    assert_eq!(after.problems[0].key, damaged);
    assert_eq!(store.seal_earlier_pages().await.unwrap(), 0, "nothing left to seal");

    store.lock();
    assert!(store.seal_earlier_pages().await.is_err(), "not while locked");
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_import_stored_as_its_document_wrote_it_reads_back_the_same() {
    use sidos::bundle::{document, pages};
    // A colleague's register, sent as a document of the current version.
    let mut theirs = register(3);
    let mut ids = Ids(1 << 40);
    for (n, (given, family)) in [("Kati", "Häkkinen"), ("Åsa", "Öberg"), ("Antti", "Aho")].into_iter().enumerate() {
        let mut next = || ids.next_id();
        let cmd = Command::AddPerson(draft(given, family, &format!("{}@example.fi", given.to_lowercase())));
        let plan = theirs.plan(&cmd, &mut env(n as i64, &mut next)).unwrap();
        theirs.apply(plan.changes);
    }
    let kati = theirs.people().find(|p| p.given_name == "Kati").unwrap().id;
    let kind = RecordDraftKind::Event { name: "Messut".into(), date: "2026-12-05".into(), dietary: "vegaani".into() };
    let mut next = || ids.next_id();
    let plan = theirs.plan(&Command::AddRecord(RecordDraft { person: kati, org: None, kind }), &mut env(5, &mut next));
    theirs.apply(plan.unwrap().changes);
    let snapshot = theirs.export_snapshot(&sidos::domain::ExportScope::everything(), sidos::domain::testing::at(6));
    let (read, source) = document::read_source(document::write(&snapshot), sidos::domain::testing::at(7)).unwrap();
    assert_eq!(source.len(), 5, "three people, their organisation and a record");

    let name = db_name("verbatim");
    let store = Store::open(&name).await.unwrap();
    let mut reg = register(8);
    let (_, prepared) = reg.prepare_import(read);
    let mut next = || ids.next_id();
    let plan = reg
        .plan_prepared_import(prepared, &Default::default(), &mut env(8, &mut next))
        .expect("the preview's merge holds")
        .unwrap();
    assert_eq!(plan.verbatim.len(), 5);
    let verbatim = pages::Verbatim { changes: &plan.verbatim, source: &source };
    store.write_with(&plan.changes, Some(verbatim)).await.unwrap();
    reg.apply(plan.changes);
    assert!(contains(&stored_bytes(&store).await, "\"implied_by\":"), "the document's texts are stored");
    store.close();

    let store = Store::open(&name).await.unwrap();
    let loaded = store.load().await.unwrap();
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let back = Register::from_parts(loaded.parts, reg.device(), Box::new(FinnishOrder));
    assert_eq!(back.people_count(), 3);
    for person in reg.people() {
        assert_eq!(back.person(person.id), Some(person));
    }
    for org in reg.orgs() {
        assert_eq!(back.org(org.id), Some(org));
    }
    for record in reg.records() {
        assert_eq!(back.record(record.id), Some(record));
    }
    assert_eq!(back.records().count(), 1);
    store.close();
    Store::delete(&name).await.unwrap();
}
