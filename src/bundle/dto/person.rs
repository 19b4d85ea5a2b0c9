//! People: their contact details, links, custom fields and stamps.

use super::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabeledDto {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressDto {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub street: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub postal_code: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub city: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub country: String,
}

impl AddressDto {
    pub(super) fn is_empty(&self) -> bool {
        *self == AddressDto::default()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocialDto {
    pub service: String,
    pub handle: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AffiliationDto {
    pub org: Uuid,
    #[serde(default)]
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProvenanceDto {
    pub source: String,
    #[serde(default)]
    pub detail: String,
    #[serde(deserialize_with = "when::date")]
    pub date: NaiveDate,
}

/// A custom field's value, tagged with its kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum CustomValueDto {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    YesNo(bool),
    Choice(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonDto {
    pub id: Uuid,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<LabeledDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<LabeledDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<AddressDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub socials: Vec<SocialDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affiliations: Vec<AffiliationDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<Uuid, CustomValueDto>,
    pub provenance: ProvenanceDto,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// A restriction of processing; absent when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction: Option<RestrictionDto>,
    /// Absent: implied ([`Implied`]).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "when::opt_time")]
    pub created: Option<DateTime<Utc>>,
    /// Absent: implied ([`Implied`]).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "when::opt_time")]
    pub updated: Option<DateTime<Utc>>,
    /// The stamp of every built-in field ([`PersonField::FIXED`]) that
    /// `stamps` does not name (version 2 on; absent in version 1, where
    /// `stamps` names every field). `null`: there is none. Absent: none,
    /// or in version 3 the one implied ([`Implied`]).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "null_or_text")]
    pub stamp: Option<Option<String>>,
    /// Field name → stamp text, for the fields whose stamp is not `stamp`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stamps: BTreeMap<String, String>,
    /// Storage only: the device by which this document leaves stamps and
    /// times implied ([`Implied::by`]), as a bundle of version 3 wrote it
    /// when storage keeps that text as it came; absent: [`Implied::LITTLE`].
    /// A bundle's reader ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implied_by: Option<Uuid>,
}

/// A person's field stamps as a document writes them: the stamp most
/// built-in fields share, and the others by field.
fn person_stamps(stamps: &BTreeMap<PersonField, Stamp>) -> (Option<Stamp>, BTreeMap<String, String>) {
    let (common, others) = person_stamps_by(stamps);
    (common, others.into_iter().map(|(f, s)| (f.key(), stamp_text(&s))).collect())
}

/// The stamp most built-in fields share (none unless every built-in field
/// has a stamp), and the fields whose stamp is another.
pub(super) fn person_stamps_by(stamps: &BTreeMap<PersonField, Stamp>) -> (Option<Stamp>, Vec<(&PersonField, Stamp)>) {
    let all = || stamps.iter().map(|(f, s)| (f, *s)).collect();
    // Few distinct stamps, mostly one: counted in a short list (every
    // export does this for every person).
    let mut counts: Vec<(Stamp, usize)> = Vec::with_capacity(PersonField::FIXED.len());
    for f in &PersonField::FIXED {
        let Some(&stamp) = stamps.get(f) else { return (None, all()) };
        match counts.iter_mut().find(|(s, _)| *s == stamp) {
            Some((_, n)) => *n += 1,
            None => counts.push((stamp, 1)),
        }
    }
    // The most shared stamp; of equally shared ones, the latest.
    let Some(&(common, _)) = counts.iter().max_by_key(|(s, n)| (*n, *s)) else { return (None, all()) };
    let others = stamps
        .iter()
        .filter(|(f, s)| !(PersonField::FIXED.contains(f) && **s == common))
        .map(|(f, s)| (f, *s))
        .collect();
    (Some(common), others)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestrictionDto {
    pub since: NaiveDate,
    #[serde(default)]
    pub request: Option<Uuid>,
    /// `requested`, `erased_except_held`.
    pub kind: String,
}

impl From<&crate::domain::gdpr::Restriction> for RestrictionDto {
    fn from(r: &crate::domain::gdpr::Restriction) -> Self {
        RestrictionDto { since: r.since, request: r.request.map(|id| id.uuid()), kind: r.kind.key().into() }
    }
}

impl TryFrom<RestrictionDto> for crate::domain::gdpr::Restriction {
    type Error = DtoError;

    fn try_from(d: RestrictionDto) -> Result<Self, DtoError> {
        use crate::domain::gdpr::RestrictionKind;
        Ok(crate::domain::gdpr::Restriction {
            since: d.since,
            request: d.request.map(crate::domain::RequestId::new),
            kind: RestrictionKind::from_key(&d.kind).ok_or_else(|| bad("restriction", d.kind.clone()))?,
        })
    }
}

/// Reads `null` as `Some(None)`, so that it differs from a missing member.
fn null_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl From<&Person> for PersonDto {
    fn from(p: &Person) -> Self {
        PersonDto::written(p, Implied::LITTLE)
    }
}

impl PersonDto {
    /// The person as written where `implied` holds.
    pub fn written(p: &Person, implied: Implied) -> Self {
        let (common, stamps) = person_stamps(&p.stamps);
        let latest = p.stamps.values().max().copied();
        let labeled = |list: &[Labeled]| {
            list.iter().map(|l| LabeledDto { label: l.label.clone(), value: l.value.clone() }).collect()
        };
        PersonDto {
            id: p.id.uuid(),
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            emails: labeled(&p.emails),
            phones: labeled(&p.phones),
            addresses: p.addresses.iter().map(AddressDto::from).collect(),
            websites: p.websites.clone(),
            socials: p
                .socials
                .iter()
                .map(|s| SocialDto { service: s.service.clone(), handle: s.handle.clone() })
                .collect(),
            affiliations: p
                .affiliations
                .iter()
                .map(|a| AffiliationDto { org: a.org.uuid(), role: a.role.clone() })
                .collect(),
            categories: p.categories.iter().map(|c| c.as_str().to_owned()).collect(),
            tags: p.tags.iter().cloned().collect(),
            custom: p.custom.iter().map(|(k, v)| (k.uuid(), CustomValueDto::from(v))).collect(),
            provenance: ProvenanceDto {
                source: p.provenance.source.key().to_owned(),
                detail: p.provenance.detail.clone(),
                date: p.provenance.date,
            },
            notes: p.notes.clone(),
            restriction: p.restriction.as_ref().map(RestrictionDto::from),
            created: implied.created_out(p.id.uuid(), p.created, common),
            updated: implied.updated_out(p.created, p.updated, latest),
            stamp: match common {
                Some(s) => implied.stamp_out(p.id.uuid(), s).map(Some),
                // Said outright where leaving it out would imply one.
                None => implied.0.map(|_| None),
            },
            stamps,
            implied_by: None,
        }
    }

    /// The person, reading what is left out as `implied`.
    pub fn read(self, implied: Implied) -> Result<Person, DtoError> {
        let d = self;
        let labeled =
            |list: Vec<LabeledDto>| list.into_iter().map(|l| Labeled { label: l.label, value: l.value }).collect();
        for e in &d.emails {
            if !validate::is_email(&e.value) {
                return Err(bad("e-mail", "not an e-mail address"));
            }
        }
        for p in &d.phones {
            if !p.value.starts_with('+') || p.value.len() < 8 || !p.value[1..].bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("phone", "not an international phone number"));
            }
        }
        // Collected in one go (a map is built fastest from all its entries):
        // the shared stamp first, so that a field's own stamp replaces it.
        let common = match &d.stamp {
            Some(written) => written.as_deref().map(stamp).transpose()?,
            None => implied.stamp(d.id),
        };
        let mut entries: Vec<(PersonField, Stamp)> = Vec::with_capacity(PersonField::FIXED.len() + d.stamps.len());
        if let Some(common) = common {
            entries.extend(PersonField::FIXED.iter().map(|f| (f.clone(), common)));
        }
        for (k, v) in &d.stamps {
            entries.push((PersonField::from_key(k).ok_or_else(|| bad("field", k.clone()))?, stamp(v)?));
        }
        let stamps: BTreeMap<PersonField, Stamp> = entries.into_iter().collect();
        let created = implied.created_in(d.id, d.created, common)?;
        let updated = d.updated.unwrap_or_else(|| implied.updated(created, stamps.values().max().copied()));
        Ok(Person {
            id: PersonId::new(d.id),
            given_name: d.given_name,
            family_name: d.family_name,
            emails: labeled(d.emails),
            phones: labeled(d.phones),
            addresses: d.addresses.into_iter().map(Address::from).collect(),
            websites: d.websites,
            socials: d.socials.into_iter().map(|s| Social { service: s.service, handle: s.handle }).collect(),
            affiliations: d
                .affiliations
                .into_iter()
                .map(|a| Affiliation { org: OrgId::new(a.org), role: a.role })
                .collect(),
            categories: d.categories.into_iter().map(CategoryKey::new).collect::<BTreeSet<_>>(),
            tags: d.tags.into_iter().collect(),
            custom: d.custom.into_iter().map(|(k, v)| (FieldId::new(k), CustomValue::from(v))).collect(),
            provenance: Provenance {
                source: Source::from_key(&d.provenance.source)
                    .ok_or_else(|| bad("source", d.provenance.source.clone()))?,
                detail: d.provenance.detail,
                date: d.provenance.date,
            },
            notes: d.notes,
            restriction: d.restriction.map(TryInto::try_into).transpose()?,
            created,
            updated,
            stamps,
        })
    }
}

impl TryFrom<PersonDto> for Person {
    type Error = DtoError;

    fn try_from(d: PersonDto) -> Result<Self, DtoError> {
        let implied = Implied::stored(d.implied_by);
        d.read(implied)
    }
}

impl From<&Address> for AddressDto {
    fn from(a: &Address) -> Self {
        AddressDto {
            label: a.label.clone(),
            street: a.street.clone(),
            postal_code: a.postal_code.clone(),
            city: a.city.clone(),
            country: a.country.clone(),
        }
    }
}

impl From<AddressDto> for Address {
    fn from(a: AddressDto) -> Self {
        Address { label: a.label, street: a.street, postal_code: a.postal_code, city: a.city, country: a.country }
    }
}

impl From<&CustomValue> for CustomValueDto {
    fn from(v: &CustomValue) -> Self {
        match v {
            CustomValue::Text(s) => CustomValueDto::Text(s.clone()),
            CustomValue::Number(n) => CustomValueDto::Number(*n),
            CustomValue::Date(d) => CustomValueDto::Date(*d),
            CustomValue::YesNo(b) => CustomValueDto::YesNo(*b),
            CustomValue::Choice(s) => CustomValueDto::Choice(s.clone()),
        }
    }
}

impl From<CustomValueDto> for CustomValue {
    fn from(v: CustomValueDto) -> Self {
        match v {
            CustomValueDto::Text(s) => CustomValue::Text(s),
            CustomValueDto::Number(n) => CustomValue::Number(n),
            CustomValueDto::Date(d) => CustomValue::Date(d),
            CustomValueDto::YesNo(b) => CustomValue::YesNo(b),
            CustomValueDto::Choice(s) => CustomValue::Choice(s),
        }
    }
}
