//! Organisations.

use super::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgDto {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    #[serde(default, skip_serializing_if = "AddressDto::is_empty")]
    pub address: AddressDto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Absent: implied ([`Implied`]).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "when::opt_time")]
    pub created: Option<DateTime<Utc>>,
    /// Absent: implied ([`Implied`]).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "when::opt_time")]
    pub updated: Option<DateTime<Utc>>,
    /// Absent: implied ([`Implied`]); always written in storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<String>,
    /// Storage only: the device by which this document leaves stamps and
    /// times implied ([`Implied::by`]), as a bundle of version 3 wrote it
    /// when storage keeps that text as it came; absent: [`Implied::LITTLE`].
    /// A bundle's reader ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implied_by: Option<Uuid>,
}

impl From<&Organisation> for OrgDto {
    fn from(o: &Organisation) -> Self {
        OrgDto::written(o, Implied::LITTLE)
    }
}

impl OrgDto {
    /// The organisation as written where `implied` holds.
    pub fn written(o: &Organisation, implied: Implied) -> Self {
        OrgDto {
            id: o.id.uuid(),
            name: o.name.clone(),
            business_id: o.business_id.clone(),
            address: AddressDto::from(&o.address),
            website: o.website.clone(),
            notes: o.notes.clone(),
            created: implied.created_out(o.id.uuid(), o.created, Some(o.stamp)),
            updated: implied.updated_out(o.created, o.updated, Some(o.stamp)),
            stamp: implied.stamp_out(o.id.uuid(), o.stamp),
            implied_by: None,
        }
    }

    /// The organisation, reading what is left out as `implied`.
    pub fn read(self, implied: Implied) -> Result<Organisation, DtoError> {
        let d = self;
        if let Some(id) = &d.business_id {
            validate::business_id(id).map_err(|_| bad("business ID", id.clone()))?;
        }
        let own = implied.stamp_in(d.id, d.stamp.as_deref())?;
        let created = implied.created_in(d.id, d.created, Some(own))?;
        Ok(Organisation {
            id: OrgId::new(d.id),
            name: d.name,
            business_id: d.business_id,
            address: d.address.into(),
            website: d.website,
            notes: d.notes,
            created,
            updated: d.updated.unwrap_or_else(|| implied.updated(created, Some(own))),
            stamp: own,
        })
    }
}

impl TryFrom<OrgDto> for Organisation {
    type Error = DtoError;

    fn try_from(d: OrgDto) -> Result<Self, DtoError> {
        let implied = Implied::stored(d.implied_by);
        d.read(implied)
    }
}
