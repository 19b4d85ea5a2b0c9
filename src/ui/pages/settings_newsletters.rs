//! Settings: the organisation's newsletters (named, added, renamed, or
//! marked as no longer sent — never removed, the ledger refers to them).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::domain::{Basis, Channel, Command, CommandError, FieldError, Newsletter, NewsletterId};
use crate::tr;
use crate::ui::components::{CheckField, ErrorSummary, SelectField, TextField};
use crate::ui::i18n::*;
use crate::ui::pages::person_consents::channel_name;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text;
use crate::web;

#[derive(Clone, Copy)]
struct Row {
    id: NewsletterId,
    basis: Basis,
    name: RwSignal<String>,
    channel: RwSignal<String>,
    retired: RwSignal<bool>,
}

impl Row {
    fn of(n: &Newsletter) -> Self {
        Row {
            id: n.id,
            basis: n.basis,
            name: RwSignal::new(n.name.clone()),
            channel: RwSignal::new(n.channel.key().to_owned()),
            retired: RwSignal::new(n.retired),
        }
    }

    fn newsletter(&self) -> Newsletter {
        Newsletter {
            id: self.id,
            name: self.name.get_untracked(),
            channel: Channel::from_key(&self.channel.get_untracked()).unwrap_or(Channel::Email),
            basis: self.basis,
            retired: self.retired.get_untracked(),
        }
    }
}

#[component]
pub fn NewslettersSection() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let rows = RwSignal::new(
        state
            .with_untracked(|r| r.consent_config().newsletters.iter().map(Row::of).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(mut config) = state.with_untracked(|r| r.consent_config().clone()) else { return };
        config.newsletters = rows.with_untracked(|list| list.iter().map(Row::newsletter).collect());
        spawn_local(async move {
            match state.run(Command::UpdateConsentConfig(config)).await {
                Ok(plan) => {
                    errors.set(vec![]);
                    failure.set(None);
                    state.notice.set(Some(if plan.is_empty() { Notice::NoChanges } else { Notice::Saved }));
                }
                Err(RunError::Command(CommandError::Invalid(list))) => {
                    errors.set(list);
                    super::focus_error_summary();
                }
                Err(e) => state.not_saved(i18n, e, |m| failure.set(Some(m))),
            }
        });
    };
    let channels = move || -> Vec<(String, Signal<String>)> {
        Channel::ALL
            .into_iter()
            .map(|c| (c.key().to_owned(), Signal::derive(move || channel_name(i18n, c).to_owned())))
            .collect()
    };
    let list = move || rows.get().into_iter().enumerate().collect::<Vec<_>>();
    view! {
        <section aria-labelledby="newsletters-title" hidden=move || !state.is_admin()>
            <h2 id="newsletters-title">{t!(i18n, consents.newsletters)}</h2>
            <p class="help">{t!(i18n, consents.newsletters_help)}</p>
            <form class="form" novalidate on:submit=save>
                <ErrorSummary errors=errors />
                <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>
                    {move || failure.get().unwrap_or_default()}
                </p>
                <p class="muted" hidden=move || !rows.with(Vec::is_empty)>{t!(i18n, consents.no_newsletters)}</p>
                <For each=list key=|(_, r)| r.id children=move |(i, r)| view! {
                    <div class="field-def">
                        <div class="row2">
                            <TextField id=format!("newsletter-{i}-name") label=tr!(i18n, consents.newsletter_name)
                                value=r.name error=text::field_error(i18n, errors, format!("newsletters.{i}")) />
                            <SelectField id=format!("newsletter-{i}-channel") label=tr!(i18n, consents.newsletter_channel)
                                value=r.channel options=channels() />
                        </div>
                        <CheckField id=format!("newsletter-{i}-retired") label=tr!(i18n, consents.newsletter_retired) value=r.retired />
                    </div>
                } />
                <button type="button" class="link" on:click=move |_| {
                    let n = Newsletter {
                        id: NewsletterId::new(web::new_id()),
                        name: String::new(),
                        channel: Channel::Email,
                        basis: Basis::Consent,
                        retired: false,
                    };
                    rows.update(|list| list.push(Row::of(&n)));
                }>{t!(i18n, consents.add_newsletter)}</button>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || state.busy.get()>
                        {t!(i18n, consents.save_newsletters)}
                    </button>
                </div>
            </form>
        </section>
    }
}
