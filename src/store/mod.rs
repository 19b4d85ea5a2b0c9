//! The register in the browser's IndexedDB.
//!
//! [`Store::load`] reads everything into the in-memory
//! [`Register`](crate::domain::Register) at start; [`Store::write`] writes
//! one command's changes in one transaction, so a user action is written
//! whole or not at all. Documents are the `bundle::dto` shapes as JSON,
//! grouped in pages (`bundle::pages`): a few hundred large values read far
//! faster than a quarter of a million small ones.

mod codec;
mod idb;
mod legacy;
mod records;
pub mod schema;
mod vault;
mod write;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbCursorDirection, IdbCursorWithValue, IdbDatabase, IdbKeyRange, IdbOpenDbRequest, IdbTransactionMode,
    IdbVersionChangeEvent,
};

use std::cell::RefCell;

use crate::bundle::dto::{
    self, AuditDto, DisclosureDto, OrgDto, PersonDto, RecordDto, SeenDto, SettingsDto, TombstoneDto,
};
use crate::bundle::dto::{ConsentConfigDto, ConsentEntryDto};
use crate::bundle::gdpr::{RegisterDescriptionDto, RequestDto};
use crate::bundle::pages::{Kind, Page};
use crate::domain::{AuditEntry, Change, Collator, DeviceId, EntityRef, Parts, Register, Stamp};
use codec::Codec;
use schema::{AUDIT, AUDIT_BY_ENTITY, META, PAGES};

pub use codec::Unreadable;
pub use idb::{finished, request, Completion};
pub use records::PendingRecords;
pub use vault::{wrap_for, AccessDoc, UserAccess, VaultDoc, VaultUser};

/// Why storage failed. Each has a message for the user in the locales
/// (`store_error.*`); none carries personal data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The browser offers no IndexedDB (some private modes, or disabled).
    #[error("the browser's storage is not available")]
    Unavailable,
    /// Another tab keeps an older version of the database open.
    #[error("another tab blocks the database upgrade")]
    Blocked,
    /// The database was made by a newer version of Sidos.
    #[error("the database is from a newer version")]
    NewerVersion,
    /// The browser refused to store more.
    #[error("the storage is full")]
    QuotaExceeded,
    /// Anything else, by DOMException name.
    #[error("storage failed ({0})")]
    Failed(String),
}

impl StoreError {
    /// The translation key of the message for the user.
    pub fn message_id(&self) -> &'static str {
        match self {
            StoreError::Unavailable => "unavailable",
            StoreError::Blocked => "blocked",
            StoreError::NewerVersion => "newer_version",
            StoreError::QuotaExceeded => "quota",
            StoreError::Failed(_) => "failed",
        }
    }
}

/// A stored document that could not be read. The rest of the register
/// loads; this one is left as it is in storage (never overwritten).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadProblem {
    pub store: &'static str,
    pub key: String,
    pub detail: String,
}

/// What [`Store::load`] read.
#[derive(Default)]
pub struct Loaded {
    pub parts: Parts,
    pub device: Option<DeviceId>,
    pub problems: Vec<LoadProblem>,
    /// What is restored after the parts: the seen vector and disclosures.
    pub rest: Vec<Change>,
}

impl Loaded {
    /// The register made of what was loaded.
    pub fn into_register(self, device: DeviceId, collator: Box<dyn Collator>) -> Register {
        let mut reg = Register::from_parts(self.parts, device, collator);
        reg.apply(self.rest);
        reg
    }
}

/// An open Sidos database.
pub struct Store {
    db: IdbDatabase,
    /// Plain, or sealing with the data key while the vault is unlocked.
    codec: RefCell<Codec>,
}

impl Store {
    /// Opens (and creates or upgrades) the database of this schema version.
    /// Documents an earlier version kept one per value are moved into
    /// pages, in one transaction.
    pub async fn open(name: &str) -> Result<Store, StoreError> {
        let store = Store::open_version(name, schema::VERSION).await?;
        store.move_legacy_documents().await?;
        Ok(store)
    }

