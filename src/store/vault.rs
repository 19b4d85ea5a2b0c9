//! The vault in the database: the users who can unlock it, each with the
//! data key wrapped by their passphrase (`vault` store, plain), and their
//! access levels (`meta`/`access`, sealed with the data key).
//!
//! Setting the vault up seals every stored value in one transaction, so a
//! register kept plain by an earlier version is encrypted in place, once,
//! all or nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use js_sys::{Array, Reflect};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbTransactionMode;

use super::codec::Codec;
use super::schema::{AUDIT, META, PAGES, VAULT};
use super::{finished, json, request, Store, StoreError};
use crate::bundle::envelope::KdfParams;
use crate::bundle::vault::{
    self, AccessDto, DataKey, UserAccessDto, VaultDocDto, VaultError, VaultUserDto, WrappedKey, WrappedKeyDto,
    DEFAULT_LOCK_MINUTES,
};
use crate::domain::{Actor, AuditEntry, Level};

const USERS: &str = "users";
const ACCESS: &str = "access";
/// Set once every page is sealed by the browser (see `codec`); registers
/// sealed by earlier versions have their pages sealed anew once.
const PAGE_SEAL: &str = "page_seal";
const PAGE_SEAL_NOW: &str = "aes-256-gcm";

/// Someone who can unlock the register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultUser {
    pub id: Uuid,
    pub name: String,
    pub wrapped: WrappedKey,
}

/// The vault's users and settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultDoc {
    pub users: Vec<VaultUser>,
    pub lock_minutes: u32,
}

