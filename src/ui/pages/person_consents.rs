//! A person's consents and prohibitions: the current state of every
//! purpose, the whole history (never overwritten), a form to record a new
//! answer, and a vCard of the person.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::bundle::vcard::{self, VcardOptions};
use crate::domain::{
    Channel, Command, CommandError, ConsentConfig, ConsentSource, ConsentState, FieldError, PersonId, Purpose,
};
use crate::tr;
use crate::ui::components::{ErrorSummary, SelectField, TextArea, TextField};
use crate::ui::i18n::*;
use crate::ui::state::{AppState, RunError};
use crate::ui::text::{self, I18n};
use crate::web;

/// A purpose in the user's language (newsletters by their own name).
pub fn purpose_name(i18n: I18n, config: &ConsentConfig, purpose: &Purpose) -> String {
    match purpose {
        Purpose::Newsletter(id) => match config.newsletter(*id) {
            Some(n) => t_string!(i18n, consents.purpose_newsletter, name = n.name.clone()).to_string(),
            None => t_string!(i18n, consents.purpose_unknown_newsletter).to_owned(),
        },
        Purpose::DirectMarketing(Channel::Email) => t_string!(i18n, consents.purpose_email).to_owned(),
        Purpose::DirectMarketing(Channel::Phone) => t_string!(i18n, consents.purpose_phone).to_owned(),
        Purpose::DirectMarketing(Channel::Post) => t_string!(i18n, consents.purpose_post).to_owned(),
        Purpose::DirectMarketing(Channel::Sms) => t_string!(i18n, consents.purpose_sms).to_owned(),
        Purpose::Surveys => t_string!(i18n, consents.purpose_surveys).to_owned(),
        Purpose::PartnerDisclosure => t_string!(i18n, consents.purpose_partners).to_owned(),
        Purpose::Directory => t_string!(i18n, consents.purpose_directory).to_owned(),
    }
}

pub fn state_name(i18n: I18n, state: ConsentState) -> &'static str {
    match state {
        ConsentState::Given => t_string!(i18n, consents.state_given),
        ConsentState::Refused => t_string!(i18n, consents.state_refused),
        ConsentState::Withdrawn => t_string!(i18n, consents.state_withdrawn),
        ConsentState::NotAsked => t_string!(i18n, consents.state_not_asked),
    }
}

pub fn source_name(i18n: I18n, source: ConsentSource) -> &'static str {
    match source {
        ConsentSource::Form => t_string!(i18n, consents.source_form),
        ConsentSource::Phone => t_string!(i18n, consents.source_phone),
        ConsentSource::Email => t_string!(i18n, consents.source_email),
        ConsentSource::Letter => t_string!(i18n, consents.source_letter),
        ConsentSource::InPerson => t_string!(i18n, consents.source_in_person),
        ConsentSource::Event => t_string!(i18n, consents.source_event),
        ConsentSource::Imported => t_string!(i18n, consents.source_imported),
        ConsentSource::Other => t_string!(i18n, consents.source_other),
    }
}

pub fn channel_name(i18n: I18n, channel: Channel) -> &'static str {
    match channel {
        Channel::Email => t_string!(i18n, consents.channel_email),
        Channel::Phone => t_string!(i18n, consents.channel_phone),
        Channel::Post => t_string!(i18n, consents.channel_post),
        Channel::Sms => t_string!(i18n, consents.channel_sms),
    }
}

/// A file name from a person's or list's name: letters, digits and dashes.
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "sidos".into()
    } else {
        stem
    }
}

/// One row of the current-state table.
#[derive(Clone, PartialEq)]
struct CurrentRow {
    key: String,
    purpose: String,
    state: ConsentState,
    date: String,
    source: String,
}

/// One row of the history.
#[derive(Clone, PartialEq)]
struct HistoryRow {
    id: crate::domain::ConsentId,
    date: String,
    purpose: String,
    state: ConsentState,
    source: String,
    wording: String,
    recorded: String,
}

