//! Encrypted bundles: the format round trip, the test vectors in
//! `tests/fixtures/`, every kind of bad input (each a clear error), the
//! register document's checks, the size goal, and the command-line tool.

use std::path::PathBuf;
use std::process::{Command as Process, Stdio};
use std::time::Instant;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde_json::{json, Value};

use sidos::bundle::document::{self, DocumentDto};
use sidos::bundle::dto::DisclosureDto;
use sidos::bundle::passphrase::{strength, Level};
use sidos::bundle::{envelope, file_name, inspect, read_bundle, write_bundle, BundleError, Header, KdfParams};
use sidos::domain::testing::{at, day, device};
use sidos::domain::{
    AffiliationDraft, Billing, CategoryDef, CategoryKey, Command, ContractKind, Disclosure, DisclosureId, EntityRef,
    ExportScope, FieldDef, FieldId, FieldKind, FinnishOrder, LabeledDraft, OrgChoice, Parts, Person, PersonDraft,
    PersonField, PersonId, Provenance, Record, RecordDraftKind, RecordId, RecordKind, Register, Settings, Snapshot,
    Source, Stamp, TombstoneReason,
};

use crate::sync::Replica;

/// The smallest parameters a reader accepts: fast tests.
const FAST: KdfParams = KdfParams { m_kib: 19456, t: 1, p: 1 };
const SALT: [u8; 16] = [7; 16];
const NONCE: [u8; 24] = [9; 24];
const PASS: &str = "hevonen paristo niitti";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture_passphrase() -> String {
    String::from_utf8(fixture("bundle-v1.passphrase.txt")).unwrap()
}

/// The reader's time in the tests: an hour after the test data was made.
fn now() -> chrono::DateTime<chrono::Utc> {
    at(60)
}

/// A register with a bit of everything.
fn sample() -> Replica {
    let mut r = Replica::new(0x51);
    let size = FieldId::new(uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0f0f));
    let settings = Settings {
        user_name: "Kaisa Korhonen".into(),
        categories: vec![CategoryDef { key: CategoryKey::new("custom-kerho"), name: "Kerho".into() }],
        fields: vec![FieldDef {
            id: size,
            name: "Koko".into(),
            kind: FieldKind::Choice(vec!["S".into(), "L".into()]),
            required: false,
        }],
        ..Settings::default()
    };
    r.run(Command::UpdateSettings(settings)).unwrap();
    let mut d = PersonDraft { given_name: "Kati".into(), family_name: "Häkkinen".into(), ..PersonDraft::default() };
    d.emails.push(LabeledDraft { label: "työ".into(), value: "kati.hakkinen@mipro.example".into() });
    d.phones.push(LabeledDraft { label: String::new(), value: "040 123 4567".into() });
    d.affiliations.push(AffiliationDraft { org: OrgChoice::New("Mipro Oy".into()), role: "DPO".into() });
    d.categories.insert(CategoryKey::new("custom-kerho"));
    d.custom.insert(size, "L".into());
    d.notes = "Soita aamulla".into();
    let kati = r.add(d);
    let org = r.person(kati).affiliations[0].org;
    r.add_record(
        kati,
        Some(org),
        RecordDraftKind::Contract {
            kind: ContractKind::Order,
            title: "Ylläpito".into(),
            start: "2026-01-01".into(),
            end: String::new(),
            value: "100".into(),
            billing: Billing::Paid,
        },
    );
    r.add_record(
        kati,
        None,
        RecordDraftKind::Event { name: "Messut".into(), date: "2026-12-05".into(), dietary: "vegaani".into() },
    );
    let gone = r.add(PersonDraft { given_name: "Antti".into(), family_name: "Aho".into(), ..PersonDraft::default() });
    r.run(Command::DeletePerson(gone)).unwrap();
    r.run(Command::RecordDisclosure {
        recipient: "Pitopalvelu".into(),
        purpose: String::new(),
        scope: "everything".into(),
        people: vec![kati],
    })
    .unwrap();
    r
}

/// A small valid bundle for tampering with.
fn small_bundle() -> (Vec<u8>, Vec<u8>) {
    let plaintext = br#"{"format":"sidos-register"}"#.to_vec();
    (envelope::seal(&plaintext, PASS, FAST, SALT, NONCE).unwrap(), plaintext)
}

/// A change to a JSON document, for making bad files.
type Edit = Box<dyn Fn(&mut Value)>;

fn envelope_json(file: &[u8]) -> Value {
    serde_json::from_slice(file).unwrap()
}

