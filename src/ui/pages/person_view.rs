//! One person: their data, and the actions on them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::domain::{validate::display_phone, Command, Person, PersonId};
use crate::ui::components::use_title;
use crate::ui::i18n::*;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text;

#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    move || match params.read().get("id").and_then(|s| s.parse::<PersonId>().ok()) {
        Some(id) => view! { <PersonDetails id=id /> }.into_any(),
        None => view! { <super::NotFound /> }.into_any(),
    }
}

#[component]
fn PersonDetails(id: PersonId) -> impl IntoView {
    let state = AppState::get();
    let person = Memo::new(move |_| state.with(|r| r.person(id).cloned()).flatten());
    use_title(Signal::derive(move || person.with(|p| p.as_ref().map(Person::display_name)).unwrap_or_default()));
    move || match person.get() {
        None => view! { <super::NotFound /> }.into_any(),
        Some(p) => view! { <Details person=p /> }.into_any(),
    }
}

#[component]
fn Details(person: Person) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let id = person.id;
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let orgs: Vec<(String, String, String)> = state
        .with_untracked(|r| {
            person
                .affiliations
                .iter()
                .filter_map(|a| r.org(a.org).map(|o| (format!("/organisations/{}", o.id), o.name.clone(), a.role.clone())))
                .collect()
        })
        .unwrap_or_default();
    let categories: Vec<String> = state
        .with_untracked(|r| person.categories.iter().map(|c| text::category(i18n, r.settings(), c)).collect())
        .unwrap_or_default();
    let name = person.display_name();
    let delete = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match state.run(Command::DeletePerson(id)).await {
                Ok(_) => {
                    state.notice.set(Some(Notice::Deleted));
                    navigate("/people", Default::default());
                }
                Err(RunError::Store(e)) => failure.set(Some(text::store_error(i18n, &e).to_owned())),
                Err(RunError::Command(_)) => state.notice.set(Some(Notice::Gone)),
                Err(RunError::Busy) => {}
            }
        });
    };
    view! {
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <div class="actions">
                <a class="button" href=format!("/people/{id}/edit")>{t!(i18n, common.edit)}</a>
                <button type="button" class="button danger" on:click=move |_| confirming.set(true)>
                    {t!(i18n, common.delete)}
                </button>
            </div>
        </div>
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text" hidden=move || !confirming.get()>
            <p id="confirm-text">{t!(i18n, person.delete_confirm, name = name.clone())}</p>
            <button type="button" class="button danger" on:click=delete disabled=move || state.busy.get()>
                {t!(i18n, person.delete_yes)}
            </button>
            <button type="button" class="button" on:click=move |_| confirming.set(false)>{t!(i18n, common.cancel)}</button>
        </div>
        <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>
            {move || failure.get().unwrap_or_default()}
        </p>
        <dl class="details">
            <dt>{t!(i18n, person.emails)}</dt>
            <dd>
                {if person.emails.is_empty() { Some(view! { <span class="muted">"—"</span> }) } else { None }}
                <ul class="plain">
                    {person.emails.iter().map(|e| {
                        let href = format!("mailto:{}", e.value);
                        view! { <li><a href=href>{e.value.clone()}</a></li> }
                    }).collect_view()}
                </ul>
            </dd>
            <dt>{t!(i18n, person.phones)}</dt>
            <dd>
                {if person.phones.is_empty() { Some(view! { <span class="muted">"—"</span> }) } else { None }}
                <ul class="plain">
                    {person.phones.iter().map(|p| {
                        let href = format!("tel:{}", p.value);
                        view! { <li><a href=href>{display_phone(&p.value)}</a></li> }
                    }).collect_view()}
                </ul>
            </dd>
            <dt>{t!(i18n, person.organisations)}</dt>
            <dd>
                {if orgs.is_empty() { Some(view! { <span class="muted">"—"</span> }) } else { None }}
                <ul class="plain">
                    {orgs.into_iter().map(|(href, name, role)| view! {
                        <li>
                            <a href=href>{name}</a>
                            {(!role.is_empty()).then(|| format!(", {role}"))}
                        </li>
                    }).collect_view()}
                </ul>
            </dd>
            <dt>{t!(i18n, person.categories)}</dt>
            <dd>
                {if categories.is_empty() { Some(view! { <span class="muted">"—"</span> }) } else { None }}
                <ul class="tags">
                    {categories.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                </ul>
            </dd>
            <dt>{t!(i18n, person.provenance)}</dt>
            <dd>
                {text::source(i18n, person.provenance.source)}
                {(!person.provenance.detail.is_empty()).then(|| format!(" ({})", person.provenance.detail))}
                ", "
                {text::date(person.provenance.date)}
            </dd>
        </dl>
        <p><a href="/people">{t!(i18n, person.back_to_list)}</a></p>
    }
}
