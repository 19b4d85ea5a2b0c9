//! CSV and vCard: writing lists (escaping, formula injection, encoding),
//! reading real-world exports (Outlook, Google, a Finnish Excel register,
//! phones' vCards), bad input, and importing contacts all or nothing.

use std::collections::BTreeMap;

use sidos::bundle::csv::{
    self, auto_map, decode, detect_separator, export_people, neutralise, split_records, write_table, Column, CsvExport,
    Encoding, FileError, LabelTexts, Preset, Separator, Target,
};
use sidos::bundle::vcard::{self, VcardOptions};
use sidos::domain::testing::day;
use sidos::domain::{
    Address, CategoryKey, Channel, Command, CommandError, ConsentState, ContactsImport, Decision, FieldError,
    ImportOptions, ImportRow, MatchReason, Person, PersonDraft, Problem, Purpose, RowIssue, RowStatus, Settings,
    Social, Source,
};

use crate::commands::{at_org, person, with_email, with_phone, World};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/contacts/{name}", env!("CARGO_MANIFEST_DIR"))).expect("a fixture")
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| (*s).to_owned()).collect()
}

// ----- export -----

#[test]
fn cells_that_a_spreadsheet_would_run_are_neutralised() {
    let check = |input: &str, want: &str| assert_eq!(neutralise(input), want, "{input:?}");
    check("=SUM(A1:A9)", "'=SUM(A1:A9)");
    check("+358401234567", "'+358401234567");
    check("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0");
    check("@SUM(1)", "'@SUM(1)");
    check("\t=1", "'\t=1");
    check("\r=1", "'\r=1");
    check("Häkkinen", "Häkkinen");
    check("a=b", "a=b");
    check("", "");
    check(" =1", " =1");
}

#[test]
fn a_table_is_utf8_with_a_bom_crlf_and_rfc4180_quoting() {
    let header = strings(&["Nimi", "Huom"]);
    let rows = vec![
        strings(&["Häkkinen; Kati", "sanoi \"kyllä\""]),
        strings(&["Öberg", "rivi 1\nrivi 2"]),
        strings(&["=HYPERLINK(\"http://x\")", ""]),
    ];
    let bytes = write_table(&header, &rows, Separator::Semicolon);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert_eq!(
        text,
        "Nimi;Huom\r\n\"Häkkinen; Kati\";\"sanoi \"\"kyllä\"\"\"\r\nÖberg;\"rivi 1\nrivi 2\"\r\n\"'=HYPERLINK(\"\"http://x\"\")\";\r\n"
    );
    let comma = write_table(&header, &rows, Separator::Comma);
    assert!(std::str::from_utf8(&comma[3..]).unwrap().starts_with("Nimi,Huom\r\nHäkkinen; Kati,\"sanoi"));
    let tab = write_table(&header, &rows, Separator::Tab);
    assert!(std::str::from_utf8(&tab[3..]).unwrap().starts_with("Nimi\tHuom\r\nHäkkinen; Kati\t"));
}

#[test]
fn an_exported_list_reads_back_the_same() {
    let mut w = World::new();
    let mut d = with_phone(
        with_email(at_org(person("Kati", "Häkkinen"), "Mipro Oy", "DPO; tietosuoja"), "kati@mipro.fi"),
        "040 123 4567",
    );
    d.addresses.push(Address {
        label: String::new(),
        street: "Kunnanmäki 9".into(),
        postal_code: "50600".into(),
        city: "Mikkeli".into(),
        country: String::new(),
    });
    d.notes = "=cmd|' /C calc'!A0\nrivi kaksi".into();
    d.categories.insert(CategoryKey::new(CategoryKey::CUSTOMER));
    let kati = w.add(d);
    let bo = w.add(person("Bo", "Öberg"));
    let export = CsvExport {
        columns: vec![
            (Column::GivenName, "Etunimi".into()),
            (Column::FamilyName, "Sukunimi".into()),
            (Column::Email, "Sähköposti".into()),
            (Column::Phone, "Puhelin".into()),
            (Column::Organisation, "Organisaatio".into()),
            (Column::Role, "Tehtävä".into()),
            (Column::Address, "Osoite".into()),
            (Column::Categories, "Ryhmät".into()),
            (Column::Notes, "Lisätiedot".into()),
        ],
        separator: Separator::Semicolon,
        category_names: BTreeMap::from([(CategoryKey::new(CategoryKey::CUSTOMER), "Asiakkaat".to_owned())]),
    };
    let bytes = export_people(&w.reg, &[kati, bo], &export);
    let file = csv::read(&bytes).unwrap();
    assert_eq!((file.encoding, file.separator), (Encoding::Utf8Bom, Separator::Semicolon));
    assert_eq!(file.headers[0], "Etunimi", "the byte order mark is not part of the header");
    assert_eq!(file.records.len(), 2);
    assert_eq!(
        file.records[0].cells,
        strings(&[
            "Kati",
            "Häkkinen",
            "kati@mipro.fi",
            "'+358401234567",
            "Mipro Oy",
            "DPO; tietosuoja",
            "Kunnanmäki 9, 50600 Mikkeli",
            "Asiakkaat",
            "'=cmd|' /C calc'!A0\nrivi kaksi",
        ])
    );
    assert_eq!(file.records[1].cells[..2], strings(&["Bo", "Öberg"])[..]);
}

