//! A thin async layer over the browser's IndexedDB: requests and
//! transactions become futures, and failures keep their DOMException name
//! (so a full disk can be told apart from a blocked upgrade).

use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DomException, IdbRequest, IdbRequestReadyState, IdbTransaction};

use super::StoreError;

/// Waits for a request's `success` and returns its result. A request
/// that is already done (its events have fired) answers at once.
pub async fn request(req: &IdbRequest) -> Result<JsValue, StoreError> {
    if req.ready_state() == IdbRequestReadyState::Done {
        return match req.error() {
            Ok(Some(e)) => Err(StoreError::from_dom(&e)),
            _ => req.result().map_err(|e| StoreError::from_js(&e)),
        };
    }
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    match outcome {
        Ok(_) => req.result().map_err(|e| StoreError::from_js(&e)),
        Err(_) => {
            Err(req.error().ok().flatten().map_or(StoreError::Failed("request".into()), |e| StoreError::from_dom(&e)))
        }
    }
}

/// Waits for a transaction to commit. An abort (a failed request, a full
/// disk) is an error carrying the transaction's DOMException.
pub async fn finished(tx: &IdbTransaction) -> Result<(), StoreError> {
    Completion::watch(tx.clone()).finished().await
}

/// A transaction's outcome, watched from the moment it is made: the page
/// may do other work before waiting for it, since the transaction's
/// `complete` or `abort` event waits for the page's thread to be free.
pub struct Completion {
    tx: IdbTransaction,
    outcome: JsFuture,
}

impl Completion {
    pub fn watch(tx: IdbTransaction) -> Completion {
        let promise = Promise::new(&mut |resolve: Function, reject: Function| {
            tx.set_oncomplete(Some(&resolve));
            tx.set_onabort(Some(&reject));
            tx.set_onerror(None);
        });
        Completion { tx, outcome: JsFuture::from(promise) }
    }

    /// Waits for the commit; an abort is an error.
    pub async fn finished(self) -> Result<(), StoreError> {
        let Completion { tx, outcome } = self;
        let outcome = outcome.await;
        tx.set_oncomplete(None);
        tx.set_onabort(None);
        match outcome {
            Ok(_) => Ok(()),
            Err(_) => Err(tx.error().map_or(StoreError::Failed("aborted".into()), |e| StoreError::from_dom(&e))),
        }
    }
}

impl StoreError {
    /// Maps a DOMException by its name; the message is not kept (it could
    /// in principle quote data).
    pub(crate) fn from_dom(e: &DomException) -> StoreError {
        match e.name().as_str() {
            "QuotaExceededError" => StoreError::QuotaExceeded,
            "VersionError" => StoreError::NewerVersion,
            "InvalidStateError" | "SecurityError" | "NotAllowedError" => StoreError::Unavailable,
            other => StoreError::Failed(other.to_owned()),
        }
    }

    pub(crate) fn from_js(v: &JsValue) -> StoreError {
        match v.dyn_ref::<DomException>() {
            Some(e) => StoreError::from_dom(e),
            None => match v.dyn_ref::<js_sys::Error>() {
                Some(e) => StoreError::Failed(String::from(e.name())),
                None => StoreError::Failed("unknown".into()),
            },
        }
    }
}