fn to_file(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// Seals already-compressed bytes the way the specification says,
/// independently of `envelope::seal` (the associated data is spelt out).
fn seal_compressed(compressed: &[u8]) -> Vec<u8> {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let aad = format!(
        "sidos-bundle\nversion=1\nkdf=argon2id\nkdf.version=19\nkdf.m_kib=19456\nkdf.t=1\nkdf.p=1\nkdf.salt={}\naead=xchacha20poly1305\naead.nonce={}\ncompression=deflate\n",
        hex(&SALT),
        hex(&NONCE)
    );
    let params = argon2::Params::new(19456, 1, 1, Some(32)).unwrap();
    let mut key = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(PASS.as_bytes(), &SALT, &mut key)
        .unwrap();
    let cipher = XChaCha20Poly1305::new_from_slice(&key).unwrap();
    let ciphertext = cipher.encrypt(&XNonce::from(NONCE), Payload { msg: compressed, aad: aad.as_bytes() }).unwrap();
    to_file(&json!({
        "format": "sidos-bundle",
        "version": 1,
        "kdf": {"name": "argon2id", "version": 19, "m_kib": 19456, "t": 1, "p": 1, "salt": B64.encode(SALT)},
        "aead": {"name": "xchacha20poly1305", "nonce": B64.encode(NONCE)},
        "compression": "deflate",
        "ciphertext": B64.encode(ciphertext),
    }))
}

// ----- round trip and test vectors -----

#[test]
fn a_bundle_round_trips_the_register_and_hides_it() {
    let r = sample();
    let snapshot = r.export();
    let file = write_bundle(&snapshot, PASS, FAST, SALT, NONCE).unwrap();
    let text = String::from_utf8(file.clone()).expect("the envelope is JSON text");
    assert!(text.starts_with(r#"{"format":"sidos-bundle","version":1,"#), "{}", &text[..60]);
    for secret in ["Häkkinen", "kati.hakkinen", "vegaani", "Soita", "Kaisa"] {
        assert!(!text.contains(secret), "{secret} is readable in the file");
    }
    let back = read_bundle(&file, PASS, now()).unwrap();
    assert_eq!(back, snapshot);
    // And a colleague who imports it has the same register.
    let mut other = Replica::new(0x52);
    other.import(&back);
    assert_eq!(other.reg.people_count(), 1);
    assert_eq!(other.reg.record_count(), 2);
    assert_eq!(other.reg.disclosures().len(), 1);
}

#[test]
fn the_user_name_never_leaves_the_browser() {
    let r = sample();
    assert_eq!(r.reg.settings().user_name, "Kaisa Korhonen");
    let bytes = document::write(&r.export());
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains("Kaisa Korhonen"));
    assert!(text.contains(r#""user_name":"""#));
}

#[test]
fn the_test_vector_opens_to_its_plaintext() {
    let opened = envelope::open(&fixture("bundle-v1.json"), &fixture_passphrase()).unwrap();
    assert_eq!(opened.plaintext, fixture("bundle-v1.plaintext.json"));
    assert_eq!(opened.header.kdf, FAST);
    assert_eq!(opened.header.salt, (0u8..16).collect::<Vec<_>>());
    assert_eq!(opened.header.nonce.to_vec(), (16u8..40).collect::<Vec<_>>());
}

#[test]
fn the_document_version_2_test_vector_opens_to_its_plaintext() {
    let opened = envelope::open(&fixture("bundle-v1-doc2.json"), &fixture_passphrase()).unwrap();
    assert_eq!(opened.plaintext, fixture("bundle-v1-doc2.plaintext.json"));
    assert_eq!((opened.header.kdf, opened.header.salt.len()), (FAST, 16));
}

#[test]
fn the_document_version_3_test_vector_opens_to_its_plaintext() {
    let opened = envelope::open(&fixture("bundle-v1-doc3.json"), &fixture_passphrase()).unwrap();
    assert_eq!(opened.plaintext, fixture("bundle-v1-doc3.plaintext.json"));
    assert_eq!((opened.header.kdf, opened.header.salt.len()), (FAST, 16));
}

#[test]
fn sealing_the_test_plaintext_again_gives_the_same_bytes() {
    let salt: [u8; 16] = std::array::from_fn(|i| i as u8);
    let nonce: [u8; 24] = std::array::from_fn(|i| 16 + i as u8);
    let sealed =
        envelope::seal(&fixture("bundle-v1-doc2.plaintext.json"), &fixture_passphrase(), FAST, salt, nonce).unwrap();
    assert!(
        sealed == fixture("bundle-v1-doc2.json"),
        "the writer no longer writes the test vector: if the format changed on purpose, bump its version and keep reading the old ones"
    );
}

#[test]
fn the_test_vector_document_reads_and_writes_back_the_same() {
    let plaintext = fixture("bundle-v1.plaintext.json");
    let snapshot = document::read(&plaintext, now()).unwrap();
    assert_eq!(snapshot.people.len(), 2);
    assert_eq!(snapshot.orgs.len(), 1);
    assert_eq!(snapshot.records.len(), 3);
    assert_eq!(snapshot.disclosures.len(), 1);
    assert!(snapshot.scope.is_everything());
    let reasons: Vec<&TombstoneReason> = snapshot.tombstones.iter().map(|t| &t.reason).collect();
    assert!(reasons.contains(&&TombstoneReason::Erased) && reasons.contains(&&TombstoneReason::Deleted));
    let kati = snapshot.people.iter().find(|p| p.family_name == "Häkkinen").unwrap();
    assert_eq!(kati.phones[0].value, "+358401234567");
    assert_eq!(kati.stamps.len(), PersonField::FIXED.len() + 1, "fixed fields and one custom field");
    assert!(snapshot
        .records
        .iter()
        .any(|r| matches!(&r.kind, RecordKind::Event(e) if e.dietary.as_deref() == Some("gluteeniton"))));
    // Version 1 is written as version 3 with nothing lost, and versions 2
    // and 3 read back to the same register.
    let written: Value = serde_json::to_value(DocumentDto::from(&snapshot)).unwrap();
    let version_3: Value = serde_json::from_slice(&fixture("bundle-v1-doc3.plaintext.json")).unwrap();
    assert_eq!(written, version_3, "the writer writes the version 3 test vector");
    assert_eq!(document::read(&fixture("bundle-v1-doc2.plaintext.json"), now()).unwrap(), snapshot);
    assert_eq!(document::read(&fixture("bundle-v1-doc3.plaintext.json"), now()).unwrap(), snapshot);
    // A register that imports the vector holds its data.
    let mut r = Replica::new(0x53);
    r.import(&snapshot);
    assert_eq!(r.reg.people_count(), 2);
    assert_eq!(r.reg.settings().fields.len(), 1);
}

#[test]
fn the_associated_data_is_every_header_value_in_the_documented_order() {
    let header = inspect(&fixture("bundle-v1.json")).unwrap();
    let want = "sidos-bundle\nversion=1\nkdf=argon2id\nkdf.version=19\nkdf.m_kib=19456\nkdf.t=1\nkdf.p=1\n\
                kdf.salt=000102030405060708090a0b0c0d0e0f\naead=xchacha20poly1305\n\
                aead.nonce=101112131415161718191a1b1c1d1e1f2021222324252627\ncompression=deflate\n";
    assert_eq!(String::from_utf8(header.aad()).unwrap(), want);
    // A bundle made from the specification alone opens.
    let compressed = miniz_oxide::deflate::compress_to_vec(b"{}", 6);
    assert_eq!(envelope::open(&seal_compressed(&compressed), PASS).unwrap().plaintext, b"{}");
}

#[test]
fn the_default_key_derivation_is_64_mib_and_three_passes() {
    assert_eq!(KdfParams::default(), KdfParams { m_kib: 65536, t: 3, p: 1 });
    assert!(KdfParams::DEFAULT.check().is_ok());
    let file = envelope::seal(b"{}", PASS, KdfParams::DEFAULT, SALT, NONCE).unwrap();
    let header = inspect(&file).unwrap();
    assert_eq!(header.kdf, KdfParams::DEFAULT);
    assert_eq!(envelope::open(&file, PASS).unwrap().plaintext, b"{}");
}

#[test]
fn every_file_needs_its_own_salt_and_nonce_and_a_passphrase() {
    let a = envelope::seal(b"{}", PASS, FAST, SALT, NONCE).unwrap();
    let b = envelope::seal(b"{}", PASS, FAST, [8; 16], NONCE).unwrap();
    let c = envelope::seal(b"{}", PASS, FAST, SALT, [1; 24]).unwrap();
    assert!(a != b && a != c && b != c);
    assert_eq!(envelope::seal(b"{}", "", FAST, SALT, NONCE), Err(BundleError::EmptyPassphrase));
}

#[test]
fn reformatted_json_still_opens() {
    // The associated data comes from the values, not the JSON text.
    let (file, plaintext) = small_bundle();
    let value = envelope_json(&file);
    let pretty = serde_json::to_vec_pretty(&value).unwrap(); // keys sorted, spaces, lines
    assert_ne!(pretty, file);
    assert_eq!(envelope::open(&pretty, PASS).unwrap().plaintext, plaintext);
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&file);
    assert_eq!(envelope::open(&with_bom, PASS).unwrap().plaintext, plaintext);
}

// ----- bad input: each a clear error -----

#[test]
fn a_wrong_passphrase_is_refused_with_a_helpful_message() {
    let (file, _) = small_bundle();
    for wrong in ["hevonen paristo niitt", "Hevonen paristo niitti", "", "hevonen paristo niitti "] {
        let e = envelope::open(&file, wrong).unwrap_err();
        assert_eq!(e, BundleError::WrongPassphraseOrDamaged);
    }
    let e = BundleError::WrongPassphraseOrDamaged;
    assert_eq!(e.message_id(), "wrong_passphrase_or_damaged");
    assert_eq!(
        e.to_string(),
        "the passphrase is wrong, or the file was changed or damaged on the way: check the passphrase with the sender; if it is right, ask for the file again"
    );
}

#[test]
fn changing_any_byte_of_the_file_is_refused() {
    let (file, _) = small_bundle();
    let started = Instant::now();
    for i in 0..file.len() {
        for flip in [0x01u8, 0x20] {
            let mut bad = file.clone();
            bad[i] ^= flip;
            let result = envelope::open(&bad, PASS);
            assert!(result.is_err(), "byte {i} ^ {flip:#x} ({:?}) was not noticed", bad[i] as char);
        }
    }
    assert!(started.elapsed().as_secs() < 120);
}

#[test]
fn changed_header_values_fail_authentication() {
    let (file, _) = small_bundle();
    let cases: Vec<(&str, Edit)> = vec![
        ("m_kib", Box::new(|v: &mut Value| v["kdf"]["m_kib"] = json!(19457))),
        ("t", Box::new(|v: &mut Value| v["kdf"]["t"] = json!(2))),
        ("p", Box::new(|v: &mut Value| v["kdf"]["p"] = json!(2))),
        ("salt", Box::new(|v: &mut Value| v["kdf"]["salt"] = json!(B64.encode([6u8; 16])))),
        ("longer salt", Box::new(|v: &mut Value| v["kdf"]["salt"] = json!(B64.encode([7u8; 17])))),
        ("nonce", Box::new(|v: &mut Value| v["aead"]["nonce"] = json!(B64.encode([8u8; 24])))),
        (
            "ciphertext",
            Box::new(|v: &mut Value| {
                let mut c = B64.decode(v["ciphertext"].as_str().unwrap()).unwrap();
                c[0] ^= 1;
                v["ciphertext"] = json!(B64.encode(c));
            }),
        ),
        (
            "tag",
            Box::new(|v: &mut Value| {
                let mut c = B64.decode(v["ciphertext"].as_str().unwrap()).unwrap();
                let last = c.len() - 1;
                c[last] ^= 0x80;
                v["ciphertext"] = json!(B64.encode(c));
            }),
        ),
    ];
    for (what, change) in cases {
        let mut value = envelope_json(&file);
        change(&mut value);
        assert_eq!(envelope::open(&to_file(&value), PASS), Err(BundleError::WrongPassphraseOrDamaged), "{what}");
    }
}

#[test]
fn a_truncated_file_is_refused() {
    let (file, _) = small_bundle();
    for len in (30..file.len()).step_by(5).chain([file.len() - 1, file.len() - 2]) {
        assert_eq!(envelope::open(&file[..len], PASS), Err(BundleError::Truncated), "cut at {len} of {}", file.len());
    }
    // Cut inside the ciphertext, but put back together as JSON.
    let mut value = envelope_json(&file);
    let c = B64.decode(value["ciphertext"].as_str().unwrap()).unwrap();
    value["ciphertext"] = json!(B64.encode(&c[..c.len() - 3]));
    assert_eq!(envelope::open(&to_file(&value), PASS), Err(BundleError::WrongPassphraseOrDamaged));
    value["ciphertext"] = json!(B64.encode(&c[..10]));
    assert_eq!(envelope::open(&to_file(&value), PASS), Err(BundleError::Truncated));
    value["ciphertext"] = json!("");
    assert_eq!(envelope::open(&to_file(&value), PASS), Err(BundleError::Truncated));
}

#[test]
fn files_that_are_not_bundles_are_refused() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let cases: Vec<(&str, Vec<u8>, BundleError)> = vec![
        ("empty", vec![], BundleError::Empty),
        ("blank", b"  \n\t ".to_vec(), BundleError::Empty),
        (
            "csv",
            b"given_name,family_name,email\nKati,H\xc3\xa4kkinen,kati@mipro.fi\n".to_vec(),
            BundleError::NotABundle,
        ),
        ("png", png, BundleError::NotABundle),
        ("bytes", (0..=255u8).collect(), BundleError::NotABundle),
        ("json array", b"[1,2,3]".to_vec(), BundleError::NotABundle),
        ("other json", br#"{"name":"Kati"}"#.to_vec(), BundleError::NotABundle),
        ("other format", br#"{"format":"vcard","version":1}"#.to_vec(), BundleError::NotABundle),
        ("register document", fixture("bundle-v1.plaintext.json"), BundleError::NotABundle),
        ("vcard", b"BEGIN:VCARD\nVERSION:4.0\nFN:Kati\nEND:VCARD\n".to_vec(), BundleError::NotABundle),
    ];
    for (what, bytes, want) in cases {
        assert_eq!(envelope::open(&bytes, PASS), Err(want.clone()), "{what}");
        assert_eq!(inspect(&bytes), Err(want), "{what}");
    }
}

#[test]
fn a_bundle_of_a_newer_version_is_refused_before_anything_else() {
    // A newer envelope may look different: only `format` and `version`
    // are read.
    let newer = br#"{"format":"sidos-bundle","version":2,"kdf":{"name":"argon3"},"payload":"..."}"#;
    let e = envelope::open(newer, PASS).unwrap_err();
    assert_eq!(e, BundleError::NewerVersion { what: "file format", found: 2, supported: 1 });
    assert_eq!(e.message_id(), "newer_version");
    // A newer register document inside a version 1 envelope.
    let mut doc: Value = serde_json::from_slice(&fixture("bundle-v1.plaintext.json")).unwrap();
    doc["version"] = json!(document::VERSION + 1);
    doc["something_new"] = json!(true);
    let file = envelope::seal(&to_file(&doc), PASS, FAST, SALT, NONCE).unwrap();
    assert_eq!(document::VERSION, 3);
    assert_eq!(
        read_bundle(&file, PASS, now()),
        Err(BundleError::NewerVersion { what: "register document", found: 4, supported: 3 })
    );
}

#[test]
fn key_derivation_parameters_out_of_bounds_are_refused_before_argon2_runs() {
    let (file, _) = small_bundle();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("4 GiB", json!({"m_kib": 4_194_304u64}), "m_kib"),
        ("2^40 KiB", json!({"m_kib": 1u64 << 40}), "m_kib"),
        ("8 MiB", json!({"m_kib": 8192}), "m_kib"),
        ("no passes", json!({"t": 0}), "t"),
        ("eleven passes", json!({"t": 11}), "t"),
        ("a million passes", json!({"t": 1_000_000}), "t"),
        ("no lanes", json!({"p": 0}), "p"),
        ("five lanes", json!({"p": 5}), "p"),
        ("short salt", json!({"salt": B64.encode([1u8; 8])}), "salt length"),
        ("long salt", json!({"salt": B64.encode([1u8; 65])}), "salt length"),
    ];
    for (what, change, param) in cases {
        let mut value = envelope_json(&file);
        for (k, v) in change.as_object().unwrap() {
            value["kdf"][k] = v.clone();
        }
        let started = Instant::now();
        let e = envelope::open(&to_file(&value), PASS).unwrap_err();
        assert!(started.elapsed().as_millis() < 500, "{what}: refused only after work");
        assert!(matches!(&e, BundleError::KdfOutOfBounds { param: p, .. } if *p == param), "{what}: {e:?}");
        assert_eq!(e.message_id(), "kdf_out_of_bounds");
        assert!(inspect(&to_file(&value)).is_err());
    }
    // The writer refuses what the reader would.
    for params in [KdfParams { m_kib: 4_194_304, ..FAST }, KdfParams { t: 0, ..FAST }, KdfParams { p: 9, ..FAST }] {
        assert!(matches!(envelope::seal(b"{}", PASS, params, SALT, NONCE), Err(BundleError::KdfOutOfBounds { .. })));
    }
    // The bounds themselves: the smallest and largest accepted values pass.
    assert!(KdfParams { m_kib: 19456, t: 1, p: 1 }.check().is_ok());
    assert!(KdfParams { m_kib: 1_048_576, t: 10, p: 4 }.check().is_ok());
    assert!(KdfParams { m_kib: 1_048_577, t: 10, p: 4 }.check().is_err());
}

#[test]
fn unknown_methods_and_extra_members_are_refused() {
    let (file, _) = small_bundle();
    let cases: Vec<(&str, Edit, &str)> = vec![
        ("kdf", Box::new(|v: &mut Value| v["kdf"]["name"] = json!("scrypt")), "unsupported"),
        ("argon2 version", Box::new(|v: &mut Value| v["kdf"]["version"] = json!(16)), "unsupported"),
        ("cipher", Box::new(|v: &mut Value| v["aead"]["name"] = json!("aes-256-gcm")), "unsupported"),
        ("compression", Box::new(|v: &mut Value| v["compression"] = json!("zstd")), "unsupported"),
        ("extra member", Box::new(|v: &mut Value| v["comment"] = json!("hello")), "damaged"),
        ("extra kdf member", Box::new(|v: &mut Value| v["kdf"]["secret"] = json!("x")), "damaged"),
        (
            "missing nonce",
            Box::new(|v: &mut Value| {
                v["aead"].as_object_mut().unwrap().remove("nonce");
            }),
            "damaged",
        ),
        ("short nonce", Box::new(|v: &mut Value| v["aead"]["nonce"] = json!(B64.encode([1u8; 12]))), "damaged"),
        ("bad base64", Box::new(|v: &mut Value| v["ciphertext"] = json!("not*base64")), "damaged"),
        ("number as text", Box::new(|v: &mut Value| v["kdf"]["t"] = json!("1")), "damaged"),
        ("version as text", Box::new(|v: &mut Value| v["version"] = json!("1")), "damaged"),
        ("version 0", Box::new(|v: &mut Value| v["version"] = json!(0)), "damaged"),
    ];
    for (what, change, id) in cases {
        let mut value = envelope_json(&file);
        change(&mut value);
        let e = envelope::open(&to_file(&value), PASS).unwrap_err();
        assert_eq!(e.message_id(), id, "{what}: {e:?}");
    }
}

/// Authentic content that is not DEFLATE data (`tests/fixtures/`
/// `bundle-not-deflate.json` seals it, for the browser tests).
const NOT_DEFLATE: &[u8] = b"this is not deflate data \xff\xff\xff";

#[test]
fn authentic_content_that_does_not_decompress_is_refused() {
    let file = seal_compressed(NOT_DEFLATE);
    assert_eq!(envelope::open(&file, PASS), Err(BundleError::DamagedPlaintext));
    // The browser tests' copy is this very file (its passphrase: PASS).
    assert_eq!(fixture("bundle-not-deflate.json"), file);
}

#[test]
fn a_compression_bomb_is_refused() {
    // 300 MiB of zeros compress to a few hundred kilobytes.
    let zeros = vec![0u8; 300 << 20];
    let compressed = miniz_oxide::deflate::compress_to_vec(&zeros, 1);
    drop(zeros);
    let file = seal_compressed(&compressed);
    assert!(file.len() < 2 << 20, "{}", file.len());
    let e = envelope::open(&file, PASS).unwrap_err();
    assert!(matches!(e, BundleError::TooLarge { limit, .. } if limit == envelope::MAX_PLAINTEXT_BYTES), "{e:?}");
}

#[test]
fn a_file_of_200_mb_is_refused_before_it_is_read() {
    let size = 200_000_000u64;
    assert_eq!(envelope::check_file_size(size), Err(BundleError::TooLarge { size, limit: envelope::MAX_FILE_BYTES }));
    assert!(envelope::check_file_size(1_000_000).is_ok());
    let huge = vec![b' '; size as usize];
    let started = Instant::now();
    assert!(matches!(envelope::open(&huge, PASS), Err(BundleError::TooLarge { .. })));
    assert!(matches!(read_bundle(&huge, PASS, now()), Err(BundleError::TooLarge { .. })));
    assert!(started.elapsed().as_millis() < 500);
}

// ----- the register document's checks -----

/// The fixture's document, changed, read back: the error detail.
fn schema_error(change: impl FnOnce(&mut Value)) -> String {
    let mut doc: Value = serde_json::from_slice(&fixture("bundle-v1.plaintext.json")).unwrap();
    change(&mut doc);
    match document::read(&to_file(&doc), now()) {
        Err(BundleError::Schema(detail)) => detail,
        other => panic!("not refused as a schema error: {other:?}"),
    }
}

fn kati(doc: &mut Value) -> &mut Value {
    doc["people"].as_array_mut().unwrap().iter_mut().find(|p| p["family_name"] == "Häkkinen").unwrap()
}

#[test]
fn documents_that_break_the_schema_are_refused_without_personal_values() {
    let doc: Value = serde_json::from_slice(&fixture("bundle-v1.plaintext.json")).unwrap();
    let kati_id = doc["people"].as_array().unwrap().iter().find(|p| p["family_name"] == "Häkkinen").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ghost = "01900000-0000-7000-8000-00000000dead";
    type Change = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, Change, &str)> = vec![
        ("bad person id", Box::new(|d| kati(d)["id"] = json!("Kati Häkkinen")), "person #"),
        ("bad record id", Box::new(|d| d["records"][0]["id"] = json!(42)), "record #1"),
        ("e-mail", Box::new(|d| kati(d)["emails"][0]["value"] = json!("kati.hakkinen@")), "e-mail"),
        ("phone", Box::new(|d| kati(d)["phones"][0]["value"] = json!("Kati Häkkinen")), "phone"),
        (
            "wrong type quoting a value",
            Box::new(|d| kati(d)["emails"] = json!("kati.hakkinen@mipro.example")),
            "wrong type",
        ),
        ("name as number", Box::new(|d| kati(d)["family_name"] = json!(5)), "wrong type"),
        (
            "missing field",
            Box::new(|d| {
                kati(d).as_object_mut().unwrap().remove("provenance");
            }),
            "missing field `provenance`",
        ),
        (
            // Without a shared stamp, nothing tells when the person was added.
            "no creation time",
            Box::new(|d| {
                kati(d).as_object_mut().unwrap().remove("created");
            }),
            ": created",
        ),
        (
            "unknown stamp field",
            Box::new(|d| {
                kati(d)["stamps"]["shoe size"] = json!("000001a202ce3c40-00000000-00000000-0000-0000-0000-0000000000a1")
            }),
            "field",
        ),
        ("bad stamp", Box::new(|d| kati(d)["stamps"]["name"] = json!("Kati Häkkinen")), "stamp"),
        ("unknown source", Box::new(|d| kati(d)["provenance"]["source"] = json!("rumour")), "source"),
        ("unknown category", Box::new(|d| kati(d)["categories"] = json!(["secret-society"])), "unknown category"),
        (
            "undefined custom field",
            Box::new(|d| {
                kati(d)["custom"] = json!({"0190c0de-0000-7000-8000-00000000beef": {"type": "text", "value": "x"}})
            }),
            "does not define",
        ),
        (
            "custom value of another kind",
            Box::new(|d| {
                kati(d)["custom"] = json!({"0190c0de-0000-7000-8000-00000000000f": {"type": "number", "value": 3}})
            }),
            "wrong kind",
        ),
        (
            "record of nobody",
            Box::new(move |d| d["records"][0]["person"] = json!(ghost)),
            "neither in the bundle nor deleted",
        ),
        (
            "record of an unknown organisation",
            Box::new(move |d| {
                let r = d["records"].as_array_mut().unwrap().iter_mut().find(|r| r["org"].is_string()).unwrap();
                r["org"] = json!(ghost);
            }),
            "not in the bundle",
        ),
        (
            "link to an unknown organisation",
            Box::new(move |d| kati(d)["affiliations"][0]["org"] = json!(ghost)),
            "not in the bundle",
        ),
        (
            "person twice",
            Box::new(|d| {
                let copy = kati(d).clone();
                d["people"].as_array_mut().unwrap().push(copy);
            }),
            "listed twice",
        ),
        (
            "organisation twice",
            Box::new(|d| {
                let copy = d["organisations"][0].clone();
                d["organisations"].as_array_mut().unwrap().insert(0, copy);
            }),
            "listed twice",
        ),
        (
            "record twice, apart",
            Box::new(|d| {
                let copy = d["records"][0].clone();
                d["records"].as_array_mut().unwrap().push(copy);
            }),
            "listed twice",
        ),
        ("unknown record kind", Box::new(|d| d["records"][0]["type"] = json!("horoscope")), "record"),
        (
            "unknown billing",
            Box::new(|d| {
                let r = d["records"].as_array_mut().unwrap().iter_mut().find(|r| r["type"] == "contract").unwrap();
                r["billing"] = json!("barter");
            }),
            "billing",
        ),
        ("bad business id", Box::new(|d| d["organisations"][0]["business_id"] = json!("1234567-8")), "business ID"),
        ("tombstone of settings", Box::new(|d| d["tombstones"][0]["kind"] = json!("settings")), "settings"),
        ("unknown tombstone reason", Box::new(|d| d["tombstones"][0]["reason"] = json!("vanished")), "tombstone"),
        ("unknown member", Box::new(|d| d["extra"] = json!(1)), "unknown field `extra`"),
        (
            "missing list",
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("people");
            }),
            "missing field `people`",
        ),
        ("other format", Box::new(|d| d["format"] = json!("sidos-backup")), "format"),
        ("version 0", Box::new(|d| d["version"] = json!(0)), "version"),
        ("clock", Box::new(|d| d["clock"] = json!("now")), "clock"),
        (
            "far future",
            Box::new(|d| {
                kati(d)["stamps"]["notes"] = json!("00000fffffffffff-00000000-00000000-0000-0000-0000-0000000000a1")
            }),
            "future",
        ),
        ("notes left out but present", Box::new(|d| d["scope"]["notes"] = json!(false)), "notes"),
        ("dietary left out but present", Box::new(|d| d["scope"]["dietary"] = json!(false)), "dietary"),
        ("records left out but present", Box::new(|d| d["scope"]["relationship"] = json!(false)), "scope"),
        (
            "unknown record kind in scope",
            Box::new(|d| d["scope"]["record_kinds"] = json!(["horoscope"])),
            "record kind",
        ),
        (
            "settings category twice",
            Box::new(|d| {
                let c = d["settings"]["categories"][0].clone();
                d["settings"]["categories"].as_array_mut().unwrap().push(c);
            }),
            "category",
        ),
    ];
    for (what, change, want) in cases {
        let detail = schema_error(change);
        assert!(detail.contains(want), "{what}: {detail:?} does not say {want:?}");
        for private in ["Häkkinen", "Hakkinen", "kati.hakkinen", "Kati", "Soita", "gluteeniton", "+358"] {
            assert!(!detail.contains(private), "{what}: the message shows a personal value: {detail:?}");
        }
    }
    // The detail names the entity by id.
    let detail = schema_error(|d| kati(d)["categories"] = json!(["secret-society"]));
    assert!(detail.contains(&kati_id), "{detail}");
    // Not JSON at all.
    assert!(matches!(document::read(b"\xff\xfe not json", now()), Err(BundleError::Schema(_))));
    // And through the whole bundle: a schema error, nothing else.
    let mut doc = doc.clone();
    doc["records"][0]["person"] = json!(ghost);
    let file = envelope::seal(&to_file(&doc), PASS, FAST, SALT, NONCE).unwrap();
    let e = read_bundle(&file, PASS, now()).unwrap_err();
    assert_eq!(e.message_id(), "schema");
    assert!(e.to_string().starts_with("the bundle's content is not a valid register: record "), "{e}");
}