// ----- decoding -----

#[test]
fn encodings_are_detected() {
    let d = decode("Etunimi;Sukunimi\nÄänekoski;Öberg\n".as_bytes()).unwrap();
    assert_eq!(d.encoding, Encoding::Utf8);
    let d = decode(b"\xEF\xBB\xBFNimi\r\n\xC3\xA4\r\n").unwrap();
    assert_eq!((d.encoding, d.text.as_str()), (Encoding::Utf8Bom, "Nimi\r\nä\r\n"));
    // Windows-1252: the upper half is Latin-1, 0x80–0x9F its own.
    let d = decode(b"Nimi;Hinta\nJ\xF6rgen \x96 \x93Jokke\x94;100 \x80\n").unwrap();
    assert_eq!(d.encoding, Encoding::Windows1252);
    assert_eq!(d.text, "Nimi;Hinta\nJörgen – “Jokke”;100 €\n");
    assert_eq!(csv::windows_1252(&(0x80..=0x9F).collect::<Vec<u8>>()).chars().count(), 32);
    assert_eq!(csv::windows_1252(b"\x8A\x9A\x8E\x9E\x9F\xC5\xFF"), "ŠšŽžŸÅÿ");
    // UTF-16 with a byte order mark (Excel's "Unicode text").
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("Nimi\tMaa\r\nÅsa\tSverige\r\n".encode_utf16().flat_map(u16::to_le_bytes));
    let d = decode(&utf16).unwrap();
    assert_eq!((d.encoding, d.text.as_str()), (Encoding::Utf16Le, "Nimi\tMaa\r\nÅsa\tSverige\r\n"));
}

#[test]
fn a_file_of_two_encodings_keeps_its_utf8_lines_and_flags_the_others() {
    let mut bytes = "Etunimi;Sukunimi\nÄiti;Öberg\n".as_bytes().to_vec();
    bytes.extend(b"J\xF6rgen;S\xF6derstr\xF6m\n");
    bytes.extend("Åke;Ärrä\n".as_bytes());
    let d = decode(&bytes).unwrap();
    assert_eq!(d.encoding, Encoding::Mixed);
    assert_eq!(d.text, "Etunimi;Sukunimi\nÄiti;Öberg\nJörgen;Söderström\nÅke;Ärrä\n");
    assert_eq!(d.guessed_lines.iter().copied().collect::<Vec<_>>(), [3]);
    let file = csv::read(&bytes).unwrap();
    let rows = file.all_rows(&auto_map(&file.headers, &Settings::default()), &LabelTexts::default());
    let flagged: Vec<usize> =
        rows.iter().filter(|r| r.issues.contains(&RowIssue::EncodingGuessed)).map(|r| r.line).collect();
    assert_eq!(flagged, [3]);
    assert!(rows.iter().all(|r| !r.unreadable()), "a guess is a warning, not an error");
}

#[test]
fn bad_files_get_a_clear_message() {
    let check = |bytes: &[u8], want: FileError| {
        assert_eq!(csv::read(bytes).unwrap_err(), want, "{:?}", &bytes[..bytes.len().min(8)])
    };
    check(b"", FileError::Empty);
    check(b"\xEF\xBB\xBF \r\n\r\n", FileError::Empty);
    check(b"Etunimi;Sukunimi;Sahkoposti\r\n", FileError::NoRows);
    check(b"Etunimi;Sukunimi\r\n;\r\n ; \r\n", FileError::NoRows);
    check(b"PK\x03\x04\x14\x00\x06\x00rest of an xlsx", FileError::Spreadsheet);
    check(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], FileError::Spreadsheet);
    check(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", FileError::Binary);
    let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    check(&noise, FileError::Binary);
    assert_eq!(
        vcard::read(b"Etunimi;Sukunimi\r\nAnna;Aho\r\n", &LabelTexts::default()).unwrap_err(),
        FileError::NoCards
    );
    assert_eq!(FileError::Spreadsheet.id(), "spreadsheet");
}

