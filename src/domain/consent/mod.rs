//! The consent and prohibition ledger: per person, per purpose and channel,
//! what the person said (given, refused, withdrawn), when, how, and the
//! wording they saw.
//!
//! The ledger only grows: an entry is never changed or overwritten; a new
//! answer is a new entry, so the history stays. The current state of a
//! purpose is its latest entry (by the date the person answered, then by
//! stamp); without any entry it is [`ConsentState::NotAsked`].
//!
//! # The prohibition register (suoramarkkinointikielto)
//!
//! Not a second copy: it is read from the ledger. A person is in it while
//! the current state of direct marketing on **any** channel is refused or
//! withdrawn. The seeds' notices say a refusal of direct marketing is
//! marked in a prohibition register and stops the controller's marketing
//! (MPY: "markkinoinnin käyttökielto … suoramarkkinointikieltorekisteri"),
//! and a person who says "no marketing" on the phone rarely means "by
//! phone only". So a prohibition stops every *marketing* purpose —
//! newsletters, direct marketing on every channel, and disclosure to
//! partners — except a purpose the person explicitly consented to *after*
//! the refusal (a later consent is the person's newer word, and GDPR lets
//! them give it). Surveys and directory publication are not marketing:
//! they keep their own entries and are not stopped by the prohibition.
//!
//! # Legal bases
//!
//! Each purpose has a basis in [`ConsentConfig`]. Under
//! [`Basis::Consent`] only a given consent allows use; under
//! [`Basis::LegitimateInterest`] "not asked" allows use until the person
//! refuses (e.g. product news to existing business customers). A refusal or
//! withdrawal always stops the purpose, whatever its basis.

use chrono::{DateTime, NaiveDate, Utc};

use super::ids::{ConsentId, NewsletterId, PersonId, Stamp};
use super::register::{Change, Register};

mod commands;

/// How a message reaches the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    Email,
    Phone,
    Post,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Email, Channel::Phone, Channel::Post, Channel::Sms];

    pub fn key(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::Post => "post",
            Channel::Sms => "sms",
        }
    }

    pub fn from_key(key: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// What the person's data is used for, as far as they can agree or refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// One of the organisation's newsletters.
    Newsletter(NewsletterId),
    /// Direct marketing (offers, campaigns) on one channel.
    DirectMarketing(Channel),
    /// Surveys and market research.
    Surveys,
    /// Disclosure of name and contact data to partners.
    PartnerDisclosure,
    /// Publication in a directory or catalogue.
    Directory,
}

impl Purpose {
    /// The purposes without newsletters (those come from the config).
    pub const FIXED: [Purpose; 7] = [
        Purpose::DirectMarketing(Channel::Email),
        Purpose::DirectMarketing(Channel::Phone),
        Purpose::DirectMarketing(Channel::Post),
        Purpose::DirectMarketing(Channel::Sms),
        Purpose::Surveys,
        Purpose::PartnerDisclosure,
        Purpose::Directory,
    ];

    /// A stable key: `newsletter:<id>`, `marketing:email`, `surveys`,
    /// `partners`, `directory`. The audit log names purposes by it.
    pub fn key(&self) -> String {
        match self {
            Purpose::Newsletter(id) => format!("newsletter:{id}"),
            Purpose::DirectMarketing(c) => format!("marketing:{}", c.key()),
            Purpose::Surveys => "surveys".into(),
            Purpose::PartnerDisclosure => "partners".into(),
            Purpose::Directory => "directory".into(),
        }
    }

    pub fn from_key(key: &str) -> Option<Purpose> {
        if let Some(id) = key.strip_prefix("newsletter:") {
            return id.parse().ok().map(Purpose::Newsletter);
        }
        if let Some(c) = key.strip_prefix("marketing:") {
            return Channel::from_key(c).map(Purpose::DirectMarketing);
        }
        Purpose::FIXED.into_iter().find(|p| p.key() == key)
    }