#[test]
fn a_bad_bundle_changes_nothing() {
    // The host reads the bundle before planning: a refused bundle never
    // reaches the register. Here: a valid import after refused ones still
    // plans from the untouched register.
    let mut r = sample();
    let before = r.reg.people_count();
    let bad = envelope::seal(b"{\"format\":\"sidos-register\",\"version\":1}", PASS, FAST, SALT, NONCE).unwrap();
    assert!(read_bundle(&bad, PASS, now()).is_err());
    assert_eq!(r.reg.people_count(), before);
    let good = read_bundle(&fixture("bundle-v1.json"), &fixture_passphrase(), now()).unwrap();
    let plan = r.import(&good);
    assert!(!plan.is_empty());
    assert_eq!(r.reg.people_count(), before + 2);
}

// ----- size -----

#[test]
fn a_register_of_ten_thousand_people_fits_in_an_email() {
    const GIVEN: [&str; 8] = ["Kati", "Antti", "Åsa", "Mikko", "Liisa", "Pekka", "Sanna", "Juha"];
    const FAMILY: [&str; 8] = ["Häkkinen", "Aho", "Öberg", "Virtanen", "Korhonen", "Nieminen", "Mäkelä", "Laine"];
    const CITIES: [&str; 4] = ["Mikkeli", "Helsinki", "Tampere", "Oulu"];
    let dev = device(0x77);
    let mut people = Vec::new();
    let mut records = Vec::new();
    let mut n: u64 = 0x1234_5678;
    for i in 0..10_000u128 {
        n ^= n << 13;
        n ^= n >> 7;
        n ^= n << 17;
        let stamp = Stamp { millis: 1_790_000_000_000 + (n % 5_000_000_000), counter: (n % 3) as u32, device: dev };
        let given = GIVEN[(n % 8) as usize];
        let family = FAMILY[((n >> 8) % 8) as usize];
        let id = PersonId::new(uuid::Uuid::from_u128(
            0x0190_0000_0000_7000_8000_0000_0000_0000 | i << 20 | (n as u128 & 0xfffff),
        ));
        let person = Person {
            id,
            given_name: given.into(),
            family_name: family.into(),
            emails: vec![sidos::domain::Labeled {
                label: "työ".into(),
                value: format!(
                    "{}.{}{}@yritys{}.example",
                    given.to_lowercase(),
                    family.to_lowercase(),
                    n % 1000,
                    n % 300
                ),
            }],
            phones: vec![sidos::domain::Labeled {
                label: String::new(),
                value: format!("+35840{:07}", n % 10_000_000),
            }],
            addresses: vec![sidos::domain::Address {
                label: String::new(),
                street: format!("Kauppakatu {}", n % 90),
                postal_code: format!("{:05}", n % 99_999),
                city: CITIES[(n % 4) as usize].into(),
                country: String::new(),
            }],
            websites: vec![],
            socials: vec![],
            affiliations: vec![],
            categories: [CategoryKey::new(CategoryKey::BUILT_IN[(n % 6) as usize])].into(),
            tags: Default::default(),
            custom: Default::default(),
            provenance: Provenance { source: Source::ThePerson, detail: String::new(), date: day(2026, 1, 1) },
            notes: if n.is_multiple_of(3) {
                format!("Tavattu messuilla {}, kiinnostunut palvelusta {}.", 2020 + n % 6, n % 17)
            } else {
                String::new()
            },
            restriction: None,
            created: at(0),
            updated: at(0),
            stamps: PersonField::FIXED.iter().cloned().map(|f| (f, stamp)).collect(),
        };
        records.push(Record {
            id: RecordId::new(uuid::Uuid::from_u128(0x0191_0000_0000_7000_8000_0000_0000_0000 | i)),
            person: id,
            org: None,
            kind: RecordKind::Feedback(sidos::domain::record::Feedback {
                date: day(2026, 3, 1 + (n % 27) as u32),
                text: "Hyvä palvelu, nopea vastaus.".into(),
            }),
            created: at(0),
            updated: at(0),
            stamp,
        });
        people.push(person);
    }
    let reg = Register::from_parts(Parts { people, records, ..Parts::default() }, dev, Box::new(FinnishOrder));
    let snapshot = reg.export_snapshot(&ExportScope::everything(), now());
    let plaintext = document::write(&snapshot);
    let file = envelope::seal(&plaintext, PASS, FAST, SALT, NONCE).unwrap();
    assert!(file.len() <= 5_000_000, "{} bytes ({} bytes of JSON)", file.len(), plaintext.len());
    // As the app's export writes it: compressed faster, while it is written.
    let mut deflater = envelope::Deflater::new(envelope::STREAM_LEVEL);
    plaintext.chunks(2 << 20).for_each(|piece| deflater.push(piece));
    let (deflated, len) = deflater.finish();
    let streamed = envelope::seal_deflated(&deflated, len, PASS, FAST, SALT, NONCE).unwrap();
    assert!(streamed.len() <= 5_000_000, "{} bytes as the app writes it", streamed.len());
    let back = read_bundle(&file, PASS, now()).unwrap();
    assert_eq!(back.people.len(), 10_000);
    assert_eq!(back.records.len(), 10_000);
}

