//! CSV files: exporting lists for spreadsheets, and reading contacts that
//! other tools exported (Outlook, Google Contacts, a register kept in
//! Excel).
//!
//! # Export
//!
//! UTF-8 with a byte order mark (so that Excel shows ä, ö and å right),
//! CRLF line ends, RFC 4180 quoting, and a separator of the user's choice:
//! `;` by default, as Excel in Finnish (and most European) settings
//! expects. Written with the `csv` crate.
//!
//! **Formula injection.** A spreadsheet runs a cell that starts with `=`,
//! `+`, `-` or `@` as a formula, and a tab or carriage return at the start
//! can hide one. Every such cell gets a leading apostrophe (`'`), which
//! spreadsheets show as text. Phone numbers in international form
//! (`+358…`) get it too: the apostrophe is visible, the number is kept
//! whole (without it, Excel would turn it into a number and drop the `+`).
//!
//! # Import
//!
//! [`read`] decodes the bytes (UTF-8 with or without a byte order mark,
//! UTF-16 with one, Windows-1252 otherwise — line by line, so that a file
//! pasted together from two encodings keeps its UTF-8 lines and the
//! others are flagged), refuses binary files and spreadsheets that were
//! not saved as CSV, detects the separator (`;`, `,` or tab, or Excel's
//! `sep=` line), and splits records. The record reader is our own rather
//! than the `csv` crate's: a cell whose opening quote is never closed
//! makes that reader swallow the rest of the file, while ours gives up on
//! the quote after [`MAX_QUOTED_LINES`] lines, reads that line with its
//! quotes as plain text, reports it, and goes on — in linear time.
//! [`auto_map`] maps the header to fields by name (English, Finnish and
//! Swedish, Outlook's and Google's exports); the mapping is the user's to
//! change. [`CsvFile::rows`] then turns records into drafts.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::domain::text::fold;
use crate::domain::{
    Address, AffiliationDraft, CategoryKey, Channel, ConsentState, FieldId, ImportRow, LabeledDraft, OrgChoice,
    PersonId, Problem, Purpose, Register, RowIssue, Settings,
};

// ----- export -----

/// The separator between cells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Separator {
    /// What Excel expects in Finnish settings.
    #[default]
    Semicolon,
    Comma,
    Tab,
}

impl Separator {
    pub const ALL: [Separator; 3] = [Separator::Semicolon, Separator::Comma, Separator::Tab];

    pub fn byte(self) -> u8 {
        match self {
            Separator::Semicolon => b';',
            Separator::Comma => b',',
            Separator::Tab => b'\t',
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Separator::Semicolon => "semicolon",
            Separator::Comma => "comma",
            Separator::Tab => "tab",
        }
    }

    pub fn from_key(key: &str) -> Option<Separator> {
        Separator::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// A column of an exported list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    GivenName,
    FamilyName,
    /// "Given Family".
    FullName,
    /// The first e-mail address.
    Email,
    /// Every e-mail address, separated by ", ".
    Emails,
    /// The first phone number.
    Phone,
    Phones,
    /// Parts of the postal address (the first with a street and a town).
    Street,
    PostalCode,
    City,
    Country,
    /// The postal address on one line.
    Address,
    /// The first organisation, and the role there.
    Organisation,
    Role,
    Website,
    Categories,
    Tags,
    Notes,
    /// Where the data came from (source key, detail, date).
    ProvenanceSource,
    ProvenanceDetail,
    ProvenanceDate,
    Custom(FieldId),
    /// The person's id in the register.
    Id,
}

impl Column {
    /// The columns an export offers first.
    pub const COMMON: [Column; 10] = [
        Column::GivenName,
        Column::FamilyName,
        Column::Email,
        Column::Phone,
        Column::Organisation,
        Column::Role,
        Column::Street,
        Column::PostalCode,
        Column::City,
        Column::Country,
    ];

    /// A stable key (`given_name`, `custom:<id>`) for choices and labels.
    pub fn key(&self) -> String {
        match self {
            Column::GivenName => "given_name".into(),
            Column::FamilyName => "family_name".into(),
            Column::FullName => "full_name".into(),
            Column::Email => "email".into(),
            Column::Emails => "emails".into(),
            Column::Phone => "phone".into(),
            Column::Phones => "phones".into(),
            Column::Street => "street".into(),
            Column::PostalCode => "postal_code".into(),
            Column::City => "city".into(),
            Column::Country => "country".into(),
            Column::Address => "address".into(),
            Column::Organisation => "organisation".into(),
            Column::Role => "role".into(),
            Column::Website => "website".into(),
            Column::Categories => "categories".into(),
            Column::Tags => "tags".into(),
            Column::Notes => "notes".into(),
            Column::ProvenanceSource => "provenance_source".into(),
            Column::ProvenanceDetail => "provenance_detail".into(),
            Column::ProvenanceDate => "provenance_date".into(),
            Column::Custom(id) => format!("custom:{id}"),
            Column::Id => "id".into(),
        }
    }
}

/// What to export: the columns with their header texts (the user's
/// language), and the separator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvExport {
    pub columns: Vec<(Column, String)>,
    pub separator: Separator,
    /// Names of categories (the built-in ones are translated by the user
    /// interface); a category without a name here is written by its name
    /// in Settings, else by its key.
    pub category_names: BTreeMap<CategoryKey, String>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A cell as it is written: with a leading apostrophe when a spreadsheet
/// would read it as a formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Writes a table: byte order mark, header, rows; CRLF line ends; every
/// cell neutralised.
pub fn write_table<I, R>(header: &[String], rows: I, separator: Separator) -> Vec<u8>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[String]>,
{
    let mut out = BOM.to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(separator.byte())
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .flexible(true)
            .from_writer(&mut out);
        let mut write = |cells: &[String]| {
            w.write_record(cells.iter().map(|c| neutralise(c).into_owned())).expect("writing to memory does not fail");
        };
        write(header);
        for row in rows {
            write(row.as_ref());
        }
        w.flush().expect("writing to memory does not fail");
    }
    out
}

