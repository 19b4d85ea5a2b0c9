//! The app's state, shared through context: the register in memory, the
//! open store, and a revision counter that views track to re-read the
//! register after a change.

use std::rc::Rc;

use leptos::prelude::*;

use crate::bundle::vault::VaultError;
use crate::domain::{Actor, Collator, DeviceId, FinnishOrder, Level, Register};
use crate::store::{AccessDoc, LoadProblem, Loaded, Store, StoreError, VaultDoc};
use crate::web;
use crate::web::tabs::{self, TabMessage, Tabs};

mod run;

pub use run::{Done, RunError};

/// The name of the register's IndexedDB database.
pub const DB_NAME: &str = "sidos";

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Loading,
    /// First start: the office sets a passphrase (existing data is then
    /// encrypted in place).
    Setup,
    /// The register is encrypted and the key is not in memory.
    Locked(VaultDoc),
    Ready,
    Failed(StoreError),
}

/// Why unlocking did not work.
#[derive(Clone, Debug, PartialEq)]
pub enum UnlockError {
    WrongPassphrase,
    Store(StoreError),
}

/// A message shown at the top of the page after something happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Saved,
    Deleted,
    NoChanges,
    Merged,
    DietaryPurged(usize),
    StoreFailed(StoreError),
    Gone,
    LoadProblems(Vec<LoadProblem>),
    Imported,
    NothingToImport,
    /// Right after setting up: make an encrypted recovery copy now.
    MakeRecoveryCopy,
    /// The user's level does not allow what they tried.
    NotAllowed,
    /// The person's processing is restricted (or they were erased): their
    /// data is kept as it is.
    Restricted,
}

#[derive(Clone, Copy)]
pub struct AppState {
    reg: StoredValue<Option<Register>, LocalStorage>,
    store: StoredValue<Option<Rc<Store>>, LocalStorage>,
    tabs: StoredValue<Option<Rc<Tabs>>, LocalStorage>,
    rev: RwSignal<u64>,
    pub phase: RwSignal<Phase>,
    pub busy: RwSignal<bool>,
    /// The relationship records are still being read after the rest of the
    /// register (changes and downloads wait for them).
    pub records_loading: RwSignal<bool>,
    /// Counts the registers put in place, so that records still being read
    /// for one that was since locked or reloaded are dropped.
    generation: StoredValue<u64>,
    pub notice: RwSignal<Option<Notice>>,
    /// The signed-in user (their id in the vault, and what they may do).
    pub user: RwSignal<Option<(uuid::Uuid, Actor)>>,
    /// The vault's users and settings, as last read or saved.
    pub vault: RwSignal<Option<VaultDoc>>,
    /// When the user last did something (for the automatic lock).
    last_activity: StoredValue<f64>,
}

impl AppState {
    pub fn new() -> Self {
        AppState {
            reg: StoredValue::new_local(None),
            store: StoredValue::new_local(None),
            tabs: StoredValue::new_local(None),
            rev: RwSignal::new(0),
            phase: RwSignal::new(Phase::Loading),
            busy: RwSignal::new(false),
            records_loading: RwSignal::new(false),
            generation: StoredValue::new(0),
            notice: RwSignal::new(None),
            user: RwSignal::new(None),
            vault: RwSignal::new(None),
            last_activity: StoredValue::new(0.0),
        }
    }

    pub fn provide(self) {
        provide_context(self);
    }

    pub fn get() -> Self {
        expect_context::<AppState>()
    }

    /// Reads the register and subscribes the caller to changes.
    pub fn with<T>(&self, f: impl FnOnce(&Register) -> T) -> Option<T> {
        self.rev.track();
        self.reg.with_value(|r| r.as_ref().map(f))
    }

    /// Reads the register without subscribing.
    pub fn with_untracked<T>(&self, f: impl FnOnce(&Register) -> T) -> Option<T> {
        self.reg.with_value(|r| r.as_ref().map(f))
    }

