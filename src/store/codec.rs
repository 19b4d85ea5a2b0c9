//! The shape of stored values, plain or sealed.
//!
//! Without a vault a value holds its text as it is (`{ data }` for pages,
//! `{ doc }` for audit entries and meta values). With the vault unlocked,
//! the text is sealed with the data key and bound to its object store and
//! key (the associated data):
//!
//! - pages, most of what is stored, are sealed by the browser:
//!   `{ gcm: Uint8Array, iv: Uint8Array }`, AES-256-GCM through Web Crypto
//!   with a key derived from the data key (HKDF-SHA-256). The browser does
//!   this many times faster than the crate's own cipher compiled into the
//!   app, and beside the page's work; it is asynchronous, so pages are
//!   sealed before their transaction and opened after it ([`Openings`]);
//! - audit entries and meta values, small and written inside their
//!   transaction: `{ sealed: Uint8Array }`, XChaCha20-Poly1305. Pages
//!   stored in this form by earlier versions are read as they are and
//!   sealed anew when they change.
//!
//! Index fields (`entity` of audit entries) hold only ids and stay plain.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use crate::bundle::vault::{self, DataKey};

/// The field of a value sealed by the app.
const SEALED: &str = "sealed";
/// The field of a page sealed by the browser, and of its nonce.
const GCM: &str = "gcm";
const IV: &str = "iv";
/// What the pages' key is derived for (HKDF `info`).
const PAGE_KEY_INFO: &[u8] = b"sidos-vault-pages\n1\nAES-256-GCM";
/// How many pages the browser is asked to open ahead of the one in hand.
const AHEAD: usize = 32;

/// Why a stored value could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// The value is sealed and the vault is locked.
    Locked,
    /// Sealed, but it does not open: damaged, or moved from elsewhere.
    Damaged,
    /// No text where there should be.
    Missing,
}

impl Unreadable {
    pub fn detail(self) -> &'static str {
        match self {
            Unreadable::Locked => "locked",
            Unreadable::Damaged => "damaged or tampered with",
            Unreadable::Missing => "no document",
        }
    }
}

#[derive(Clone, Default)]
pub struct Codec {
    key: Option<Rc<DataKey>>,
    /// The browser's key for pages, derived on first use; shared by the
    /// codec's clones and dropped with the data key.
    page_key: Rc<RefCell<Option<CryptoKey>>>,
}

impl Codec {
    pub fn sealing(key: Rc<DataKey>) -> Codec {
        Codec { key: Some(key), page_key: Rc::default() }
    }

    /// Opens pages with the browser's page key alone (a worker's codec:
    /// values sealed by the app's own cipher do not open with it).
    pub fn with_browser_key(page_key: Option<CryptoKey>) -> Codec {
        Codec { key: None, page_key: Rc::new(RefCell::new(page_key)) }
    }

    pub fn plain() -> Codec {
        Codec::default()
    }

    pub fn key(&self) -> Option<Rc<DataKey>> {
        self.key.clone()
    }

    /// The stored value for `text` at `store`/`key`; `field` names where a
    /// plain value keeps its text. `extra` are plain index fields.
    pub fn value(&self, store: &str, key: &str, field: &str, text: &str, extra: &[(&str, &str)]) -> JsValue {
        let obj = Object::new();
        match &self.key {
            Some(data_key) => {
                let mut nonce = [0u8; 24];
                getrandom::fill(&mut nonce).expect("the browser's crypto.getRandomValues is available");
                let sealed = vault::seal(data_key, store, key, nonce, text.as_bytes());
                let _ = Reflect::set(&obj, &SEALED.into(), &Uint8Array::from(sealed.as_slice()));
            }
            None => {
                let _ = Reflect::set(&obj, &field.into(), &text.into());
            }
        }
        for (k, v) in extra {
            let _ = Reflect::set(&obj, &(*k).into(), &(*v).into());
        }
        obj.into()
    }

    /// The text of a stored value, sealed or plain.
    pub fn text(&self, store: &str, key: &str, field: &str, value: &JsValue) -> Result<String, Unreadable> {
        if let Some(text) = Reflect::get(value, &field.into()).ok().and_then(|t| t.as_string()) {
            return Ok(text);
        }
        let sealed = Reflect::get(value, &SEALED.into()).map_err(|_| Unreadable::Missing)?;
        if sealed.is_undefined() || sealed.is_null() {
            return Err(Unreadable::Missing);
        }
        let data_key = self.key.as_ref().ok_or(Unreadable::Locked)?;
        let bytes = Uint8Array::new(&sealed).to_vec();
        let plain = vault::open(data_key, store, key, &bytes).map_err(|_| Unreadable::Damaged)?;
        String::from_utf8(plain).map_err(|_| Unreadable::Damaged)
    }

