//! Organisations that people represent.

use chrono::{DateTime, Utc};

use super::ids::{OrgId, Stamp};
use super::person::Address;

#[derive(Clone, Debug, PartialEq)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
    /// Finnish business ID (Y-tunnus) in standard form, when known.
    pub business_id: Option<String>,
    pub address: Address,
    pub website: Option<String>,
    pub notes: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// When the organisation was last changed (organisations merge whole).
    pub stamp: Stamp,
}

impl Organisation {
    /// The names of the fields whose values differ, for the audit log.
    pub fn changed_fields(&self, other: &Organisation) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.name != other.name {
            fields.push("name");
        }
        if self.business_id != other.business_id {
            fields.push("business_id");
        }
        if self.address != other.address {
            fields.push("address");
        }
        if self.website != other.website {
            fields.push("website");
        }
        if self.notes != other.notes {
            fields.push("notes");
        }
        fields
    }
}
