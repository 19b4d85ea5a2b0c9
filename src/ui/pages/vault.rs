//! Setting the vault up on first start, unlocking it, and the users who
//! can unlock it (Settings).

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::domain::Level;
use crate::store::{UserAccess, VaultDoc, VaultUser};
use crate::tr;
use crate::ui::components::{use_title, CheckField, SelectField, StrengthMeter, TextField};
use crate::ui::i18n::*;
use crate::ui::pages::exchange::check_passphrase;
use crate::ui::state::{AppState, Notice, UnlockError};
use crate::ui::text::{self, I18n};

pub fn level_name(i18n: I18n, level: Level) -> &'static str {
    match level {
        Level::Admin => t_string!(i18n, users.level_admin),
        Level::Staff => t_string!(i18n, users.level_staff),
        Level::EventOrganiser => t_string!(i18n, users.level_organiser),
        Level::ReadOnly => t_string!(i18n, users.level_read_only),
    }
}

/// First start: the office names its administrator and sets a passphrase.
#[component]
pub fn SetupScreen() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, vault.setup_title));
    let name = RwSignal::new(String::new());
    let pass1 = RwSignal::new(String::new());
    let pass2 = RwSignal::new(String::new());
    let understood = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let working = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name.get_untracked().trim().is_empty() {
            problem.set(Some(t_string!(i18n, vault.name_missing).to_owned()));
            return;
        }
        if let Err(message) = check_passphrase(i18n, &pass1.get_untracked(), &pass2.get_untracked()) {
            problem.set(Some(message));
            return;
        }
        if !understood.get_untracked() {
            problem.set(Some(t_string!(i18n, vault.understand_missing).to_owned()));
            return;
        }
        problem.set(None);
        working.set(true);
        spawn_local(async move {
            crate::web::next_paint().await;
            match state.set_up(name.get_untracked(), pass1.get_untracked()).await {
                Ok(()) => {
                    pass1.set(String::new());
                    pass2.set(String::new());
                    state.notice.set(Some(Notice::MakeRecoveryCopy));
                }
                Err(e) => problem.set(Some(text::store_error(i18n, &e).to_owned())),
            }
            working.set(false);
        });
    };
    view! {
        <div class="vault-screen">
            <h1>{t!(i18n, vault.setup_title)}</h1>
            <p>{t!(i18n, vault.setup_intro)}</p>
            <form class="form" novalidate on:submit=submit>
                <fieldset>
                    <legend>{t!(i18n, vault.admin_legend)}</legend>
                    <TextField id="setup-name" label=tr!(i18n, vault.your_name) value=name autocomplete="name" />
                    <TextField id="setup-pass1" label=tr!(i18n, exchange.passphrase) value=pass1 kind="password" autocomplete="new-password" />
                    <StrengthMeter id="setup-strength" value=pass1 />
                    <TextField id="setup-pass2" label=tr!(i18n, exchange.passphrase_again) value=pass2 kind="password" autocomplete="new-password" />
                </fieldset>
                <div class="warning">
                    <p><strong>{t!(i18n, vault.no_recovery)}</strong></p>
                    <CheckField id="setup-understood" label=tr!(i18n, vault.understand) value=understood />
                </div>
                <p class="error" role="alert" hidden=move || problem.with(Option::is_none)>{move || problem.get().unwrap_or_default()}</p>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || working.get()>{t!(i18n, vault.setup_button)}</button>
                    <span role="status">{move || working.get().then(|| t_string!(i18n, vault.setting_up))}</span>
                </div>
            </form>
        </div>
    }
}

/// The register is locked: who are you, and your passphrase.
#[component]
pub fn UnlockScreen(doc: VaultDoc) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, vault.locked_title));
    let users = doc.users.clone();
    let chosen = RwSignal::new(users.first().map(|u| u.id.to_string()).unwrap_or_default());
    let pass = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let working = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(id) = chosen.get_untracked().parse::<uuid::Uuid>() else { return };
        problem.set(None);
        working.set(true);
        spawn_local(async move {
            let result = state.unlock(id, pass.get_untracked()).await;
            pass.set(String::new());
            working.set(false);
            match result {
                Ok(()) => {}
                Err(UnlockError::WrongPassphrase) => {
                    problem.set(Some(t_string!(i18n, vault.wrong_passphrase).to_owned()))
                }
                Err(UnlockError::Store(e)) => problem.set(Some(text::store_error(i18n, &e).to_owned())),
            }
        });
    };
    let options: Vec<(String, Signal<String>)> = users
        .iter()
        .map(|u| {
            let name = u.name.clone();
            (u.id.to_string(), Signal::derive(move || name.clone()))
        })
        .collect();
    let single = users.len() == 1;
    let only_name = users.first().map(|u| u.name.clone()).unwrap_or_default();
    view! {
        <div class="vault-screen">
            <h1>{t!(i18n, vault.locked_title)}</h1>
            <p>{t!(i18n, vault.locked_intro)}</p>
            <form class="form" novalidate on:submit=submit>
                {if single {
                    view! { <p>{t!(i18n, vault.signing_in_as)} " " <strong>{only_name}</strong></p> }.into_any()
                } else {
                    view! { <SelectField id="unlock-user" label=tr!(i18n, vault.who) value=chosen options=options /> }.into_any()
                }}
                <TextField id="unlock-pass" label=tr!(i18n, exchange.passphrase) value=pass kind="password" autocomplete="current-password" />
                <p class="error" role="alert" hidden=move || problem.with(Option::is_none)>{move || problem.get().unwrap_or_default()}</p>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || working.get()>{t!(i18n, vault.unlock)}</button>
                    <span role="status">{move || working.get().then(|| t_string!(i18n, vault.unlocking))}</span>
                </div>
            </form>
            <p class="help">{t!(i18n, vault.forgotten)}</p>
        </div>
    }
}