#[test]
fn the_separator_is_detected_from_the_first_lines() {
    let check = |text: &str, want: Separator| assert_eq!(detect_separator(text).0, want, "{text:?}");
    check("a;b;c\n1;2;3\n", Separator::Semicolon);
    check("a,b,c\n1,2,3\n", Separator::Comma);
    check("a\tb\tc\n1\t2\t3\n", Separator::Tab);
    // Commas inside the values of a semicolon file.
    check("Nimi;Osoite;Huom\nAho;\"Katu 1, as. 2\";a, b, c\nBerg;Tie 3;x\n", Separator::Semicolon);
    // Semicolons inside quotes of a comma file.
    check("Name,Notes\n\"Aho\",\"a;b;c;d\"\n\"Berg\",\"e;f;g\"\n", Separator::Comma);
    check("Etunimi;Sukunimi\n", Separator::Semicolon);
    assert_eq!(detect_separator("sep=,\na;b,c\n"), (Separator::Comma, true));
    let file = csv::read(b"sep=;\r\nEtunimi;Sukunimi\r\nAnna;Aho\r\n").unwrap();
    assert_eq!((file.headers.len(), file.records[0].line), (2, 3));
}

#[test]
fn records_split_with_quotes_line_breaks_and_a_quote_never_closed() {
    let text = "a;b;c\n\"x;y\";\"multi\nline\";\"say \"\"hi\"\"\"\n;;\n\"broken;1;2\nnext;3;4\n";
    let records = split_records(text, ';');
    let lines: Vec<usize> = records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [1, 2, 5, 6], "the blank record on line 4 is dropped");
    assert_eq!(records[1].cells, strings(&["x;y", "multi\nline", "say \"hi\""]));
    assert!(records[2].broken);
    assert_eq!(records[2].cells, strings(&["\"broken", "1", "2"]));
    assert_eq!((records[3].cells.clone(), records[3].broken), (strings(&["next", "3", "4"]), false));
    // A quote in the middle of a cell is text; CRLF and a missing last line end.
    let records = split_records("Aho \"Masa\";2\r\nBerg;3", ';');
    assert_eq!(records[0].cells, strings(&["Aho \"Masa\"", "2"]));
    assert_eq!((records[1].line, records[1].cells.clone()), (2, strings(&["Berg", "3"])));
}

// ----- real-world files -----

fn world_with_liisa() -> World {
    let mut w = World::new();
    w.add(at_org(with_email(person("Liisa", "Korhonen"), "liisa.korhonen@mipro.example"), "Mipro Oy", "Talous"));
    w
}

fn options() -> ImportOptions {
    ImportOptions {
        detail: "outlook.csv".into(),
        categories: [CategoryKey::new(CategoryKey::CUSTOMER)].into(),
        ..ImportOptions::default()
    }
}

fn read_csv(name: &str, settings: &Settings) -> (csv::CsvFile, Vec<ImportRow>) {
    let file = csv::read(&fixture(name)).unwrap();
    let targets = auto_map(&file.headers, settings);
    let rows = file.all_rows(&targets, &LabelTexts::default());
    (file, rows)
}