// ----- small pieces -----

#[test]
fn file_names_name_the_organisation_and_the_date() {
    let d = day(2026, 11, 22);
    for (org, want) in [
        ("Mipro Oy", "sidos-mipro-oy-2026-11-22.json"),
        ("  Ääkkönen & Co. ", "sidos-aakkonen-co-2026-11-22.json"),
        ("Öljy/Öljy Oy!", "sidos-oljy-oljy-oy-2026-11-22.json"),
        ("", "sidos-register-2026-11-22.json"),
        ("???", "sidos-register-2026-11-22.json"),
    ] {
        assert_eq!(file_name(org, d), want, "{org:?}");
    }
}

#[test]
fn passphrase_strength_is_estimated() {
    let cases = [
        ("", Level::Weak),
        ("salasana", Level::Weak),
        ("aaaaaaaaaaaaaaaaaaaaaaaa", Level::Weak),
        ("123456789012", Level::Weak),
        ("Kissa2026!x", Level::Fair),
        ("kissa kävelee yksin öisin", Level::Strong),
        ("Tr0ub4dor&3-Hevonen-Paristo", Level::Strong),
    ];
    for (p, want) in cases {
        assert_eq!(strength(p).level, want, "{p:?}: {:?}", strength(p));
    }
    assert!(strength("abcd").bits < strength("a9$Q").bits);
    assert_eq!(Level::Fair.key(), "fair");
}

