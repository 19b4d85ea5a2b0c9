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
    /// Absent: the time of the entity's stamp (an entity never changed).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "when::opt_time")]
    pub created: Option<DateTime<Utc>>,
    /// Absent: the same as `created`.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "when::opt_time")]
    pub updated: Option<DateTime<Utc>>,
    pub stamp: String,
}

impl From<&Organisation> for OrgDto {
    fn from(o: &Organisation) -> Self {
        OrgDto {
            id: o.id.uuid(),
            name: o.name.clone(),
            business_id: o.business_id.clone(),
            address: AddressDto::from(&o.address),
            website: o.website.clone(),
            notes: o.notes.clone(),
            created: created_out(o.created, Some(o.stamp)),
            updated: updated_out(o.created, o.updated),
            stamp: stamp_text(&o.stamp),
        }
    }
}

impl TryFrom<OrgDto> for Organisation {
    type Error = DtoError;

    fn try_from(d: OrgDto) -> Result<Self, DtoError> {
        if let Some(id) = &d.business_id {
            validate::business_id(id).map_err(|_| bad("business ID", id.clone()))?;
        }
        let own = stamp(&d.stamp)?;
        let created = created_in(d.created, Some(own))?;
        Ok(Organisation {
            id: OrgId::new(d.id),
            name: d.name,
            business_id: d.business_id,
            address: d.address.into(),
            website: d.website,
            notes: d.notes,
            created,
            updated: d.updated.unwrap_or(created),
            stamp: own,
        })
    }
}