fn labeled(list: &[sidos::domain::LabeledDraft]) -> Vec<(String, String)> {
    list.iter().map(|l| (l.label.clone(), l.value.clone())).collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[test]
fn an_outlook_export_is_mapped_by_its_header() {
    let (file, rows) = read_csv("outlook.csv", &Settings::default());
    assert_eq!((file.encoding, file.separator, file.preset()), (Encoding::Utf8Bom, Separator::Comma, Preset::Outlook));
    assert_eq!(file.headers.len(), 92);
    let targets = auto_map(&file.headers, &Settings::default());
    let target = |h: &str| targets[file.headers.iter().position(|x| x == h).unwrap()].clone();
    assert_eq!(target("Title"), Target::Ignore, "a name prefix, not the job title");
    assert_eq!(target("Job Title"), Target::Role);
    assert_eq!(target("E-mail Type"), Target::Ignore, "SMTP is no label");
    assert_eq!(target("E-mail 2 Type"), Target::Ignore);
    assert!(matches!(target("E-mail 2 Address"), Target::Email { .. }));
    assert!(matches!(target("Business Fax"), Target::Ignore));
    assert!(matches!(target("Business Country/Region"), Target::Address { part: csv::AddressPart::Country, .. }));
    assert!(matches!(target("Business State"), Target::Address { part: csv::AddressPart::Region, .. }));

    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 4, 5, 6, 7, 8], "Kati's note spans two lines");
    let kati = &rows[0].draft;
    assert_eq!((kati.given_name.as_str(), kati.family_name.as_str()), ("Kati", "Häkkinen"));
    assert_eq!(labeled(&kati.phones), pairs(&[("work", "015 321 7000"), ("mobile", "040 123 4567")]));
    assert_eq!(labeled(&kati.emails), pairs(&[("", "kati.hakkinen@mipro.example")]));
    assert_eq!(
        kati.addresses,
        [Address {
            label: "work".into(),
            street: "Kunnanmäki 9".into(),
            postal_code: "50600".into(),
            city: "Mikkeli".into(),
            country: "Suomi".into()
        }]
    );
    assert_eq!(kati.tags, ["Asiakkaat", "Messut 2025"]);
    assert_eq!(kati.notes, "Tapasimme Mikkelin messuilla.\nHaluaa tarjouksen keväällä.");
    assert_eq!(kati.websites, ["www.mipro.example"]);
    assert_eq!(kati.affiliations[0].role, "Tietosuojavastaava");
    let matti = &rows[1].draft;
    assert_eq!(matti.given_name, "Matti Juhani");
    assert_eq!(matti.emails.len(), 2);
    assert_eq!(matti.addresses[0].label, "home");
    assert_eq!(matti.affiliations[0].role, "Myyntipäällikkö, Yritysmyynti");
    assert!(rows.iter().all(|r| r.issues.is_empty()), "{:?}", rows.iter().map(|r| &r.issues).collect::<Vec<_>>());
}