    /// Whether a marketing prohibition stops this purpose.
    pub fn is_marketing(&self) -> bool {
        matches!(self, Purpose::Newsletter(_) | Purpose::DirectMarketing(_) | Purpose::PartnerDisclosure)
    }
}

/// What the person said.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConsentState {
    Given,
    Refused,
    /// Given earlier, taken back.
    Withdrawn,
    /// Nobody asked (or an earlier entry was recorded by mistake).
    NotAsked,
}

impl ConsentState {
    pub const ALL: [ConsentState; 4] =
        [ConsentState::Given, ConsentState::Refused, ConsentState::Withdrawn, ConsentState::NotAsked];

    pub fn key(self) -> &'static str {
        match self {
            ConsentState::Given => "given",
            ConsentState::Refused => "refused",
            ConsentState::Withdrawn => "withdrawn",
            ConsentState::NotAsked => "not_asked",
        }
    }

    pub fn from_key(key: &str) -> Option<ConsentState> {
        ConsentState::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Refused or withdrawn: the person said no.
    pub fn is_no(self) -> bool {
        matches!(self, ConsentState::Refused | ConsentState::Withdrawn)
    }
}

/// How the answer reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConsentSource {
    /// A web or paper form.
    Form,
    Phone,
    Email,
    Letter,
    /// Face to face.
    InPerson,
    /// At an event (a sign-up, a booth).
    Event,
    /// From an imported file that said so.
    Imported,
    Other,
}

impl ConsentSource {
    pub const ALL: [ConsentSource; 8] = [
        ConsentSource::Form,
        ConsentSource::Phone,
        ConsentSource::Email,
        ConsentSource::Letter,
        ConsentSource::InPerson,
        ConsentSource::Event,
        ConsentSource::Imported,
        ConsentSource::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ConsentSource::Form => "form",
            ConsentSource::Phone => "phone",
            ConsentSource::Email => "email",
            ConsentSource::Letter => "letter",
            ConsentSource::InPerson => "in_person",
            ConsentSource::Event => "event",
            ConsentSource::Imported => "imported",
            ConsentSource::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<ConsentSource> {
        ConsentSource::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// One answer in the ledger. Never changed once written; the only thing
/// that moves it is a merge of two people (it follows the person kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentEntry {
    pub id: ConsentId,
    pub person: PersonId,
    pub purpose: Purpose,
    pub state: ConsentState,
    /// When the person answered.
    pub date: NaiveDate,
    pub source: ConsentSource,
    /// The wording the person saw or heard (required for a given consent).
    pub wording: String,
    /// When it was written into the register, and by whom.
    pub recorded_at: DateTime<Utc>,
    pub by: String,
    pub stamp: Stamp,
}

impl ConsentEntry {
    /// The order of answers: by date, then by stamp (then by id, so that
    /// two entries never tie).
    pub fn order_key(&self) -> (NaiveDate, Stamp, ConsentId) {
        (self.date, self.stamp, self.id)
    }
}

/// Why the register may use a person's data for a purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Basis {
    /// Only with a given consent.
    Consent,
    /// Allowed until the person refuses.
    LegitimateInterest,
}

impl Basis {
    pub fn key(self) -> &'static str {
        match self {
            Basis::Consent => "consent",
            Basis::LegitimateInterest => "legitimate_interest",
        }
    }

    pub fn from_key(key: &str) -> Option<Basis> {
        [Basis::Consent, Basis::LegitimateInterest].into_iter().find(|b| b.key() == key)
    }
}

/// A newsletter the organisation sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Newsletter {
    pub id: NewsletterId,
    pub name: String,
    /// How it is sent (e-mail for most; some are printed).
    pub channel: Channel,
    pub basis: Basis,
    /// No longer sent: kept because the ledger refers to it.
    pub retired: bool,
}

/// The organisation's purposes and their legal bases. Its own document
/// (not part of `Settings`), shared with colleagues in bundles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentConfig {
    pub newsletters: Vec<Newsletter>,
    /// Direct marketing by e-mail, phone, post and SMS.
    pub email: Basis,
    pub phone: Basis,
    pub post: Basis,
    pub sms: Basis,
    pub surveys: Basis,
    pub partners: Basis,
    pub directory: Basis,
    pub stamp: Stamp,
}