    /// Whether a stored value is sealed, in either form.
    pub fn is_sealed(value: &JsValue) -> bool {
        Codec::sealed_by_app(value) || is_gcm(value)
    }

    /// Whether a stored value is sealed by the app's own cipher (`sealed`).
    pub fn sealed_by_app(value: &JsValue) -> bool {
        has(value, SEALED)
    }

    /// The browser's AES-256-GCM key for pages (`None` without a vault),
    /// derived from the data key once. Neither key can be read back out
    /// of the browser.
    pub(super) async fn page_key(&self) -> Result<Option<CryptoKey>, JsValue> {
        if let Some(key) = self.page_key.borrow().clone() {
            return Ok(Some(key));
        }
        let Some(data_key) = &self.key else { return Ok(None) };
        let subtle = subtle()?;
        let raw = Uint8Array::from(data_key.bytes().as_slice());
        let imported = subtle.import_key_with_str("raw", &raw, "HKDF", false, &usages(&["deriveKey"]));
        raw.fill(0, 0, raw.length());
        let base: CryptoKey = JsFuture::from(imported?).await?.unchecked_into();
        let hkdf = object(&[
            ("name", "HKDF".into()),
            ("hash", "SHA-256".into()),
            ("salt", Uint8Array::new_with_length(0).into()),
            ("info", Uint8Array::from(PAGE_KEY_INFO).into()),
        ]);
        let aes = object(&[("name", "AES-GCM".into()), ("length", 256.into())]);
        let derived =
            subtle.derive_key_with_object_and_object(&hkdf, &base, &aes, false, &usages(&["encrypt", "decrypt"]));
        let key: CryptoKey = JsFuture::from(derived?).await?.unchecked_into();
        *self.page_key.borrow_mut() = Some(key.clone());
        Ok(Some(key))
    }

    /// The stored values of pages (`store`, key, text): sealed by the
    /// browser while the vault is unlocked, plain otherwise.
    pub async fn page_values(&self, store: &str, pages: &[(String, String)]) -> Result<Vec<JsValue>, JsValue> {
        let mut sealer = self.sealer(store).await?;
        for (page_key, text) in pages {
            sealer.add(page_key, text.as_bytes())?;
        }
        sealer.values().await
    }

    /// Seals pages as they are handed over ([`Sealer::add`]).
    pub async fn sealer(&self, store: &str) -> Result<Sealer, JsValue> {
        let key = self.page_key().await?;
        let subtle = match key {
            Some(_) => Some(subtle()?),
            None => None,
        };
        Ok(Sealer { codec: self.clone(), store: store.to_owned(), key, subtle, sealing: Vec::new() })
    }

    /// Opens stored pages (key, stored value) in order; the browser opens
    /// those sealed with its key a few pages ahead, while the caller works
    /// on the one in hand.
    pub async fn openings(&self, store: &'static str, pages: Vec<(String, JsValue)>) -> Openings {
        let needs_key = pages.iter().any(|(_, v)| is_gcm(v));
        let key = if needs_key { self.page_key().await.map_err(|_| Unreadable::Damaged) } else { Ok(None) };
        Openings {
            codec: self.clone(),
            store,
            key,
            subtle: subtle().ok(),
            waiting: pages.into_iter(),
            started: VecDeque::new(),
        }
    }
}

/// Pages being sealed: each is handed to the browser as soon as it is
/// made, and the browser seals it away from this thread while the next is
/// made ([`Codec::sealer`]).
pub struct Sealer {
    codec: Codec,
    store: String,
    key: Option<CryptoKey>,
    subtle: Option<SubtleCrypto>,
    sealing: Vec<Sealing>,
}

enum Sealing {
    Plain(JsValue),
    Browser(Uint8Array, js_sys::Promise),
}

