//! Everything that leaves the register for a purpose — mailing lists,
//! address labels, partner lists — goes through one gate: an
//! [`Audience`]. It takes the people a filter finds and keeps those the
//! consent ledger, the prohibition register and restrictions of processing
//! allow, who can be reached on the purpose's channel, once per address.
//! Everyone left out is listed with the reason, so the user sees whom a
//! list does not reach and why.

use std::collections::{BTreeMap, HashSet};

use super::commands::Command;
use super::consent::{Channel, Denial, Purpose};
use super::ids::PersonId;
use super::person::{Address, Person};
use super::register::Register;
use super::search::Filter;
use super::text::fold;

/// Whether a person's processing is restricted (GDPR Art. 18: stored, not
/// used). Restricted people are left out of every output.
pub fn is_restricted(_reg: &Register, person: &Person) -> bool {
    person.is_restricted()
}

/// Why a person is not on a list. [`Reason::id`] is the message id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// Processing restricted.
    Restricted,
    /// In the prohibition register (a refusal of direct marketing).
    Prohibited,
    /// The purpose needs consent, and the person was not asked.
    NotAsked,
    Refused,
    Withdrawn,
    NoEmail,
    NoPhone,
    NoAddress,
    /// The same e-mail address, phone number or name and address as
    /// someone earlier on the list: they get it once.
    SameContact(PersonId),
}

impl Reason {
    pub fn id(&self) -> &'static str {
        match self {
            Reason::Restricted => "restricted",
            Reason::Prohibited => "marketing_prohibition",
            Reason::NotAsked => "consent_not_asked",
            Reason::Refused => "consent_refused",
            Reason::Withdrawn => "consent_withdrawn",
            Reason::NoEmail => "no_email",
            Reason::NoPhone => "no_phone",
            Reason::NoAddress => "no_address",
            Reason::SameContact(_) => "same_contact",
        }
    }

    /// Every message id, in the order a summary shows them.
    pub const IDS: [&'static str; 9] = [
        "restricted",
        "marketing_prohibition",
        "consent_refused",
        "consent_withdrawn",
        "consent_not_asked",
        "no_email",
        "no_phone",
        "no_address",
        "same_contact",
    ];
}

impl From<Denial> for Reason {
    fn from(d: Denial) -> Self {
        match d {
            Denial::NotAsked => Reason::NotAsked,
            Denial::Refused => Reason::Refused,
            Denial::Withdrawn => Reason::Withdrawn,
            Denial::Prohibited => Reason::Prohibited,
            Denial::Restricted => Reason::Restricted,
        }
    }
}

/// Who may receive something sent for a purpose, and who was left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audience {
    pub purpose: Purpose,
    /// The channel contact data was checked for (`None`: none needed).
    pub channel: Option<Channel>,
    /// In the filter's order.
    pub included: Vec<PersonId>,
    /// In the filter's order, each with the first reason found.
    pub left_out: Vec<(PersonId, Reason)>,
}

impl Audience {
    /// How many were left out for each reason (by message id; reasons
    /// nobody was left out for are absent).
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for (_, reason) in &self.left_out {
            *counts.entry(reason.id()).or_insert(0) += 1;
        }
        counts
    }

    /// The disclosure log entry of handing this list to a partner: the
    /// command refuses anyone the ledger does not allow, so a list made
    /// for [`Purpose::PartnerDisclosure`] passes and any other may not.
    pub fn partner_disclosure(&self, recipient: &str, purpose: &str, scope: &str) -> Command {
        Command::RecordPartnerDisclosure {
            recipient: recipient.to_owned(),
            purpose: purpose.to_owned(),
            scope: scope.to_owned(),
            people: self.included.clone(),
        }
    }
}

/// The person's e-mail address for mailings: the first one.
pub fn email_of(person: &Person) -> Option<&str> {
    person.primary_email()
}

/// The person's number for calls: the first one.
pub fn phone_of(person: &Person) -> Option<&str> {
    person.primary_phone()
}

/// The person's number for text messages: the first one labelled as a
/// mobile, else the first that looks like a Finnish mobile number, else
/// the first.
pub fn mobile_of(person: &Person) -> Option<&str> {
    let labelled = person.phones.iter().find(|p| {
        let label = fold(&p.label);
        ["mob", "matka", "gsm", "kanny", "sms", "cell"].iter().any(|w| label.contains(w))
    });
    let finnish = || person.phones.iter().find(|p| p.value.starts_with("+3584") || p.value.starts_with("+35850"));
    labelled.or_else(finnish).or(person.phones.first()).map(|p| p.value.as_str())
}

