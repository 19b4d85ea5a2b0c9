//! An export's bundle sealed on a worker thread (`assets/seal-worker.js`),
//! with the app's own code: the worker derives the bundle's key, compresses
//! the document piece by piece as this page writes it
//! ([`envelope::Deflater`] at [`envelope::STREAM_LEVEL`]), then encrypts
//! it. This page only writes the JSON, and stays responsive; deriving,
//! compressing and encrypting overlap with writing on the other core.
//!
//! The worker runs the page's own compiled module and loader, passed in its
//! first message ([`super::worker`]). Where no worker starts (or one fails), the page seals the
//! document itself ([`Sealing::document`]).

use std::io::{self, Write};

use js_sys::{Array, ArrayBuffer, Promise, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::worker::{self, next_message};
use crate::bundle::envelope::{self, Deflater, KdfParams, Sealer, NONCE_BYTES};

/// The worker's script, copied with the app's assets.
const SCRIPT: &str = "/assets/seal-worker.js";

/// How long a worker may take to start.
const READY_MS: i32 = 5000;

/// How much of the document is handed over at a time.
const PIECE: usize = 2 << 20;

/// Room for a piece and the write that completes it, mostly without moving.
const ROOM: usize = PIECE + (64 << 10);

/// The document as it is written: passed to the worker in pieces, and
/// kept (the page seals it itself if the worker fails). Kept as the pieces
/// themselves, which never move: one growing buffer would be copied again
/// at every doubling.
pub struct Sealing {
    worker: Option<web_sys::Worker>,
    answer: Option<Promise>,
    /// Pieces handed over, then the one being written.
    pieces: Vec<Vec<u8>>,
    /// When the worker said it runs (and began deriving the key).
    ready_at: f64,
}

impl Sealing {
    /// Starts a worker to seal with this passphrase, key derivation, salt
    /// and nonce; [`Sealing::ready`] waits for it. Without one (an old
    /// browser, a blocked script) the document is only collected.
    pub fn start(passphrase: &str, params: KdfParams, salt: [u8; 16], nonce: [u8; NONCE_BYTES]) -> Sealing {
        let mut sealing = Sealing { worker: None, answer: None, pieces: vec![Vec::with_capacity(ROOM)], ready_at: 0.0 };
        let fields = [
            ("passphrase", passphrase.into()),
            ("salt", Uint8Array::from(&salt[..]).into()),
            ("nonce", Uint8Array::from(&nonce[..]).into()),
            ("m_kib", params.m_kib.into()),
            ("t", params.t.into()),
            ("p", params.p.into()),
        ];
        if let Some((worker, answer)) = worker::start(SCRIPT, &fields) {
            sealing.worker = Some(worker);
            sealing.answer = Some(answer);
        }
        sealing
    }

    /// Waits until the worker runs: it cannot start while this thread is
    /// busy writing the document. A worker that fails to start, or does
    /// not within a few seconds, is given up.
    pub async fn ready(&mut self) {
        let (Some(worker), Some(ready)) = (&self.worker, self.answer.take()) else { return };
        let waited = Promise::race(&Array::of2(&ready, &super::timer(READY_MS)));
        let said = JsFuture::from(waited).await.ok().and_then(|m| m.dyn_into::<web_sys::MessageEvent>().ok());
        if said.is_some_and(|m| m.data().as_string().as_deref() == Some("ready")) {
            self.ready_at = super::millis();
            self.answer = Some(next_message(worker));
        } else {
            self.stop();
        }
    }

    /// The length of the document written so far.
    pub fn document_len(&self) -> usize {
        self.pieces.iter().map(Vec::len).sum()
    }

    /// The document written so far, whole.
    pub fn document(&self) -> Vec<u8> {
        self.pieces.concat()
    }

    /// Passes the piece being written to the worker, and starts the next.
    fn hand_over(&mut self) {
        let Some(worker) = &self.worker else { return };
        let Some(last) = self.pieces.last() else { return };
        let piece = Uint8Array::from(&last[..]);
        let buffer = piece.buffer();
        if worker.post_message_with_transfer(&buffer, &Array::of1(&buffer)).is_err() {
            self.stop();
        }
        self.pieces.push(Vec::with_capacity(ROOM));
    }

    fn stop(&mut self) {
        if let Some(worker) = self.worker.take() {
            worker.terminate();
        }
        self.answer = None;
    }

    /// The bundle file, once the worker has sealed all of the document;
    /// `None` if it could not (the caller then seals
    /// [`Sealing::document`] itself). The worker's steps go on the
    /// performance timeline, as `export-worker-*` spans.
    pub async fn finish(&mut self) -> Option<Uint8Array> {
        self.hand_over();
        let (worker, answer) = (self.worker.as_ref()?, self.answer.take()?);
        let ended = worker.post_message(&JsValue::NULL).is_ok();
        let message = if ended { JsFuture::from(answer).await.ok() } else { None };
        self.stop();
        let data = message?.dyn_into::<web_sys::MessageEvent>().ok()?.data();
        let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).ok();
        let file = field("file")?.dyn_into::<ArrayBuffer>().ok()?;
        // The worker's steps as spans: the key from when it said it runs,
        // compressing after it (its busy time, in one span), and sealing
        // up to its answer.
        let ms = |name: &str| field(name).and_then(|v| v.as_f64()).unwrap_or(0.0);
        let (key, sealing) = (ms("key_ms"), ms("seal_ms"));
        super::measure("export-worker-key", self.ready_at, key);
        super::measure("export-worker-compressing", self.ready_at + key, ms("compress_ms"));
        super::measure("export-worker-sealing", super::millis() - sealing, sealing);
        Some(Uint8Array::new(&file))
    }
}

impl Write for Sealing {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    /// The JSON writer calls this for every token: kept short, without
    /// the default's loop.
    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let Some(piece) = self.pieces.last_mut() else { return Ok(()) };
        piece.extend_from_slice(bytes);
        if piece.len() >= PIECE && self.worker.is_some() {
            self.hand_over();
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Sealing {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The worker's side (called by `assets/seal-worker.js`): derives the key
/// when made, compresses each piece given, and seals at the end.
#[wasm_bindgen]
pub struct WorkerSeal {
    sealer: Sealer,
    deflater: Deflater,
}

#[wasm_bindgen]
impl WorkerSeal {
    #[wasm_bindgen(constructor)]
    pub fn new(
        passphrase: String,
        salt: &[u8],
        nonce: &[u8],
        m_kib: u32,
        t: u32,
        p: u32,
    ) -> Result<WorkerSeal, JsError> {
        let salt: [u8; 16] = salt.try_into().map_err(|_| JsError::new("salt"))?;
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| JsError::new("nonce"))?;
        let sealer = Sealer::new(&passphrase, KdfParams { m_kib, t, p }, salt, nonce)
            .map_err(|e| JsError::new(e.message_id()))?;
        Ok(WorkerSeal { sealer, deflater: Deflater::new(envelope::STREAM_LEVEL) })
    }

    /// Compresses the document's next piece.
    pub fn push(&mut self, piece: &[u8]) {
        self.deflater.push(piece);
    }

    /// The bundle file.
    pub fn finish(self) -> Result<Vec<u8>, JsError> {
        let (compressed, len) = self.deflater.finish();
        self.sealer.seal_deflated(&compressed, len).map_err(|e| JsError::new(e.message_id()))
    }
}