/// Exports people as CSV, in the order given.
pub fn export_people(reg: &Register, people: &[PersonId], export: &CsvExport) -> Vec<u8> {
    let header: Vec<String> = export.columns.iter().map(|(_, h)| h.clone()).collect();
    let rows = people
        .iter()
        .filter_map(|id| reg.person(*id))
        .map(|p| export.columns.iter().map(|(c, _)| cell(reg, p, c, export)).collect::<Vec<String>>());
    write_table(&header, rows, export.separator)
}

fn cell(reg: &Register, p: &crate::domain::Person, column: &Column, export: &CsvExport) -> String {
    let address = crate::domain::outputs::postal_address(p);
    let part = |f: fn(&Address) -> &str| address.map(|a| f(a).to_owned()).unwrap_or_default();
    let affiliation = p.affiliations.first();
    match column {
        Column::GivenName => p.given_name.clone(),
        Column::FamilyName => p.family_name.clone(),
        Column::FullName => p.display_name(),
        Column::Email => p.primary_email().unwrap_or_default().to_owned(),
        Column::Emails => p.emails.iter().map(|e| e.value.as_str()).collect::<Vec<_>>().join(", "),
        Column::Phone => p.primary_phone().unwrap_or_default().to_owned(),
        Column::Phones => p.phones.iter().map(|e| e.value.as_str()).collect::<Vec<_>>().join(", "),
        Column::Street => part(|a| &a.street),
        Column::PostalCode => part(|a| &a.postal_code),
        Column::City => part(|a| &a.city),
        Column::Country => part(|a| &a.country),
        Column::Address => address.map(Address::one_line).unwrap_or_default(),
        Column::Organisation => affiliation.and_then(|a| reg.org(a.org)).map(|o| o.name.clone()).unwrap_or_default(),
        Column::Role => affiliation.map(|a| a.role.clone()).unwrap_or_default(),
        Column::Website => p.websites.first().cloned().unwrap_or_default(),
        Column::Categories => p
            .categories
            .iter()
            .map(|k| {
                export
                    .category_names
                    .get(k)
                    .cloned()
                    .or_else(|| reg.settings().category(k).map(|c| c.name.clone()))
                    .unwrap_or_else(|| k.as_str().to_owned())
            })
            .collect::<Vec<_>>()
            .join(", "),
        Column::Tags => p.tags.iter().cloned().collect::<Vec<_>>().join(", "),
        Column::Notes => p.notes.clone(),
        Column::ProvenanceSource => p.provenance.source.key().to_owned(),
        Column::ProvenanceDetail => p.provenance.detail.clone(),
        Column::ProvenanceDate => p.provenance.date.format("%Y-%m-%d").to_string(),
        Column::Custom(id) => p.custom.get(id).map(|v| v.to_input()).unwrap_or_default(),
        Column::Id => p.id.to_string(),
    }
}

// ----- reading: bytes to text -----

/// How the file's text was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
    /// UTF-8 lines and Windows-1252 lines in one file.
    Mixed,
}

impl Encoding {
    pub fn key(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf8",
            Encoding::Utf8Bom => "utf8_bom",
            Encoding::Utf16Le => "utf16le",
            Encoding::Utf16Be => "utf16be",
            Encoding::Windows1252 => "windows1252",
            Encoding::Mixed => "mixed",
        }
    }
}

/// Why a file cannot be read at all. [`FileError::id`] is the message id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not text")]
    Binary,
    /// An Excel or OpenDocument workbook: save it as CSV first.
    #[error("the file is a spreadsheet, not CSV")]
    Spreadsheet,
    #[error("the file is too large")]
    TooLarge,
    /// Only a header: nothing to import.
    #[error("the file has no rows")]
    NoRows,
    /// Not a vCard file (no BEGIN:VCARD).
    #[error("the file has no contacts")]
    NoCards,
}

impl FileError {
    pub fn id(self) -> &'static str {
        match self {
            FileError::Empty => "empty",
            FileError::Binary => "binary",
            FileError::Spreadsheet => "spreadsheet",
            FileError::TooLarge => "too_large",
            FileError::NoRows => "no_rows",
            FileError::NoCards => "no_cards",
        }
    }
}

/// The largest file read (about 300 000 rows of a wide export).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Decoded text, and the lines (1-based) read as Windows-1252 in a file
/// that was otherwise UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
    pub guessed_lines: BTreeSet<usize>,
}

