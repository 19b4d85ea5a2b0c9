//! Running a command: checked by the core, written in one transaction
//! under the write lock across tabs, then made true in memory; and what a
//! page shows when that did not work.

use std::rc::Rc;

use leptos::prelude::*;

use super::{AppState, Notice};
use crate::bundle::document::Source;
use crate::bundle::pages::Verbatim;
use crate::domain::gdpr::Refusal;
use crate::domain::{Command, CommandError, Env, Plan, Register};
use crate::store::{Store, StoreError};
use crate::web;
use crate::web::tabs::{self, TabMessage};

/// What a written command did (its changes are in the register now).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Done {
    pub created: Option<crate::domain::EntityRef>,
    /// How many entities the command touched (e.g. records purged).
    pub affected: usize,
    /// The rights request the command opened.
    pub opened_request: Option<crate::domain::RequestId>,
    changed: usize,
}

impl Done {
    fn of(plan: &Plan) -> Done {
        Done {
            created: plan.created,
            affected: plan.affected,
            opened_request: crate::domain::gdpr::opened_request(plan),
            changed: plan.changes.len(),
        }
    }

    /// Nothing needed changing.
    pub fn is_empty(&self) -> bool {
        self.changed == 0
    }
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

impl AppState {
    /// Deletes dietary data of events that are over, and says so.
    pub async fn purge_dietary(self) {
        let purge = move |reg: &Register, env: &mut Env<'_>| reg.plan(&Command::PurgePastDietary, env);
        match self.run_planned_as(purge, false, None).await {
            Ok(plan) if plan.affected > 0 => self.notice.set(Some(Notice::DietaryPurged(plan.affected))),
            Ok(_) => {}
            Err(RunError::Store(e)) => self.notice.set(Some(Notice::StoreFailed(e))),
            Err(_) => {}
        }
    }

    /// Checks a command, writes its changes in one transaction, then makes
    /// them true in memory. On any failure nothing changes.
    pub async fn run(self, command: Command) -> Result<Done, RunError> {
        self.run_with(move |_| Ok(command)).await
    }

    /// Like [`AppState::run`], but the command is made from the register as
    /// it is once this tab holds the write lock and has caught up with the
    /// other tabs' changes (forms rebase their drafts on it here).
    pub async fn run_with(
        self,
        make: impl FnOnce(&Register) -> Result<Command, CommandError> + 'static,
    ) -> Result<Done, RunError> {
        self.run_planned(move |reg, env| make(reg).and_then(|command| reg.plan(&command, env))).await
    }

    /// The most general form: `plan` turns the register (caught up with the
    /// other tabs, under the write lock) into a plan — an import uses this.
    pub async fn run_planned(
        self,
        plan: impl FnOnce(&Register, &mut Env<'_>) -> Result<Plan, CommandError> + 'static,
    ) -> Result<Done, RunError> {
        self.run_planned_as(plan, true, None).await
    }

    /// [`AppState::run_planned`] for an import of the document `source`:
    /// storage keeps the texts of what the plan puts as the document read
    /// it ([`Plan::verbatim`]).
    pub async fn run_import(
        self,
        plan: impl FnOnce(&Register, &mut Env<'_>) -> Result<Plan, CommandError> + 'static,
        source: Rc<Source>,
    ) -> Result<Done, RunError> {
        self.run_planned_as(plan, true, Some(source)).await
    }

    /// [`AppState::run_planned`]; `by_user: false` is for what the app does
    /// by itself (deleting past dietary data at opening): that does not
    /// mark the page busy, so a change the user makes meanwhile waits for
    /// the write lock instead of being refused as busy.
    async fn run_planned_as(
        self,
        plan: impl FnOnce(&Register, &mut Env<'_>) -> Result<Plan, CommandError> + 'static,
        by_user: bool,
        source: Option<Rc<Source>>,
    ) -> Result<Done, RunError> {
        self.whole().await;
        if by_user && self.busy.get_untracked() {
            return Err(RunError::Busy);
        }
        let Some(store) = self.store.get_value() else {
            return Err(RunError::Store(StoreError::Unavailable));
        };
        if by_user {
            self.busy.set(true);
        }
        let outcome = tabs::with_lock(tabs::WRITE_LOCK, move || self.run_locked(store, plan, source)).await;
        if by_user {
            self.busy.set(false);
        }
        outcome.unwrap_or(Err(RunError::Store(StoreError::Failed("lock".into()))))
    }

    async fn run_locked(
        self,
        store: Rc<Store>,
        make: impl FnOnce(&Register, &mut Env<'_>) -> Result<Plan, CommandError>,
        source: Option<Rc<Source>>,
    ) -> Result<Done, RunError> {
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
        let done = Done::of(&plan);
        if plan.is_empty() {
            return Ok(done);
        }
        web::mark("command-planned");
        let verbatim = source.as_deref().map(|source| Verbatim { changes: &plan.verbatim, source });
        let completion = store.issue(&plan.changes, verbatim).await.map_err(RunError::Store)?;
        if completion.is_some() {
            // The browser starts committing once the page lets it.
            web::sleep(0).await;
        }
        // The changes move into the register while the browser commits
        // them (an import's are a quarter of a million entities, too many
        // to copy or to drop afterwards). Nothing shows them before the
        // commit: the pages follow the revision, moved after it.
        let changes = plan.changes;
        self.reg.update_value(|r| {
            if let Some(r) = r.as_mut() {
                r.apply(changes);
            }
        });
        web::mark("command-applied");
        if let Some(completion) = completion {
            if let Err(e) = completion.finished().await {
                // Not stored, so not kept: the register is read again as
                // stored, which is as it was before.
                self.forget_unstored().await;
                return Err(RunError::Store(e));
            }
        }
        web::mark("command-written");
        self.rev.update(|r| *r += 1);
        // Many changes at once (an import) leave the search texts to be
        // made anew: after the next paint, not before it.
        if self.reg.with_value(|r| r.as_ref().is_some_and(|r| !r.search_ready())) {
            leptos::task::spawn_local(async move {
                web::next_paint().await;
                self.reg.with_value(|r| r.as_ref().map(Register::prepare_search));
            });
        }
        if let Some(tabs) = self.tabs.get_value() {
            tabs.send(TabMessage::Changed);
        }
        Ok(done)
    }

    /// After a write that did not commit: the register in memory is read
    /// again from storage, which holds it as it was before the command.
    /// Should even that fail, this tab locks (dropping the register from
    /// memory), so that nothing unstored stays on screen; unlocking reads
    /// it again.
    async fn forget_unstored(self) {
        if self.reload().await.is_err() {
            self.lock_here();
        }
    }

    /// What a page does when a change was not saved for a reason other
    /// than its own fields: a refusal (gone, not allowed) goes to the
    /// notice every page shows; a storage failure to the page's own
    /// message, `show`, in the user's language; while another change is
    /// still being written, nothing.
    pub fn not_saved(self, i18n: crate::ui::text::I18n, error: RunError, show: impl FnOnce(String)) {
        match error {
            RunError::Command(e) => self.refused(e),
            RunError::Store(e) => show(crate::ui::text::store_error(i18n, &e).to_owned()),
            RunError::Busy => {}
        }
    }

    /// Tells the user why a command was refused (gone, or not allowed).
    pub fn refused(self, error: CommandError) {
        self.notice.set(Some(match error {
            CommandError::NotAllowed => Notice::NotAllowed,
            CommandError::Refused(Refusal::Restricted(_) | Refusal::ErasedEntry(_)) => Notice::Restricted,
            _ => Notice::Gone,
        }));
    }
}