    /// Opens the database at a given schema version (tests use this to
    /// make databases as earlier versions of Sidos did).
    pub async fn open_version(name: &str, version: u32) -> Result<Store, StoreError> {
        let factory = web_sys::window().and_then(|w| w.indexed_db().ok().flatten()).ok_or(StoreError::Unavailable)?;
        let req = factory.open_with_u32(name, version).map_err(|e| StoreError::from_js(&e))?;
        let on_upgrade = Closure::<dyn FnMut(IdbVersionChangeEvent)>::new(move |ev: IdbVersionChangeEvent| {
            let Some(req) = ev.target().and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok()) else { return };
            let (Ok(db), Some(tx)) = (req.result(), req.transaction()) else { return };
            let old = ev.old_version() as u32;
            let new = ev.new_version().unwrap_or(0.0) as u32;
            if schema::upgrade(db.unchecked_ref(), &tx, old, new).is_err() {
                let _ = tx.abort();
            }
        });
        req.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let promise = Promise::new(&mut |resolve: Function, reject: Function| {
            req.set_onsuccess(Some(&resolve));
            req.set_onerror(Some(&reject));
            req.set_onblocked(Some(&reject));
        });
        let outcome = JsFuture::from(promise).await;
        req.set_onblocked(None);
        let blocked =
            outcome.as_ref().err().and_then(|ev| Reflect::get(ev, &"type".into()).ok()).and_then(|t| t.as_string());
        if blocked.as_deref() == Some("blocked") {
            // The request stays pending: once the other tab lets go, the
            // upgrade runs after all, so its handler must still be there;
            // the connection it then opens is closed at once.
            on_upgrade.forget();
            let close = Closure::<dyn FnMut(JsValue)>::new({
                let req = req.clone();
                move |_| {
                    if let Ok(db) = req.result() {
                        db.unchecked_into::<IdbDatabase>().close();
                    }
                }
            });
            req.set_onsuccess(Some(close.as_ref().unchecked_ref()));
            close.forget();
            return Err(StoreError::Blocked);
        }
        req.set_onupgradeneeded(None);
        drop(on_upgrade);
        match outcome {
            Ok(_) => {
                let db: IdbDatabase = req.result().map_err(|e| StoreError::from_js(&e))?.unchecked_into();
                // Let another tab's newer version upgrade: close this connection.
                let closer = Closure::<dyn FnMut(JsValue)>::new({
                    let db = db.clone();
                    move |_| db.close()
                });
                db.set_onversionchange(Some(closer.as_ref().unchecked_ref()));
                closer.forget();
                Ok(Store { db, codec: RefCell::new(Codec::plain()) })
            }
            Err(_) => Err(req.error().ok().flatten().map_or(StoreError::Unavailable, |e| StoreError::from_dom(&e))),
        }
    }

    /// Deletes a database (tests, and starting over).
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        let factory = web_sys::window().and_then(|w| w.indexed_db().ok().flatten()).ok_or(StoreError::Unavailable)?;
        let req = factory.delete_database(name).map_err(|e| StoreError::from_js(&e))?;
        request(&req).await.map(|_| ())
    }

    pub fn close(&self) {
        self.db.close();
    }

    /// The schema version of the open database.
    pub fn version(&self) -> u32 {
        self.db.version() as u32
    }

    /// The names of the indexes of one object store (tests check upgrades).
    pub fn index_names(&self, store: &str) -> Result<Vec<String>, StoreError> {
        let tx = self.db.transaction_with_str(store).map_err(|e| StoreError::from_js(&e))?;
        let names = tx.object_store(store).map_err(|e| StoreError::from_js(&e))?.index_names();
        Ok((0..names.length()).filter_map(|i| names.get(i)).collect())
    }

    /// Reads the whole register. Documents that cannot be read are listed
    /// in `problems` and left untouched.
    pub async fn load(&self) -> Result<Loaded, StoreError> {
        let (mut loaded, pending) = self.load_first().await?;
        let mut records = Vec::new();
        let problems = pending.finish(None, &|| true, &mut |part| records.extend(part)).await?;
        loaded.parts.records = records;
        loaded.problems.extend(problems.unwrap_or_default());
        Ok(loaded)
    }

    /// Reads the register but its relationship records, which a worker
    /// reads and decodes meanwhile (or the browser reads, and
    /// [`PendingRecords::finish`] decodes): they are most of the register,
    /// and the list can be shown without them.
    pub async fn load_first(&self) -> Result<(Loaded, PendingRecords), StoreError> {
        let js = |e: JsValue| StoreError::from_js(&e);
        let codec = self.codec.borrow().clone();
        let decoding = records::Decoding::start(&self.db.name(), &codec).await;
        let stores = Array::of2(&PAGES.into(), &META.into());
        let tx = self.db.transaction_with_str_sequence(&stores).map_err(js)?;
        let pages = tx.object_store(PAGES).map_err(js)?;
        let meta = tx.object_store(META).map_err(js)?;
        let records = records::records_range().map_err(js)?;
        let before = IdbKeyRange::upper_bound_with_open(&records.lower().map_err(js)?, true).map_err(js)?;
        let after = IdbKeyRange::lower_bound(&records.upper().map_err(js)?).map_err(js)?;
        // Everything but the records, together; the records are asked for
        // once that is in hand, so that it does not wait behind them.
        let first = [get_all(&pages, &before)?, get_all(&pages, &after)?];
        let (meta_values, meta_keys) = get_all(&meta, &JsValue::UNDEFINED)?;
        let mut loaded = Loaded::default();
        let mut read = Vec::with_capacity(first.len());
        for (values, keys) in &first {
            let values: Array = request(values).await?.unchecked_into();
            let keys: Array = request(keys).await?.unchecked_into();
            read.push((values, keys));
        }
        let meta_values: Array = request(&meta_values).await?.unchecked_into();
        let meta_keys: Array = request(&meta_keys).await?.unchecked_into();
        let pending = match decoding {
            Some(decoding) => {
                decoding.go();
                PendingRecords::on_worker(decoding, self.db.clone(), codec.clone())
            }
            // Still in the same transaction (it stays active right after
            // its requests' results arrive); if the browser has ended it,
            // in a transaction of its own.
            None => {
                let (values, keys) = match get_all(&pages, &records) {
                    Ok(requests) => requests,
                    Err(_) => {
                        let tx = self.db.transaction_with_str(PAGES).map_err(js)?;
                        get_all(&tx.object_store(PAGES).map_err(js)?, &records)?
                    }
                };
                PendingRecords::on_page(values, keys, codec.clone())
            }
        };
        crate::web::mark("load-read");
        let stored = read.iter().flat_map(|(values, keys)| keyed(values, keys)).collect();
        let mut openings = codec.openings(PAGES, stored).await;
        while let Some((key, text)) = openings.next().await {
            decode_page(&mut loaded, key, text);
        }
        for (value, key) in meta_values.iter().zip(meta_keys.iter()) {
            let key = key.as_string().unwrap_or_default();
            let doc = match codec.text(META, &key, "doc", &value) {
                Ok(doc) => doc,
                Err(why) => {
                    loaded.problems.push(LoadProblem { store: META, key, detail: why.detail().into() });
                    continue;
                }
            };
            let result = match key.as_str() {
                "settings" => dto::decode::<SettingsDto, _>(&doc).map(|s| loaded.parts.settings = Some(s)),
                "clock" => doc.parse::<Stamp>().map(|c| loaded.parts.clock = Some(c)).map_err(|_| "clock".to_owned()),
                "device" => doc
                    .parse::<uuid::Uuid>()
                    .map(|d| loaded.device = Some(DeviceId::new(d)))
                    .map_err(|_| "device".to_owned()),
                "consent_config" => {
                    dto::decode::<ConsentConfigDto, _>(&doc).map(|c| loaded.rest.push(Change::PutConsentConfig(c)))
                }
                "register_description" => dto::decode::<RegisterDescriptionDto, _>(&doc)
                    .map(|d| loaded.rest.push(Change::PutDescription(Box::new(d)))),
                "seen" => serde_json::from_str::<SeenDto>(&doc)
                    .map_err(|_| "seen".to_owned())
                    .and_then(|s| dto::seen_from_dto(&s).map_err(|e| e.to_string()))
                    .map(|s| loaded.rest.push(Change::Seen(s))),
                // The vault's own documents are read by the vault.
                _ => Ok(()),
            };
            if let Err(detail) = result {
                loaded.problems.push(LoadProblem { store: META, key, detail });
            }
        }
        Ok((loaded, pending))
    }

    /// Sets a small value in `meta` (the device id, for one).
    pub async fn put_meta(&self, key: &str, text: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction_with_str_and_mode(META, IdbTransactionMode::Readwrite)
            .map_err(|e| StoreError::from_js(&e))?;
        let value = self.codec.borrow().value(META, key, "doc", text, &[]);
        tx.object_store(META).and_then(|s| s.put_with_key(&value, &key.into())).map_err(|e| StoreError::from_js(&e))?;
        finished(&tx).await
    }

    /// The register's clock as last written by any tab: if it differs from
    /// the clock in memory, another tab changed the register.
    pub async fn read_clock(&self) -> Result<Option<Stamp>, StoreError> {
        let tx = self.db.transaction_with_str(META).map_err(|e| StoreError::from_js(&e))?;
        let req = tx.object_store(META).and_then(|s| s.get(&"clock".into())).map_err(|e| StoreError::from_js(&e))?;
        let value = request(&req).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        let text = self.codec.borrow().text(META, "clock", "doc", &value);
        Ok(text.ok().and_then(|d| d.parse().ok()))
    }

    /// The audit entries about one entity, oldest first.
    pub async fn audit_of(&self, entity: &EntityRef) -> Result<Vec<AuditEntry>, StoreError> {
        let tx = self.db.transaction_with_str(AUDIT).map_err(|e| StoreError::from_js(&e))?;
        let index =
            tx.object_store(AUDIT).and_then(|s| s.index(AUDIT_BY_ENTITY)).map_err(|e| StoreError::from_js(&e))?;
        let key: JsValue = dto::entity_key(entity).into();
        let values = index.get_all_with_key(&key).map_err(|e| StoreError::from_js(&e))?;
        let keys = index.get_all_keys_with_key(&key).map_err(|e| StoreError::from_js(&e))?;
        let values: Array = request(&values).await?.unchecked_into();
        let keys: Array = request(&keys).await?.unchecked_into();
        let codec = self.codec.borrow().clone();
        Ok(values.iter().zip(keys.iter()).filter_map(|(v, k)| audit_from(&codec, &k, &v)).collect())
    }

    /// Up to `limit` audit entries before the key `before` (or the newest),
    /// newest first.
    pub async fn audit_page(&self, before: Option<&str>, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let tx = self.db.transaction_with_str(AUDIT).map_err(|e| StoreError::from_js(&e))?;
        let store = tx.object_store(AUDIT).map_err(|e| StoreError::from_js(&e))?;
        let range = match before {
            Some(key) => IdbKeyRange::upper_bound_with_open(&key.into(), true).map(JsValue::from),
            None => Ok(JsValue::NULL),
        }
        .map_err(|e| StoreError::from_js(&e))?;
        let req = store
            .open_cursor_with_range_and_direction(&range, IdbCursorDirection::Prev)
            .map_err(|e| StoreError::from_js(&e))?;
        let mut out = Vec::new();
        let codec = self.codec.borrow().clone();
        while out.len() < limit {
            let cursor = request(&req).await?;
            let Some(cursor) = cursor.dyn_ref::<IdbCursorWithValue>() else { break };
            let key = cursor.primary_key().unwrap_or(JsValue::UNDEFINED);
            if let Some(entry) = cursor.value().ok().and_then(|v| audit_from(&codec, &key, &v)) {
                out.push(entry);
            }
            if out.len() < limit {
                cursor.continue_().map_err(|e| StoreError::from_js(&e))?;
            }
        }
        Ok(out)
    }
}