impl Default for ConsentConfig {
    /// Conservative defaults: electronic direct marketing (e-mail, SMS) to
    /// people needs prior consent under the Finnish Information Society
    /// Code (200 §); phone and post marketing may rely on legitimate
    /// interest until the person refuses; surveys are processed on
    /// legitimate interest in the seeds' notices; disclosure to partners
    /// and publication in a directory need consent. Each is a setting.
    fn default() -> Self {
        ConsentConfig {
            newsletters: Vec::new(),
            email: Basis::Consent,
            phone: Basis::LegitimateInterest,
            post: Basis::LegitimateInterest,
            sms: Basis::Consent,
            surveys: Basis::LegitimateInterest,
            partners: Basis::Consent,
            directory: Basis::Consent,
            stamp: Stamp::ZERO,
        }
    }
}

impl ConsentConfig {
    pub fn newsletter(&self, id: NewsletterId) -> Option<&Newsletter> {
        self.newsletters.iter().find(|n| n.id == id)
    }

    /// The basis a purpose is processed on (an unknown newsletter: consent).
    pub fn basis(&self, purpose: &Purpose) -> Basis {
        match purpose {
            Purpose::Newsletter(id) => self.newsletter(*id).map_or(Basis::Consent, |n| n.basis),
            Purpose::DirectMarketing(Channel::Email) => self.email,
            Purpose::DirectMarketing(Channel::Phone) => self.phone,
            Purpose::DirectMarketing(Channel::Post) => self.post,
            Purpose::DirectMarketing(Channel::Sms) => self.sms,
            Purpose::Surveys => self.surveys,
            Purpose::PartnerDisclosure => self.partners,
            Purpose::Directory => self.directory,
        }
    }

    /// The channel a purpose's messages go by; `None` for purposes that
    /// send nothing themselves (surveys, partners, directory).
    pub fn channel(&self, purpose: &Purpose) -> Option<Channel> {
        match purpose {
            Purpose::Newsletter(id) => Some(self.newsletter(*id).map_or(Channel::Email, |n| n.channel)),
            Purpose::DirectMarketing(c) => Some(*c),
            _ => None,
        }
    }

    /// Every purpose in the order forms show them: newsletters first.
    pub fn purposes(&self) -> Vec<Purpose> {
        self.newsletters.iter().map(|n| Purpose::Newsletter(n.id)).chain(Purpose::FIXED).collect()
    }

    /// The purposes an objection to direct marketing refuses: every
    /// newsletter, direct marketing on every channel, disclosure to
    /// partners.
    pub fn marketing_purposes(&self) -> Vec<Purpose> {
        self.purposes().into_iter().filter(Purpose::is_marketing).collect()
    }
}

/// Why the ledger does not allow a purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Denial {
    /// Consent basis, and nobody asked.
    NotAsked,
    Refused,
    Withdrawn,
    /// A marketing prohibition (a refusal of direct marketing).
    Prohibited,
    /// The person's data is restricted (GDPR Art. 18): stored, not used.
    Restricted,
}

impl Denial {
    pub fn id(self) -> &'static str {
        match self {
            Denial::NotAsked => "consent_not_asked",
            Denial::Refused => "consent_refused",
            Denial::Withdrawn => "consent_withdrawn",
            Denial::Prohibited => "marketing_prohibition",
            Denial::Restricted => "restricted",
        }
    }
}

