//! The relationship records, read after the rest of the register (see
//! [`Store::load_first`](super::Store::load_first)) and decoded on a worker
//! thread (`assets/records-worker.js`) with the app's own code
//! ([`crate::web::worker`]): the worker opens and decodes the stored pages
//! while this page decodes the people and paints the list, and hands the
//! records over packed ([`crate::bundle::packed`]), which this page reads
//! many times faster than their JSON.
//!
//! The page decodes the records itself where no worker starts, where one
//! does not answer, and where a page is sealed by the app's own cipher
//! (earlier versions; the worker has only the browser's key).

use js_sys::{Array, ArrayBuffer, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, IdbDatabase, IdbFactory, IdbKeyRange, IdbRequest, MessageEvent};

use super::codec::Codec;
use super::{decode_page, keyed, request, LoadProblem, Loaded, StoreError};
use crate::bundle::packed;
use crate::bundle::pages::Kind;
use crate::domain::{Parts, Record};
use crate::web;

use super::schema::PAGES;

/// The worker's script, copied with the app's assets.
const SCRIPT: &str = "/assets/records-worker.js";

/// How long a worker may take to start.
const READY_MS: i32 = 5000;

/// How often the page asks, while the worker decodes, whether the
/// register is still wanted.
const ASK_MS: i32 = 100;

/// How many packed records are read between checks of the time.
const BATCH: usize = 2000;

/// The range of the records' page keys: `<kind>/<number>`, and '0'
/// follows '/'.
pub(super) fn records_range() -> Result<IdbKeyRange, JsValue> {
    let prefix = JsValue::from_str(&format!("{}/", Kind::Records.prefix()));
    let past = JsValue::from_str(&format!("{}0", Kind::Records.prefix()));
    IdbKeyRange::bound_with_lower_open_and_upper_open(&prefix, &past, false, true)
}

/// The relationship records' pages, being read.
pub struct PendingRecords {
    source: Source,
    codec: Codec,
}

enum Source {
    /// Read by this page (`getAll` and `getAllKeys`).
    Page { values: IdbRequest, keys: IdbRequest },
    /// Read and decoded by a worker; if it fails, this page reads them
    /// from `db`.
    Worker { decoding: Decoding, db: IdbDatabase },
}

/// A worker reading and decoding the records.
pub(super) struct Decoding {
    worker: web_sys::Worker,
    /// What the worker is asked to read: the database's name and the
    /// browser's page key.
    task: Array,
    /// Fulfils with "ready" once the worker runs the app's code.
    ready: Promise,
    /// Fulfils with the packed records (an ArrayBuffer), or `false`.
    answer: Promise,
    _listening: Closure<dyn FnMut(MessageEvent)>,
}

impl Drop for Decoding {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

impl Decoding {
    /// Starts a worker that will read the records of database `db` and
    /// decode them with the browser's page key of `codec`; it loads the
    /// app's code meanwhile. `None` where no worker starts; the page then
    /// reads them itself.
    pub(super) async fn start(db: &str, codec: &Codec) -> Option<Decoding> {
        let key = codec.page_key().await.ok()?;
        let (worker, _) = web::worker::start(SCRIPT, &[])?;
        let mut resolvers = (None, None);
        let ready = Promise::new(&mut |resolve, _| resolvers.0 = Some(resolve));
        let answer = Promise::new(&mut |resolve, _| resolvers.1 = Some(resolve));
        let (Some(ready_with), Some(answer_with)) = resolvers else { return None };
        let said = move |data: JsValue| {
            // A first message other than "ready" is a failure to start.
            let is_ready = data.as_string().as_deref() == Some("ready");
            let _ = ready_with.call1(&JsValue::NULL, &if is_ready { data.clone() } else { JsValue::FALSE });
            if !is_ready {
                // Anything but the packed records is a failure: `false`
                // (never undefined, which is the timer's).
                let answer = if data.is_instance_of::<ArrayBuffer>() { data } else { JsValue::FALSE };
                let _ = answer_with.call1(&JsValue::NULL, &answer);
            }
        };
        let listening = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| said(m.data()));
        let failing: &Function = listening.as_ref().unchecked_ref();
        worker.set_onmessage(Some(failing));
        // An error event is not a message: its data is undefined, which
        // fails both waits.
        worker.set_onerror(Some(failing));
        let task = Array::of2(&JsValue::from_str(db), &key.map_or(JsValue::NULL, JsValue::from));
        Some(Decoding { worker, task, ready, answer, _listening: listening })
    }