impl VaultDoc {
    pub fn user(&self, id: Uuid) -> Option<&VaultUser> {
        self.users.iter().find(|u| u.id == id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserAccess {
    pub level: Level,
    pub events: BTreeSet<String>,
}

/// Each user's access level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccessDoc {
    pub users: BTreeMap<Uuid, UserAccess>,
}

impl AccessDoc {
    /// The actor a user acts as. A user missing here may only read.
    pub fn actor(&self, user: &VaultUser) -> Actor {
        match self.users.get(&user.id) {
            Some(a) => Actor { name: user.name.clone(), level: a.level, events: a.events.clone() },
            None => Actor::new(user.name.clone(), Level::ReadOnly),
        }
    }
}

fn doc_to_dto(doc: &VaultDoc) -> VaultDocDto {
    VaultDocDto {
        version: 1,
        users: doc
            .users
            .iter()
            .map(|u| VaultUserDto { id: u.id, name: u.name.clone(), key: WrappedKeyDto::from(&u.wrapped) })
            .collect(),
        lock_minutes: doc.lock_minutes,
    }
}

fn doc_from_text(text: &str) -> Result<VaultDoc, StoreError> {
    let bad = |_| StoreError::Failed("vault document".into());
    let dto: VaultDocDto = serde_json::from_str(text).map_err(bad)?;
    let users = dto
        .users
        .into_iter()
        .map(|u| {
            Ok(VaultUser {
                id: u.id,
                name: u.name,
                wrapped: WrappedKey::try_from(u.key).map_err(|_| StoreError::Failed("vault key".into()))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(VaultDoc { users, lock_minutes: dto.lock_minutes.clamp(1, 24 * 60) })
}

fn access_to_dto(access: &AccessDoc) -> AccessDto {
    AccessDto {
        users: access
            .users
            .iter()
            .map(|(id, a)| {
                (*id, UserAccessDto { level: a.level.key().into(), events: a.events.iter().cloned().collect() })
            })
            .collect(),
    }
}

fn access_from_text(text: &str) -> Result<AccessDoc, StoreError> {
    let dto: AccessDto = serde_json::from_str(text).map_err(|_| StoreError::Failed("access document".into()))?;
    Ok(AccessDoc {
        users: dto
            .users
            .into_iter()
            .map(|(id, a)| {
                let level = Level::from_key(&a.level).unwrap_or(Level::ReadOnly);
                (id, UserAccess { level, events: a.events.into_iter().collect() })
            })
            .collect(),
    })
}

/// Wraps the data key for a user with fresh randomness.
pub fn wrap_for(key: &DataKey, id: Uuid, passphrase: &str) -> Result<WrappedKey, VaultError> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut salt).expect("crypto.getRandomValues");
    getrandom::fill(&mut nonce).expect("crypto.getRandomValues");
    vault::wrap(key, &id.to_string(), passphrase, KdfParams::DEFAULT, salt, nonce)
}

impl Store {
    /// The vault's users, or `None` if the register is not yet encrypted.
    pub async fn vault(&self) -> Result<Option<VaultDoc>, StoreError> {
        let tx = self.db.transaction_with_str(VAULT).map_err(|e| StoreError::from_js(&e))?;
        let req = tx.object_store(VAULT).and_then(|s| s.get(&USERS.into())).map_err(|e| StoreError::from_js(&e))?;
        let value = request(&req).await?;
        match value.as_string() {
            Some(text) => doc_from_text(&text).map(Some),
            None => Ok(None),
        }
    }

    /// Whether the vault is unlocked in this tab.
    pub fn is_unlocked(&self) -> bool {
        self.codec.borrow().key().is_some()
    }

    /// Opens the vault with a user's passphrase.
    pub fn unlock(&self, user: &VaultUser, passphrase: &str) -> Result<(), VaultError> {
        let key = vault::unwrap(&user.wrapped, &user.id.to_string(), passphrase)?;
        *self.codec.borrow_mut() = Codec::sealing(Rc::new(key));
        Ok(())
    }

    /// Drops the data key from memory.
    pub fn lock(&self) {
        *self.codec.borrow_mut() = Codec::plain();
    }

    /// Each user's access level (the vault must be unlocked).
    pub async fn access(&self) -> Result<AccessDoc, StoreError> {
        let tx = self.db.transaction_with_str(META).map_err(|e| StoreError::from_js(&e))?;
        let req = tx.object_store(META).and_then(|s| s.get(&ACCESS.into())).map_err(|e| StoreError::from_js(&e))?;
        let value = request(&req).await?;
        if value.is_undefined() {
            return Ok(AccessDoc::default());
        }
        let text = self
            .codec
            .borrow()
            .text(META, ACCESS, "doc", &value)
            .map_err(|why| StoreError::Failed(why.detail().into()))?;
        access_from_text(&text)
    }

    /// Sets the vault up with its first user, an administrator, and seals
    /// everything stored so far, in one transaction. The caller holds the
    /// write lock (`web::tabs`).
    pub async fn create_vault(&self, name: &str, passphrase: &str) -> Result<VaultUser, StoreError> {
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).expect("crypto.getRandomValues");
        let key = Rc::new(DataKey::from_random(raw));
        let id = Uuid::now_v7();
        let wrapped = wrap_for(&key, id, passphrase).map_err(|_| StoreError::Failed("passphrase".into()))?;
        let user = VaultUser { id, name: name.trim().to_owned(), wrapped };
        let doc = VaultDoc { users: vec![user.clone()], lock_minutes: DEFAULT_LOCK_MINUTES };
        let mut access = AccessDoc::default();
        access.users.insert(id, UserAccess { level: Level::Admin, events: BTreeSet::new() });
        let plain = Codec::plain();
        let sealing = Codec::sealing(key.clone());
        let js = |e: JsValue| StoreError::from_js(&e);
        // Pages are sealed by the browser before the transaction (it does
        // not wait for that); the caller holds the write lock.
        let mut pages = Vec::new();
        for (k, value) in self.raw_values(PAGES).await? {
            if !Codec::is_sealed(&value) {
                pages.push((
                    k.clone(),
                    plain.text(PAGES, &k, "data", &value).map_err(|why| StoreError::Failed(why.detail().into()))?,
                ));
            }
        }
        let page_values = sealing.page_values(PAGES, &pages).await.map_err(js)?;
        let names = Array::of4(&PAGES.into(), &META.into(), &AUDIT.into(), &VAULT.into());
        let tx = self.db.transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite).map_err(js)?;
        let sealed = async {
            let store = tx.object_store(PAGES).map_err(js)?;
            for ((k, _), value) in pages.iter().zip(page_values) {
                store.put_with_key(&value, &k.into()).map_err(js)?;
            }
            for (name, field) in [(META, "doc"), (AUDIT, "doc")] {
                let store = tx.object_store(name).map_err(js)?;
                let values: Array = request(&store.get_all().map_err(js)?).await?.unchecked_into();
                let keys: Array = request(&store.get_all_keys().map_err(js)?).await?.unchecked_into();
                for (value, key) in values.iter().zip(keys.iter()) {
                    let Some(k) = key.as_string() else { continue };
                    if Codec::is_sealed(&value) {
                        continue;
                    }
                    let text =
                        plain.text(name, &k, field, &value).map_err(|why| StoreError::Failed(why.detail().into()))?;
                    let extra: Vec<(String, String)> = ["entity"]
                        .iter()
                        .filter_map(|f| {
                            Reflect::get(&value, &(*f).into()).ok()?.as_string().map(|v| ((*f).to_owned(), v))
                        })
                        .collect();
                    let extra: Vec<(&str, &str)> = extra.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                    store.put_with_key(&sealing.value(name, &k, field, &text, &extra), &key).map_err(js)?;
                }
            }
            tx.object_store(META)
                .and_then(|s| {
                    s.put_with_key(
                        &sealing.value(META, ACCESS, "doc", &json(&access_to_dto(&access)), &[]),
                        &ACCESS.into(),
                    )
                })
                .map_err(js)?;
            tx.object_store(META)
                .and_then(|s| {
                    s.put_with_key(&sealing.value(META, PAGE_SEAL, "doc", PAGE_SEAL_NOW, &[]), &PAGE_SEAL.into())
                })
                .map_err(js)?;
            tx.object_store(VAULT)
                .and_then(|s| s.put_with_key(&JsValue::from_str(&json(&doc_to_dto(&doc))), &USERS.into()))
                .map_err(js)?;
            Ok::<(), StoreError>(())
        }
        .await;
        if let Err(e) = sealed {
            let cause = tx.error().map(|d| StoreError::from_dom(&d));
            let _ = tx.abort();
            return Err(cause.unwrap_or(e));
        }
        finished(&tx).await?;
        *self.codec.borrow_mut() = sealing;
        Ok(user)
    }

    /// Whether every page is sealed in the current form (the vault must be
    /// unlocked; without a vault there is nothing to seal).
    pub async fn pages_sealed_now(&self) -> Result<bool, StoreError> {
        let tx = self.db.transaction_with_str(META).map_err(|e| StoreError::from_js(&e))?;
        let req = tx.object_store(META).and_then(|s| s.get(&PAGE_SEAL.into())).map_err(|e| StoreError::from_js(&e))?;
        let value = request(&req).await?;
        if value.is_undefined() {
            return Ok(false);
        }
        Ok(self.codec.borrow().text(META, PAGE_SEAL, "doc", &value).is_ok_and(|t| t == PAGE_SEAL_NOW))
    }

    /// Seals anew, in the browser's form, the pages an earlier version
    /// sealed with the app's own cipher, and notes that it is done, in one
    /// transaction; the number of pages. A page that does not open is left
    /// as it is (it is reported when the register is read). The vault must
    /// be unlocked, and the caller holds the write lock (`web::tabs`): the
    /// pages are read and sealed before the writing transaction.
    pub async fn seal_earlier_pages(&self) -> Result<usize, StoreError> {
        let codec = self.codec.borrow().clone();
        if codec.key().is_none() {
            return Err(StoreError::Failed("locked".into()));
        }
        let js = |e: JsValue| StoreError::from_js(&e);
        let mut earlier = Vec::new();
        for (key, value) in self.raw_values(PAGES).await? {
            if let (true, Ok(text)) = (Codec::sealed_by_app(&value), codec.text(PAGES, &key, "data", &value)) {
                earlier.push((key, text));
            }
        }
        let values = codec.page_values(PAGES, &earlier).await.map_err(js)?;
        if !self.is_unlocked() {
            // Locked meanwhile: the key goes with this.
            return Err(StoreError::Failed("locked".into()));
        }
        let names = Array::of2(&PAGES.into(), &META.into());
        let tx = self.db.transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite).map_err(js)?;
        let issued = (|| -> Result<(), JsValue> {
            let pages = tx.object_store(PAGES)?;
            for ((key, _), value) in earlier.iter().zip(values) {
                pages.put_with_key(&value, &key.into())?;
            }
            tx.object_store(META)?
                .put_with_key(&codec.value(META, PAGE_SEAL, "doc", PAGE_SEAL_NOW, &[]), &PAGE_SEAL.into())?;
            Ok(())
        })();
        if let Err(e) = issued {
            let _ = tx.abort();
            return Err(StoreError::from_js(&e));
        }
        finished(&tx).await?;
        Ok(earlier.len())
    }

    /// Saves the users and their levels (and an audit entry saying so) in
    /// one transaction. The vault must be unlocked.
    pub async fn save_users(
        &self,
        doc: &VaultDoc,
        access: &AccessDoc,
        audit: Option<&AuditEntry>,
    ) -> Result<(), StoreError> {
        let codec = self.codec.borrow().clone();
        if codec.key().is_none() {
            return Err(StoreError::Failed("locked".into()));
        }
        let js = |e: JsValue| StoreError::from_js(&e);
        let names = Array::of3(&META.into(), &VAULT.into(), &AUDIT.into());
        let tx = self.db.transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite).map_err(js)?;
        let issued = (|| -> Result<(), JsValue> {
            tx.object_store(META)?
                .put_with_key(&codec.value(META, ACCESS, "doc", &json(&access_to_dto(access)), &[]), &ACCESS.into())?;
            tx.object_store(VAULT)?.put_with_key(&JsValue::from_str(&json(&doc_to_dto(doc))), &USERS.into())?;
            if let Some(entry) = audit {
                let dto = crate::bundle::dto::AuditDto::from(entry);
                let entity = crate::bundle::dto::entity_key(&entry.entity);
                tx.object_store(AUDIT)?.add_with_key(
                    &codec.value(AUDIT, &entry.key, "doc", &json(&dto), &[("entity", &entity)]),
                    &entry.key.clone().into(),
                )?;
            }
            Ok(())
        })();
        if let Err(e) = issued {
            let _ = tx.abort();
            return Err(StoreError::from_js(&e));
        }
        finished(&tx).await
    }

