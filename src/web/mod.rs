//! Browser glue: the clock, fresh ids, Finnish order from `Intl.Collator`,
//! small preferences in localStorage, and file downloads.

use std::cmp::Ordering;

use chrono::{DateTime, Local, NaiveDate, Utc};
use gloo_storage::{LocalStorage, Storage};
use js_sys::{Array, Function, Object, Reflect};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

use crate::domain::Collator;

pub mod inflating;
pub mod sealing;
pub mod tabs;
pub mod worker;

/// The current time.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Today in the browser's time zone (dates in the register are local).
pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// A fresh UUIDv7 (time-ordered, random from the browser's crypto).
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// Bytes from the browser's secure random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the browser's crypto.getRandomValues is available");
    bytes
}

/// Reads a file the user picked or dropped.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, JsValue> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Raw DEFLATE (RFC 1951) by the browser's `CompressionStream`: native
/// code, several times faster than compressing in WebAssembly. `None` where
/// the browser lacks it (the caller then compresses itself).
pub async fn deflate_raw(bytes: &[u8]) -> Option<Vec<u8>> {
    let stream = NativeCompression::new("deflate-raw").ok()?;
    let input = web_sys::Blob::new_with_u8_array_sequence(&Array::of1(&js_sys::Uint8Array::from(bytes))).ok()?;
    let pair = web_sys::ReadableWritablePair::new(&stream.readable(), &stream.writable());
    let output = web_sys::Response::new_with_opt_readable_stream(Some(&input.stream().pipe_through(&pair))).ok()?;
    let buffer = wasm_bindgen_futures::JsFuture::from(output.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// What decompressing in the browser gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Inflated {
    Done(Vec<u8>),
    /// More than the limit: stopped there.
    TooLarge,
    /// Not a complete raw DEFLATE stream.
    Damaged,
    /// The browser lacks `DecompressionStream` (the caller then
    /// decompresses itself).
    Unavailable,
}

/// Raw DEFLATE (RFC 1951) decompressed by the browser's
/// `DecompressionStream`, native code, stopping as soon as the output
/// would pass `limit` bytes (a compressed "bomb" never fills the memory).
pub async fn inflate_raw(bytes: &[u8], limit: usize) -> Inflated {
    let Ok(stream) = NativeDecompression::new("deflate-raw") else { return Inflated::Unavailable };
    let Ok(input) = web_sys::Blob::new_with_u8_array_sequence(&Array::of1(&js_sys::Uint8Array::from(bytes))) else {
        return Inflated::Unavailable;
    };
    let pair = web_sys::ReadableWritablePair::new(&stream.readable(), &stream.writable());
    let reader: web_sys::ReadableStreamDefaultReader = input.stream().pipe_through(&pair).get_reader().unchecked_into();
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(5).min(limit));
    loop {
        let Ok(step) = wasm_bindgen_futures::JsFuture::from(reader.read()).await else { return Inflated::Damaged };
        if Reflect::get(&step, &"done".into()).map_or(true, |done| done.is_truthy()) {
            return Inflated::Done(out);
        }
        let Some(chunk) =
            Reflect::get(&step, &"value".into()).ok().and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok())
        else {
            return Inflated::Damaged;
        };
        let start = out.len();
        if start + chunk.length() as usize > limit {
            let _ = reader.cancel();
            return Inflated::TooLarge;
        }
        out.resize(start + chunk.length() as usize, 0);
        chunk.copy_to(&mut out[start..]);
    }
}

// `CompressionStream` and `DecompressionStream` (every current browser has
// them; web-sys counts them among its unstable APIs).
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = CompressionStream)]
    type NativeCompression;
    #[wasm_bindgen(constructor, catch, js_class = "CompressionStream")]
    fn new(format: &str) -> Result<NativeCompression, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &NativeCompression) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &NativeCompression) -> web_sys::WritableStream;

    #[wasm_bindgen(js_name = DecompressionStream)]
    type NativeDecompression;
    #[wasm_bindgen(constructor, catch, js_class = "DecompressionStream")]
    fn new(format: &str) -> Result<NativeDecompression, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &NativeDecompression) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &NativeDecompression) -> web_sys::WritableStream;
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let _ = wasm_bindgen_futures::JsFuture::from(timer(ms)).await;
}

/// A promise fulfilled after `ms` milliseconds.
pub(crate) fn timer(ms: i32) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    })
}

/// Lets the browser paint before long work on the main thread.
pub async fn next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 30);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Milliseconds since the page started, for measuring.
pub fn millis() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// A named point on the page's performance timeline (`sidos:<name>`), for
/// benchmarks to measure between. Names only, never data.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        // Only the latest of each name is kept.
        let name = format!("sidos:{name}");
        p.clear_marks_with_mark_name(&name);
        let _ = p.mark(&name);
    }
}

/// [`mark`] at `at`, a time of the page's timeline ([`millis`]) that has
/// passed: for work measured elsewhere (on a worker).
pub fn mark_at(name: &str, at: f64) {
    on_timeline(Entry::Mark, name, &[("startTime", at)]);
}

/// A named span of work on the performance timeline (`sidos:<name>`),
/// `duration` milliseconds from `start` (a time of [`millis`]): for work
/// timed elsewhere (on a worker). Names only, never data.
pub fn measure(name: &str, start: f64, duration: f64) {
    on_timeline(Entry::Measure, name, &[("start", start), ("duration", duration.max(0.0))]);
}

enum Entry {
    Mark,
    Measure,
}