/// Windows-1252's characters for the bytes 0x80–0x9F (the rest of the
/// upper half is Latin-1). Bytes the code page leaves undefined keep their
/// C1 control character, as browsers do.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', // 80–87
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}', // 88–8F
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', // 90–97
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}', // 98–9F
];

/// Decodes Windows-1252 bytes.
pub fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

fn utf16(bytes: &[u8], little: bool) -> String {
    let units = bytes.chunks_exact(2).map(|c| {
        if little {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

/// Decodes a text file's bytes (see the module's notes).
pub fn decode(bytes: &[u8]) -> Result<Decoded, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge);
    }
    let whole = |text: String, encoding| Decoded { text, encoding, guessed_lines: BTreeSet::new() };
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(FileError::Spreadsheet);
    }
    let decoded = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        whole(utf16(rest, true), Encoding::Utf16Le)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        whole(utf16(rest, false), Encoding::Utf16Be)
    } else if looks_binary(bytes) {
        return Err(FileError::Binary);
    } else if let Some(rest) = bytes.strip_prefix(BOM) {
        match std::str::from_utf8(rest) {
            Ok(text) => whole(text.to_owned(), Encoding::Utf8Bom),
            Err(_) => by_lines(rest),
        }
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => whole(text.to_owned(), Encoding::Utf8),
            Err(_) => by_lines(bytes),
        }
    };
    if decoded.text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').is_empty() {
        return Err(FileError::Empty);
    }
    Ok(decoded)
}

/// Decodes line by line: UTF-8 where a line is valid UTF-8, else
/// Windows-1252. A file with no UTF-8 letters is Windows-1252 throughout.
fn by_lines(bytes: &[u8]) -> Decoded {
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut guessed = BTreeSet::new();
    let mut utf8_letters = false;
    for (n, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        match std::str::from_utf8(line) {
            Ok(s) => {
                utf8_letters |= !s.is_ascii();
                text.push_str(s);
            }
            Err(_) => {
                guessed.insert(n + 1);
                text.push_str(&windows_1252(line));
            }
        }
    }
    if utf8_letters {
        Decoded { text, encoding: Encoding::Mixed, guessed_lines: guessed }
    } else {
        Decoded { text, encoding: Encoding::Windows1252, guessed_lines: BTreeSet::new() }
    }
}

/// NUL bytes, or many control characters, in the first 64 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if head.contains(&0) {
        return true;
    }
    let controls = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A)).count();
    controls * 100 > head.len().max(1)
}

// ----- reading: text to records -----

/// A quoted cell may hold line breaks; one that runs on for more lines
/// than this is taken for a quote that was never closed.
pub const MAX_QUOTED_LINES: usize = 50;

/// One record of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The line it starts on (1-based).
    pub line: usize,
    pub cells: Vec<String>,
    /// Its quotes were read as plain text (an unclosed quote).
    pub broken: bool,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Splits text into records (see the module's notes). Blank records are
/// dropped.
pub fn split_records(text: &str, separator: char) -> Vec<Record> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut line = 1;
    while pos < bytes.len() {
        let (record, next, lines) = match read_record(text, pos, separator, true) {
            Some(done) => done,
            None => read_record(text, pos, separator, false).expect("without quotes a record always ends"),
        };
        let record = Record { line, cells: record.0, broken: record.1 };
        if !record.is_blank() {
            out.push(record);
        }
        line += lines;
        pos = next;
    }
    out
}

/// Reads one record from `start`: its cells and whether quotes were given
/// up on, where the next record starts, and how many lines it took.
/// `None` when `quotes` is set and a quoted cell does not close soon.
#[allow(clippy::type_complexity)]
fn read_record(text: &str, start: usize, sep: char, quotes: bool) -> Option<((Vec<String>, bool), usize, usize)> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut in_quotes = false;
    let mut at_start = true;
    let mut lines = 1;
    let mut quoted_lines = 0;
    let mut chars = text[start..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek().map(|&(_, n)| n) == Some('"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    lines += 1;
                    quoted_lines += 1;
                    if quoted_lines > MAX_QUOTED_LINES {
                        return None;
                    }
                    cell.push('\n');
                }
                '\r' if chars.peek().map(|&(_, n)| n) == Some('\n') => {}
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            c if c == sep => {
                cells.push(std::mem::take(&mut cell));
                at_start = true;
                continue;
            }
            '\r' | '\n' => {
                let mut end = start + i + 1;
                if c == '\r' && chars.peek().map(|&(_, n)| n) == Some('\n') {
                    end += 1;
                }
                cells.push(cell);
                return Some(((cells, !quotes), end, lines));
            }
            '"' if quotes && at_start && cell.trim().is_empty() => {
                cell.clear();
                in_quotes = true;
            }
            _ => cell.push(c),
        }
        at_start = false;
    }
    if in_quotes {
        return None;
    }
    cells.push(cell);
    Some(((cells, !quotes), text.len(), lines))
}

