//! The shape of stored values, plain or sealed.
//!
//! Without a vault a value holds its text as it is (`{ data }` for pages,
//! `{ doc }` for audit entries and meta values). With the vault unlocked,
//! the text is sealed with the data key: `{ sealed: Uint8Array }`, bound
//! to its object store and key. Index fields (`entity` of audit entries)
//! hold only ids and stay plain.

use std::rc::Rc;

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::JsValue;

use crate::bundle::vault::{self, DataKey};

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
}

impl Codec {
    pub fn sealing(key: Rc<DataKey>) -> Codec {
        Codec { key: Some(key) }
    }

    pub fn plain() -> Codec {
        Codec { key: None }
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
                let _ = Reflect::set(&obj, &"sealed".into(), &Uint8Array::from(sealed.as_slice()));
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
        let sealed = Reflect::get(value, &"sealed".into()).map_err(|_| Unreadable::Missing)?;
        if sealed.is_undefined() || sealed.is_null() {
            return Err(Unreadable::Missing);
        }
        let data_key = self.key.as_ref().ok_or(Unreadable::Locked)?;
        let bytes = Uint8Array::new(&sealed).to_vec();
        let plain = vault::open(data_key, store, key, &bytes).map_err(|_| Unreadable::Damaged)?;
        String::from_utf8(plain).map_err(|_| Unreadable::Damaged)
    }

    /// Whether a stored value is sealed.
    pub fn is_sealed(value: &JsValue) -> bool {
        Reflect::get(value, &"sealed".into()).is_ok_and(|s| !s.is_undefined() && !s.is_null())
    }
}
