//! The database schema and its upgrades. Each version's step runs once, in
//! order, inside the browser's upgrade transaction: a database made by any
//! earlier version of Sidos is brought up to date, or left as it was if the
//! upgrade fails.
//!
//! Every object store keeps `{ doc: "<JSON document>" }` values under
//! out-of-line string keys; `records` also keep `person`, and `audit`
//! keeps `entity`, for their indexes.

use web_sys::{IdbDatabase, IdbIndexParameters, IdbTransaction};

use super::StoreError;

pub const PEOPLE: &str = "people";
pub const ORGS: &str = "organisations";
pub const RECORDS: &str = "records";
pub const TOMBSTONES: &str = "tombstones";
pub const AUDIT: &str = "audit";
pub const META: &str = "meta";

/// Every object store, for transactions that may touch any of them.
pub const ALL_STORES: [&str; 6] = [PEOPLE, ORGS, RECORDS, TOMBSTONES, AUDIT, META];

/// The schema version this build writes.
pub const VERSION: u32 = 2;

/// Index of `records` by the person they belong to.
pub const RECORDS_BY_PERSON: &str = "by_person";
/// Index of `audit` by the entity an entry is about (`person:<uuid>`).
pub const AUDIT_BY_ENTITY: &str = "by_entity";

/// Runs the upgrade steps from `old` up to `new`.
pub fn upgrade(db: &IdbDatabase, tx: &IdbTransaction, old: u32, new: u32) -> Result<(), StoreError> {
    let js = |e: wasm_bindgen::JsValue| StoreError::from_js(&e);
    if old < 1 && new >= 1 {
        // Version 1: the stores.
        for name in ALL_STORES {
            db.create_object_store(name).map_err(js)?;
        }
    }
    if old < 2 && new >= 2 {
        // Version 2: indexes to find a person's records and an entity's
        // history without reading everything. Existing values already carry
        // the indexed fields, so the browser fills the indexes in.
        let params = IdbIndexParameters::new();
        params.set_unique(false);
        tx.object_store(RECORDS)
            .map_err(js)?
            .create_index_with_str_and_optional_parameters(RECORDS_BY_PERSON, "person", &params)
            .map_err(js)?;
        tx.object_store(AUDIT)
            .map_err(js)?
            .create_index_with_str_and_optional_parameters(AUDIT_BY_ENTITY, "entity", &params)
            .map_err(js)?;
    }
    Ok(())
}