/// The separator the first lines use most consistently (`;`, `,` or tab);
/// a first line `sep=X` (Excel's hint) decides, and is dropped.
pub fn detect_separator(text: &str) -> (Separator, bool) {
    let first = text.lines().next().unwrap_or_default().trim_start_matches('\u{feff}').trim();
    if let Some(hint) = first.strip_prefix("sep=").or_else(|| first.strip_prefix("SEP=")) {
        let sep = match hint {
            ";" => Some(Separator::Semicolon),
            "," => Some(Separator::Comma),
            "\t" | "" => Some(Separator::Tab),
            _ => None,
        };
        if let Some(sep) = sep {
            return (sep, true);
        }
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let count = |line: &str, sep: char| {
        let mut in_quotes = false;
        line.chars()
            .filter(|&c| {
                if c == '"' {
                    in_quotes = !in_quotes;
                }
                !in_quotes && c == sep
            })
            .count()
    };
    let mut best = (Separator::Semicolon, 0usize, 0usize);
    for sep in [Separator::Semicolon, Separator::Tab, Separator::Comma] {
        let c = char::from(sep.byte());
        let header = lines.first().map_or(0, |l| count(l, c));
        if header == 0 {
            continue;
        }
        // Lines that agree with the header (quoted line breaks aside).
        let agree = lines.iter().filter(|l| count(l, c) == header).count();
        if (agree, header) > (best.1, best.2) {
            best = (sep, agree, header);
        }
    }
    (best.0, false)
}

// ----- reading: mapping -----

/// The kind of label a value gets ("work", "home", …), in the user's
/// language by [`LabelTexts`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabelKind {
    #[default]
    None,
    Work,
    Home,
    Mobile,
    Other,
}

/// The label texts imported values get (the user interface passes them
/// in the user's language).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelTexts {
    pub work: String,
    pub home: String,
    pub mobile: String,
    pub other: String,
}

impl Default for LabelTexts {
    fn default() -> Self {
        LabelTexts { work: "work".into(), home: "home".into(), mobile: "mobile".into(), other: "other".into() }
    }
}

impl LabelTexts {
    pub fn text(&self, kind: LabelKind) -> String {
        match kind {
            LabelKind::None => String::new(),
            LabelKind::Work => self.work.clone(),
            LabelKind::Home => self.home.clone(),
            LabelKind::Mobile => self.mobile.clone(),
            LabelKind::Other => self.other.clone(),
        }
    }

    /// A type written in the file ("* Work", "Mobile", "CELL", "työ"): the
    /// user's label for a kind we know, else the text as it is.
    pub fn from_file(&self, raw: &str) -> String {
        let text = raw.trim().trim_start_matches('*').trim();
        match label_kind(&fold(text)) {
            LabelKind::None => text.to_owned(),
            kind => self.text(kind),
        }
    }
}

/// Which part of an address a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressPart {
    Street,
    /// More street lines (Outlook's "Street 2", Google's "Extended Address").
    Street2,
    PostalCode,
    City,
    Region,
    Country,
    /// Google's PO box.
    PoBox,
}

/// What a column of the file holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Ignore,
    GivenName,
    /// Joined to the given name.
    MiddleName,
    FamilyName,
    /// Split into given and family name when those are not mapped ("Anna
    /// Aho", "Aho, Anna").
    FullName,
    /// An e-mail address; `n` pairs it with an [`Target::EmailLabel`].
    Email {
        n: u8,
        label: LabelKind,
    },
    EmailLabel {
        n: u8,
    },
    Phone {
        n: u8,
        label: LabelKind,
    },
    PhoneLabel {
        n: u8,
    },
    /// A part of the `n`th address.
    Address {
        n: u8,
        label: LabelKind,
        part: AddressPart,
    },
    AddressLabel {
        n: u8,
    },
    Organisation,
    /// Job title: the role at the organisation.
    Role,
    /// Joined to the role.
    Department,
    Website,
    Notes,
    /// Tags, separated by `,`, `;` or Google's ` ::: `.
    Tags,
    Custom(FieldId),
    /// Yes: given; no: refused; empty: nothing stated.
    Consent(Purpose),
    /// Yes: a refusal of direct marketing on every channel and of
    /// disclosure to partners (a prohibition kept in the old register).
    MarketingProhibition,
}

impl Target {
    /// A stable key for the mapping's choices and their translations.
    pub fn key(&self) -> String {
        match self {
            Target::Ignore => "ignore".into(),
            Target::GivenName => "given_name".into(),
            Target::MiddleName => "middle_name".into(),
            Target::FamilyName => "family_name".into(),
            Target::FullName => "full_name".into(),
            Target::Email { .. } => "email".into(),
            Target::EmailLabel { .. } => "email_label".into(),
            Target::Phone { .. } => "phone".into(),
            Target::PhoneLabel { .. } => "phone_label".into(),
            Target::Address { part, .. } => format!(
                "address_{}",
                match part {
                    AddressPart::Street => "street",
                    AddressPart::Street2 => "street2",
                    AddressPart::PostalCode => "postal_code",
                    AddressPart::City => "city",
                    AddressPart::Region => "region",
                    AddressPart::Country => "country",
                    AddressPart::PoBox => "po_box",
                }
            ),
            Target::AddressLabel { .. } => "address_label".into(),
            Target::Organisation => "organisation".into(),
            Target::Role => "role".into(),
            Target::Department => "department".into(),
            Target::Website => "website".into(),
            Target::Notes => "notes".into(),
            Target::Tags => "tags".into(),
            Target::Custom(id) => format!("custom:{id}"),
            Target::Consent(p) => format!("consent:{}", p.key()),
            Target::MarketingProhibition => "marketing_prohibition".into(),
        }
    }
}

