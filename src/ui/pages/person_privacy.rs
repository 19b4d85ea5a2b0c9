//! The privacy part of a person's page: whether processing is restricted,
//! the person's requests, and the actions (a new request, an objection to
//! direct marketing, restricting or lifting).

use leptos::prelude::*;

use crate::domain::PersonId;
use crate::ui::i18n::*;
use crate::ui::pages::request_view::{ObjectButton, RestrictButtons};
use crate::ui::pages::requests::{kind_name, status_name};
use crate::ui::state::AppState;
use crate::ui::text;

#[component]
pub fn PersonPrivacy(person: PersonId) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let info = Memo::new(move |_| {
        state
            .with(|r| {
                let p = r.person(person)?;
                let requests: Vec<_> =
                    r.requests_of(person).into_iter().map(|q| (q.id, q.kind, q.received, q.status)).collect();
                Some((p.restriction.as_ref().map(|x| x.since), p.is_erased_except_held(), requests))
            })
            .flatten()
    });
    let restricted_since = move || info.with(|i| i.as_ref().and_then(|i| i.0));
    view! {
        <div class="restricted-banner" role="status" hidden=move || restricted_since().is_none()>
            <strong>{move || {
                let erased = info.with(|i| i.as_ref().is_some_and(|i| i.1));
                let since = restricted_since().map(text::date).unwrap_or_default();
                if erased {
                    t_string!(i18n, privacy.person.erased_banner, date = since).to_string()
                } else {
                    t_string!(i18n, privacy.person.restricted_banner, date = since).to_string()
                }
            }}</strong>
        </div>
        <section class="person-privacy no-print" aria-labelledby="person-privacy-title">
            <h2 id="person-privacy-title">{t!(i18n, privacy.person.title)}</h2>
            <ul class="plain" hidden=move || info.with(|i| i.as_ref().is_none_or(|i| i.2.is_empty()))>
                {move || info.get().map(|i| i.2).unwrap_or_default().into_iter().map(|(id, kind, received, status)| view! {
                    <li><a href=format!("/requests/{id}")>{format!("{} {} – {}", kind_name(i18n, kind), text::date(received), status_name(i18n, status))}</a></li>
                }).collect_view()}
            </ul>
            <div class="actions" hidden=move || !state.can_edit()>
                <a class="button" href=format!("/requests/new?person={person}")>{t!(i18n, privacy.person.new_request)}</a>
            </div>
            <ObjectButton person=person request=None />
            <RestrictButtons person=person request=None />
        </section>
    }
}
