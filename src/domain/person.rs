//! People: who they are, how to reach them, where they belong, and where
//! their data came from.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::gdpr::Restriction;
use super::ids::{FieldId, OrgId, PersonId, Stamp};
use super::settings::{CategoryKey, CustomValue};

/// A person in the register. Built only from a validated draft (see
/// [`super::draft`]) or from a checked bundle, so its values are normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub emails: Vec<Labeled>,
    /// Phone numbers in international form (`+358401234567`).
    pub phones: Vec<Labeled>,
    pub addresses: Vec<Address>,
    pub websites: Vec<String>,
    pub socials: Vec<Social>,
    pub affiliations: Vec<Affiliation>,
    pub categories: BTreeSet<CategoryKey>,
    pub tags: BTreeSet<String>,
    pub custom: BTreeMap<FieldId, CustomValue>,
    pub provenance: Provenance,
    pub notes: String,
    /// A restriction of processing (GDPR Art. 18), if any: see
    /// [`super::gdpr::restriction`].
    pub restriction: Option<Restriction>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// When each field was last changed, for merging with colleagues.
    pub stamps: BTreeMap<PersonField, Stamp>,
}

impl Person {
    /// "Family Given", or whichever of the two exists.
    pub fn display_name(&self) -> String {
        match (self.given_name.is_empty(), self.family_name.is_empty()) {
            (false, false) => format!("{} {}", self.given_name, self.family_name),
            (true, _) => self.family_name.clone(),
            (false, true) => self.given_name.clone(),
        }
    }

    /// "Family, Given": the form the list is sorted and shown by.
    pub fn sort_name(&self) -> String {
        match (self.family_name.is_empty(), self.given_name.is_empty()) {
            (false, false) => format!("{}, {}", self.family_name, self.given_name),
            (true, _) => self.given_name.clone(),
            (false, true) => self.family_name.clone(),
        }
    }

    pub fn primary_email(&self) -> Option<&str> {
        self.emails.first().map(|e| e.value.as_str())
    }

    pub fn primary_phone(&self) -> Option<&str> {
        self.phones.first().map(|p| p.value.as_str())
    }

    /// The value of one field, for comparing two versions of a person.
    pub(crate) fn same_field(&self, other: &Person, field: &PersonField) -> bool {
        match field {
            PersonField::Name => self.given_name == other.given_name && self.family_name == other.family_name,
            PersonField::Emails => self.emails == other.emails,
            PersonField::Phones => self.phones == other.phones,
            PersonField::Addresses => self.addresses == other.addresses,
            PersonField::Websites => self.websites == other.websites,
            PersonField::Socials => self.socials == other.socials,
            PersonField::Affiliations => self.affiliations == other.affiliations,
            PersonField::Categories => self.categories == other.categories,
            PersonField::Tags => self.tags == other.tags,
            PersonField::Provenance => self.provenance == other.provenance,
            PersonField::Notes => self.notes == other.notes,
            PersonField::Restriction => self.restriction == other.restriction,
            PersonField::Custom(id) => self.custom.get(id) == other.custom.get(id),
        }
    }

    /// The fixed fields, the restriction when either person has one (or
    /// had: a stamp for it), and every custom field either has a value for.
    pub(crate) fn fields_of_both(&self, other: &Person) -> Vec<PersonField> {
        let mut fields = PersonField::FIXED.to_vec();
        let restriction = |p: &Person| p.restriction.is_some() || p.stamps.contains_key(&PersonField::Restriction);
        if restriction(self) || restriction(other) {
            fields.push(PersonField::Restriction);
        }
        let custom: BTreeSet<FieldId> = self.custom.keys().chain(other.custom.keys()).copied().collect();
        fields.extend(custom.into_iter().map(PersonField::Custom));
        fields
    }

    /// The fields whose values differ between `self` and `other`.
    pub fn changed_fields(&self, other: &Person) -> Vec<PersonField> {
        self.fields_of_both(other).into_iter().filter(|field| !self.same_field(other, field)).collect()
    }