/// The person's postal address: the first with a street and a town.
pub fn postal_address(person: &Person) -> Option<&Address> {
    person
        .addresses
        .iter()
        .find(|a| !a.street.trim().is_empty() && (!a.city.trim().is_empty() || !a.postal_code.trim().is_empty()))
}

/// The contact a channel uses, as the key duplicates are found by.
fn contact_key(person: &Person, channel: Channel) -> Option<String> {
    match channel {
        Channel::Email => email_of(person).map(str::to_lowercase),
        Channel::Phone => phone_of(person).map(str::to_owned),
        Channel::Sms => mobile_of(person).map(str::to_owned),
        // Colleagues at one office address are different recipients: the
        // same name at the same address is the same recipient.
        Channel::Post => {
            postal_address(person).map(|a| format!("{}|{}", fold(&person.display_name()), fold(&a.one_line())))
        }
    }
}

fn missing(channel: Channel) -> Reason {
    match channel {
        Channel::Email => Reason::NoEmail,
        Channel::Phone | Channel::Sms => Reason::NoPhone,
        Channel::Post => Reason::NoAddress,
    }
}

impl Register {
    /// The people a filter finds who may receive something sent for
    /// `purpose` (on the purpose's own channel), and who was left out.
    pub fn audience(&self, filter: &Filter, purpose: &Purpose) -> Audience {
        let people = self.search(filter);
        self.audience_of(&people, purpose, self.consent_config().channel(purpose))
    }

    /// The same for a given list of people, with the channel chosen by
    /// the caller (`None`: no contact data needed, e.g. a partner list;
    /// direct marketing and newsletters have their own channel).
    pub fn audience_of(&self, people: &[PersonId], purpose: &Purpose, channel: Option<Channel>) -> Audience {
        let mut included = Vec::new();
        let mut left_out = Vec::new();
        let mut seen: HashSet<PersonId> = HashSet::new();
        let mut contacts: BTreeMap<String, PersonId> = BTreeMap::new();
        for &id in people {
            if !seen.insert(id) {
                continue;
            }
            let Some(person) = self.person(id) else { continue };
            if is_restricted(self, person) {
                left_out.push((id, Reason::Restricted));
                continue;
            }
            if let Err(denial) = self.consent_allows(id, purpose) {
                left_out.push((id, denial.into()));
                continue;
            }
            if let Some(channel) = channel {
                let Some(key) = contact_key(person, channel) else {
                    left_out.push((id, missing(channel)));
                    continue;
                };
                if let Some(first) = contacts.get(&key) {
                    left_out.push((id, Reason::SameContact(*first)));
                    continue;
                }
                contacts.insert(key, id);
            }
            included.push(id);
        }
        Audience { purpose: *purpose, channel, included, left_out }
    }

    /// The people of a filter who may be disclosed to partners (name and
    /// address, as the seeds' notices disclose): everyone without a
    /// disclosure consent (under a consent basis), with a refusal, or in
    /// the prohibition register is left out.
    pub fn partner_list(&self, filter: &Filter) -> Audience {
        let people = self.search(filter);
        self.audience_of(&people, &Purpose::PartnerDisclosure, None)
    }

    /// Address labels for an audience, page by page. People without a
    /// postal address are skipped (a postal audience has left them out
    /// already).
    pub fn labels(&self, audience: &Audience, sheet: &LabelSheet, options: &LabelOptions) -> Vec<LabelPage> {
        let per_page = sheet.per_page().max(1);
        let mut slots: Vec<Option<Label>> = (0..options.skip.min(per_page - 1)).map(|_| None).collect();
        for &id in &audience.included {
            let Some(person) = self.person(id) else { continue };
            let Some(address) = postal_address(person) else { continue };
            slots.push(Some(Label { person: id, lines: self.label_lines(person, address, options) }));
        }
        let mut pages = Vec::new();
        let mut slots = slots.into_iter().peekable();
        while slots.peek().is_some() {
            pages.push(LabelPage { labels: slots.by_ref().take(per_page).collect() });
        }
        pages
    }

    /// The lines of one label: name, organisation, street, postal code and
    /// town (in capitals, as Posti asks), and the country when abroad.
    fn label_lines(&self, person: &Person, address: &Address, options: &LabelOptions) -> Vec<String> {
        let mut lines = vec![person.display_name()];
        if options.organisation {
            if let Some(org) = person.affiliations.first().and_then(|a| self.org(a.org)) {
                lines.push(org.name.clone());
            }
        }
        lines.extend(address.street.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned));
        let town = [address.postal_code.trim().to_owned(), address.city.trim().to_uppercase()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !town.is_empty() {
            lines.push(town);
        }
        let country = address.country.trim();
        if !country.is_empty() && !options.home_countries.iter().any(|h| fold(h) == fold(country)) {
            lines.push(country.to_uppercase());
        }
        lines
    }
}

