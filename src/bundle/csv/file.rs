//! Reading: a whole file, and its rows as drafts.

use super::*;

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
