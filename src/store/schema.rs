//! The database schema and its upgrades. Each version's step runs once, in
//! order, inside the browser's upgrade transaction: a database made by any
//! earlier version of Sidos is brought up to date, or left as it was if the
//! upgrade fails.
//!
//! Version 3 keeps people, organisations, records and tombstones in
//! `pages` (see `bundle::pages`): `{ data: "<page text>" }` under keys like
//! `people/0042`. `audit` keeps `{ doc, entity }` per entry, `meta` keeps
//! `{ doc }`. The stores of versions 1 and 2 (one value per document) stay
//! only so that their data can be moved into pages, once, when a database
//! made by an earlier version is opened.

use web_sys::{IdbDatabase, IdbIndexParameters, IdbTransaction};

use super::StoreError;

pub const PEOPLE: &str = "people";
pub const ORGS: &str = "organisations";
pub const RECORDS: &str = "records";
pub const TOMBSTONES: &str = "tombstones";
pub const AUDIT: &str = "audit";
pub const META: &str = "meta";
pub const PAGES: &str = "pages";
pub const VAULT: &str = "vault";

/// The stores of versions 1 and 2 that kept one value per document.
pub const LEGACY: [&str; 4] = [PEOPLE, ORGS, RECORDS, TOMBSTONES];
/// The stores a change writes.
pub const WRITTEN: [&str; 3] = [PAGES, AUDIT, META];

/// The schema version this build writes.
pub const VERSION: u32 = 3;

/// Index of `records` by the person they belong to.
pub const RECORDS_BY_PERSON: &str = "by_person";
/// Index of `audit` by the entity an entry is about (`person:<uuid>`).
pub const AUDIT_BY_ENTITY: &str = "by_entity";

/// Runs the upgrade steps from `old` up to `new`.
pub fn upgrade(db: &IdbDatabase, tx: &IdbTransaction, old: u32, new: u32) -> Result<(), StoreError> {
    let js = |e: wasm_bindgen::JsValue| StoreError::from_js(&e);
    if old < 1 && new >= 1 {
        // Version 1: one store per kind of document.
        for name in [PEOPLE, ORGS, RECORDS, TOMBSTONES, AUDIT, META] {
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
    if old < 3 && new >= 3 {
        // Version 3: documents in pages (moved there on open), and the
        // vault's wrapped keys.
        db.create_object_store(PAGES).map_err(js)?;
        db.create_object_store(VAULT).map_err(js)?;
    }
    Ok(())
}