/// Reads one stored page into what is loaded. A page that does not open is
/// reported; a damaged line is reported and the page's other documents load.
fn decode_page(loaded: &mut Loaded, key: String, text: Result<String, Unreadable>) {
    let text = match text {
        Ok(text) => text,
        Err(why) => {
            loaded.problems.push(LoadProblem { store: PAGES, key, detail: why.detail().into() });
            return;
        }
    };
    let Some(kind) = Kind::from_page_key(&key) else {
        loaded.problems.push(LoadProblem { store: PAGES, key, detail: "not a page".into() });
        return;
    };
    for entry in Page::entries(&text) {
        match entry {
            Ok((doc_key, doc)) => {
                if let Err(detail) = decode_into(loaded, kind, doc) {
                    loaded.problems.push(LoadProblem { store: kind.prefix(), key: doc_key.to_owned(), detail });
                }
            }
            Err(line) => loaded.problems.push(LoadProblem {
                store: PAGES,
                key: key.clone(),
                detail: format!("line {line} is unreadable"),
            }),
        }
    }
}

/// Asks for the values and the keys of a store's `range` (undefined: all).
fn get_all(
    store: &web_sys::IdbObjectStore,
    range: &JsValue,
) -> Result<(web_sys::IdbRequest, web_sys::IdbRequest), StoreError> {
    let js = |e: JsValue| StoreError::from_js(&e);
    Ok((store.get_all_with_key(range).map_err(js)?, store.get_all_keys_with_key(range).map_err(js)?))
}