/// Settings: the users who can unlock the register, their levels, and
/// changing one's own passphrase.
#[component]
pub fn UsersSection() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let access = LocalResource::new(move || {
        let _ = state.vault.get();
        async move { state.access().await.ok() }
    });
    let me = move || state.user.get().map(|(id, _)| id);
    let problem = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    // A new user.
    let new_name = RwSignal::new(String::new());
    let new_level = RwSignal::new(Level::Staff.key().to_owned());
    let new_events = RwSignal::new(String::new());
    let new_pass1 = RwSignal::new(String::new());
    let new_pass2 = RwSignal::new(String::new());
    // My passphrase.
    let my_old = RwSignal::new(String::new());
    let my_new1 = RwSignal::new(String::new());
    let my_new2 = RwSignal::new(String::new());
    let lock_minutes =
        RwSignal::new(state.vault.get_untracked().map(|v| v.lock_minutes.to_string()).unwrap_or_default());

    let save = move |doc: VaultDoc, access: crate::store::AccessDoc, message: &'static str| {
        spawn_local(async move {
            match state.save_users(doc, access).await {
                Ok(()) => {
                    problem.set(None);
                    saved.set(Some(message.to_owned()));
                }
                Err(e) => problem.set(Some(text::store_error(i18n, &e).to_owned())),
            }
        });
    };
    let add_user = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let name = new_name.get_untracked().trim().to_owned();
        if name.is_empty() {
            problem.set(Some(t_string!(i18n, vault.name_missing).to_owned()));
            return;
        }
        if let Err(message) = check_passphrase(i18n, &new_pass1.get_untracked(), &new_pass2.get_untracked()) {
            problem.set(Some(message));
            return;
        }
        let (Some(mut doc), Some(Some(mut acc))) = (state.vault.get_untracked(), access.get()) else { return };
        let id = crate::web::new_id();
        let Some(wrapped) = state.wrap_key(id, &new_pass1.get_untracked()) else { return };
        doc.users.push(VaultUser { id, name, wrapped });
        let level = Level::from_key(&new_level.get_untracked()).unwrap_or(Level::ReadOnly);
        let events: BTreeSet<String> =
            new_events.get_untracked().split(',').map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect();
        acc.users.insert(id, UserAccess { level, events });
        for s in [new_name, new_events, new_pass1, new_pass2] {
            s.set(String::new());
        }
        save(doc, acc, t_string!(i18n, users.added));
    };
    let change_mine = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let Some(id) = me() else { return };
        let Some(mut doc) = state.vault.get_untracked() else { return };
        let Some(user) = doc.user(id).cloned() else { return };
        // The old passphrase must open the old wrapping.
        if crate::bundle::vault::unwrap(&user.wrapped, &id.to_string(), &my_old.get_untracked()).is_err() {
            problem.set(Some(t_string!(i18n, vault.wrong_passphrase).to_owned()));
            return;
        }
        if let Err(message) = check_passphrase(i18n, &my_new1.get_untracked(), &my_new2.get_untracked()) {
            problem.set(Some(message));
            return;
        }
        let Some(wrapped) = state.wrap_key(id, &my_new1.get_untracked()) else { return };
        if let Some(u) = doc.users.iter_mut().find(|u| u.id == id) {
            u.wrapped = wrapped;
        }
        let Some(Some(acc)) = access.get() else { return };
        for s in [my_old, my_new1, my_new2] {
            s.set(String::new());
        }
        save(doc, acc, t_string!(i18n, users.passphrase_changed));
    };
    let set_level = move |id: uuid::Uuid, level: Level| {
        let (Some(doc), Some(Some(mut acc))) = (state.vault.get_untracked(), access.get()) else { return };
        let events = acc.users.get(&id).map(|a| a.events.clone()).unwrap_or_default();
        acc.users.insert(id, UserAccess { level, events });
        save(doc, acc, t_string!(i18n, users.level_changed));
    };
    let remove = move |id: uuid::Uuid| {
        let (Some(mut doc), Some(Some(mut acc))) = (state.vault.get_untracked(), access.get()) else { return };
        doc.users.retain(|u| u.id != id);
        acc.users.remove(&id);
        save(doc, acc, t_string!(i18n, users.removed));
    };
    let save_minutes = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let Ok(minutes) = lock_minutes.get_untracked().trim().parse::<u32>() else {
            problem.set(Some(t_string!(i18n, users.minutes_invalid).to_owned()));
            return;
        };
        if !(1..=1440).contains(&minutes) {
            problem.set(Some(t_string!(i18n, users.minutes_invalid).to_owned()));
            return;
        }
        let (Some(mut doc), Some(Some(acc))) = (state.vault.get_untracked(), access.get()) else { return };
        doc.lock_minutes = minutes;
        save(doc, acc, t_string!(i18n, users.minutes_saved));
    };
    let levels = move || -> Vec<(String, Signal<String>)> {
        Level::ALL
            .into_iter()
            .map(|l| (l.key().to_owned(), Signal::derive(move || level_name(i18n, l).to_owned())))
            .collect()
    };
    view! {
        <section aria-labelledby="users-title">
            <h2 id="users-title">{t!(i18n, users.title)}</h2>
            <p class="help">{t!(i18n, users.intro)}</p>
            <p class="error" role="alert" hidden=move || problem.with(Option::is_none)>{move || problem.get().unwrap_or_default()}</p>
            <p class="ok" role="status">{move || saved.get()}</p>
            {move || {
                let doc = state.vault.get()?;
                let acc = access.get()??;
                let admin = state.is_admin();
                Some(view! {
                    <table class="table">
                        <thead><tr>
                            <th scope="col">{t!(i18n, fields.name)}</th>
                            <th scope="col">{t!(i18n, users.level)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, users.actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {doc.users.iter().map(|u| {
                                let id = u.id;
                                let a = acc.users.get(&id).cloned();
                                let level = a.as_ref().map_or(Level::ReadOnly, |a| a.level);
                                let mine = me() == Some(id);
                                let events = a.map(|a| a.events.into_iter().collect::<Vec<_>>().join(", ")).unwrap_or_default();
                                let name = u.name.clone();
                                let label = format!("{} {}", t_string!(i18n, users.level), name);
                                view! {
                                    <tr>
                                        <td>{name.clone()} {(!events.is_empty()).then(|| format!(" ({events})"))}</td>
                                        <td>
                                            {if admin && !mine {
                                                view! {
                                                    <select aria-label=label on:change:target=move |ev| {
                                                        if let Some(l) = Level::from_key(&ev.target().value()) { set_level(id, l); }
                                                    }>
                                                        {Level::ALL.into_iter().map(|l| view! {
                                                            <option value=l.key() selected=l == level>{level_name(i18n, l)}</option>
                                                        }).collect_view()}
                                                    </select>
                                                }.into_any()
                                            } else {
                                                level_name(i18n, level).into_any()
                                            }}
                                        </td>
                                        <td>
                                            {(admin && !mine).then(|| view! {
                                                <button type="button" class="link" on:click=move |_| remove(id)>
                                                    {t!(i18n, common.remove)}<span class="visually-hidden">" " {name.clone()}</span>
                                                </button>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })
            }}
            <form class="form" novalidate on:submit=add_user hidden=move || !state.is_admin()>
                <fieldset>
                    <legend>{t!(i18n, users.add_legend)}</legend>
                    <TextField id="user-name" label=tr!(i18n, vault.your_name_other) value=new_name />
                    <SelectField id="user-level" label=tr!(i18n, users.level) value=new_level options=levels() />
                    <div hidden=move || new_level.get() != Level::EventOrganiser.key()>
                        <TextField id="user-events" label=tr!(i18n, users.events) value=new_events help=tr!(i18n, users.events_help) />
                    </div>
                    <TextField id="user-pass1" label=tr!(i18n, users.first_passphrase) value=new_pass1 kind="password" autocomplete="new-password" />
                    <StrengthMeter id="user-strength" value=new_pass1 />
                    <TextField id="user-pass2" label=tr!(i18n, exchange.passphrase_again) value=new_pass2 kind="password" autocomplete="new-password" />
                    <div class="actions"><button type="submit" class="button">{t!(i18n, users.add)}</button></div>
                </fieldset>
            </form>
            <form class="form" novalidate on:submit=save_minutes hidden=move || !state.is_admin()>
                <fieldset>
                    <legend>{t!(i18n, users.lock_legend)}</legend>
                    <TextField id="lock-minutes" label=tr!(i18n, users.lock_minutes) value=lock_minutes />
                    <div class="actions"><button type="submit" class="button">{t!(i18n, common.save)}</button></div>
                </fieldset>
            </form>
            <form class="form" novalidate on:submit=change_mine>
                <fieldset>
                    <legend>{t!(i18n, users.my_passphrase)}</legend>
                    <TextField id="my-old" label=tr!(i18n, users.old_passphrase) value=my_old kind="password" autocomplete="current-password" />
                    <TextField id="my-new1" label=tr!(i18n, users.new_passphrase) value=my_new1 kind="password" autocomplete="new-password" />
                    <StrengthMeter id="my-strength" value=my_new1 />
                    <TextField id="my-new2" label=tr!(i18n, exchange.passphrase_again) value=my_new2 kind="password" autocomplete="new-password" />
                    <div class="actions"><button type="submit" class="button">{t!(i18n, users.change_passphrase)}</button></div>
                </fieldset>
            </form>
        </section>
    }
}