/// Which tool's export the header looks like (for the user to see; the
/// mapping is made the same way for all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Outlook,
    Google,
    /// Another tool, or a register kept by hand.
    Other,
}

impl Preset {
    pub fn key(self) -> &'static str {
        match self {
            Preset::Outlook => "outlook",
            Preset::Google => "google",
            Preset::Other => "other",
        }
    }

    pub fn detect(headers: &[String]) -> Preset {
        let norm: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let has = |h: &str| norm.iter().any(|n| n == h);
        if norm.iter().any(|n| n.starts_with("e mail 1 ")) || has("given name") && has("family name") {
            Preset::Google
        } else if has("e mail address") && (has("business phone") || has("mobile phone") || has("company")) {
            Preset::Outlook
        } else {
            Preset::Other
        }
    }
}

/// A header folded for matching: lower case without accents, punctuation
/// as spaces, single spaces.
fn normalise(header: &str) -> String {
    let folded = fold(header.trim_start_matches('\u{feff}'));
    let spaced: String = folded.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn label_kind(norm: &str) -> LabelKind {
    let words: Vec<&str> = norm.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let any = |list: &[&str]| words.iter().any(|w| list.iter().any(|l| w.starts_with(l)));
    if any(&["mobile", "mobil", "cell", "matkapuh", "gsm", "kanny", "handy"]) {
        LabelKind::Mobile
    } else if any(&["business", "work", "office", "company", "tyo", "arbet", "yritys", "foretag", "job"]) {
        LabelKind::Work
    } else if any(&["home", "koti", "hem", "private", "yksityi", "privat"]) {
        LabelKind::Home
    } else if any(&["other", "muu", "annan", "ovrig"]) {
        LabelKind::Other
    } else {
        LabelKind::None
    }
}

fn address_part(norm: &str) -> Option<AddressPart> {
    let has = |list: &[&str]| list.iter().any(|w| norm.contains(w));
    let word = |list: &[&str]| norm.split(' ').any(|w| list.contains(&w));
    if has(&["postal code", "zip", "postinumero", "postnummer", "post code", "postcode"]) {
        Some(AddressPart::PostalCode)
    } else if has(&["po box", "postilokero", "postbox"]) && !has(&["street"]) {
        Some(AddressPart::PoBox)
    } else if has(&["country", "valtio"]) || word(&["maa", "land"]) {
        Some(AddressPart::Country)
    } else if has(&["state", "region", "province", "maakunta", "county"]) || word(&["lani"]) {
        Some(AddressPart::Region)
    } else if has(&["city", "kaupunki", "postitoimipaikka", "paikkakunta", "postort", "kunta", "town"])
        || word(&["ort", "stad"])
    {
        Some(AddressPart::City)
    } else if has(&["extended address", "street 2", "street 3", "katuosoite 2", "katuosoite 3", "address line 2"]) {
        Some(AddressPart::Street2)
    } else if has(&["street", "katuosoite", "lahiosoite", "gatuadress", "osoite", "adress", "address"]) {
        Some(AddressPart::Street)
    } else {
        None
    }
}

/// Google's numbered columns: `e mail 1 value`, `phone 2 label`, …
fn numbered(norm: &str) -> Option<(&str, u8, &str)> {
    let (kind, rest) = ["e mail ", "email ", "phone ", "address ", "website ", "organization ", "organisation "]
        .iter()
        .find_map(|k| norm.strip_prefix(k).map(|rest| (k.trim(), rest)))?;
    let (n, what) = rest.split_once(' ')?;
    let n: u8 = n.parse().ok()?;
    Some((kind, n, what))
}

/// The field a header names, in English, Finnish or Swedish, as Outlook,
/// Google and people write them.
pub fn target_for(header: &str, settings: &Settings) -> Target {
    let norm = normalise(header);
    if norm.is_empty() {
        return Target::Ignore;
    }
    if let Some(f) = settings.fields.iter().find(|f| normalise(&f.name) == norm) {
        return Target::Custom(f.id);
    }
    // Google's numbered columns ("E-mail 1 - Value"); Outlook's "E-mail 2
    // Address" has no " - " and is read by its words below.
    let google = header.contains(" - ");
    if let Some((kind, n, what)) = numbered(&norm).filter(|_| google) {
        let label = matches!(what, "label" | "type");
        return match kind {
            "e mail" | "email" if label => Target::EmailLabel { n },
            "e mail" | "email" if what == "value" => Target::Email { n, label: LabelKind::None },
            "phone" if label => Target::PhoneLabel { n },
            "phone" if what == "value" => Target::Phone { n, label: LabelKind::None },
            "address" if label => Target::AddressLabel { n },
            "address" => match what {
                "street" => Target::Address { n, label: LabelKind::None, part: AddressPart::Street },
                "extended address" => Target::Address { n, label: LabelKind::None, part: AddressPart::Street2 },
                "city" => Target::Address { n, label: LabelKind::None, part: AddressPart::City },
                "postal code" => Target::Address { n, label: LabelKind::None, part: AddressPart::PostalCode },
                "region" => Target::Address { n, label: LabelKind::None, part: AddressPart::Region },
                "country" => Target::Address { n, label: LabelKind::None, part: AddressPart::Country },
                "po box" => Target::Address { n, label: LabelKind::None, part: AddressPart::PoBox },
                _ => Target::Ignore, // "Formatted" repeats the parts.
            },
            "website" if what == "value" && n == 1 => Target::Website,
            "organization" | "organisation" if n == 1 => match what {
                "name" => Target::Organisation,
                "title" => Target::Role,
                "department" => Target::Department,
                _ => Target::Ignore,
            },
            _ => Target::Ignore,
        };
    }
    let exact = match norm.as_str() {
        "first name" | "given name" | "firstname" | "forename" | "etunimi" | "etunimet" | "fornamn" => {
            Some(Target::GivenName)
        }
        "middle name" | "additional name" | "toinen nimi" | "mellannamn" => Some(Target::MiddleName),
        "last name" | "family name" | "surname" | "lastname" | "sukunimi" | "efternamn" => Some(Target::FamilyName),
        "name" | "full name" | "display name" | "nimi" | "koko nimi" | "namn" | "fullstandigt namn" => {
            Some(Target::FullName)
        }
        "company" | "organization name" | "organisation" | "organization" | "organisaatio" | "yritys" | "yhtio"
        | "tyonantaja" | "firma" | "foretag" | "organisation name" => Some(Target::Organisation),
        "job title" | "organization title" | "tehtava" | "tehtavanimike" | "titteli" | "asema" | "rooli"
        | "befattning" | "titel" | "yrkestitel" | "role" | "position" => Some(Target::Role),
        "department" | "organization department" | "osasto" | "avdelning" | "yksikko" => Some(Target::Department),
        "web page" | "website" | "web site" | "www" | "url" | "homepage" | "kotisivu" | "verkkosivu"
        | "verkkosivut" | "webbplats" | "hemsida" | "internet osoite" => Some(Target::Website),
        "notes" | "note" | "lisatiedot" | "huomautukset" | "muistiinpanot" | "kommentit" | "anteckningar"
        | "ovrigt" | "comments" => Some(Target::Notes),
        "categories" | "labels" | "group membership" | "tags" | "ryhmat" | "luokat" | "tunnisteet" | "kategorier"
        | "etiketter" | "avainsanat" => Some(Target::Tags),
        "suoramarkkinointikielto"
        | "markkinointikielto"
        | "direktreklamsparr"
        | "marketing prohibition"
        | "do not contact"
        | "no marketing"
        | "marketing opt out" => Some(Target::MarketingProhibition),
        // Outlook's "E-mail Type" is SMTP or EX, not a label.
        "e mail type"
        | "e mail 2 type"
        | "e mail 3 type"
        | "e mail display name"
        | "e mail 2 display name"
        | "e mail 3 display name" => Some(Target::Ignore),
        _ => None,
    };
    if let Some(t) = exact {
        return t;
    }
    let has = |list: &[&str]| list.iter().any(|w| norm.contains(w));
    if has(&["fax", "faksi", "pager", "telex", "isdn", "tty", "radio", "callback", "assistant", "phonetic", "yomi"]) {
        return Target::Ignore;
    }
    let label = label_kind(&norm);
    // Whole words ("home postal code" holds "e post" across two words).
    let padded = format!(" {norm} ");
    let phrase = |list: &[&str]| list.iter().any(|p| padded.contains(&format!(" {p} ")));
    let prefix = |list: &[&str]| norm.split(' ').any(|w| list.iter().any(|p| w.starts_with(p)));
    if phrase(&["e mail", "e post", "s posti"]) || prefix(&["email", "sahkoposti", "epost", "mail"]) {
        return Target::Email { n: 0, label };
    }
    if has(&["puhelin", "telefon", "matkapuh", "kannykka"])
        || prefix(&["phone", "mobile", "mobil", "gsm", "cell", "puh"])
    {
        return Target::Phone { n: 0, label };
    }
    if let Some(part) = address_part(&norm) {
        let n = match label {
            LabelKind::Work => 1,
            LabelKind::Home => 2,
            LabelKind::Other => 3,
            _ => 0,
        };
        return Target::Address { n, label, part };
    }
    Target::Ignore
}

/// The mapping of every column, by header name.
pub fn auto_map(headers: &[String], settings: &Settings) -> Vec<Target> {
    let mut targets: Vec<Target> = headers.iter().map(|h| target_for(h, settings)).collect();
    // Number plain e-mail and phone columns in order, so that a label
    // column never pairs with them by accident.
    let mut next = 100u8;
    for t in &mut targets {
        if let Target::Email { n, .. } | Target::Phone { n, .. } = t {
            if *n == 0 {
                *n = next;
                next = next.saturating_add(1);
            }
        }
    }
    targets
}

// ----- reading: the file -----

/// A CSV file read and split, ready to be mapped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvFile {
    pub encoding: Encoding,
    pub separator: Separator,
    pub headers: Vec<String>,
    /// The records after the header.
    pub records: Vec<Record>,
    /// Lines read as Windows-1252 in a file otherwise UTF-8.
    pub guessed_lines: BTreeSet<usize>,
}

