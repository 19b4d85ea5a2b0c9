//! Settings: who signs the changes on this browser, and the country code
//! for phone numbers written without one.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::domain::{Command, CommandError, FieldError, Settings};
use crate::tr;
use crate::ui::components::{use_title, ErrorSummary, TextField};
use crate::ui::i18n::*;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, settings.title));
    let current = state.with_untracked(|r| r.settings().clone()).unwrap_or_default();
    let user_name = RwSignal::new(current.user_name.clone());
    let country = RwSignal::new(current.country_code.clone());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let base = state.with_untracked(|r| r.settings().clone()).unwrap_or_default();
        let new = Settings { user_name: user_name.get_untracked(), country_code: country.get_untracked(), ..base };
        spawn_local(async move {
            match state.run(Command::UpdateSettings(new)).await {
                Ok(plan) => {
                    errors.set(vec![]);
                    failure.set(None);
                    state.notice.set(Some(if plan.is_empty() { Notice::NoChanges } else { Notice::Saved }));
                }
                Err(RunError::Command(CommandError::Invalid(list))) => errors.set(list),
                Err(RunError::Store(e)) => failure.set(Some(text::store_error(i18n, &e).to_owned())),
                Err(_) => {}
            }
        });
    };
    view! {
        <h1>{t!(i18n, settings.title)}</h1>
        <form class="form" novalidate on:submit=save>
            <ErrorSummary errors=errors />
            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>
                {move || failure.get().unwrap_or_default()}
            </p>
            <fieldset>
                <legend>{t!(i18n, settings.this_browser)}</legend>
                <TextField
                    id="user_name"
                    label=tr!(i18n, settings.user_name)
                    help=tr!(i18n, settings.user_name_help)
                    value=user_name
                    autocomplete="name"
                    error=text::field_error(i18n, errors, "user_name")
                />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, settings.register)}</legend>
                <TextField
                    id="country_code"
                    label=tr!(i18n, settings.country_code)
                    help=tr!(i18n, settings.country_code_help)
                    value=country
                    error=text::field_error(i18n, errors, "country_code")
                />
            </fieldset>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || state.busy.get()>
                    {t!(i18n, common.save)}
                </button>
            </div>
        </form>
    }
}
