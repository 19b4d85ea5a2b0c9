//! One person: their data, relationship timeline and change history, and
//! the actions on them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::domain::{validate::display_phone, Command, EntityRef, Person, PersonId};
use crate::ui::components::use_title;
use crate::ui::i18n::*;
use crate::ui::pages::audit::History;
use crate::ui::pages::person_form::custom_text;
use crate::ui::pages::records::Timeline;
use crate::ui::state::{AppState, Notice};
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
        Some(p) => view! {
            <Details person=p />
            <super::person_consents::ConsentSection person=id />
            <crate::ui::pages::person_privacy::PersonPrivacy person=id />
            <Timeline person=id />
            <History entity=EntityRef::Person(id) />
            <p><a href="/people">{t!(use_i18n(), person.back_to_list)}</a></p>
        }
        .into_any(),
    }
}

/// A definition-list row that shows a dash when there is nothing.
#[component]
fn Item(#[prop(into)] label: Signal<String>, items: Vec<AnyView>) -> impl IntoView {
    let empty = items.is_empty();
    view! {
        <dt>{move || label.get()}</dt>
        <dd>
            {empty.then(|| view! { <span class="muted">"—"</span> })}
            <ul class="plain">{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
        </dd>
    }
}

fn labeled(value: AnyView, label: &str) -> AnyView {
    if label.is_empty() {
        value
    } else {
        let label = format!(" ({label})");
        view! { {value}<span class="muted">{label}</span> }.into_any()
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
    let (orgs, categories, custom, last_event, disclosed) = state
        .with_untracked(|r| {
            let orgs: Vec<AnyView> = person
                .affiliations
                .iter()
                .filter_map(|a| {
                    r.org(a.org).map(|o| {
                        let role = (!a.role.is_empty()).then(|| format!(", {}", a.role));
                        view! { <a href=format!("/organisations/{}", o.id)>{o.name.clone()}</a>{role} }.into_any()
                    })
                })
                .collect();
            let categories: Vec<String> =
                person.categories.iter().map(|c| text::category(i18n, r.settings(), c)).collect();
            let custom: Vec<(String, String)> = r
                .settings()
                .fields
                .iter()
                .filter_map(|f| person.custom.get(&f.id).map(|v| (f.name.clone(), custom_text(i18n, v))))
                .collect();
            let disclosed: Vec<String> = r
                .disclosures_of(id)
                .into_iter()
                .map(|d| {
                    let to = if d.recipient.is_empty() {
                        t_string!(i18n, exchange.not_named).to_owned()
                    } else {
                        d.recipient.clone()
                    };
                    format!("{} – {}", text::date(d.at.with_timezone(&chrono::Local).date_naive()), to)
                })
                .collect();
            (orgs, categories, custom, r.last_customer_event(id), disclosed)
        })
        .unwrap_or_default();
    let name = person.display_name();
    let restricted = person.is_restricted();
    let delete = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match state.run(Command::DeletePerson(id)).await {
                Ok(_) => {
                    state.notice.set(Some(Notice::Deleted));
                    navigate("/people", Default::default());
                }
                Err(e) => state.not_saved(i18n, e, |m| failure.set(Some(m))),
            }
        });
    };
    let emails = person
        .emails
        .iter()
        .map(|e| labeled(view! { <a href=format!("mailto:{}", e.value)>{e.value.clone()}</a> }.into_any(), &e.label))
        .collect();
    let phones = person
        .phones
        .iter()
        .map(|p| {
            labeled(view! { <a href=format!("tel:{}", p.value)>{display_phone(&p.value)}</a> }.into_any(), &p.label)
        })
        .collect();
    let addresses = person.addresses.iter().map(|a| labeled(a.one_line().into_any(), &a.label)).collect();
    let websites = person
        .websites
        .iter()
        .map(|w| view! { <a href=w.clone() rel="noopener noreferrer" target="_blank">{w.clone()}</a> }.into_any())
        .collect();
    let socials = person.socials.iter().map(|s| format!("{}: {}", s.service, s.handle).into_any()).collect();
    let tags: Vec<String> = person.tags.iter().cloned().collect();
    let provenance = format!(
        "{}{}, {}",
        text::source(i18n, person.provenance.source),
        if person.provenance.detail.is_empty() { String::new() } else { format!(" ({})", person.provenance.detail) },
        text::date(person.provenance.date)
    );
    view! {
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <div class="actions" hidden=move || !state.can_edit() || restricted>
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
            <Item label=crate::tr!(i18n, person.emails) items=emails />
            <Item label=crate::tr!(i18n, person.phones) items=phones />
            <Item label=crate::tr!(i18n, person.addresses) items=addresses />
            <Item label=crate::tr!(i18n, person.organisations) items=orgs />
            <Item label=crate::tr!(i18n, person.websites) items=websites />
            <Item label=crate::tr!(i18n, person.socials) items=socials />
            <dt>{t!(i18n, person.categories)}</dt>
            <dd>
                {categories.is_empty().then(|| view! { <span class="muted">"—"</span> })}
                <ul class="tags">{categories.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
            </dd>
            <dt>{t!(i18n, person.tags)}</dt>
            <dd>
                {tags.is_empty().then(|| view! { <span class="muted">"—"</span> })}
                <ul class="tags">{tags.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
            </dd>
            {custom.into_iter().map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> }).collect_view()}
            <dt>{t!(i18n, person.last_event)}</dt>
            <dd>{match last_event {
                Some(d) => text::date(d).into_any(),
                None => view! { <span class="muted">{t!(i18n, person.no_events)}</span> }.into_any(),
            }}</dd>
            <dt>{t!(i18n, person.provenance)}</dt>
            <dd>{provenance}</dd>
            <dt>{t!(i18n, person.disclosed)}</dt>
            <dd>
                {disclosed.is_empty().then(|| view! { <span class="muted">"—"</span> })}
                <ul class="plain">{disclosed.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
            </dd>
            {(!person.notes.is_empty()).then(|| view! {
                <dt>{t!(i18n, person.notes)}</dt>
                <dd class="notes">{person.notes.clone()}</dd>
            })}
        </dl>
    }
}
