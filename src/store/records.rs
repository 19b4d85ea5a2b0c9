//! The relationship records, read after the rest of the register (see
//! [`Store::load_first`](super::Store::load_first)) and decoded on a worker
//! thread (`assets/records-worker.js`) with the app's own code
//! ([`crate::web::worker`]): the worker opens and decodes the stored pages
//! while this page decodes the people and paints the list. It reads them
//! in pieces, decoding one while the browser reads the next, and hands
//! each over packed ([`crate::bundle::packed`]) as soon as it is decoded;
//! this page reads packed records many times faster than their JSON, and
//! puts each piece into the register while the worker goes on.
//!
//! The page decodes the records itself where no worker starts, where one
//! does not answer, and where a page is sealed by the app's own cipher
//! (earlier versions; the worker has only the browser's key).

use js_sys::{Array, ArrayBuffer, Function, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsError, JsValue};
use web_sys::{CryptoKey, IdbDatabase, IdbFactory, IdbKeyRange, IdbRequest};

use super::codec::Codec;
use super::{decode_page, get_all, keyed, request, LoadProblem, Loaded, StoreError};
use crate::bundle::packed;
use crate::bundle::pages::Kind;
use crate::domain::Record;
use crate::web;

use super::schema::PAGES;

/// The worker's script, copied with the app's assets.
const SCRIPT: &str = "/assets/records-worker.js";

/// How long a worker may take to start.
const READY_MS: i32 = 5000;

/// How often the page asks, while the worker decodes, whether the
/// register is still wanted.
const ASK_MS: i32 = 100;

/// How long the worker may go without handing over a piece (about 3 MB
/// of stored pages) before the page reads the records itself.
const STALL_MS: f64 = 30_000.0;

/// How many stored pages the worker reads at a time (about 3 MB).
const PIECE: u32 = 48;

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
    listening: web::worker::Listening,
    /// What the worker is asked to read: the database's name and the
    /// browser's page key.
    task: Array,
}

impl Decoding {
    /// Starts a worker that will read the records of database `db` and
    /// decode them with the browser's page key of `codec`; it loads the
    /// app's code meanwhile. `None` where no worker starts; the page then
    /// reads them itself.
    pub(super) async fn start(db: &str, codec: &Codec) -> Option<Decoding> {
        let key = codec.page_key().await.ok()?;
        let (worker, _) = web::worker::start(SCRIPT, &[])?;
        let listening = web::worker::Listening::new(worker);
        let task = Array::of2(&JsValue::from_str(db), &key.map_or(JsValue::NULL, JsValue::from));
        Some(Decoding { listening, task })
    }

    /// Asks the worker to read the records. The browser's database reads
    /// one request at a time: asked before the page's own reading is done,
    /// the records' 60 MB would hold up the list.
    pub(super) fn go(&self) {
        self.listening.post(&self.task, None);
    }

    /// Reads the packed pieces the worker hands over as it decodes them,
    /// and gives each piece's records to `take` while the worker decodes
    /// the next. The problems met, once all are in; `None` if the worker
    /// did not start in time or could not decode them (some pieces may
    /// have been taken), or the register is no longer wanted.
    async fn records(
        &self,
        turns: &mut Turns,
        wanted: &dyn Fn() -> bool,
        take: &mut dyn FnMut(Vec<Record>),
    ) -> Option<Vec<LoadProblem>> {
        // The worker says "ready" (or `false`) once the app's code runs.
        if self.listening.said(READY_MS).await?.as_string().as_deref() != Some("ready") {
            return None;
        }
        let mut problems = Vec::new();
        let mut heard = web::millis();
        loop {
            let said = self.listening.said(ASK_MS).await;
            if !wanted() {
                return None;
            }
            match said {
                // Nothing yet: ask again, unless the worker has stalled.
                None if web::millis() - heard > STALL_MS => return None,
                None => continue,
                Some(said) if said == JsValue::TRUE => return Some(problems),
                Some(said) => {
                    // Anything but a piece (`false`, an error) is a failure.
                    let bytes = Uint8Array::new(said.dyn_ref::<ArrayBuffer>()?).to_vec();
                    take(unpack(&bytes, &mut problems, turns, wanted).await?);
                    heard = web::millis();
                }
            }
        }
    }
}

/// Gives the browser a turn after each slice of work (milliseconds), so
/// the page stays responsive while the records are read.
struct Turns {
    slice: Option<f64>,
    started: f64,
}

impl Turns {
    fn new(slice: Option<f64>) -> Turns {
        Turns { slice, started: web::millis() }
    }