#[test]
fn every_error_has_its_own_message_id() {
    let errors = [
        BundleError::Empty,
        BundleError::TooLarge { size: 2, limit: 1 },
        BundleError::NotABundle,
        BundleError::Truncated,
        BundleError::Damaged,
        BundleError::NewerVersion { what: "file format", found: 2, supported: 1 },
        BundleError::Unsupported("x".into()),
        BundleError::KdfOutOfBounds { param: "t", value: 0, min: 1, max: 10 },
        BundleError::WrongPassphraseOrDamaged,
        BundleError::DamagedPlaintext,
        BundleError::Schema("x".into()),
        BundleError::EmptyPassphrase,
        BundleError::Kdf("x".into()),
    ];
    let ids: std::collections::BTreeSet<&str> = errors.iter().map(BundleError::message_id).collect();
    assert_eq!(ids.len(), errors.len());
    assert!(errors.iter().all(|e| !e.to_string().is_empty()));
}

#[test]
fn disclosures_survive_their_document_form() {
    let d = Disclosure {
        id: DisclosureId::new(uuid::Uuid::from_u128(5)),
        at: at(3),
        by: "Kaisa".into(),
        recipient: "Pitopalvelu".into(),
        purpose: "Tarjoilu".into(),
        scope: "everything".into(),
        people: vec![PersonId::new(uuid::Uuid::from_u128(1))],
    };
    let json = serde_json::to_string(&DisclosureDto::from(&d)).unwrap();
    assert_eq!(Disclosure::from(serde_json::from_str::<DisclosureDto>(&json).unwrap()), d);
}

