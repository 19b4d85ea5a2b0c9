//! Reading: which column goes to which field (presets, header names in
//! three languages).

use super::*;

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