    /// Opens the store and finds out whether the register is set up; the
    /// user then sets it up or unlocks it.
    pub async fn start(self) {
        let opened = async {
            let store = Store::open(DB_NAME).await?;
            let vault = store.vault().await?;
            Ok::<_, StoreError>((store, vault))
        }
        .await;
        match opened {
            Err(e) => self.phase.set(Phase::Failed(e)),
            Ok((store, vault)) => {
                self.store.set_value(Some(Rc::new(store)));
                let tabs = Tabs::open(move |message| match message {
                    TabMessage::Changed => leptos::task::spawn_local(async move {
                        if self.phase.get_untracked() == Phase::Ready {
                            let _ = self.reload().await;
                        }
                    }),
                    TabMessage::Locked => self.lock_here(),
                });
                self.tabs.set_value(Some(Rc::new(tabs)));
                self.vault.set(vault.clone());
                self.phase.set(match vault {
                    Some(doc) => Phase::Locked(doc),
                    None => Phase::Setup,
                });
                // Ask the browser not to clear the register when space runs
                // low (Settings shows the answer).
                leptos::task::spawn_local(async {
                    let _ = web::storage::persist().await;
                });
                self.watch_idle();
            }
        }
    }

    /// First start: encrypts the register (and anything an earlier version
    /// stored) with a new data key wrapped by the administrator's
    /// passphrase, then opens it.
    pub async fn set_up(self, name: String, passphrase: String) -> Result<(), StoreError> {
        let Some(store) = self.store.get_value() else { return Err(StoreError::Unavailable) };
        let sealing = store.clone();
        let user =
            tabs::with_lock(tabs::WRITE_LOCK, move || async move { sealing.create_vault(&name, &passphrase).await })
                .await
                .unwrap_or(Err(StoreError::Failed("lock".into())))?;
        let vault = store.vault().await?;
        self.vault.set(vault);
        self.user.set(Some((user.id, Actor::admin(user.name.clone()))));
        self.open_register(&store).await
    }

    /// Opens the register with a user's passphrase. A wrong passphrase is
    /// answered after a short pause, and nothing is unlocked.
    pub async fn unlock(self, user_id: uuid::Uuid, passphrase: String) -> Result<(), UnlockError> {
        let Some(store) = self.store.get_value() else { return Err(UnlockError::Store(StoreError::Unavailable)) };
        let vault =
            store.vault().await.map_err(UnlockError::Store)?.ok_or(UnlockError::Store(StoreError::Unavailable))?;
        let Some(user) = vault.user(user_id).cloned() else { return Err(UnlockError::WrongPassphrase) };
        web::next_paint().await;
        web::mark("unlock-start");
        let unlocked = store.unlock(&user, &passphrase);
        web::mark("unlock-key");
        if let Err(e) = unlocked {
            web::sleep(1200).await;
            return Err(match e {
                VaultError::WrongPassphrase | VaultError::EmptyPassphrase => UnlockError::WrongPassphrase,
                _ => UnlockError::Store(StoreError::Failed("vault".into())),
            });
        }
        let access = store.access().await.map_err(UnlockError::Store)?;
        self.vault.set(Some(vault));
        self.user.set(Some((user.id, access.actor(&user))));
        self.open_register(&store).await.map_err(UnlockError::Store)
    }