#[test]
fn an_export_of_a_scope_reads_back_as_that_scope() {
    let r = sample();
    let scope = ExportScope {
        categories: Some([CategoryKey::new("custom-kerho")].into()),
        relationship: true,
        record_kinds: Some(["event".to_owned()].into()),
        dietary: false,
        notes: false,
        custom: false,
    };
    let snapshot: Snapshot = r.export_scoped(&scope);
    let back = document::read(&document::write(&snapshot), now()).unwrap();
    assert_eq!(back, snapshot);
    assert_eq!(back.scope, scope);
    assert!(back.people.iter().all(|p| p.notes.is_empty() && p.custom.is_empty()));
    assert!(back.records.iter().all(|r| matches!(&r.kind, RecordKind::Event(e) if e.dietary.is_none())));
    assert!(back.tombstones.iter().any(|t| matches!(t.entity, EntityRef::Person(_))));
}

// ----- the command-line tool -----

fn tool(args: &[&str], passphrase: Option<&str>, stdin: &str) -> (i32, String, String) {
    let mut cmd = Process::new(env!("CARGO_BIN_EXE_sidos-bundle"));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("SIDOS_PASSPHRASE");
    if let Some(p) = passphrase {
        cmd.env("SIDOS_PASSPHRASE", p);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn the_tool_shows_a_header_without_the_passphrase() {
    let (code, out, _) = tool(&["inspect", "tests/fixtures/bundle-v1.json"], None, "");
    assert_eq!(code, 0);
    assert!(out.contains("sidos-bundle version 1"), "{out}");
    assert!(out.contains("m = 19456 KiB, t = 1, p = 1, salt 16 bytes"), "{out}");
    assert!(out.contains("xchacha20poly1305, nonce 24 bytes"), "{out}");
}

#[test]
fn the_tool_decrypts_to_plain_json() {
    let pass = fixture_passphrase();
    let want = String::from_utf8(fixture("bundle-v1.plaintext.json")).unwrap();
    let (code, out, err) = tool(&["decrypt", "tests/fixtures/bundle-v1.json"], Some(&pass), "");
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, want);
    // The passphrase from standard input.
    let (code, out, _) = tool(&["decrypt", "tests/fixtures/bundle-v1.json"], None, &format!("{pass}\n"));
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), serde_json::from_str::<Value>(&want).unwrap());
}