/// Reads a CSV file: decodes it, detects the separator, splits records;
/// the first record is the header.
pub fn read(bytes: &[u8]) -> Result<CsvFile, FileError> {
    let decoded = decode(bytes)?;
    let (separator, hint) = detect_separator(&decoded.text);
    read_with(decoded, separator, hint)
}

/// Reads with a separator the user chose.
pub fn read_as(bytes: &[u8], separator: Separator) -> Result<CsvFile, FileError> {
    let decoded = decode(bytes)?;
    let hint = detect_separator(&decoded.text).1;
    read_with(decoded, separator, hint)
}

fn read_with(decoded: Decoded, separator: Separator, hint: bool) -> Result<CsvFile, FileError> {
    let mut text = decoded.text.as_str();
    let mut offset = 0;
    if hint {
        let end = text.find('\n').map_or(text.len(), |i| i + 1);
        text = &text[end..];
        offset = 1;
    }
    let mut records = split_records(text, char::from(separator.byte()));
    for r in &mut records {
        r.line += offset;
    }
    if records.is_empty() {
        return Err(FileError::Empty);
    }
    let header = records.remove(0);
    let headers: Vec<String> =
        header.cells.into_iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_owned()).collect();
    if records.is_empty() {
        return Err(FileError::NoRows);
    }
    Ok(CsvFile { encoding: decoded.encoding, separator, headers, records, guessed_lines: decoded.guessed_lines })
}