/// The ledger's rule, on its own: whether a purpose may be used, given its
/// basis, the purpose's current entry and the prohibition's entry (if the
/// person is in the prohibition register).
pub fn decide(
    purpose: &Purpose,
    basis: Basis,
    current: Option<&ConsentEntry>,
    prohibition: Option<&ConsentEntry>,
) -> Result<(), Denial> {
    let state = current.map_or(ConsentState::NotAsked, |e| e.state);
    match state {
        ConsentState::Refused => return Err(Denial::Refused),
        ConsentState::Withdrawn => return Err(Denial::Withdrawn),
        _ => {}
    }
    if purpose.is_marketing() {
        if let Some(p) = prohibition {
            let consented_later =
                current.is_some_and(|c| c.state == ConsentState::Given && c.order_key() > p.order_key());
            if !consented_later {
                return Err(Denial::Prohibited);
            }
        }
    }
    if basis == Basis::Consent && state != ConsentState::Given {
        return Err(Denial::NotAsked);
    }
    Ok(())
}

/// A purpose's current state for a person, with the entry that set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Current<'a> {
    pub state: ConsentState,
    pub entry: Option<&'a ConsentEntry>,
}

impl Register {
    /// The organisation's purposes and their bases.
    pub fn consent_config(&self) -> &ConsentConfig {
        &self.consent_config
    }

    /// One ledger entry.
    pub fn consent_entry(&self, id: ConsentId) -> Option<&ConsentEntry> {
        self.consents.get(&id)
    }

    /// Every entry of the ledger (in no particular order).
    pub fn consent_entries(&self) -> impl Iterator<Item = &ConsentEntry> {
        self.consents.values()
    }

    /// A person's whole history, newest first.
    pub fn consents_of(&self, person: PersonId) -> Vec<&ConsentEntry> {
        let mut list: Vec<&ConsentEntry> =
            self.consents_by_person.get(&person).into_iter().flatten().filter_map(|id| self.consents.get(id)).collect();
        list.sort_by_key(|e| std::cmp::Reverse(e.order_key()));
        list
    }

    /// The current state of one purpose for a person: its latest entry;
    /// no entry is "not asked".
    pub fn consent(&self, person: PersonId, purpose: &Purpose) -> Current<'_> {
        let entry = self
            .consents_by_person
            .get(&person)
            .into_iter()
            .flatten()
            .filter_map(|id| self.consents.get(id))
            .filter(|e| &e.purpose == purpose)
            .max_by_key(|e| e.order_key());
        Current { state: entry.map_or(ConsentState::NotAsked, |e| e.state), entry }
    }

    /// The entry that puts the person in the prohibition register: the
    /// latest of the direct-marketing channels whose current state is
    /// refused or withdrawn. `None`: no prohibition.
    pub fn marketing_prohibition(&self, person: PersonId) -> Option<&ConsentEntry> {
        Channel::ALL
            .into_iter()
            .filter_map(|c| self.consent(person, &Purpose::DirectMarketing(c)).entry)
            .filter(|e| e.state.is_no())
            .max_by_key(|e| e.order_key())
    }

    /// The prohibition register: everyone with a marketing prohibition,
    /// with the entry that set it, in name order.
    pub fn prohibition_register(&self) -> Vec<(PersonId, &ConsentEntry)> {
        let mut list: Vec<(PersonId, &ConsentEntry)> = self
            .consents_by_person
            .keys()
            .filter(|id| self.people.contains_key(id))
            .filter_map(|id| self.marketing_prohibition(*id).map(|e| (*id, e)))
            .collect();
        list.sort_by(|a, b| self.compare_people(a.0, b.0));
        list
    }

    /// Whether the ledger allows using a person's data for a purpose.
    pub fn consent_allows(&self, person: PersonId, purpose: &Purpose) -> Result<(), Denial> {
        let basis = self.consent_config.basis(purpose);
        let current = self.consent(person, purpose).entry;
        let prohibition = if purpose.is_marketing() { self.marketing_prohibition(person) } else { None };
        decide(purpose, basis, current, prohibition)
    }

    /// The changes that remove every ledger entry of a person (for an
    /// erasure: the person is gone, and so is what they said).
    pub fn remove_consents_of(&self, person: PersonId) -> Vec<Change> {
        let mut ids: Vec<ConsentId> = self.consents_by_person.get(&person).into_iter().flatten().copied().collect();
        ids.sort();
        ids.into_iter().map(Change::RemoveConsent).collect()
    }
}