#[test]
fn the_preview_checks_rows_like_the_form_and_finds_duplicates() {
    let w = world_with_liisa();
    let (_, rows) = read_csv("outlook.csv", w.reg.settings());
    let preview = w.reg.preview_contacts_import(&rows, &options(), day(2026, 11, 22));
    let status: Vec<&str> = preview.rows.iter().map(|r| r.status.id()).collect();
    assert_eq!(status, ["new", "new", "new", "invalid", "invalid", "duplicate"]);
    assert_eq!(preview.rows[3].status, RowStatus::Invalid(vec![FieldError::new("family_name", Problem::NameRequired)]));
    assert_eq!(preview.rows[4].status, RowStatus::Invalid(vec![FieldError::new("emails.0", Problem::EmailInvalid)]));
    let liisa = w.reg.people().next().unwrap().id;
    match &preview.rows[5].status {
        RowStatus::Duplicate { of, reasons, others } => {
            assert_eq!(
                (*of, reasons.as_slice(), others.len()),
                (liisa, [MatchReason::Email, MatchReason::NameAndOrg].as_slice(), 0)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        preview.suggestions(),
        [Decision::Add, Decision::Add, Decision::Add, Decision::Skip, Decision::Skip, Decision::Merge(liisa)]
    );
    assert_eq!(preview.counts()["new"], 3);
}

#[test]
fn an_import_is_one_plan_with_provenance_and_category_or_nothing() {
    let mut w = world_with_liisa();
    let liisa = w.reg.people().next().unwrap().id;
    let (_, rows) = read_csv("outlook.csv", w.reg.settings());
    let preview = w.reg.preview_contacts_import(&rows, &options(), day(2026, 11, 22));

    // Adding an invalid row refuses the whole import.
    let mut decisions = preview.suggestions();
    decisions[4] = Decision::Add;
    let refused = w.plan(Command::ImportContacts(ContactsImport { rows: rows.clone(), decisions, options: options() }));
    assert_eq!(refused, Err(CommandError::Invalid(vec![FieldError::new("rows.4.emails.0", Problem::EmailInvalid)])));
    assert_eq!(w.reg.people_count(), 1, "nothing half-written");

    let plan =
        w.run(Command::ImportContacts(ContactsImport { rows, decisions: preview.suggestions(), options: options() }));
    assert_eq!(plan.affected, 4);
    assert_eq!(w.reg.people_count(), 4);
    assert_eq!(w.reg.org_count(), 3, "Mipro Oy is found, MPY Palvelut Oyj and Nordic Event AB created once");
    let kati = w.reg.people().find(|p| p.family_name == "Häkkinen").unwrap();
    assert_eq!((kati.provenance.source, kati.provenance.detail.as_str()), (Source::Import, "outlook.csv"));
    assert_eq!(kati.provenance.date, day(2026, 11, 22));
    assert!(kati.categories.contains(&CategoryKey::new(CategoryKey::CUSTOMER)));
    assert_eq!(kati.phones[0].value, "+358153217000");
    assert_eq!(kati.websites, ["https://www.mipro.example"]);
    assert_eq!(w.reg.members(kati.affiliations[0].org).len(), 2, "with Liisa at Mipro Oy");
    assert!(w.reg.consent_entries().next().is_none(), "the file states no consents");
    // Liisa merged: her name and provenance kept, the new phone and the category added.
    let merged = w.reg.person(liisa).unwrap();
    assert_eq!(merged.given_name, "Liisa");
    assert_eq!(merged.provenance.source, Source::ThePerson);
    assert_eq!(merged.phones[0].value, "+358405551234");
    assert_eq!(merged.emails.len(), 1, "the same address in other case is not added again");
    assert!(merged.categories.contains(&CategoryKey::new(CategoryKey::CUSTOMER)));
    // Importing the same file again finds everyone.
    let (_, rows) = read_csv("outlook.csv", w.reg.settings());
    let again = w.reg.preview_contacts_import(&rows, &options(), day(2026, 11, 22));
    assert_eq!(again.counts().get("new"), None);
    let plan =
        w.run(Command::ImportContacts(ContactsImport { rows, decisions: again.suggestions(), options: options() }));
    assert!(plan.is_empty(), "merging what is already there changes nothing");
}

#[test]
fn a_google_export_reads_numbered_columns_and_labels() {
    let (file, rows) = read_csv("google.csv", &Settings::default());
    assert_eq!((file.encoding, file.separator, file.preset()), (Encoding::Utf8, Separator::Comma, Preset::Google));
    assert_eq!(rows.len(), 4);
    let antti = &rows[0].draft;
    assert_eq!((antti.given_name.as_str(), antti.family_name.as_str()), ("Antti", "Aho"));
    assert_eq!(labeled(&antti.emails), pairs(&[("work", "antti.aho@savonsellu.example")]));
    assert_eq!(labeled(&antti.phones), pairs(&[("mobile", "+358 40 111 2233"), ("work", "017 555 0100")]));
    assert_eq!(
        antti.addresses,
        [Address {
            label: "work".into(),
            street: "Teollisuuskatu 3".into(),
            postal_code: "70620".into(),
            city: "Kuopio".into(),
            country: "FI".into()
        }]
    );
    assert_eq!(antti.tags, ["Huoltokontaktit"], "Google's own groups are left out");
    assert_eq!(antti.affiliations[0].role, "Kunnossapitopäällikkö");
    assert_eq!(antti.websites, ["https://www.savonsellu.example"]);
    let johanna = &rows[1].draft;
    assert_eq!(
        labeled(&johanna.emails),
        pairs(&[("home", "johanna.makela@posti.example"), ("home", "jmakela@tyo.example")])
    );
    assert_eq!(johanna.tags, ["Koulutukset 2025"]);
    let labels =
        LabelTexts { work: "työ".into(), home: "koti".into(), mobile: "matkapuhelin".into(), other: "muu".into() };
    let finnish = file.rows(0..1, &auto_map(&file.headers, &Settings::default()), &labels);
    assert_eq!(finnish[0].draft.phones[0].label, "matkapuhelin", "labels in the user's language");
    let w = World::new();
    let preview = w.reg.preview_contacts_import(&rows, &ImportOptions::default(), day(2026, 11, 22));
    assert_eq!(preview.rows.iter().map(|r| r.status.id()).collect::<Vec<_>>(), ["new", "new", "new", "invalid"]);
}

#[test]
fn a_finnish_excel_register_in_windows_1252_with_problems_in_some_rows() {
    let (file, rows) = read_csv("excel-fi.csv", &Settings::default());
    assert_eq!(
        (file.encoding, file.separator, file.preset()),
        (Encoding::Windows1252, Separator::Semicolon, Preset::Other)
    );
    assert_eq!(file.headers[3], "Tehtävä");
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 5, 6, 7, 8], "the empty row 4 is skipped");
    let paivi = &rows[0].draft;
    assert_eq!((paivi.given_name.as_str(), paivi.family_name.as_str()), ("Päivi", "Räsänen"));
    assert_eq!(paivi.affiliations[0].org, sidos::domain::OrgChoice::New("Etelä-Savon Yrittäjät ry".into()));
    assert_eq!(paivi.addresses[0].city, "Mikkeli");
    assert!(rows[0].consents.is_empty());
    // The prohibition column: X and "kyllä" refuse marketing.
    let refused: Vec<Purpose> = rows[1]
        .consents
        .iter()
        .map(|(p, s)| {
            assert_eq!(*s, ConsentState::Refused);
            *p
        })
        .collect();
    assert_eq!(
        refused,
        [
            Purpose::DirectMarketing(Channel::Email),
            Purpose::DirectMarketing(Channel::Phone),
            Purpose::DirectMarketing(Channel::Post),
            Purpose::DirectMarketing(Channel::Sms),
            Purpose::PartnerDisclosure,
        ]
    );
    assert_eq!(rows[4].draft.family_name, "Tamm");
    assert_eq!(rows[4].consents.len(), 5);
    let eero = &rows[2].draft;
    assert_eq!(eero.addresses[0].street, "Rantatie 7, as. 2");
    assert_eq!(eero.notes, "Puhelinnumero \"vaihtuu\" keväällä");
    // Tiina's quote is never closed: her row is reported, the rest read.
    assert_eq!(rows[3].issues, [RowIssue::BrokenQuoting]);
    assert!(rows[3].unreadable());
    assert_eq!(
        rows[5].issues,
        [RowIssue::Value { column: "Suoramarkkinointikielto".into(), problem: Problem::YesNoInvalid }]
    );

    let mut w = World::new();
    let preview = w.reg.preview_contacts_import(&rows, &ImportOptions::default(), day(2026, 11, 22));
    assert_eq!(
        preview.rows.iter().map(|r| r.status.id()).collect::<Vec<_>>(),
        ["new", "new", "new", "unreadable", "new", "unreadable"]
    );
    let plan = w.run(Command::ImportContacts(ContactsImport {
        rows,
        decisions: preview.suggestions(),
        options: ImportOptions::default(),
    }));
    assert_eq!(plan.affected, 4);
    let register: Vec<String> =
        w.reg.prohibition_register().iter().map(|(id, _)| w.reg.person(*id).unwrap().family_name.clone()).collect();
    assert_eq!(register, ["Söderström", "Tamm"]);
    let e = w.reg.consents_of(w.reg.prohibition_register()[0].0)[0];
    assert_eq!(e.source, sidos::domain::ConsentSource::Imported);
}