impl CsvFile {
    /// Which tool's export the header looks like.
    pub fn preset(&self) -> Preset {
        Preset::detect(&self.headers)
    }

    /// The records `range` as import rows, mapped by `targets` (one per
    /// header). Call it in chunks to show progress.
    pub fn rows(&self, range: std::ops::Range<usize>, targets: &[Target], labels: &LabelTexts) -> Vec<ImportRow> {
        let end = range.end.min(self.records.len());
        let start = range.start.min(end);
        self.records[start..end]
            .iter()
            .map(|r| {
                let mut row = map_cells(r.line, &self.headers, &r.cells, targets, labels);
                if r.broken {
                    row.issues.insert(0, RowIssue::BrokenQuoting);
                } else if r.cells.len() != self.headers.len() {
                    row.issues.push(RowIssue::CellCount { expected: self.headers.len(), found: r.cells.len() });
                }
                let lines = r.line..r.line + 1 + r.cells.iter().map(|c| c.matches('\n').count()).sum::<usize>();
                if lines.into_iter().any(|l| self.guessed_lines.contains(&l)) {
                    row.issues.push(RowIssue::EncodingGuessed);
                }
                row
            })
            .collect()
    }

    /// Every record as import rows.
    pub fn all_rows(&self, targets: &[Target], labels: &LabelTexts) -> Vec<ImportRow> {
        self.rows(0..self.records.len(), targets, labels)
    }
}