/// Stored values with their keys, as read by `getAll` and `getAllKeys`.
fn keyed(values: &Array, keys: &Array) -> Vec<(String, JsValue)> {
    keys.iter().map(|k| k.as_string().unwrap_or_default()).zip(values.iter()).collect()
}

/// Reads one paged document into what is loaded.
fn decode_into(loaded: &mut Loaded, kind: Kind, doc: &str) -> Result<(), String> {
    let parts = &mut loaded.parts;
    match kind {
        Kind::People => dto::decode::<PersonDto, _>(doc).map(|p| parts.people.push(p)),
        Kind::Orgs => dto::decode::<OrgDto, _>(doc).map(|o| parts.orgs.push(o)),
        Kind::Records => dto::decode::<RecordDto, _>(doc).map(|r| parts.records.push(r)),
        Kind::Tombstones => dto::decode::<TombstoneDto, _>(doc).map(|t| parts.tombstones.push(t)),
        Kind::Disclosures => serde_json::from_str::<DisclosureDto>(doc)
            .map(|d| loaded.rest.push(Change::PutDisclosure(d.into())))
            .map_err(|e| format!("not readable at line {} column {}", e.line(), e.column())),
        Kind::Consents => dto::decode::<ConsentEntryDto, _>(doc).map(|e| loaded.rest.push(Change::PutConsent(e))),
        Kind::Requests => dto::decode::<RequestDto, _>(doc).map(|r| loaded.rest.push(Change::PutRequest(r))),
    }
}

fn audit_from(codec: &Codec, key: &JsValue, value: &JsValue) -> Option<AuditEntry> {
    let key = key.as_string()?;
    let doc = codec.text(AUDIT, &key, "doc", value).ok()?;
    dto::decode::<AuditDto, AuditEntry>(&doc).ok()
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("documents always serialise")
}
