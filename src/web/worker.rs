//! Workers that run the app's own code: the page passes its compiled
//! WebAssembly module and the address of its loader in the first message,
//! so a worker needs no download of its own and runs exactly this build.
//! `ui::mount` does nothing there (no window).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::MessageEvent;

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

/// A worker's messages as they come, kept until taken ([`Listening::said`]);
/// an error event counts as a message whose data is undefined (a failure
/// wherever it comes). Dropping it ends the worker.
pub struct Listening {
    worker: web_sys::Worker,
    inbox: Rc<RefCell<Inbox>>,
    _listening: Closure<dyn FnMut(MessageEvent)>,
}

/// The messages not yet taken, and the waiter to wake when the next one
/// comes.
#[derive(Default)]
struct Inbox {
    said: VecDeque<JsValue>,
    waking: Option<Function>,
}

impl Listening {
    /// Listens to `worker` from now on.
    pub fn new(worker: web_sys::Worker) -> Listening {
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let into = inbox.clone();
        let listening = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
            let mut inbox = into.borrow_mut();
            inbox.said.push_back(m.data());
            if let Some(wake) = inbox.waking.take() {
                let _ = wake.call0(&JsValue::NULL);
            }
        });
        let listener: &Function = listening.as_ref().unchecked_ref();
        worker.set_onmessage(Some(listener));
        worker.set_onerror(Some(listener));
        worker.set_onmessageerror(Some(listener));
        Listening { worker, inbox, _listening: listening }
    }

    /// Posts `message` (handing over `transfer`); if that fails, the worker
    /// ends and its next message is `false`.
    pub fn post(&self, message: &JsValue, transfer: Option<&Array>) {
        let posted = match transfer {
            Some(transfer) => self.worker.post_message_with_transfer(message, transfer),
            None => self.worker.post_message(message),
        };
        if posted.is_err() {
            self.worker.terminate();
            self.inbox.borrow_mut().said.push_back(JsValue::FALSE);
        }
    }

    /// The worker's next message, if one comes within `ms`.
    pub async fn said(&self, ms: i32) -> Option<JsValue> {
        if let Some(data) = self.inbox.borrow_mut().said.pop_front() {
            return Some(data);
        }
        let arrived = Promise::new(&mut |wake, _| self.inbox.borrow_mut().waking = Some(wake));
        let _ = JsFuture::from(Promise::race(&Array::of2(&arrived, &super::timer(ms)))).await;
        self.inbox.borrow_mut().said.pop_front()
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.set_onmessageerror(None);
        self.worker.terminate();
    }
}