#[test]
fn the_tool_reports_errors_on_stderr_with_a_failing_exit() {
    let (code, out, err) = tool(&["decrypt", "tests/fixtures/bundle-v1.json"], Some("väärä"), "");
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("check the passphrase with the sender") && err.contains("[wrong_passphrase_or_damaged]"),
        "{err}"
    );
    let (code, _, err) = tool(&["inspect", "tests/fixtures/README.md"], None, "");
    assert_eq!(code, 1);
    assert!(err.contains("not a Sidos bundle"), "{err}");
    let (code, _, err) = tool(&["inspect", "tests/fixtures/no-such-file.json"], None, "");
    assert_eq!(code, 1);
    assert!(err.contains("cannot read"), "{err}");
    let (code, _, err) = tool(&["frobnicate"], None, "");
    assert_eq!(code, 2);
    assert!(err.contains("usage:"), "{err}");
}

#[test]
fn the_tool_encrypts_the_test_vector_byte_for_byte() {
    let out_path = std::env::temp_dir().join(format!("sidos-bundle-test-{}.json", std::process::id()));
    let out = out_path.to_str().unwrap();
    let (code, _, err) = tool(
        &[
            "encrypt",
            "tests/fixtures/bundle-v1-doc2.plaintext.json",
            "--out",
            out,
            "--m-kib",
            "19456",
            "--t",
            "1",
            "--salt",
            "000102030405060708090a0b0c0d0e0f",
            "--nonce",
            "101112131415161718191a1b1c1d1e1f2021222324252627",
        ],
        Some(&fixture_passphrase()),
        "",
    );
    assert_eq!((code, err.as_str()), (0, ""));
    let written = std::fs::read(&out_path).unwrap();
    let _ = std::fs::remove_file(&out_path);
    assert!(written == fixture("bundle-v1-doc2.json"));
    // Random salt and nonce otherwise: two files differ, both open.
    let (code, a, _) =
        tool(&["encrypt", "tests/fixtures/bundle-v1.plaintext.json", "--m-kib", "19456", "--t", "1"], Some(PASS), "");
    let (_, b, _) =
        tool(&["encrypt", "tests/fixtures/bundle-v1.plaintext.json", "--m-kib", "19456", "--t", "1"], Some(PASS), "");
    assert_eq!(code, 0);
    assert_ne!(a, b);
    assert_eq!(envelope::open(a.as_bytes(), PASS).unwrap().plaintext, fixture("bundle-v1.plaintext.json"));
    // Only a valid register document is encrypted.
    let (code, _, err) = tool(&["encrypt", "tests/fixtures/README.md"], Some(PASS), "");
    assert_eq!(code, 1);
    assert!(err.contains("[schema]"), "{err}");
}

