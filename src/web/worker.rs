//! Workers that run the app's own code: the page passes its compiled
//! WebAssembly module and the address of its loader in the first message,
//! so a worker needs no download of its own and runs exactly this build.
//! `ui::mount` does nothing there (no window).

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::JsValue;

/// Starts the module worker `script` and posts it the app's loader and
/// module with `fields`. Returns the worker and a promise of its first
/// message (or its failure); `None` where no worker starts (an old
/// browser, a blocked script).
pub fn start(script: &str, fields: &[(&str, JsValue)]) -> Option<(web_sys::Worker, Promise)> {
    let glue = loader()?;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(script, &options).ok()?;
    let task = Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&task, &key.into(), value).is_ok();
    let complete = set("glue", &glue.into())
        && set("module", &wasm_bindgen::module())
        && fields.iter().all(|(key, value)| set(key, value));
    let first = next_message(&worker);
    if !complete || worker.post_message(&task).is_err() {
        worker.terminate();
        return None;
    }
    Some((worker, first))
}

/// The address of the app's loader (the script that instantiates its
/// WebAssembly), which the page preloads.
fn loader() -> Option<String> {
    let link = web_sys::window()?.document()?.query_selector("link[rel=modulepreload][href$='.js']").ok()??;
    link.get_attribute("href")
}

/// The worker's next message, or its failure.
pub fn next_message(worker: &web_sys::Worker) -> Promise {
    Promise::new(&mut |resolve, reject| {
        worker.set_onmessage(Some(&resolve));
        worker.set_onerror(Some(&reject));
        worker.set_onmessageerror(Some(&reject));
    })
}