    /// Asks the worker to read the records. The browser's database reads
    /// one request at a time: asked before the page's own reading is done,
    /// the records' 60 MB would hold up the list.
    pub(super) fn go(&self) {
        if self.worker.post_message(&self.task).is_err() {
            self.worker.terminate();
        }
    }

    /// The packed records; `None` if the worker did not start in time or
    /// could not decode them, or the register is no longer wanted.
    async fn packed(&self, wanted: &dyn Fn() -> bool) -> Option<Vec<u8>> {
        let started = Promise::race(&Array::of2(&self.ready, &web::timer(READY_MS)));
        let said = JsFuture::from(started).await.ok()?;
        if said.as_string().as_deref() != Some("ready") {
            return None;
        }
        loop {
            let waited = Promise::race(&Array::of2(&self.answer, &web::timer(ASK_MS)));
            let said = JsFuture::from(waited).await.ok()?;
            if !wanted() {
                return None;
            }
            if let Some(bytes) = said.dyn_ref::<ArrayBuffer>() {
                return Some(Uint8Array::new(bytes).to_vec());
            }
            // Undefined is the timer: ask again.
            if !said.is_undefined() {
                return None;
            }
        }
    }
}

impl PendingRecords {
    /// The records' pages read by this page.
    pub(super) fn on_page(values: IdbRequest, keys: IdbRequest, codec: Codec) -> PendingRecords {
        PendingRecords { source: Source::Page { values, keys }, codec }
    }

    /// The records read and decoded by a worker.
    pub(super) fn on_worker(decoding: Decoding, db: IdbDatabase, codec: Codec) -> PendingRecords {
        PendingRecords { source: Source::Worker { decoding, db }, codec }
    }

    /// Decodes the records, and lists those that cannot be read. With a
    /// `slice` (milliseconds), gives the browser a turn after each slice of
    /// work, so the page stays responsive; `wanted` is asked after each
    /// turn, and when it says no (the register was locked meanwhile) the
    /// work stops and `None` is returned, the key dropped with it.
    pub async fn finish(
        self,
        slice: Option<f64>,
        wanted: &dyn Fn() -> bool,
    ) -> Result<Option<(Vec<Record>, Vec<LoadProblem>)>, StoreError> {
        let (values, keys) = match self.source {
            Source::Page { values, keys } => (values, keys),
            Source::Worker { decoding, db } => {
                let packed = decoding.packed(wanted).await;
                drop(decoding);
                if !wanted() {
                    return Ok(None);
                }
                if let Some(bytes) = packed {
                    web::mark("records-handed");
                    if let Some(done) = unpack(&bytes, slice, wanted).await {
                        return Ok(done);
                    }
                }
                let js = |e: JsValue| StoreError::from_js(&e);
                let store = db.transaction_with_str(PAGES).and_then(|tx| tx.object_store(PAGES)).map_err(js)?;
                let range = records_range().map_err(js)?;
                (store.get_all_with_key(&range).map_err(js)?, store.get_all_keys_with_key(&range).map_err(js)?)
            }
        };
        let values: Array = request(&values).await?.unchecked_into();
        let keys: Array = request(&keys).await?.unchecked_into();
        let mut loaded = Loaded { parts: Parts::default(), device: None, problems: Vec::new(), rest: Vec::new() };
        let mut started = web::millis();
        let mut openings = self.codec.openings(PAGES, keyed(&values, &keys)).await;
        while let Some((key, text)) = openings.next().await {
            decode_page(&mut loaded, key, text);
            if let Some(slice) = slice {
                if web::millis() - started >= slice {
                    web::sleep(0).await;
                    if !wanted() {
                        return Ok(None);
                    }
                    started = web::millis();
                }
            }
        }
        Ok(Some((loaded.parts.records, loaded.problems)))
    }
}