#[test]
fn consents_stated_in_a_file_need_their_wording() {
    let mut w = World::new();
    let row = ImportRow {
        line: 2,
        draft: person("Anna", "Aho"),
        consents: vec![(Purpose::DirectMarketing(Channel::Email), ConsentState::Given)],
        issues: vec![],
    };
    let import = |wording: &str| {
        Command::ImportContacts(ContactsImport {
            rows: vec![row.clone()],
            decisions: vec![Decision::Add],
            options: ImportOptions {
                consent_wording: wording.into(),
                consent_date: "1.3.2025".into(),
                ..ImportOptions::default()
            },
        })
    };
    assert_eq!(
        w.plan(import("")),
        Err(CommandError::Invalid(vec![FieldError::new("consent_wording", Problem::Required)]))
    );
    w.run(import("Saa lähettää tarjouksia sähköpostilla (lomake 2025)"));
    let anna = w.reg.people().next().unwrap().id;
    let e = w.reg.consent(anna, &Purpose::DirectMarketing(Channel::Email)).entry.unwrap().clone();
    assert_eq!(
        (e.state, e.date, e.source),
        (ConsentState::Given, day(2025, 3, 1), sidos::domain::ConsentSource::Imported)
    );
    // The decisions must match the rows.
    let mismatch = Command::ImportContacts(ContactsImport {
        rows: vec![row],
        decisions: vec![],
        options: ImportOptions::default(),
    });
    assert!(matches!(w.plan(mismatch), Err(CommandError::Invalid(_))));
}