    /// Takes one field's value from `from` (merging two people, or a
    /// colleague's newer value in an import).
    pub fn take_field(&mut self, from: &Person, field: &PersonField) {
        match field {
            PersonField::Name => {
                self.given_name = from.given_name.clone();
                self.family_name = from.family_name.clone();
            }
            PersonField::Emails => self.emails = from.emails.clone(),
            PersonField::Phones => self.phones = from.phones.clone(),
            PersonField::Addresses => self.addresses = from.addresses.clone(),
            PersonField::Websites => self.websites = from.websites.clone(),
            PersonField::Socials => self.socials = from.socials.clone(),
            PersonField::Affiliations => self.affiliations = from.affiliations.clone(),
            PersonField::Categories => self.categories = from.categories.clone(),
            PersonField::Tags => self.tags = from.tags.clone(),
            PersonField::Provenance => self.provenance = from.provenance.clone(),
            PersonField::Notes => self.notes = from.notes.clone(),
            PersonField::Restriction => self.restriction = from.restriction.clone(),
            PersonField::Custom(id) => match from.custom.get(id) {
                Some(v) => {
                    self.custom.insert(*id, v.clone());
                }
                None => {
                    self.custom.remove(id);
                }
            },
        }
    }
}

/// The parts of a person that change (and merge) as one.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PersonField {
    Name,
    Emails,
    Phones,
    Addresses,
    Websites,
    Socials,
    Affiliations,
    Categories,
    Tags,
    Provenance,
    Notes,
    /// The restriction of processing. Not in [`PersonField::FIXED`]: a
    /// person has a stamp for it only once it was set.
    Restriction,
    Custom(FieldId),
}

impl PersonField {
    /// The fields every person has (custom fields come from Settings).
    pub const FIXED: [PersonField; 11] = [
        PersonField::Name,
        PersonField::Emails,
        PersonField::Phones,
        PersonField::Addresses,
        PersonField::Websites,
        PersonField::Socials,
        PersonField::Affiliations,
        PersonField::Categories,
        PersonField::Tags,
        PersonField::Provenance,
        PersonField::Notes,
    ];

    /// The field's name as the audit log and bundles write it.
    pub fn key(&self) -> String {
        match self {
            PersonField::Name => "name".into(),
            PersonField::Emails => "emails".into(),
            PersonField::Phones => "phones".into(),
            PersonField::Addresses => "addresses".into(),
            PersonField::Websites => "websites".into(),
            PersonField::Socials => "socials".into(),
            PersonField::Affiliations => "affiliations".into(),
            PersonField::Categories => "categories".into(),
            PersonField::Tags => "tags".into(),
            PersonField::Provenance => "provenance".into(),
            PersonField::Notes => "notes".into(),
            PersonField::Restriction => "restriction".into(),
            PersonField::Custom(id) => format!("custom:{id}"),
        }
    }

    pub fn from_key(key: &str) -> Option<PersonField> {
        if let Some(id) = key.strip_prefix("custom:") {
            return id.parse().ok().map(PersonField::Custom);
        }
        if key == "restriction" {
            return Some(PersonField::Restriction);
        }
        PersonField::FIXED.into_iter().find(|f| f.key() == key)
    }
}

/// A value with a label the user chose ("work", "home", …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labeled {
    pub label: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    pub label: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self.street.is_empty() && self.postal_code.is_empty() && self.city.is_empty() && self.country.is_empty()
    }

    /// The address on one line: "Kunnanmäki 9, 50600 Mikkeli".
    pub fn one_line(&self) -> String {
        let town = [self.postal_code.as_str(), self.city.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        [self.street.as_str(), town.as_str(), self.country.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A social media profile: the service and the handle or address there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Social {
    pub service: String,
    pub handle: String,
}

/// A person's link to an organisation, with their role or position there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Affiliation {
    pub org: OrgId,
    pub role: String,
}

/// Where a person's data came from, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub source: Source,
    pub detail: String,
    pub date: NaiveDate,
}

/// The kinds of source the seeds' notices name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// The person gave the data themselves.
    ThePerson,
    PublicRegister,
    Partner,
    EventSignup,
    /// Imported from another program or file.
    Import,
    Other,
}

impl Source {
    pub const ALL: [Source; 6] = [
        Source::ThePerson,
        Source::PublicRegister,
        Source::Partner,
        Source::EventSignup,
        Source::Import,
        Source::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Source::ThePerson => "person",
            Source::PublicRegister => "public_register",
            Source::Partner => "partner",
            Source::EventSignup => "event_signup",
            Source::Import => "import",
            Source::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.key() == key)
    }
}