    /// Reads the register and shows it. The relationship records, most of
    /// a large register, are decoded after the list is on screen; changes
    /// and downloads wait for them ([`AppState::whole`]).
    async fn open_register(self, store: &Store) -> Result<(), StoreError> {
        let (loaded, pending) = store.load_first().await?;
        let device = match loaded.device {
            Some(d) => d,
            None => {
                let d = DeviceId::new(web::new_id());
                store.put_meta("device", &d.to_string()).await?;
                d
            }
        };
        let generation = self.install(loaded, device, false);
        web::mark("register-ready");
        self.touch();
        self.phase.set(Phase::Ready);
        web::next_paint().await;
        let current = move || self.generation.get_value() == generation;
        // Search as the user types reads texts made now, after the list
        // is on screen, rather than before it.
        if current() {
            self.reg.with_value(|r| r.as_ref().map(Register::prepare_search));
            web::mark("search-ready");
        }
        // Each part of the records goes into the register as it comes; the
        // list shows them once all are in.
        let mut take = |records| {
            if current() {
                self.reg.update_value(|r| {
                    if let Some(r) = r.as_mut() {
                        r.add_records(records);
                    }
                });
            }
        };
        match pending.finish(Some(40.0), &current, &mut take).await {
            Ok(Some(problems)) if current() => {
                self.records_loading.set(false);
                self.rev.update(|r| *r += 1);
                self.report(problems);
                web::mark("records-ready");
            }
            // Locked or read again meanwhile: that register is gone.
            Ok(_) => return Ok(()),
            Err(e) if current() => {
                // Without its records the register must not be changed.
                self.reg.set_value(None);
                self.records_loading.set(false);
                self.phase.set(Phase::Failed(e));
                return Ok(());
            }
            Err(_) => return Ok(()),
        }
        self.purge_dietary().await;
        self.seal_earlier_pages().await;
        Ok(())
    }

    /// Pages sealed by an earlier version open as they are, only slower;
    /// once the register is open they are sealed anew, in the background.
    /// A failure changes nothing, and it is tried again next time.
    async fn seal_earlier_pages(self) {
        let Some(store) = self.store.get_value() else { return };
        if !store.is_unlocked() || store.pages_sealed_now().await.unwrap_or(true) {
            return;
        }
        let _ = tabs::with_lock(tabs::WRITE_LOCK, move || async move { store.seal_earlier_pages().await }).await;
    }

    /// Waits until the whole register is in memory (the relationship
    /// records are read after the rest when it opens).
    pub async fn whole(self) {
        while self.records_loading.get_untracked() {
            web::sleep(25).await;
        }
    }

    /// Locks this tab and every other tab of Sidos.
    pub fn lock(self) {
        self.lock_here();
        if let Some(tabs) = self.tabs.get_value() {
            tabs.send(TabMessage::Locked);
        }
    }

    /// Drops the key and the register from this tab's memory.
    fn lock_here(self) {
        if let Some(store) = self.store.get_value() {
            store.lock();
        }
        self.reg.set_value(None);
        self.generation.update_value(|g| *g += 1);
        self.records_loading.set(false);
        self.user.set(None);
        self.rev.update(|r| *r += 1);
        if let Some(doc) = self.vault.get_untracked() {
            self.phase.set(Phase::Locked(doc));
        }
    }

    /// Notes that the user did something.
    pub fn touch(self) {
        self.last_activity.set_value(web::millis());
    }