    /// Every stored value of an object store, as it is on disk: sealing
    /// anew reads them, and tests look into them for anything readable.
    pub async fn raw_values(&self, store: &str) -> Result<Vec<(String, JsValue)>, StoreError> {
        let js = |e: JsValue| StoreError::from_js(&e);
        let tx = self.db.transaction_with_str(store).map_err(js)?;
        let s = tx.object_store(store).map_err(js)?;
        let values = s.get_all().map_err(js)?;
        let keys = s.get_all_keys().map_err(js)?;
        let values: Array = request(&values).await?.unchecked_into();
        let keys: Array = request(&keys).await?.unchecked_into();
        Ok(keys.iter().map(|k| k.as_string().unwrap_or_default()).zip(values.iter()).collect())
    }

    /// Puts a raw value (tests damage stored values with it).
    #[doc(hidden)]
    pub async fn raw_put(&self, store: &str, key: &str, value: &JsValue) -> Result<(), StoreError> {
        let js = |e: JsValue| StoreError::from_js(&e);
        let tx = self.db.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite).map_err(js)?;
        tx.object_store(store).and_then(|s| s.put_with_key(value, &key.into())).map_err(js)?;
        finished(&tx).await
    }

    /// The data key, for wrapping it for a new user or a new passphrase.
    pub fn data_key(&self) -> Option<Rc<DataKey>> {
        self.codec.borrow().key()
    }
}
