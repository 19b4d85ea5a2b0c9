//! The app's state, shared through context: the register in memory, the
//! open store, and a revision counter that views track to re-read the
//! register after a change.

use std::rc::Rc;

use leptos::prelude::*;

use crate::domain::{Collator, Command, CommandError, DeviceId, FinnishOrder, Plan, Register};
use crate::store::{LoadProblem, Store, StoreError};
use crate::web;

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
                let collator: Box<dyn Collator> = match web::IntlCollator::finnish() {
                    Some(c) => Box::new(c),
                    None => Box::new(FinnishOrder),
                };
                let reg = Register::from_parts(loaded.parts, device, collator);
                self.reg.set_value(Some(reg));
                self.store.set_value(Some(Rc::new(store)));
                self.rev.update(|r| *r += 1);
                self.phase.set(Phase::Ready);
                if !loaded.problems.is_empty() {
                    self.notice.set(Some(Notice::LoadProblems(loaded.problems)));
                }
                self.purge_dietary().await;
            }
        }
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
        if self.busy.get_untracked() {
            return Err(RunError::Busy);
        }
        let Some(store) = self.store.get_value() else {
            return Err(RunError::Store(StoreError::Unavailable));
        };
        let actor = self.with_untracked(|r| r.settings().user_name.clone()).unwrap_or_default();
        let mut ids = web::new_id;
        let mut env = crate::domain::Env { now: web::now(), today: web::today(), actor: &actor, new_id: &mut ids };
        let plan = self
            .reg
            .with_value(|r| r.as_ref().map(|r| r.plan(&command, &mut env)))
            .ok_or(RunError::Store(StoreError::Unavailable))?
            .map_err(RunError::Command)?;
        if plan.is_empty() {
            return Ok(plan);
        }
        self.busy.set(true);
        let written = store.write(&plan.changes).await;
        self.busy.set(false);
        written.map_err(RunError::Store)?;
        self.reg.update_value(|r| {
            if let Some(r) = r.as_mut() {
                r.apply(plan.changes.clone());
            }
        });
        self.rev.update(|r| *r += 1);
        Ok(plan)
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