#[component]
pub fn ConsentSection(person: PersonId) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let data = Memo::new(move |_| {
        state
            .with(|r| {
                let config = r.consent_config();
                let current: Vec<CurrentRow> = config
                    .purposes()
                    .into_iter()
                    .filter(|p| match p {
                        Purpose::Newsletter(id) => {
                            config.newsletter(*id).is_some_and(|n| !n.retired) || r.consent(person, p).entry.is_some()
                        }
                        _ => true,
                    })
                    .map(|p| {
                        let c = r.consent(person, &p);
                        CurrentRow {
                            key: p.key(),
                            purpose: purpose_name(i18n, config, &p),
                            state: c.state,
                            date: c.entry.map(|e| text::date(e.date)).unwrap_or_default(),
                            source: c.entry.map(|e| source_name(i18n, e.source).to_owned()).unwrap_or_default(),
                        }
                    })
                    .collect();
                let history: Vec<HistoryRow> = r
                    .consents_of(person)
                    .into_iter()
                    .map(|e| HistoryRow {
                        id: e.id,
                        date: text::date(e.date),
                        purpose: purpose_name(i18n, config, &e.purpose),
                        state: e.state,
                        source: source_name(i18n, e.source).to_owned(),
                        wording: e.wording.clone(),
                        recorded: format!(
                            "{} {}",
                            e.recorded_at.with_timezone(&chrono::Local).format("%-d.%-m.%Y %H.%M"),
                            e.by
                        ),
                    })
                    .collect();
                let prohibited = r.marketing_prohibition(person).map(|e| text::date(e.date));
                let options: Vec<(String, String)> = config
                    .purposes()
                    .into_iter()
                    .filter(
                        |p| !matches!(p, Purpose::Newsletter(id) if config.newsletter(*id).is_some_and(|n| n.retired)),
                    )
                    .map(|p| (p.key(), purpose_name(i18n, config, &p)))
                    .collect();
                (current, history, prohibited, options)
            })
            .unwrap_or_default()
    });
    let vcard = move |_| {
        let file = state.with_untracked(|r| {
            r.person(person).map(|p| (file_stem(&p.display_name()), vcard::write_person(r, p, VcardOptions::default())))
        });
        if let Some(Some((stem, card))) = file {
            let _ = web::download(&format!("{stem}.vcf"), "text/vcard;charset=utf-8", card.as_bytes());
        }
    };
    view! {
        <section aria-labelledby="consents-title" class="panel consents">
            <div class="page-head">
                <h2 id="consents-title">{t!(i18n, consents.title)}</h2>
                <button type="button" class="button" hidden=move || !state.can_edit() on:click=vcard>{t!(i18n, consents.vcard)}</button>
            </div>
            <p class="help">{t!(i18n, consents.help)}</p>
            {move || data.with(|d| d.2.clone()).map(|date| view! {
                <p class="prohibited" role="note">
                    {t_string!(i18n, consents.prohibited, date = date).to_string()}
                </p>
            })}
            <table class="table consent-current">
                <caption class="visually-hidden">{t!(i18n, consents.current)}</caption>
                <thead><tr>
                    <th scope="col">{t!(i18n, consents.purpose)}</th>
                    <th scope="col">{t!(i18n, consents.state)}</th>
                    <th scope="col">{t!(i18n, consents.date)}</th>
                    <th scope="col">{t!(i18n, consents.source)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || data.with(|d| d.0.clone()) key=|r| (r.key.clone(), r.state, r.date.clone(), r.purpose.clone(), r.source.clone())
                        children=move |r| {
                            let class = format!("consent-state {}", r.state.key());
                            view! {
                                <tr>
                                    <th scope="row">{r.purpose}</th>
                                    <td><span class=class>{state_name(i18n, r.state)}</span></td>
                                    <td>{r.date}</td>
                                    <td>{r.source}</td>
                                </tr>
                            }
                        } />
                </tbody>
            </table>
            <h3>{t!(i18n, consents.history)}</h3>
            <p class="muted" hidden=move || !data.with(|d| d.1.is_empty())>{t!(i18n, consents.no_history)}</p>
            <table class="table consent-history" hidden=move || data.with(|d| d.1.is_empty())>
                <caption class="visually-hidden">{t!(i18n, consents.history)}</caption>
                <thead><tr>
                    <th scope="col">{t!(i18n, consents.date)}</th>
                    <th scope="col">{t!(i18n, consents.purpose)}</th>
                    <th scope="col">{t!(i18n, consents.state)}</th>
                    <th scope="col">{t!(i18n, consents.source)}</th>
                    <th scope="col">{t!(i18n, consents.wording)}</th>
                    <th scope="col">{t!(i18n, consents.recorded)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || data.with(|d| d.1.clone()) key=|r| r.id children=move |r| view! {
                        <tr>
                            <td>{r.date}</td>
                            <td>{r.purpose}</td>
                            <td>{state_name(i18n, r.state)}</td>
                            <td>{r.source}</td>
                            <td>{r.wording}</td>
                            <td>{r.recorded}</td>
                        </tr>
                    } />
                </tbody>
            </table>
            {move || state.can_edit().then(|| view! {
                <RecordForm person=person options=Signal::derive(move || data.with(|d| d.3.clone())) />
            })}
        </section>
    }
}

#[component]
fn RecordForm(person: PersonId, options: Signal<Vec<(String, String)>>) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let first = options.with_untracked(|o| o.first().map(|(k, _)| k.clone())).unwrap_or_default();
    let purpose = RwSignal::new(first);
    let answer = RwSignal::new(ConsentState::Given.key().to_owned());
    let date = RwSignal::new(web::today().format("%Y-%m-%d").to_string());
    let source = RwSignal::new(ConsentSource::Form.key().to_owned());
    let wording = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        let Some(p) = Purpose::from_key(&purpose.get_untracked()) else {
            errors.set(vec![FieldError::new("purpose", crate::domain::Problem::Required)]);
            return;
        };
        let command = Command::RecordConsent {
            person,
            purpose: p,
            state: ConsentState::from_key(&answer.get_untracked()).unwrap_or(ConsentState::Given),
            date: date.get_untracked(),
            source: ConsentSource::from_key(&source.get_untracked()).unwrap_or(ConsentSource::Other),
            wording: wording.get_untracked(),
        };
        spawn_local(async move {
            match state.run(command).await {
                Ok(_) => {
                    errors.set(vec![]);
                    failure.set(None);
                    wording.set(String::new());
                    done.set(true);
                }
                Err(RunError::Command(CommandError::Invalid(list))) => {
                    errors.set(list);
                    super::focus_error_summary();
                }
                Err(e) => state.not_saved(i18n, e, |m| failure.set(Some(m))),
            }
        });
    };
    let err = move |path: &str| text::field_error(i18n, errors, path);
    let purpose_options =
        move || options.get().into_iter().map(|(k, name)| (k, Signal::stored(name))).collect::<Vec<_>>();
    let states: Vec<(String, Signal<String>)> = [
        (ConsentState::Given, tr!(i18n, consents.state_given)),
        (ConsentState::Refused, tr!(i18n, consents.state_refused)),
        (ConsentState::Withdrawn, tr!(i18n, consents.state_withdrawn)),
        (ConsentState::NotAsked, tr!(i18n, consents.state_not_asked)),
    ]
    .into_iter()
    .map(|(s, t)| (s.key().to_owned(), t))
    .collect();
    let sources: Vec<(String, Signal<String>)> = ConsentSource::ALL
        .into_iter()
        .map(|s| (s.key().to_owned(), Signal::derive(move || source_name(i18n, s).to_owned())))
        .collect();
    view! {
        <form class="form consent-form" novalidate on:submit=save aria-labelledby="consent-record-title">
            <h3 id="consent-record-title">{t!(i18n, consents.record_title)}</h3>
            <ErrorSummary errors=errors />
            {move || view! {
                <SelectField id="consent-purpose" label=tr!(i18n, consents.purpose) value=purpose
                    options=purpose_options() error=err("purpose") />
            }}
            <div class="row2">
                <SelectField id="consent-state" label=tr!(i18n, consents.state) value=answer options=states error=err("state") />
                <SelectField id="consent-source" label=tr!(i18n, consents.source) value=source options=sources error=err("source") />
            </div>
            <TextField id="consent-date" label=tr!(i18n, consents.date) value=date kind="date"
                help=tr!(i18n, consents.date_help) error=err("date") />
            <TextArea id="consent-wording" label=tr!(i18n, consents.wording) value=wording error=err("wording") />
            <p class="help">{t!(i18n, consents.wording_help)}</p>
            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>
                {move || failure.get().unwrap_or_default()}
            </p>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || state.busy.get()>
                    {t!(i18n, consents.record_button)}
                </button>
                <span role="status">{move || done.get().then(|| t_string!(i18n, consents.recorded_notice))}</span>
            </div>
        </form>
    }
}
