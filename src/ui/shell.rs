//! The frame around every page: header, navigation, language choice, and
//! the messages about what just happened.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::ui::i18n::*;
use crate::ui::pages::backup::BackupReminder;
use crate::ui::pages::vault::{SetupScreen, UnlockScreen};
use crate::ui::state::{AppState, Notice, Phase};
use crate::ui::text;
use crate::web;

/// The language the user chose, kept in localStorage.
#[derive(Clone, Copy)]
pub struct LocaleChoice(pub RwSignal<Locale>);

impl LocaleChoice {
    /// The remembered choice, or Finnish.
    pub fn initial() -> Locale {
        web::prefs::locale().and_then(|code| code.parse().ok()).unwrap_or(Locale::fi)
    }

    pub fn set(&self, locale: Locale) {
        web::prefs::set_locale(locale.as_str());
        self.0.set(locale);
    }
}

#[component]
pub fn Shell(children: ChildrenFn) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    view! {
        <a class="skip" href="#main">{t!(i18n, shell.skip)}</a>
        <header class="top">
            <a class="brand" href="/people">"Sidos"</a>
            <nav aria-label=move || t_string!(i18n, shell.nav_label) hidden=move || state.phase.get() != Phase::Ready>
                <A href="/people">{t!(i18n, nav.people)}</A>
                <A href="/organisations">{t!(i18n, nav.organisations)}</A>
                <A href="/duplicates">{t!(i18n, nav.duplicates)}</A>
                <A href="/lists">{t!(i18n, nav.lists)}</A>
                <A href="/import">{t!(i18n, nav.import)}</A>
                <A href="/exchange">{t!(i18n, nav.exchange)}</A>
                <A href="/audit">{t!(i18n, nav.audit)}</A>
                <A href="/privacy">{t!(i18n, nav.privacy)}</A>
                <A href="/settings">{t!(i18n, nav.settings)}</A>
            </nav>
            <LanguageSwitch />
            <div class="who" hidden=move || state.phase.get() != Phase::Ready>
                <span>{move || state.user.get().map(|(_, a)| a.name).unwrap_or_default()}</span>
                <button type="button" class="button" on:click=move |_| state.lock()>{t!(i18n, vault.lock)}</button>
            </div>
        </header>
        <main id="main" tabindex="-1">
            <Notices />
            {move || match state.phase.get() {
                Phase::Loading => view! { <p class="loading" role="status">{t!(i18n, shell.loading)}</p> }.into_any(),
                Phase::Failed(e) => view! {
                    <div class="error-summary" role="alert">
                        <h1>{t!(i18n, shell.cannot_open)}</h1>
                        <p>{text::store_error(i18n, &e)}</p>
                    </div>
                }
                .into_any(),
                Phase::Setup => view! { <SetupScreen /> }.into_any(),
                Phase::Locked(doc) => view! { <UnlockScreen doc=doc /> }.into_any(),
                Phase::Ready => view! {
                    <p class="records-loading" role="status" hidden=move || !state.records_loading.get()>
                        {t!(i18n, shell.records_loading)}
                    </p>
                    <BackupReminder />
                    {children()}
                }
                .into_any(),
            }}
        </main>
    }
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let choice = expect_context::<LocaleChoice>();
    view! {
        <div class="lang">
            <label for="language">{t!(i18n, shell.language)}</label>
            <select
                id="language"
                on:change:target=move |ev| {
                    if let Ok(locale) = ev.target().value().parse::<Locale>() {
                        choice.set(locale);
                    }
                }
            >
                <option value="fi" selected=move || choice.0.get() == Locale::fi>"Suomi"</option>
                <option value="sv" selected=move || choice.0.get() == Locale::sv>"Svenska"</option>
                <option value="en" selected=move || choice.0.get() == Locale::en>"English"</option>
            </select>
        </div>
    }
}

/// The latest notice ("Saved", "Deleted", a storage failure…), announced
/// politely, with a button to dismiss it.
#[component]
fn Notices() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    // A notice belongs to the page it is shown on: moving on to another
    // page clears it. A move right after the notice (saving, then opening
    // the saved item) is part of the same action and keeps it.
    let path = leptos_router::hooks::use_location().pathname;
    let shown_at = StoredValue::new(0.0);
    Effect::new(move |_| {
        if state.notice.with(Option::is_some) {
            shown_at.set_value(crate::web::millis());
        }
    });
    Effect::new(move |previous: Option<String>| {
        let now = path.get();
        let moved = previous.is_some_and(|p| p != now);
        if moved
            && state.notice.with_untracked(Option::is_some)
            && crate::web::millis() - shown_at.get_value() > 1_000.0
        {
            state.notice.set(None);
        }
        now
    });
    let message = move || {
        state.notice.get().map(|n| match n {
            Notice::Saved => (false, t_string!(i18n, notice.saved).to_string()),
            Notice::Deleted => (false, t_string!(i18n, notice.deleted).to_string()),
            Notice::NoChanges => (false, t_string!(i18n, notice.no_changes).to_string()),
            Notice::Merged => (false, t_string!(i18n, notice.merged).to_string()),
            Notice::DietaryPurged(n) => (false, t_string!(i18n, notice.dietary_purged, count = n).to_string()),
            Notice::Gone => (true, t_string!(i18n, notice.gone).to_string()),
            Notice::StoreFailed(e) => (true, text::store_error(i18n, &e).to_string()),
            Notice::Imported => (false, t_string!(i18n, notice.imported).to_string()),
            Notice::NotAllowed => (true, t_string!(i18n, notice.not_allowed).to_string()),
            Notice::Restricted => (true, t_string!(i18n, notice.restricted).to_string()),
            Notice::MakeRecoveryCopy => (false, t_string!(i18n, notice.make_recovery_copy).to_string()),
            Notice::NothingToImport => (false, t_string!(i18n, notice.nothing_to_import).to_string()),
            Notice::LoadProblems(list) => (true, t_string!(i18n, notice.load_problems, count = list.len()).to_string()),
        })
    };
    view! {
        <div class="notice-area" role="status" aria-live="polite">
            {move || message().map(|(is_error, text)| view! {
                <div class="notice" class:bad=is_error>
                    <span>{text}</span>
                    <button type="button" class="link" on:click=move |_| state.notice.set(None)>
                        {t!(i18n, common.dismiss)}
                    </button>
                </div>
            })}
        </div>
    }
}