    /// Locks after the vault's idle time without activity. Also asks before
    /// the tab is closed or reloaded while a change is being written.
    fn watch_idle(self) {
        let guard = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if self.busy.get_untracked() {
                ev.prevent_default();
                ev.set_return_value("");
            }
        });
        std::mem::forget(guard);
        let touch = move |_: web_sys::Event| self.touch();
        for event in ["pointerdown", "keydown", "wheel", "touchstart"] {
            let handle = window_event_listener_untyped(event, touch);
            std::mem::forget(handle);
        }
        leptos::task::spawn_local(async move {
            loop {
                web::sleep(15_000).await;
                if self.phase.get_untracked() != Phase::Ready {
                    continue;
                }
                let minutes = self.vault.get_untracked().map_or(15, |v| v.lock_minutes);
                if web::millis() - self.last_activity.get_value() > f64::from(minutes) * 60_000.0 {
                    self.lock();
                }
            }
        });
    }

    /// Puts a loaded register in place and tells the views; `whole` says
    /// whether its relationship records are in it. Returns its generation.
    fn install(self, mut loaded: Loaded, device: DeviceId, whole: bool) -> u64 {
        let collator: Box<dyn Collator> = match web::IntlCollator::finnish() {
            Some(c) => Box::new(c),
            None => Box::new(FinnishOrder),
        };
        let problems = std::mem::take(&mut loaded.problems);
        web::mark("load-decoded");
        self.reg.set_value(Some(loaded.into_register(device, collator)));
        self.generation.update_value(|g| *g += 1);
        self.records_loading.set(!whole);
        self.rev.update(|r| *r += 1);
        if let Some(Notice::LoadProblems(_)) = self.notice.get_untracked() {
            self.notice.set(None);
        }
        self.report(problems);
        self.generation.get_value()
    }

    /// Tells the user about stored documents that could not be read (added
    /// to those already shown).
    fn report(self, mut problems: Vec<LoadProblem>) {
        if problems.is_empty() {
            return;
        }
        if let Some(Notice::LoadProblems(shown)) = self.notice.get_untracked() {
            problems.splice(0..0, shown);
        }
        self.notice.set(Some(Notice::LoadProblems(problems)));
    }

    /// Reads the register again (another tab changed it).
    pub async fn reload(self) -> Result<(), StoreError> {
        let Some(store) = self.store.get_value() else { return Err(StoreError::Unavailable) };
        let Some(device) = self.with_untracked(|r| r.device()) else { return Err(StoreError::Unavailable) };
        let loaded = store.load().await?;
        self.install(loaded, device, true);
        Ok(())
    }

    /// The user the app acts for (read-only when nobody is signed in).
    pub fn actor(&self) -> Actor {
        self.user.get_untracked().map(|(_, a)| a).unwrap_or_else(|| Actor::new("", Level::ReadOnly))
    }

    /// Whether the signed-in user may change the register (tracked).
    pub fn can_edit(&self) -> bool {
        self.user.with(|u| u.as_ref().is_some_and(|(_, a)| a.level.may_edit()))
    }

    /// Whether the signed-in user is an administrator (tracked).
    pub fn is_admin(&self) -> bool {
        self.user.with(|u| u.as_ref().is_some_and(|(_, a)| a.level == Level::Admin))
    }

    /// Saves the vault's users and levels (administrators only), with an
    /// audit entry that names who did it.
    pub async fn save_users(self, doc: VaultDoc, access: AccessDoc) -> Result<(), StoreError> {
        let Some(store) = self.store.get_value() else { return Err(StoreError::Unavailable) };
        let audit = self.with_untracked(|r| {
            let stamp = r.clock().next(web::now().timestamp_millis().max(0) as u64, r.device());
            crate::domain::AuditEntry {
                key: crate::domain::AuditEntry::key_for(stamp, 0),
                at: web::now(),
                actor: self.actor().name,
                action: crate::domain::AuditAction::Updated,
                entity: crate::domain::EntityRef::Settings,
                fields: vec!["users".into()],
            }
        });
        store.save_users(&doc, &access, audit.as_ref()).await?;
        // Keep the signed-in user's own level up to date.
        if let Some((id, _)) = self.user.get_untracked() {
            if let Some(u) = doc.user(id) {
                self.user.set(Some((id, access.actor(u))));
            }
        }
        self.vault.set(Some(doc));
        Ok(())
    }

    /// The open store's access document (administrators manage users).
    pub async fn access(self) -> Result<AccessDoc, StoreError> {
        let Some(store) = self.store.get_value() else { return Err(StoreError::Unavailable) };
        store.access().await
    }

    /// Wraps the data key for a user's (new) passphrase.
    pub fn wrap_key(self, id: uuid::Uuid, passphrase: &str) -> Option<crate::bundle::vault::WrappedKey> {
        let key = self.store.get_value()?.data_key()?;
        crate::store::wrap_for(&key, id, passphrase).ok()
    }

    /// The open store, for reads that are not in memory (the audit log).
    pub fn store(&self) -> Option<Rc<Store>> {
        self.store.get_value()
    }

    /// A counter that changes whenever the register does.
    pub fn revision(&self) -> u64 {
        self.rev.get()
    }

    /// [`AppState::revision`], outside any view.
    pub fn revision_untracked(&self) -> u64 {
        self.rev.get_untracked()
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}
