//! The consent ledger and the newsletters and purposes it is about.

use super::*;

/// An entry of the consent ledger. Purposes, states and sources are
/// written by their keys (`marketing:email`, `given`, `form`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentEntryDto {
    pub id: Uuid,
    pub person: Uuid,
    pub purpose: String,
    pub state: String,
    #[serde(deserialize_with = "when::date")]
    pub date: NaiveDate,
    pub source: String,
    #[serde(default)]
    pub wording: String,
    #[serde(deserialize_with = "when::time")]
    pub recorded_at: DateTime<Utc>,
    #[serde(default)]
    pub by: String,
    pub stamp: String,
}

impl From<&ConsentEntry> for ConsentEntryDto {
    fn from(e: &ConsentEntry) -> Self {
        ConsentEntryDto {
            id: e.id.uuid(),
            person: e.person.uuid(),
            purpose: e.purpose.key(),
            state: e.state.key().into(),
            date: e.date,
            source: e.source.key().into(),
            wording: e.wording.clone(),
            recorded_at: e.recorded_at,
            by: e.by.clone(),
            stamp: stamp_text(&e.stamp),
        }
    }
}

impl TryFrom<ConsentEntryDto> for ConsentEntry {
    type Error = DtoError;

    fn try_from(d: ConsentEntryDto) -> Result<Self, DtoError> {
        Ok(ConsentEntry {
            id: ConsentId::new(d.id),
            person: PersonId::new(d.person),
            purpose: Purpose::from_key(&d.purpose).ok_or_else(|| bad("purpose", d.purpose.clone()))?,
            state: ConsentState::from_key(&d.state).ok_or_else(|| bad("consent state", d.state.clone()))?,
            date: d.date,
            source: ConsentSource::from_key(&d.source).ok_or_else(|| bad("consent source", d.source.clone()))?,
            wording: d.wording,
            recorded_at: d.recorded_at,
            by: d.by,
            stamp: stamp(&d.stamp)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewsletterDto {
    pub id: Uuid,
    pub name: String,
    /// `email`, `phone`, `post`, `sms`.
    pub channel: String,
    /// `consent`, `legitimate_interest`.
    pub basis: String,
    #[serde(default)]
    pub retired: bool,
}

/// The organisation's newsletters and the purposes' legal bases. A basis
/// left out is the default's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentConfigDto {
    #[serde(default)]
    pub newsletters: Vec<NewsletterDto>,
    /// Purpose key (`marketing:email`, `surveys`, …) → basis key.
    #[serde(default)]
    pub bases: BTreeMap<String, String>,
    pub stamp: String,
}

impl From<&ConsentConfig> for ConsentConfigDto {
    fn from(c: &ConsentConfig) -> Self {
        ConsentConfigDto {
            newsletters: c
                .newsletters
                .iter()
                .map(|n| NewsletterDto {
                    id: n.id.uuid(),
                    name: n.name.clone(),
                    channel: n.channel.key().into(),
                    basis: n.basis.key().into(),
                    retired: n.retired,
                })
                .collect(),
            bases: Purpose::FIXED.iter().map(|p| (p.key(), c.basis(p).key().to_owned())).collect(),
            stamp: stamp_text(&c.stamp),
        }
    }
}

impl TryFrom<ConsentConfigDto> for ConsentConfig {
    type Error = DtoError;

    fn try_from(d: ConsentConfigDto) -> Result<Self, DtoError> {
        let mut c = ConsentConfig { stamp: stamp(&d.stamp)?, ..ConsentConfig::default() };
        for n in d.newsletters {
            c.newsletters.push(Newsletter {
                id: NewsletterId::new(n.id),
                name: n.name,
                channel: Channel::from_key(&n.channel).ok_or_else(|| bad("channel", n.channel.clone()))?,
                basis: Basis::from_key(&n.basis).ok_or_else(|| bad("basis", n.basis.clone()))?,
                retired: n.retired,
            });
        }
        for (key, basis) in d.bases {
            let basis = Basis::from_key(&basis).ok_or_else(|| bad("basis", basis.clone()))?;
            match Purpose::from_key(&key) {
                Some(Purpose::DirectMarketing(Channel::Email)) => c.email = basis,
                Some(Purpose::DirectMarketing(Channel::Phone)) => c.phone = basis,
                Some(Purpose::DirectMarketing(Channel::Post)) => c.post = basis,
                Some(Purpose::DirectMarketing(Channel::Sms)) => c.sms = basis,
                Some(Purpose::Surveys) => c.surveys = basis,
                Some(Purpose::PartnerDisclosure) => c.partners = basis,
                Some(Purpose::Directory) => c.directory = basis,
                _ => return Err(bad("purpose", key)),
            }
        }
        Ok(c)
    }
}
