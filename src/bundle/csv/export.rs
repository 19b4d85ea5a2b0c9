//! Writing people and tables as CSV for spreadsheets.

use super::*;

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

pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

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
