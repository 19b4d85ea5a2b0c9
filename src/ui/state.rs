//! The app's state, shared through context: the register in memory, the
//! open store, and a revision counter that views track to re-read the
//! register after a change.

use std::rc::Rc;

use leptos::prelude::*;

use crate::domain::{Actor, Collator, Command, CommandError, DeviceId, Env, FinnishOrder, Plan, Register};
use crate::store::{LoadProblem, Loaded, Store, StoreError};
use crate::web;
use crate::web::tabs::{self, TabMessage, Tabs};

/// The name of the register's IndexedDB database.
pub const DB_NAME: &str = "sidos";

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Loading,
    Ready,
    Failed(StoreError),
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
}

/// Why a command did not go through.
#[derive(Clone, Debug, PartialEq)]
pub enum RunError {
    /// The form has problems, or the thing is gone.
    Command(CommandError),
    /// Storage refused the write; nothing changed.
    Store(StoreError),
    /// Another change is still being written.
    Busy,
}

#[derive(Clone, Copy)]
pub struct AppState {
    reg: StoredValue<Option<Register>, LocalStorage>,
    store: StoredValue<Option<Rc<Store>>, LocalStorage>,
    tabs: StoredValue<Option<Rc<Tabs>>, LocalStorage>,
    rev: RwSignal<u64>,
    pub phase: RwSignal<Phase>,
    pub busy: RwSignal<bool>,
    pub notice: RwSignal<Option<Notice>>,
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
            notice: RwSignal::new(None),
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

    /// Opens the store and loads the register; then runs the clean-ups that
    /// are due (dietary data of past events).
    pub async fn start(self) {
        let loaded = async {
            let store = Store::open(DB_NAME).await?;
            let loaded = store.load().await?;
            let device = match loaded.device {
                Some(d) => d,
                None => {
                    let d = DeviceId::new(web::new_id());
                    store.put_meta("device", &d.to_string()).await?;
                    d
                }
            };
            Ok::<_, StoreError>((store, loaded, device))
        }
        .await;
        match loaded {
            Err(e) => self.phase.set(Phase::Failed(e)),
            Ok((store, loaded, device)) => {
                self.store.set_value(Some(Rc::new(store)));
                self.install(loaded, device);
                self.phase.set(Phase::Ready);
                let tabs = Tabs::open(move |message| match message {
                    TabMessage::Changed => leptos::task::spawn_local(async move {
                        let _ = self.reload().await;
                    }),
                    TabMessage::Locked => {}
                });
                self.tabs.set_value(Some(Rc::new(tabs)));
                // Ask the browser not to clear the register when space runs
                // low (Settings shows the answer).
                leptos::task::spawn_local(async {
                    let _ = web::storage::persist().await;
                });
                self.purge_dietary().await;
            }
        }
    }

    /// Puts a loaded register in place and tells the views.
    fn install(self, mut loaded: Loaded, device: DeviceId) {
        let collator: Box<dyn Collator> = match web::IntlCollator::finnish() {
            Some(c) => Box::new(c),
            None => Box::new(FinnishOrder),
        };
        let problems = std::mem::take(&mut loaded.problems);
        self.reg.set_value(Some(loaded.into_register(device, collator)));
        self.rev.update(|r| *r += 1);
        if !problems.is_empty() {
            self.notice.set(Some(Notice::LoadProblems(problems)));
        }
    }

    /// Reads the register again (another tab changed it).
    pub async fn reload(self) -> Result<(), StoreError> {
        let Some(store) = self.store.get_value() else { return Err(StoreError::Unavailable) };
        let Some(device) = self.with_untracked(|r| r.device()) else { return Err(StoreError::Unavailable) };
        let loaded = store.load().await?;
        self.install(loaded, device);
        Ok(())
    }

    /// Deletes dietary data of events that are over, and says so.
    pub async fn purge_dietary(self) {
        match self.run(Command::PurgePastDietary).await {
            Ok(plan) if plan.affected > 0 => self.notice.set(Some(Notice::DietaryPurged(plan.affected))),
            Ok(_) => {}
            Err(RunError::Store(e)) => self.notice.set(Some(Notice::StoreFailed(e))),
            Err(_) => {}
        }
    }

    /// Checks a command, writes its changes in one transaction, then makes
    /// them true in memory. On any failure nothing changes.
    pub async fn run(self, command: Command) -> Result<Plan, RunError> {
        self.run_with(move |_| Ok(command)).await
    }

    /// Like [`AppState::run`], but the command is made from the register as
    /// it is once this tab holds the write lock and has caught up with the
    /// other tabs' changes (forms rebase their drafts on it here).
    pub async fn run_with(
        self,
        make: impl FnOnce(&Register) -> Result<Command, CommandError> + 'static,
    ) -> Result<Plan, RunError> {
        self.run_planned(move |reg, env| make(reg).and_then(|command| reg.plan(&command, env))).await
    }

    /// The most general form: `plan` turns the register (caught up with the
    /// other tabs, under the write lock) into a plan — an import uses this.
    pub async fn run_planned(
        self,
        plan: impl FnOnce(&Register, &mut Env<'_>) -> Result<Plan, CommandError> + 'static,
    ) -> Result<Plan, RunError> {
        if self.busy.get_untracked() {
            return Err(RunError::Busy);
        }
        let Some(store) = self.store.get_value() else {
            return Err(RunError::Store(StoreError::Unavailable));
        };
        self.busy.set(true);
        let outcome = tabs::with_lock(tabs::WRITE_LOCK, move || self.run_locked(store, plan)).await;
        self.busy.set(false);
        outcome.unwrap_or(Err(RunError::Store(StoreError::Failed("lock".into()))))
    }

    async fn run_locked(
        self,
        store: Rc<Store>,
        make: impl FnOnce(&Register, &mut Env<'_>) -> Result<Plan, CommandError>,
    ) -> Result<Plan, RunError> {
        // Another tab may have written since this one last read.
        let stored = store.read_clock().await.map_err(RunError::Store)?;
        if stored.is_some() && stored != self.with_untracked(|r| r.clock()) {
            self.reload().await.map_err(RunError::Store)?;
        }
        let actor = self.actor();
        let mut ids = web::new_id;
        let mut env = Env { now: web::now(), today: web::today(), actor: &actor, new_id: &mut ids };
        let plan = self
            .reg
            .with_value(|r| r.as_ref().map(|r| make(r, &mut env)))
            .ok_or(RunError::Store(StoreError::Unavailable))?
            .map_err(RunError::Command)?;
        if plan.is_empty() {
            return Ok(plan);
        }
        store.write(&plan.changes).await.map_err(RunError::Store)?;
        self.reg.update_value(|r| {
            if let Some(r) = r.as_mut() {
                r.apply(plan.changes.clone());
            }
        });
        self.rev.update(|r| *r += 1);
        if let Some(tabs) = self.tabs.get_value() {
            tabs.send(TabMessage::Changed);
        }
        Ok(plan)
    }

    /// The user the app acts for.
    pub fn actor(&self) -> Actor {
        Actor::admin(self.with_untracked(|r| r.settings().user_name.clone()).unwrap_or_default())
    }

    /// The open store, for reads that are not in memory (the audit log).
    pub fn store(&self) -> Option<Rc<Store>> {
        self.store.get_value()
    }

    /// A counter that changes whenever the register does.
    pub fn revision(&self) -> u64 {
        self.rev.get()
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}
