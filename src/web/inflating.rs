//! An import's document decompressed on a worker thread
//! (`assets/inflate-worker.js`) by the browser's `DecompressionStream`,
//! handed to this page piece by piece as it comes: the page reads each
//! piece ([`crate::bundle::document::Reading`]) while the worker
//! decompresses the next, on the other core.
//!
//! Where no worker starts, or one stops answering, the caller decompresses
//! on this page ([`super::inflate_raw`]).

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::worker::Listening;

/// The worker's script, copied with the app's assets.
const SCRIPT: &str = "/assets/inflate-worker.js";

/// How long the worker may take to hand over its first piece (half a
/// megabyte), and then each next, before this page gives up on it.
const FIRST_MS: i32 = 3_000;
const STALL_MS: i32 = 10_000;

/// What decompressing on a worker came to.
#[derive(Debug, PartialEq)]
pub enum Streamed {
    /// Every piece is handed over; decompressing took `ms` milliseconds
    /// (the worker's own time).
    Done { ms: f64 },
    /// More than the limit.
    TooLarge,
    /// No worker started, it stopped answering, or it could not
    /// decompress the bytes (damaged ones, or a worker without
    /// `DecompressionStream`), maybe after handing over some pieces. The
    /// caller starts again on this page, which tells which it was.
    Unavailable,
}

/// Decompresses raw DEFLATE `bytes` on a worker, giving each piece of the
/// output to `each` as it comes, at most `limit` bytes in all.
pub async fn inflate_raw(bytes: &[u8], limit: usize, each: &mut dyn FnMut(&[u8])) -> Streamed {
    let mut handed = 0;
    let Ok(worker) = web_sys::Worker::new(SCRIPT) else { return Streamed::Unavailable };
    let listening = Listening::new(worker);
    let compressed = Uint8Array::from(bytes).buffer();
    let task = Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&task, &key.into(), value).is_ok();
    if !(set("compressed", &compressed) && set("limit", &JsValue::from_f64(limit as f64))) {
        return Streamed::Unavailable;
    }
    listening.post(&task, Some(&Array::of1(&compressed)));
    loop {
        let wait = if handed == 0 { FIRST_MS } else { STALL_MS };
        let Some(said) = listening.said(wait).await else { return Streamed::Unavailable };
        if let Some(piece) = said.dyn_ref::<ArrayBuffer>() {
            let piece = Uint8Array::new(piece).to_vec();
            handed += piece.len();
            if handed > limit {
                return Streamed::TooLarge;
            }
            each(&piece);
        } else if let Some(ms) = said.as_f64() {
            return Streamed::Done { ms };
        } else if said.as_string().as_deref() == Some("too large") {
            return Streamed::TooLarge;
        } else {
            // `false`, or an error event: not decompressed here.
            return Streamed::Unavailable;
        }
    }
}