/// Reads the worker's packed records, giving the browser a turn after each
/// `slice`. `None` if they do not read (the page then decodes the pages
/// itself); `Some(None)` if the register is no longer wanted.
async fn unpack(
    bytes: &[u8],
    slice: Option<f64>,
    wanted: &dyn Fn() -> bool,
) -> Option<Option<(Vec<Record>, Vec<LoadProblem>)>> {
    let mut reading = packed::Unpacking::new(bytes).ok()?;
    let mut records = Vec::with_capacity(reading.count());
    let mut started = web::millis();
    while reading.remaining() > 0 {
        reading.read(BATCH, &mut records).ok()?;
        if let Some(slice) = slice {
            if web::millis() - started >= slice {
                web::sleep(0).await;
                if !wanted() {
                    return Some(None);
                }
                started = web::millis();
            }
        }
    }
    let problems = reading.problems().ok()?;
    let problems = problems
        .into_iter()
        .map(|[store, key, detail]| LoadProblem { store: static_store(&store), key, detail })
        .collect();
    Some(Some((records, problems)))
}

/// The store name a problem was packed with.
fn static_store(name: &str) -> &'static str {
    if name == Kind::Records.prefix() {
        Kind::Records.prefix()
    } else {
        PAGES
    }
}

/// The worker's side (called by `assets/records-worker.js`): reads the
/// records' stored pages from database `db`, opens them with the browser's
/// page `key` (`null` without a vault), decodes them, and packs the
/// records with the problems met. Fails (and the page reads them itself)
/// where a page is sealed by the app's own cipher, whose key the worker
/// does not have.
#[wasm_bindgen(js_name = openRecords)]
pub async fn open_records(db: String, key: JsValue) -> Result<Vec<u8>, JsError> {
    let failed = |_| JsError::new("not read");
    let factory: IdbFactory = Reflect::get(&js_sys::global(), &"indexedDB".into()).map_err(failed)?.unchecked_into();
    let opening = factory.open(&db).map_err(failed)?;
    // The page has the database open: it exists, and must not be made.
    let refuse = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        if let Some(tx) = e.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()).and_then(|r| r.transaction()) {
            let _ = tx.abort();
        }
    });
    opening.set_onupgradeneeded(Some(refuse.as_ref().unchecked_ref()));
    let db: IdbDatabase = request(&opening).await.map_err(|_| JsError::new("not opened"))?.unchecked_into();
    let read = async {
        let store = db.transaction_with_str(PAGES).and_then(|tx| tx.object_store(PAGES)).map_err(failed)?;
        let range = records_range().map_err(failed)?;
        let values = store.get_all_with_key(&range).map_err(failed)?;
        let keys = store.get_all_keys_with_key(&range).map_err(failed)?;
        let values: Array = request(&values).await.map_err(|_| JsError::new("not read"))?.unchecked_into();
        let keys: Array = request(&keys).await.map_err(|_| JsError::new("not read"))?.unchecked_into();
        Ok::<_, JsError>((values, keys))
    };
    let read = read.await;
    db.close();
    let (values, keys) = read?;
    if values.iter().any(|v| Codec::sealed_by_app(&v)) {
        return Err(JsError::new("sealed by the app"));
    }
    let codec = Codec::with_browser_key(key.dyn_into::<CryptoKey>().ok());
    let mut loaded = Loaded { parts: Parts::default(), device: None, problems: Vec::new(), rest: Vec::new() };
    let mut openings = codec.openings(PAGES, keyed(&values, &keys)).await;
    while let Some((key, text)) = openings.next().await {
        decode_page(&mut loaded, key, text);
    }
    let problems: Vec<[&str; 3]> =
        loaded.problems.iter().map(|p| [p.store, p.key.as_str(), p.detail.as_str()]).collect();
    Ok(packed::pack(&loaded.parts.records, &problems))
}