    /// After a slice, gives the browser its turn and then says whether the
    /// register is still wanted.
    async fn take(&mut self, wanted: &dyn Fn() -> bool) -> bool {
        match self.slice {
            Some(slice) if web::millis() - self.started >= slice => {
                web::sleep(0).await;
                self.started = web::millis();
                wanted()
            }
            _ => true,
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

    /// Decodes the records, gives them to `take` (in one or more parts:
    /// from a worker, each part as it comes), and lists those that cannot
    /// be read. Where a worker fails after some parts, the page reads them
    /// all again and `take` gets them again. With a `slice`
    /// (milliseconds), gives the browser a turn after each slice of work,
    /// so the page stays responsive; `wanted` is asked after each turn and
    /// before each part is taken, and when it says no (the register was
    /// locked meanwhile) the work stops and `None` is returned, the key
    /// dropped with it.
    pub async fn finish(
        self,
        slice: Option<f64>,
        wanted: &dyn Fn() -> bool,
        take: &mut dyn FnMut(Vec<Record>),
    ) -> Result<Option<Vec<LoadProblem>>, StoreError> {
        let mut turns = Turns::new(slice);
        let (values, keys) = match self.source {
            Source::Page { values, keys } => (values, keys),
            Source::Worker { decoding, db } => {
                let handed = decoding.records(&mut turns, wanted, take).await;
                drop(decoding);
                if !wanted() {
                    return Ok(None);
                }
                if let Some(done) = handed {
                    web::mark("records-handed");
                    return Ok(Some(done));
                }
                let js = |e: JsValue| StoreError::from_js(&e);
                let store = db.transaction_with_str(PAGES).and_then(|tx| tx.object_store(PAGES)).map_err(js)?;
                let range = records_range().map_err(js)?;
                get_all(&store, &range)?
            }
        };
        let values: Array = request(&values).await?.unchecked_into();
        let keys: Array = request(&keys).await?.unchecked_into();
        let Some(loaded) = decode_pages(&self.codec, &values, &keys, &mut turns, wanted).await else {
            return Ok(None);
        };
        take(loaded.parts.records);
        Ok(Some(loaded.problems))
    }
}

/// Opens and decodes stored pages, giving the browser its turns; `None`
/// if the register is no longer wanted.
async fn decode_pages(
    codec: &Codec,
    values: &Array,
    keys: &Array,
    turns: &mut Turns,
    wanted: &dyn Fn() -> bool,
) -> Option<Loaded> {
    let mut loaded = Loaded::default();
    let mut openings = codec.openings(PAGES, keyed(values, keys)).await;
    while let Some((key, text)) = openings.next().await {
        decode_page(&mut loaded, key, text);
        if !turns.take(wanted).await {
            return None;
        }
    }
    Some(loaded)
}

/// Reads one packed piece from the worker: its records, and its problems
/// into `problems`, giving the browser its turns. `None` if it does not
/// read (the page then decodes the pages itself) or the register is no
/// longer wanted.
async fn unpack(
    bytes: &[u8],
    problems: &mut Vec<LoadProblem>,
    turns: &mut Turns,
    wanted: &dyn Fn() -> bool,
) -> Option<Vec<Record>> {
    let mut reading = packed::Unpacking::new(bytes).ok()?;
    let mut records = Vec::with_capacity(reading.count());
    while reading.remaining() > 0 {
        reading.read(BATCH, &mut records).ok()?;
        if !turns.take(wanted).await {
            return None;
        }
    }
    let read = reading.problems().ok()?;
    problems.extend(read.into_iter().map(|[store, key, detail]| LoadProblem {
        store: static_store(&store),
        key,
        detail,
    }));
    Some(records)
}

/// Asks for the records' pages in pieces of [`PIECE`], in one transaction:
/// each piece's keys, and the request reading its values.
async fn read_in_pieces(db: &IdbDatabase) -> Result<Vec<(Array, IdbRequest)>, StoreError> {
    let js = |e: JsValue| StoreError::from_js(&e);
    let store = db.transaction_with_str(PAGES).and_then(|tx| tx.object_store(PAGES)).map_err(js)?;
    let range = records_range().map_err(js)?;
    let keys: Array = request(&store.get_all_keys_with_key(&range).map_err(js)?).await?.unchecked_into();
    let mut pieces = Vec::new();
    let mut first = 0;
    while first < keys.length() {
        let past = (first + PIECE).min(keys.length());
        let range = IdbKeyRange::bound(&keys.get(first), &keys.get(past - 1)).map_err(js)?;
        pieces.push((keys.slice(first, past), store.get_all_with_key(&range).map_err(js)?));
        first = past;
    }
    Ok(pieces)
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
/// page `key` (`null` without a vault), decodes them, and `hand`s over
/// each piece's records packed with the problems met, while the browser
/// reads the next piece. Fails (and the page reads them itself) where a
/// page is sealed by the app's own cipher, whose key the worker does not
/// have.
#[wasm_bindgen(js_name = openRecords)]
pub async fn open_records(db: String, key: JsValue, hand: Function) -> Result<(), JsError> {
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
    let pieces = read_in_pieces(&db).await;
    // Closing waits for the reading transaction to end.
    db.close();
    let pieces = pieces.map_err(|_| JsError::new("not read"))?;
    let codec = Codec::with_browser_key(key.dyn_into::<CryptoKey>().ok());
    for (keys, values) in pieces {
        let values: Array = request(&values).await.map_err(|_| JsError::new("not read"))?.unchecked_into();
        if values.iter().any(|v| Codec::sealed_by_app(&v)) {
            return Err(JsError::new("sealed by the app"));
        }
        // Without slices, the work is always wanted: `Some`.
        let loaded = decode_pages(&codec, &values, &keys, &mut Turns::new(None), &|| true).await.unwrap_or_default();
        let problems: Vec<[&str; 3]> =
            loaded.problems.iter().map(|p| [p.store, p.key.as_str(), p.detail.as_str()]).collect();
        let piece = Uint8Array::from(&packed::pack(&loaded.parts.records, &problems)[..]);
        hand.call1(&JsValue::NULL, &piece).map_err(|_| JsError::new("not handed"))?;
    }
    Ok(())
}