impl Sealer {
    /// Starts sealing one page's text, UTF-8 (a fresh nonce for each).
    pub fn add(&mut self, page_key: &str, text: &[u8]) -> Result<(), JsValue> {
        let sealing = match (&self.key, &self.subtle) {
            (Some(key), Some(subtle)) => {
                let mut nonce = [0u8; 12];
                getrandom::fill(&mut nonce).expect("the browser's crypto.getRandomValues is available");
                let iv = Uint8Array::from(nonce.as_slice());
                let promise = subtle.encrypt_with_object_and_u8_array(&gcm(&iv, &self.store, page_key), key, text)?;
                Sealing::Browser(iv, promise)
            }
            _ => {
                let text = std::str::from_utf8(text).map_err(|_| JsValue::from_str("a page's text is not UTF-8"))?;
                Sealing::Plain(self.codec.value(&self.store, page_key, "data", text, &[]))
            }
        };
        self.sealing.push(sealing);
        Ok(())
    }

    /// The stored values, in the order the pages were handed over.
    pub async fn values(self) -> Result<Vec<JsValue>, JsValue> {
        let mut values = Vec::with_capacity(self.sealing.len());
        for sealing in self.sealing {
            values.push(match sealing {
                Sealing::Plain(value) => value,
                Sealing::Browser(iv, promise) => {
                    let sealed = Uint8Array::new(&JsFuture::from(promise).await?);
                    object(&[(GCM, sealed.into()), (IV, iv.into())]).into()
                }
            });
        }
        Ok(values)
    }
}

/// Pages being opened (see [`Codec::openings`]).
pub struct Openings {
    codec: Codec,
    store: &'static str,
    key: Result<Option<CryptoKey>, Unreadable>,
    subtle: Option<SubtleCrypto>,
    waiting: std::vec::IntoIter<(String, JsValue)>,
    started: VecDeque<(String, Opening)>,
}

enum Opening {
    Done(Result<String, Unreadable>),
    Browser(JsFuture),
}

impl Openings {
    /// The next page's key and text.
    pub async fn next(&mut self) -> Option<(String, Result<String, Unreadable>)> {
        while self.started.len() < AHEAD {
            let Some((key, value)) = self.waiting.next() else { break };
            let opening = self.start(&key, &value);
            self.started.push_back((key, opening));
        }
        let (key, opening) = self.started.pop_front()?;
        let text = match opening {
            Opening::Done(text) => text,
            Opening::Browser(future) => match future.await {
                Ok(plain) => String::from_utf8(Uint8Array::new(&plain).to_vec()).map_err(|_| Unreadable::Damaged),
                Err(_) => Err(Unreadable::Damaged),
            },
        };
        Some((key, text))
    }

    fn start(&self, key: &str, value: &JsValue) -> Opening {
        if !is_gcm(value) {
            return Opening::Done(self.codec.text(self.store, key, "data", value));
        }
        let browser_key = match &self.key {
            Ok(Some(browser_key)) => browser_key,
            Ok(None) => return Opening::Done(Err(Unreadable::Locked)),
            Err(why) => return Opening::Done(Err(*why)),
        };
        let field = |name: &str| Reflect::get(value, &name.into()).ok().and_then(|v| v.dyn_into::<Uint8Array>().ok());
        let (Some(sealed), Some(iv), Some(subtle)) = (field(GCM), field(IV), &self.subtle) else {
            return Opening::Done(Err(Unreadable::Damaged));
        };
        match subtle.decrypt_with_object_and_js_u8_array(&gcm(&iv, self.store, key), browser_key, &sealed) {
            Ok(promise) => Opening::Browser(JsFuture::from(promise)),
            Err(_) => Opening::Done(Err(Unreadable::Damaged)),
        }
    }
}

fn is_gcm(value: &JsValue) -> bool {
    has(value, GCM)
}

fn has(value: &JsValue, field: &str) -> bool {
    Reflect::get(value, &field.into()).is_ok_and(|s| !s.is_undefined() && !s.is_null())
}

/// The browser's Web Crypto, on the page or in a worker.
fn subtle() -> Result<SubtleCrypto, JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into())?;
    Ok(crypto.dyn_into::<web_sys::Crypto>()?.subtle())
}

fn usages(names: &[&str]) -> JsValue {
    names.iter().map(|n| JsValue::from_str(n)).collect::<Array>().into()
}

fn object(fields: &[(&str, JsValue)]) -> Object {
    let obj = Object::new();
    for (name, value) in fields {
        let _ = Reflect::set(&obj, &(*name).into(), value);
    }
    obj
}

/// AES-GCM with its nonce, bound to where the page is stored.
fn gcm(iv: &Uint8Array, store: &str, key: &str) -> Object {
    let aad = Uint8Array::from(vault::record_aad(store, key).as_slice());
    object(&[("name", "AES-GCM".into()), ("iv", iv.into()), ("additionalData", aad.into())])
}
