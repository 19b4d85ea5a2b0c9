//! The backup reminder: a banner for administrators when the last encrypted
//! export of the whole register is older than the chosen number of days,
//! and the place to choose it (on the Export and import page).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::domain::backup::{self, Reminder};
use crate::ui::i18n::*;
use crate::ui::state::AppState;
use crate::ui::text;
use crate::web;

fn last_backup() -> Option<chrono::DateTime<chrono::Utc>> {
    web::prefs::last_backup()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&chrono::Utc))
}

/// The banner, shown on every page but the export page itself.
#[component]
pub fn BackupReminder() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let path = leptos_router::hooks::use_location().pathname;
    let due = move || {
        // Re-read after every change of the register (an export records the backup).
        let has_data = state.with(|r| r.people_count() + r.org_count() > 0).unwrap_or(false);
        let _ = state.revision();
        if !state.is_admin() || path.get() == "/exchange" {
            return None;
        }
        backup::reminder(last_backup(), web::now(), web::prefs::backup_reminder_days(), has_data)
    };
    view! {
        {move || due().map(|r| {
            let text = match r {
                Reminder::Never => t_string!(i18n, backup.never_made).to_string(),
                Reminder::DaysAgo(days) => t_string!(i18n, backup.days_ago, count = days).to_string(),
            };
            view! {
                <div class="reminder">
                    <p>{text}</p>
                    <A href="/exchange">{t!(i18n, backup.make_now)}</A>
                </div>
            }
        })}
    }
}

/// When the last backup was made, and how often to be reminded.
#[component]
pub fn BackupSettings() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let days = RwSignal::new(web::prefs::backup_reminder_days().to_string());
    let problem = RwSignal::new(None::<&'static str>);
    let saved = RwSignal::new(false);
    let last = move || {
        let _ = state.revision();
        match last_backup() {
            Some(when) => t_string!(i18n, backup.last_made, date = text::date(when.date_naive())).to_string(),
            None => t_string!(i18n, backup.last_never).to_string(),
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        match backup::parse_days(&days.get_untracked()) {
            Some(d) => {
                web::prefs::set_backup_reminder_days(d);
                problem.set(None);
                saved.set(true);
            }
            None => problem.set(Some(t_string!(i18n, backup.days_invalid))),
        }
    };
    view! {
        <section aria-labelledby="backup-title" class="panel" hidden=move || !state.is_admin()>
            <h2 id="backup-title">{t!(i18n, backup.title)}</h2>
            <p>{last}</p>
            <p class="help">{t!(i18n, backup.help)}</p>
            <form class="form" novalidate on:submit=save>
                <div class="field">
                    <label for="backup-days">{t!(i18n, backup.days_label)}</label>
                    <input
                        id="backup-days"
                        type="number"
                        min="0"
                        max="365"
                        inputmode="numeric"
                        aria-describedby="backup-days-help backup-days-error"
                        aria-invalid=move || problem.with(Option::is_some).to_string()
                        prop:value=move || days.get()
                        on:input:target=move |ev| days.set(ev.target().value())
                    />
                    <p class="help" id="backup-days-help">{t!(i18n, backup.days_help)}</p>
                    <p class="error" id="backup-days-error" hidden=move || problem.with(Option::is_none)>
                        {move || problem.get().unwrap_or_default()}
                    </p>
                </div>
                <button type="submit" class="button">{t!(i18n, backup.save)}</button>
                <p role="status" class="muted">{move || saved.get().then(|| t_string!(i18n, backup.saved))}</p>
            </form>
        </section>
    }
}