#[test]
fn a_header_is_read_without_the_passphrase() {
    let (file, _) = small_bundle();
    let header: Header = inspect(&file).unwrap();
    assert_eq!(header.kdf, FAST);
    assert_eq!(header.salt, SALT.to_vec());
    assert_eq!(header.nonce, NONCE);
    assert_eq!(header.file_len, file.len());
    assert_eq!(header.ciphertext_len, B64.decode(envelope_json(&file)["ciphertext"].as_str().unwrap()).unwrap().len());
}

#[test]
fn a_document_the_host_compressed_seals_and_opens_like_any_other() {
    let plaintext = br#"{"format":"sidos-register","version":2,"people":[]}"#.repeat(50);
    // Any raw DEFLATE stream will do; a browser's differs from ours.
    let deflated = miniz_oxide::deflate::compress_to_vec(&plaintext, 1);
    let file = envelope::seal_deflated(&deflated, plaintext.len(), PASS, FAST, SALT, NONCE).unwrap();
    assert_eq!(envelope::open(&file, PASS).unwrap().plaintext, plaintext);
    assert!(matches!(
        envelope::seal_deflated(&deflated, 300 * 1024 * 1024, PASS, FAST, SALT, NONCE),
        Err(BundleError::TooLarge { .. })
    ));
    assert_eq!(
        envelope::seal_deflated(&deflated, plaintext.len(), "", FAST, SALT, NONCE),
        Err(BundleError::EmptyPassphrase)
    );
}

#[test]
fn a_bundle_decrypted_first_and_decompressed_by_the_host_opens_the_same() {
    let plaintext = br#"{"format":"sidos-register","version":2,"people":[]}"#.repeat(50);
    let file = envelope::seal(&plaintext, PASS, FAST, SALT, NONCE).unwrap();
    let decrypted = envelope::unlock(&file, PASS).unwrap().decrypt().unwrap();
    let by_host = miniz_oxide::inflate::decompress_to_vec(decrypted.compressed()).unwrap();
    assert_eq!(decrypted.inflated(by_host).unwrap().plaintext, plaintext);
    let decrypted = envelope::unlock(&file, PASS).unwrap().decrypt().unwrap();
    assert_eq!(decrypted.inflate().unwrap().plaintext, plaintext);
    assert_eq!(envelope::unlock(&file, "väärä").unwrap().decrypt().err(), Some(BundleError::WrongPassphraseOrDamaged));
}

#[test]
fn a_key_derived_before_the_document_is_ready_seals_the_same_file() {
    let plaintext = br#"{"format":"sidos-register","version":2,"people":[]}"#.repeat(50);
    let deflated = miniz_oxide::deflate::compress_to_vec(&plaintext, 6);
    let sealer = envelope::Sealer::new(PASS, FAST, SALT, NONCE).unwrap();
    let file = sealer.seal_deflated(&deflated, plaintext.len()).unwrap();
    assert_eq!(file, envelope::seal_deflated(&deflated, plaintext.len(), PASS, FAST, SALT, NONCE).unwrap());
    assert_eq!(envelope::open(&file, PASS).unwrap().plaintext, plaintext);
    // Bad input is refused before any key is derived, or once the size is known.
    assert_eq!(envelope::Sealer::new("", FAST, SALT, NONCE).err(), Some(BundleError::EmptyPassphrase));
    let huge = KdfParams { m_kib: 4 * 1024 * 1024, ..FAST };
    assert!(matches!(envelope::Sealer::new(PASS, huge, SALT, NONCE), Err(BundleError::KdfOutOfBounds { .. })));
    let sealer = envelope::Sealer::new(PASS, FAST, SALT, NONCE).unwrap();
    assert!(matches!(sealer.seal_deflated(&deflated, 300 * 1024 * 1024), Err(BundleError::TooLarge { .. })));
}

#[test]
fn a_document_compressed_piece_by_piece_is_compressed_as_a_whole() {
    let plaintext: Vec<u8> = (0..300_000u32)
        .flat_map(|i| format!("{{\"n\":{},\"t\":\"{}\"}},", i % 977, i * 7919 % 1013).into_bytes())
        .collect();
    for (level, piece) in [(envelope::STREAM_LEVEL, 2 << 20), (envelope::STREAM_LEVEL, 1), (6, 65_536), (1, 7)] {
        let mut deflater = envelope::Deflater::new(level);
        plaintext.chunks(piece).take(if piece < 10 { 1000 } else { usize::MAX }).for_each(|p| deflater.push(p));
        let whole = if piece < 10 { &plaintext[..1000 * piece] } else { &plaintext[..] };
        let (deflated, len) = deflater.finish();
        assert_eq!(len, whole.len());
        assert!(deflated == miniz_oxide::deflate::compress_to_vec(whole, level), "level {level}, pieces of {piece}");
    }
    // Nothing at all is a valid, empty stream; and a streamed document seals and opens.
    let (empty, len) = envelope::Deflater::new(envelope::STREAM_LEVEL).finish();
    assert_eq!((miniz_oxide::inflate::decompress_to_vec(&empty).unwrap(), len), (vec![], 0));
    let mut deflater = envelope::Deflater::new(envelope::STREAM_LEVEL);
    deflater.push(&plaintext);
    let (deflated, len) = deflater.finish();
    assert!(deflated.len() < plaintext.len() / 4);
    let file = envelope::Sealer::new(PASS, FAST, SALT, NONCE).unwrap().seal_deflated(&deflated, len).unwrap();
    assert!(envelope::open(&file, PASS).unwrap().plaintext == plaintext);
}
