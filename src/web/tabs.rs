//! Several tabs of Sidos at once: one writer at a time (Web Locks), and
//! a message to the others after each change (BroadcastChannel) so they
//! refresh their view.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{BroadcastChannel, MessageEvent};

/// The name of the lock that guards writing the register.
pub const WRITE_LOCK: &str = "sidos-register-write";
const CHANNEL: &str = "sidos-register";

/// Runs `work` while holding the exclusive lock `name` across every tab of
/// this origin. Without the Web Locks API (old browsers) it just runs.
/// `None` if the browser refused the lock (the work did not run).
pub async fn with_lock<T, F, Fut>(name: &str, work: F) -> Option<T>
where
    T: 'static,
    F: FnOnce() -> Fut + 'static,
    Fut: Future<Output = T> + 'static,
{
    let locks = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| Reflect::get(&n, &"locks".into()).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let request = locks
        .as_ref()
        .and_then(|l| Reflect::get(l, &"request".into()).ok())
        .and_then(|r| r.dyn_into::<Function>().ok());
    let (Some(locks), Some(request)) = (locks, request) else {
        return Some(work().await);
    };
    let slot: Rc<RefCell<Option<T>>> = Rc::new(RefCell::new(None));
    let filled = slot.clone();
    let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
        future_to_promise(async move {
            let value = work().await;
            *filled.borrow_mut() = Some(value);
            Ok(JsValue::UNDEFINED)
        })
    });
    if let Ok(promise) = request.call2(&locks, &name.into(), &callback) {
        if let Ok(promise) = promise.dyn_into::<Promise>() {
            let _ = JsFuture::from(promise).await;
        }
    }
    let value = slot.borrow_mut().take();
    value
}

/// What one tab tells the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TabMessage {
    /// The register changed: read it again.
    Changed,
    /// The vault was locked: lock too.
    Locked,
}

impl TabMessage {
    fn text(self) -> &'static str {
        match self {
            TabMessage::Changed => "changed",
            TabMessage::Locked => "locked",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "changed" => Some(TabMessage::Changed),
            "locked" => Some(TabMessage::Locked),
            _ => None,
        }
    }
}

/// The channel between the tabs of this origin. Messages carry no data.
pub struct Tabs {
    channel: Option<BroadcastChannel>,
    _listener: Option<Closure<dyn FnMut(MessageEvent)>>,
}

impl Tabs {
    /// Opens the channel and calls `on_message` for each message another
    /// tab sends.
    pub fn open(mut on_message: impl FnMut(TabMessage) + 'static) -> Tabs {
        let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
            return Tabs { channel: None, _listener: None };
        };
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(message) = ev.data().as_string().as_deref().and_then(TabMessage::parse) {
                on_message(message);
            }
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Tabs { channel: Some(channel), _listener: Some(listener) }
    }

    pub fn send(&self, message: TabMessage) {
        if let Some(c) = &self.channel {
            let _ = c.post_message(&JsValue::from_str(message.text()));
        }
    }
}
