//! Raw DEFLATE of an export's document on a worker thread
//! (`assets/deflate-worker.js`, the browser's own `CompressionStream`),
//! fed while the document is still being written: compressing is the
//! slowest step of an export, and this way it overlaps with writing the
//! JSON and deriving the bundle's key, and the page stays responsive.

use std::io::{self, Write};

use js_sys::{Array, ArrayBuffer, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The worker's script, copied with the app's assets.
const SCRIPT: &str = "/assets/deflate-worker.js";

/// How long a worker may take to start.
const READY_MS: i32 = 5000;

/// How much of the document is handed over at a time.
const PIECE: usize = 2 << 20;

/// The document as it is written: kept whole (the fallback compresses it
/// on the page if the worker fails) and passed to the worker in pieces.
pub struct Deflating {
    worker: Option<web_sys::Worker>,
    answer: Option<Promise>,
    document: Vec<u8>,
    handed: usize,
}

impl Deflating {
    /// Starts a worker; [`Deflating::ready`] waits for it. Without one (an
    /// old browser, a blocked script) the document is only collected.
    pub fn start() -> Deflating {
        let mut deflating = Deflating { worker: None, answer: None, document: Vec::new(), handed: 0 };
        if let Ok(worker) = web_sys::Worker::new(SCRIPT) {
            deflating.answer = Some(next_message(&worker));
            deflating.worker = Some(worker);
        }
        deflating
    }

    /// Waits until the worker is ready to take the document: it cannot
    /// start while this thread is busy writing it. A worker that fails to
    /// start, or is not ready within a few seconds, is given up.
    pub async fn ready(&mut self) {
        let (Some(worker), Some(ready)) = (&self.worker, self.answer.take()) else { return };
        let waited = Promise::race(&Array::of2(&ready, &super::timer(READY_MS)));
        let said = JsFuture::from(waited).await.ok().and_then(|m| m.dyn_into::<web_sys::MessageEvent>().ok());
        if said.is_some_and(|m| m.data().as_string().as_deref() == Some("ready")) {
            self.answer = Some(next_message(worker));
        } else {
            self.stop();
        }
    }

    /// The document written so far.
    pub fn document(&self) -> &[u8] {
        &self.document
    }

    /// Passes what has not been handed over yet to the worker.
    fn hand_over(&mut self) {
        let Some(worker) = &self.worker else { return };
        let piece = Uint8Array::from(&self.document[self.handed..]);
        let buffer = piece.buffer();
        if worker.post_message_with_transfer(&buffer, &Array::of1(&buffer)).is_err() {
            self.stop();
        }
        self.handed = self.document.len();
    }

    fn stop(&mut self) {
        if let Some(worker) = self.worker.take() {
            worker.terminate();
        }
        self.answer = None;
    }

    /// The compressed document, once the worker has compressed all of it;
    /// `None` if it could not (the caller then compresses
    /// [`Deflating::document`] itself).
    pub async fn finish(&mut self) -> Option<Vec<u8>> {
        self.hand_over();
        let (worker, answer) = (self.worker.as_ref()?, self.answer.take()?);
        let ended = worker.post_message(&JsValue::NULL).is_ok();
        let message = if ended { JsFuture::from(answer).await.ok() } else { None };
        self.stop();
        let data = message?.dyn_into::<web_sys::MessageEvent>().ok()?.data();
        let compressed = data.dyn_into::<ArrayBuffer>().ok()?;
        Some(Uint8Array::new(&compressed).to_vec())
    }
}

/// The worker's next message, or its failure.
fn next_message(worker: &web_sys::Worker) -> Promise {
    Promise::new(&mut |resolve, reject| {
        worker.set_onmessage(Some(&resolve));
        worker.set_onerror(Some(&reject));
        worker.set_onmessageerror(Some(&reject));
    })
}

impl Write for Deflating {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.document.extend_from_slice(bytes);
        if self.document.len() - self.handed >= PIECE {
            self.hand_over();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Deflating {
    fn drop(&mut self) {
        self.stop();
    }
}