/// Calls `performance.mark` or `performance.measure` for `sidos:<name>`
/// with these options, replacing an entry of that name.
fn on_timeline(entry: Entry, name: &str, options: &[(&str, f64)]) {
    let Some(p) = web_sys::window().and_then(|w| w.performance()) else { return };
    let name = format!("sidos:{name}");
    let method = match entry {
        Entry::Mark => {
            p.clear_marks_with_mark_name(&name);
            "mark"
        }
        Entry::Measure => {
            p.clear_measures_with_measure_name(&name);
            "measure"
        }
    };
    let object = Object::new();
    if !options.iter().all(|(key, value)| Reflect::set(&object, &(*key).into(), &(*value).into()) == Ok(true)) {
        return;
    }
    if let Some(call) = Reflect::get(&p, &method.into()).ok().and_then(|f| f.dyn_into::<Function>().ok()) {
        let _ = call.call2(&p, &name.into(), &object);
    }
}

/// Finnish order by the browser's own collator.
pub struct IntlCollator {
    compare: Function,
}

impl IntlCollator {
    /// A collator for Finnish; `None` if the browser has none.
    pub fn finnish() -> Option<Self> {
        let locales = Array::of1(&JsValue::from_str("fi"));
        let options = Object::new();
        let _ = Reflect::set(&options, &"sensitivity".into(), &"variant".into());
        let collator = js_sys::Intl::Collator::new(&locales, &options);
        let compare = collator.compare();
        compare.is_function().then_some(IntlCollator { compare })
    }
}

impl Collator for IntlCollator {
    fn compare(&self, a: &str, b: &str) -> Ordering {
        let result = self.compare.call2(&JsValue::NULL, &a.into(), &b.into());
        match result.ok().and_then(|v| v.as_f64()) {
            Some(n) if n < 0.0 => Ordering::Less,
            Some(n) if n > 0.0 => Ordering::Greater,
            _ => Ordering::Equal,
        }
    }
}

/// Registers the service worker that keeps the app's files for offline
/// use (`/sw.js`, written at build time). Quietly does nothing where
/// service workers are not available.
pub fn register_service_worker() {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return };
    let Ok(container) = Reflect::get(&navigator, &"serviceWorker".into()) else { return };
    if container.is_undefined() || container.is_null() {
        return;
    }
    if let Ok(register) = Reflect::get(&container, &"register".into()).and_then(|f| f.dyn_into::<Function>()) {
        if let Ok(promise) = register.call1(&container, &"/sw.js".into()) {
            if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
                // A failed registration only means no offline use.
                let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
                let _ = promise.catch(&ignore);
                ignore.forget();
            }
        }
    }
}

/// The browser's storage for this site: whether it is kept permanently,
/// and how much is used of how much.
pub mod storage {
    use super::*;
    use wasm_bindgen_futures::JsFuture;

    fn manager() -> Option<web_sys::StorageManager> {
        web_sys::window().map(|w| w.navigator().storage())
    }

    async fn ask(promise: Result<js_sys::Promise, JsValue>) -> Option<JsValue> {
        JsFuture::from(promise.ok()?).await.ok()
    }

    /// Asks the browser to keep the data even when space runs low.
    /// `Some(true)` when granted.
    pub async fn persist() -> Option<bool> {
        ask(manager()?.persist()).await?.as_bool()
    }

    /// Whether the browser already keeps the data permanently.
    pub async fn persisted() -> Option<bool> {
        ask(manager()?.persisted()).await?.as_bool()
    }

    /// Bytes used and bytes available to this site.
    pub async fn estimate() -> Option<(f64, f64)> {
        let estimate = ask(manager()?.estimate()).await?;
        let number = |key: &str| Reflect::get(&estimate, &key.into()).ok().and_then(|v| v.as_f64());
        Some((number("usage")?, number("quota")?))
    }
}

/// Small UI preferences in localStorage. Never personal data.
pub mod prefs {
    use super::*;

    const LOCALE: &str = "sidos.locale";

    pub fn locale() -> Option<String> {
        LocalStorage::get(LOCALE).ok()
    }

    pub fn set_locale(code: &str) {
        let _ = LocalStorage::set(LOCALE, code);
    }

    const ORG: &str = "sidos.org_name";
    const LAST_BACKUP: &str = "sidos.last_backup";

    /// The organisation's name as typed for export file names.
    pub fn org_name() -> Option<String> {
        LocalStorage::get(ORG).ok()
    }

    pub fn set_org_name(name: &str) {
        let _ = LocalStorage::set(ORG, name);
    }

    /// When the last complete (backup) export was made (RFC 3339).
    pub fn last_backup() -> Option<String> {
        LocalStorage::get(LAST_BACKUP).ok()
    }

    pub fn set_last_backup(when: &str) {
        let _ = LocalStorage::set(LAST_BACKUP, when);
    }

    const BACKUP_DAYS: &str = "sidos.backup_reminder_days";

    /// Days after a backup before the reminder shows (0: never).
    pub fn backup_reminder_days() -> u32 {
        LocalStorage::get(BACKUP_DAYS).unwrap_or(crate::domain::backup::DEFAULT_REMINDER_DAYS)
    }

    pub fn set_backup_reminder_days(days: u32) {
        let _ = LocalStorage::set(BACKUP_DAYS, days);
    }
}

/// Offers bytes to the user as a file download.
pub fn download(file_name: &str, mime: &str, bytes: &[u8]) -> Result<(), JsValue> {
    download_array(file_name, mime, &js_sys::Uint8Array::from(bytes))
}

/// [`download`] of bytes the browser holds already (a worker's answer),
/// without copying them through this page's memory.
pub fn download_array(file_name: &str, mime: &str, array: &js_sys::Uint8Array) -> Result<(), JsValue> {
    let parts = Array::of1(array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or(JsValue::NULL)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}