#[test]
fn a_hundred_thousand_rows_are_read_previewed_and_planned_in_linear_time() {
    let mut text = String::from("Etunimi;Sukunimi;Sähköposti;Puhelin;Yritys\r\n");
    for n in 0..100_000 {
        let given = ["Anna", "Bertta", "Cecilia", "Daniel", "Eino"][n % 5];
        text.push_str(&format!("{given};Henkilö {n};h{n}@example.fi;040 {:07};Yritys {}\r\n", n, n % 500));
        if n % 10_000 == 0 {
            text.push_str(";;;;\r\n");
        }
    }
    // A duplicate of the first row at the end.
    text.push_str("Anna;Henkilö 0;H0@example.fi;;\r\n");
    let started = std::time::Instant::now();
    let file = csv::read(text.as_bytes()).unwrap();
    let rows = file.all_rows(&auto_map(&file.headers, &Settings::default()), &LabelTexts::default());
    assert_eq!(rows.len(), 100_001);
    let mut w = World::new();
    let preview = w.reg.preview_contacts_import(&rows, &ImportOptions::default(), day(2026, 11, 22));
    assert_eq!(preview.counts()["new"], 100_000);
    assert_eq!(preview.rows[100_000].status, RowStatus::InFile { row: 0, reasons: vec![MatchReason::Email] });
    let plan = w
        .plan(Command::ImportContacts(ContactsImport {
            rows,
            decisions: preview.suggestions(),
            options: ImportOptions::default(),
        }))
        .unwrap();
    w.reg.apply(plan.changes);
    assert_eq!((w.reg.people_count(), w.reg.org_count()), (100_000, 500));
    assert_eq!(w.reg.search(&sidos::domain::Filter::text("henkilö 99999")).len(), 1, "the search index knows everyone");
    assert_eq!(w.reg.people_in_order().len(), 100_000);
    // Generous even for a debug build; quadratic work would take hours.
    assert!(started.elapsed().as_secs() < 120, "{:?}", started.elapsed());
}

// ----- vCard -----

#[test]
fn vcards_from_phones_are_read_with_folding_groups_and_quoted_printable() {
    let rows = vcard::read(&fixture("contacts.vcf"), &LabelTexts::default()).unwrap();
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 21, 35, 43]);
    let m = &rows[0].draft;
    assert_eq!((m.given_name.as_str(), m.family_name.as_str()), ("Marjatta", "Lehtonen"));
    assert_eq!(m.affiliations[0].org, sidos::domain::OrgChoice::New("Lehtonen & Kumpp. Ky".into()));
    assert_eq!(m.affiliations[0].role, "Osakas");
    assert_eq!(labeled(&m.emails), pairs(&[("work", "marjatta@lehtonen.example")]));
    assert_eq!(labeled(&m.phones), pairs(&[("mobile", "+358 40 765 1122"), ("other", "09 876 5432")]));
    assert_eq!(m.addresses[0].street, "Aleksanterinkatu 21 A, Toimisto 4");
    assert_eq!((m.addresses[0].label.as_str(), m.addresses[0].postal_code.as_str()), ("work", "00100"));
    assert_eq!(m.notes, "Pitkä muistiinpano, joka on jaettu usealle riville koska se on pidempi kuin seitsemänkymmentäviisi tavua; ja jatkuu.");
    assert_eq!(
        m.socials,
        [Social { service: "linkedin".into(), handle: "https://www.linkedin.com/in/marjattalehtonen".into() }]
    );
    assert!(rows[0].issues.is_empty());
    let jp = &rows[1].draft;
    assert_eq!(jp.given_name, "Juha-Pekka");
    assert_eq!(jp.affiliations[0].role, "Vuoropäällikkö");
    assert_eq!(labeled(&jp.phones), pairs(&[("mobile", "+358-44-123-9876")]));
    assert_eq!((jp.addresses[0].label.as_str(), jp.addresses[0].city.as_str()), ("home", "Kuopio"));
    assert_eq!(jp.tags, ["Huolto", "Asiakkaat"]);
    let bjorn = &rows[2].draft;
    assert_eq!((bjorn.given_name.as_str(), bjorn.family_name.as_str()), ("Björn", "Österberg"));
    assert_eq!(bjorn.notes, "Tapasimme Kärkässä ja hän lupasi soittaa.");
    assert_eq!(labeled(&bjorn.phones), pairs(&[("mobile", "0401231231")]));
    assert_eq!(rows[3].issues, [RowIssue::Malformed], "a card never ended");

    let w = World::new();
    let preview = w.reg.preview_contacts_import(&rows, &ImportOptions::default(), day(2026, 11, 22));
    assert_eq!(preview.rows.iter().map(|r| r.status.id()).collect::<Vec<_>>(), ["new", "new", "new", "unreadable"]);
}

