//! Databases made by schema versions 1 and 2 kept one value per document.
//! Opening one moves everything into pages, once, in one transaction.

use std::collections::BTreeMap;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbTransactionMode;

use super::schema::{AUDIT, LEGACY, META, ORGS, PAGES, PEOPLE, RECORDS, TOMBSTONES};
use super::{finished, json, request, Store, StoreError};
use crate::bundle::dto::{self, AuditDto, OrgDto, PersonDto, RecordDto, SettingsDto, TombstoneDto};
use crate::bundle::pages::{self, Kind, Page};
use crate::domain::Change;

impl Store {
    /// Moves documents from the one-value-per-document stores of earlier
    /// versions into pages, in one transaction (all or nothing). Such
    /// databases predate the vault, so their values are plain.
    pub(super) async fn move_legacy_documents(&self) -> Result<(), StoreError> {
        let js = |e: JsValue| StoreError::from_js(&e);
        let names: Array = LEGACY.iter().chain([&PAGES]).map(|s| JsValue::from_str(s)).collect();
        let tx = self.db.transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite).map_err(js)?;
        let moved = async {
            let mut pages_by_key: BTreeMap<String, Page> = BTreeMap::new();
            let mut any = false;
            for (name, kind) in
                [(PEOPLE, Kind::People), (ORGS, Kind::Orgs), (RECORDS, Kind::Records), (TOMBSTONES, Kind::Tombstones)]
            {
                let store = tx.object_store(name).map_err(js)?;
                let values: Array = request(&store.get_all().map_err(js)?).await?.unchecked_into();
                let keys: Array = request(&store.get_all_keys().map_err(js)?).await?.unchecked_into();
                for (value, key) in values.iter().zip(keys.iter()) {
                    let (Some(key), Some(doc)) =
                        (key.as_string(), Reflect::get(&value, &"doc".into()).ok().and_then(|d| d.as_string()))
                    else {
                        continue;
                    };
                    any = true;
                    pages_by_key.entry(pages::page_key(kind, &key)).or_default().set(key, Some(doc));
                }
            }
            if !any {
                return Ok(false);
            }
            let target = tx.object_store(PAGES).map_err(js)?;
            let codec = self.codec.borrow().clone();
            for (page_key, page) in pages_by_key {
                let value = codec.value(PAGES, &page_key, "data", &page.text(), &[]);
                target.put_with_key(&value, &page_key.into()).map_err(js)?;
            }
            for name in LEGACY {
                tx.object_store(name).and_then(|s| s.clear()).map_err(js)?;
            }
            Ok::<bool, StoreError>(true)
        }
        .await;
        match moved {
            Ok(_) => finished(&tx).await,
            Err(e) => {
                let _ = tx.abort();
                Err(e)
            }
        }
    }

    /// Writes changes as versions 1 and 2 did (one value per document), so
    /// that tests can make a database like those versions made.
    #[doc(hidden)]
    pub async fn write_as_version_2(&self, changes: &[Change]) -> Result<(), StoreError> {
        let names: Array =
            [PEOPLE, ORGS, RECORDS, TOMBSTONES, AUDIT, META].iter().map(|s| JsValue::from_str(s)).collect();
        let tx = self
            .db
            .transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite)
            .map_err(|e| StoreError::from_js(&e))?;
        let issued = changes.iter().try_for_each(|change| issue_legacy(&tx, change));
        if let Err(e) = issued {
            let _ = tx.abort();
            return Err(StoreError::from_js(&e));
        }
        finished(&tx).await
    }
}

/// `{ doc, ...extra }`, as versions 1 and 2 stored every document.
fn doc_value(doc: &str, extra: &[(&str, &str)]) -> JsValue {
    let obj = Object::new();
    let _ = Reflect::set(&obj, &"doc".into(), &doc.into());
    for (k, v) in extra {
        let _ = Reflect::set(&obj, &(*k).into(), &(*v).into());
    }
    obj.into()
}

fn issue_legacy(tx: &web_sys::IdbTransaction, change: &Change) -> Result<(), JsValue> {
    let put = |store: &str, key: String, value: JsValue| -> Result<(), JsValue> {
        tx.object_store(store)?.put_with_key(&value, &key.into()).map(|_| ())
    };
    match change {
        Change::PutPerson(p) => put(PEOPLE, p.id.to_string(), doc_value(&json(&PersonDto::from(p)), &[])),
        Change::PutOrg(o) => put(ORGS, o.id.to_string(), doc_value(&json(&OrgDto::from(o)), &[])),
        Change::PutRecord(r) => {
            put(RECORDS, r.id.to_string(), doc_value(&json(&RecordDto::from(r)), &[("person", &r.person.to_string())]))
        }
        Change::PutTombstone(t) => {
            put(TOMBSTONES, dto::entity_key(&t.entity), doc_value(&json(&TombstoneDto::from(t)), &[]))
        }
        Change::PutSettings(s) => put(META, "settings".into(), doc_value(&json(&SettingsDto::from(s)), &[])),
        Change::Clock(stamp) => put(META, "clock".into(), doc_value(&stamp.to_string(), &[])),
        Change::Audit(entry) => tx
            .object_store(AUDIT)?
            .add_with_key(
                &doc_value(&json(&AuditDto::from(entry)), &[("entity", &dto::entity_key(&entry.entity))]),
                &entry.key.clone().into(),
            )
            .map(|_| ()),
        _ => Ok(()),
    }
}