/// An A4 sheet of address labels, measured in millimetres.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelSheet {
    /// A stable key (`3x7-70x42`) for the choice and its translation.
    pub key: &'static str,
    pub columns: usize,
    pub rows: usize,
    pub label_width: f64,
    pub label_height: f64,
    /// From the sheet's top edge to the first row.
    pub top: f64,
    /// From the sheet's left edge to the first column.
    pub left: f64,
    /// Between columns and between rows.
    pub gap_x: f64,
    pub gap_y: f64,
    /// Inside each label, around the text.
    pub padding: f64,
}

impl LabelSheet {
    pub const PAGE_WIDTH: f64 = 210.0;
    pub const PAGE_HEIGHT: f64 = 297.0;

    /// 21 labels of 70 × 42.3 mm edge to edge (e.g. Avery 3652).
    pub const A4_3X7: LabelSheet = LabelSheet {
        key: "3x7-70x42",
        columns: 3,
        rows: 7,
        label_width: 70.0,
        label_height: 42.3,
        top: 0.45,
        left: 0.0,
        gap_x: 0.0,
        gap_y: 0.0,
        padding: 5.0,
    };
    /// 24 labels of 70 × 37 mm edge to edge (e.g. Avery 3474).
    pub const A4_3X8: LabelSheet = LabelSheet {
        key: "3x8-70x37",
        columns: 3,
        rows: 8,
        label_width: 70.0,
        label_height: 37.0,
        top: 0.5,
        left: 0.0,
        gap_x: 0.0,
        gap_y: 0.0,
        padding: 5.0,
    };
    /// 21 labels of 63.5 × 38.1 mm with margins (e.g. Avery L7160).
    pub const A4_3X7_MARGINS: LabelSheet = LabelSheet {
        key: "3x7-63x38",
        columns: 3,
        rows: 7,
        label_width: 63.5,
        label_height: 38.1,
        top: 15.15,
        left: 7.21,
        gap_x: 2.54,
        gap_y: 0.0,
        padding: 3.0,
    };
    /// 24 labels of 63.5 × 33.9 mm with margins (e.g. Avery L7159).
    pub const A4_3X8_MARGINS: LabelSheet = LabelSheet {
        key: "3x8-63x34",
        columns: 3,
        rows: 8,
        label_width: 63.5,
        label_height: 33.9,
        top: 12.9,
        left: 7.21,
        gap_x: 2.54,
        gap_y: 0.0,
        padding: 3.0,
    };

    pub const PRESETS: [LabelSheet; 4] =
        [LabelSheet::A4_3X7, LabelSheet::A4_3X8, LabelSheet::A4_3X7_MARGINS, LabelSheet::A4_3X8_MARGINS];

    pub fn preset(key: &str) -> Option<LabelSheet> {
        LabelSheet::PRESETS.into_iter().find(|s| s.key == key)
    }

    pub fn per_page(&self) -> usize {
        self.columns * self.rows
    }

    /// The top-left corner of the label at `index` on its page (row by
    /// row), in millimetres from the sheet's top-left corner.
    pub fn position(&self, index: usize) -> (f64, f64) {
        let index = index % self.per_page().max(1);
        let (row, column) = (index / self.columns, index % self.columns);
        (
            self.left + column as f64 * (self.label_width + self.gap_x),
            self.top + row as f64 * (self.label_height + self.gap_y),
        )
    }

    /// Whether every label lies on the sheet.
    pub fn fits(&self) -> bool {
        let (x, y) = self.position(self.per_page().saturating_sub(1));
        self.columns > 0
            && self.rows > 0
            && x + self.label_width <= Self::PAGE_WIDTH + 0.01
            && y + self.label_height <= Self::PAGE_HEIGHT + 0.01
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelOptions {
    /// Labels already used at the start of the first sheet.
    pub skip: usize,
    /// The organisation's name under the person's.
    pub organisation: bool,
    /// Country names left off (mail that stays in the country).
    pub home_countries: Vec<String>,
}

impl Default for LabelOptions {
    fn default() -> Self {
        LabelOptions {
            skip: 0,
            organisation: true,
            home_countries: ["Suomi", "Finland", "FI", "FIN"].map(String::from).to_vec(),
        }
    }
}

/// One label's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub person: PersonId,
    pub lines: Vec<String>,
}

/// One sheet: up to `columns × rows` slots, row by row; `None` is a label
/// left blank (already used).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelPage {
    pub labels: Vec<Option<Label>>,
}