#[test]
fn a_vcard_4_export_escapes_folds_and_reads_back() {
    let mut w = World::new();
    let mut d = with_phone(
        with_email(at_org(person("Kati", "Häkkinen, DI"), "Mipro; Oy", "Tietosuojavastaava"), "kati@mipro.fi"),
        "040 123 4567",
    );
    d.phones[0].label = "matkapuhelin".into();
    d.emails[0].label = "työ".into();
    d.addresses.push(Address {
        label: "työ".into(),
        street: "Pitkä Teollisuusalueen Huoltotie 123 B 45, Rakennus 6, Kerros 7, Ovi 8".into(),
        postal_code: "50600".into(),
        city: "Mikkeli".into(),
        country: "Suomi".into(),
    });
    d.notes = "rivi 1\nrivi 2; \\ ja, pilkku".into();
    d.socials.push(Social { service: "LinkedIn".into(), handle: "https://www.linkedin.com/in/kati".into() });
    let kati = w.add(d);
    let p: Person = w.reg.person(kati).unwrap().clone();
    let card = vcard::write_person(&w.reg, &p, VcardOptions { notes: true });
    assert!(card.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"));
    assert!(card.ends_with("END:VCARD\r\n"));
    assert!(card.contains(&format!("UID:urn:uuid:{kati}\r\n")));
    assert!(card.contains("FN:Kati Häkkinen\\, DI\r\n"));
    assert!(card.contains("N:Häkkinen\\, DI;Kati;;;\r\n"));
    assert!(card.contains("ORG:Mipro\\; Oy\r\n"));
    assert!(card.contains("TEL;TYPE=cell:+358401234567\r\n"));
    assert!(card.contains("EMAIL;TYPE=work:kati@mipro.fi\r\n"));
    assert!(card.contains("NOTE:rivi 1\\nrivi 2\\; \\\\ ja\\, pilkku\r\n"));
    for line in card.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.contains('\n') && !line.contains('\r'));
    }
    assert!(card.contains("\r\n "), "the long address is folded");
    // Without asking, the register's notes stay in the register.
    assert!(!vcard::write_person(&w.reg, &p, VcardOptions::default()).contains("NOTE"));

    let rows = vcard::read(
        card.as_bytes(),
        &LabelTexts { work: "työ".into(), home: "koti".into(), mobile: "matkapuhelin".into(), other: "muu".into() },
    )
    .unwrap();
    let back: &PersonDraft = &rows[0].draft;
    assert_eq!((back.given_name.as_str(), back.family_name.as_str()), ("Kati", "Häkkinen, DI"));
    assert_eq!(labeled(&back.emails), pairs(&[("työ", "kati@mipro.fi")]));
    assert_eq!(labeled(&back.phones), pairs(&[("matkapuhelin", "+358401234567")]));
    assert_eq!(back.addresses, p.addresses);
    assert_eq!(back.notes, p.notes);
    assert_eq!(back.affiliations[0].org, sidos::domain::OrgChoice::New("Mipro; Oy".into()));
    assert_eq!(
        back.socials,
        [Social { service: "linkedin".into(), handle: "https://www.linkedin.com/in/kati".into() }]
    );

    let two = vcard::write_people(&w.reg, &[kati, kati], VcardOptions::default());
    assert_eq!(vcard::read(two.as_bytes(), &LabelTexts::default()).unwrap().len(), 2);
}

#[test]
fn folding_never_splits_a_character() {
    let mut out = String::new();
    vcard::fold_line(&format!("NOTE:{}", "ä".repeat(100)), &mut out);
    for line in out.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(line.len() <= 75);
    }
    let unfolded: String = out.split("\r\n").map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
    assert_eq!(unfolded, format!("NOTE:{}", "ä".repeat(100)));
}

#[test]
fn an_import_does_not_merge_into_a_restricted_person() {
    use sidos::domain::gdpr::{GdprCommand, Refusal};
    let mut w = world_with_liisa();
    let liisa = w.reg.people().next().unwrap().id;
    w.run(Command::Gdpr(GdprCommand::Restrict { person: liisa, request: None }));
    let (_, rows) = read_csv("outlook.csv", w.reg.settings());
    let preview = w.reg.preview_contacts_import(&rows, &options(), day(2026, 11, 22));
    assert!(matches!(preview.rows[5].status, RowStatus::Duplicate { of, .. } if of == liisa));
    assert_eq!(preview.rows[5].suggested, Decision::Skip);
    let mut decisions = preview.suggestions();
    decisions[5] = Decision::Merge(liisa);
    let refused = w.plan(Command::ImportContacts(ContactsImport { rows, decisions, options: options() }));
    assert_eq!(refused, Err(CommandError::Refused(Refusal::Restricted(liisa))));
}