/// Splits a cell holding several values.
fn values(cell: &str) -> Vec<String> {
    cell.split(" ::: ").map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

/// An e-mail cell: several addresses separated by `;`, `,` or ` ::: `,
/// each perhaps as `Name <address>`.
fn email_values(cell: &str) -> Vec<String> {
    cell.split([';', ','])
        .flat_map(|part| part.split(" ::: "))
        .map(|v| {
            let v = v.trim();
            match (v.rfind('<'), v.rfind('>')) {
                (Some(a), Some(b)) if a < b => v[a + 1..b].trim().to_owned(),
                _ => v.trim_start_matches("mailto:").to_owned(),
            }
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// A yes/no cell: `Some(true)`, `Some(false)`, `None` when empty.
pub fn yes_no(cell: &str) -> Result<Option<bool>, Problem> {
    let v = fold(cell);
    match v.as_str() {
        "" => Ok(None),
        "yes" | "y" | "x" | "1" | "true" | "kylla" | "k" | "ja" | "on" | "✓" | "✔" | "given" | "annettu" => {
            Ok(Some(true))
        }
        "no" | "n" | "0" | "false" | "ei" | "e" | "nej" | "off" | "-" | "refused" | "kielletty" => Ok(Some(false)),
        _ => Err(Problem::YesNoInvalid),
    }
}

/// The purposes a marketing prohibition refuses when imported (the
/// organisation's newsletters are stopped by the prohibition itself).
pub fn prohibition_purposes() -> Vec<Purpose> {
    Channel::ALL.into_iter().map(Purpose::DirectMarketing).chain([Purpose::PartnerDisclosure]).collect()
}

/// One record's cells as an import row.
pub fn map_cells(
    line: usize,
    headers: &[String],
    cells: &[String],
    targets: &[Target],
    labels: &LabelTexts,
) -> ImportRow {
    let mut row = ImportRow { line, ..ImportRow::default() };
    let d = &mut row.draft;
    let mut middle = String::new();
    let mut full = String::new();
    let mut org = String::new();
    let mut role = String::new();
    let mut department = String::new();
    let mut email_labels: BTreeMap<u8, String> = BTreeMap::new();
    let mut phone_labels: BTreeMap<u8, String> = BTreeMap::new();
    let mut address_labels: BTreeMap<u8, String> = BTreeMap::new();
    let mut emails: Vec<(u8, LabelKind, String)> = Vec::new();
    let mut phones: Vec<(u8, LabelKind, String)> = Vec::new();
    let mut addresses: BTreeMap<u8, (LabelKind, Address, Vec<String>)> = BTreeMap::new();
    let mut custom: BTreeMap<FieldId, String> = BTreeMap::new();
    for (i, target) in targets.iter().enumerate() {
        let Some(cell) = cells.get(i) else { continue };
        let value = cell.trim();
        if value.is_empty() {
            continue;
        }
        let column = || headers.get(i).cloned().unwrap_or_default();
        match target {
            Target::Ignore => {}
            Target::GivenName => d.given_name = value.to_owned(),
            Target::MiddleName => middle = value.to_owned(),
            Target::FamilyName => d.family_name = value.to_owned(),
            Target::FullName => full = value.to_owned(),
            Target::Email { n, label } => emails.extend(email_values(value).into_iter().map(|v| (*n, *label, v))),
            Target::EmailLabel { n } => {
                email_labels.insert(*n, labels.from_file(value));
            }
            Target::Phone { n, label } => phones.extend(values(value).into_iter().map(|v| (*n, *label, v))),
            Target::PhoneLabel { n } => {
                phone_labels.insert(*n, labels.from_file(value));
            }
            Target::Address { n, label, part } => {
                let entry = addresses.entry(*n).or_insert_with(|| (*label, Address::default(), Vec::new()));
                let a = &mut entry.1;
                match part {
                    AddressPart::Street => a.street = value.to_owned(),
                    AddressPart::Street2 | AddressPart::PoBox => entry.2.push(value.to_owned()),
                    AddressPart::PostalCode => a.postal_code = value.to_owned(),
                    AddressPart::City => a.city = value.to_owned(),
                    AddressPart::Region => {} // Not kept: Finnish addresses have none.
                    AddressPart::Country => a.country = value.to_owned(),
                }
            }
            Target::AddressLabel { n } => {
                address_labels.insert(*n, labels.from_file(value));
            }
            Target::Organisation => org = value.to_owned(),
            Target::Role => role = value.to_owned(),
            Target::Department => department = value.to_owned(),
            Target::Website => {
                if d.websites.is_empty() {
                    d.websites.extend(values(value).into_iter().take(1));
                }
            }
            Target::Notes => {
                if !d.notes.is_empty() {
                    d.notes.push_str("\n\n");
                }
                d.notes.push_str(value);
            }
            Target::Tags => {
                for tag in value.split(" ::: ").flat_map(|v| v.split([',', ';'])) {
                    let tag = tag.trim();
                    // Google's system groups: "* myContacts", "* starred".
                    if !tag.is_empty() && !tag.starts_with('*') && !d.tags.iter().any(|t| t == tag) {
                        d.tags.push(tag.to_owned());
                    }
                }
            }
            Target::Custom(id) => {
                custom.insert(*id, value.to_owned());
            }
            Target::Consent(purpose) => match yes_no(value) {
                Ok(Some(yes)) => {
                    let state = if yes { ConsentState::Given } else { ConsentState::Refused };
                    row.consents.push((*purpose, state));
                }
                Ok(None) => {}
                Err(problem) => row.issues.push(RowIssue::Value { column: column(), problem }),
            },
            Target::MarketingProhibition => match yes_no(value) {
                Ok(Some(true)) => {
                    for p in prohibition_purposes() {
                        if !row.consents.iter().any(|(q, _)| *q == p) {
                            row.consents.push((p, ConsentState::Refused));
                        }
                    }
                }
                Ok(_) => {}
                Err(problem) => row.issues.push(RowIssue::Value { column: column(), problem }),
            },
        }
    }
    let d = &mut row.draft;
    if !middle.is_empty() {
        d.given_name = [d.given_name.trim(), middle.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
    }
    if d.given_name.is_empty() && d.family_name.is_empty() && !full.is_empty() {
        (d.given_name, d.family_name) = split_full_name(&full);
    }
    let label_of = |kind: LabelKind, n: u8, from_file: &BTreeMap<u8, String>| {
        from_file.get(&n).cloned().unwrap_or_else(|| labels.text(kind))
    };
    for (n, kind, value) in emails {
        if !d.emails.iter().any(|e| e.value.eq_ignore_ascii_case(&value)) {
            d.emails.push(LabeledDraft { label: label_of(kind, n, &email_labels), value });
        }
    }
    for (n, kind, value) in phones {
        d.phones.push(LabeledDraft { label: label_of(kind, n, &phone_labels), value });
    }
    for (n, (kind, mut a, more)) in addresses {
        let lines: Vec<&str> = std::iter::once(a.street.as_str())
            .chain(more.iter().map(String::as_str))
            .filter(|s| !s.is_empty())
            .collect();
        a.street = lines.join(", ");
        a.label = label_of(kind, n, &address_labels);
        if !a.is_empty() {
            d.addresses.push(a);
        }
    }
    let role = match (role.is_empty(), department.is_empty()) {
        (false, false) => format!("{role}, {department}"),
        (true, false) => department,
        _ => role,
    };
    if !org.is_empty() {
        d.affiliations.push(AffiliationDraft { org: OrgChoice::New(org), role });
    }
    d.custom = custom;
    row
}

/// "Aho, Anna" and "Anna Maria Aho" into (given, family).
pub fn split_full_name(full: &str) -> (String, String) {
    let full = full.trim();
    if let Some((family, given)) = full.split_once(',') {
        return (given.trim().to_owned(), family.trim().to_owned());
    }
    match full.rsplit_once(' ') {
        Some((given, family)) => (given.trim().to_owned(), family.trim().to_owned()),
        None => (String::new(), full.to_owned()),
    }
}
