//! The request register: every rights request, open ones first with their
//! due dates, and the form for a new request.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::domain::gdpr::{GdprCommand, Request, RequestDraft, RequestKind, RequestStatus, Requester};
use crate::domain::{Command, CommandError, FieldError, PersonId, Problem, Register};
use crate::tr;
use crate::ui::components::{use_title, ErrorSummary, ErrorText, SelectField, TextArea, TextField};
use crate::ui::i18n::*;
use crate::ui::pages::privacy::run_error;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text::{self, I18n};
use crate::web;

pub fn kind_name(i18n: I18n, k: RequestKind) -> &'static str {
    match k {
        RequestKind::Access => t_string!(i18n, requests.kind.access),
        RequestKind::Rectification => t_string!(i18n, requests.kind.rectification),
        RequestKind::Erasure => t_string!(i18n, requests.kind.erasure),
        RequestKind::Restriction => t_string!(i18n, requests.kind.restriction),
        RequestKind::Objection => t_string!(i18n, requests.kind.objection),
        RequestKind::Portability => t_string!(i18n, requests.kind.portability),
    }
}

pub fn status_name(i18n: I18n, s: RequestStatus) -> &'static str {
    match s {
        RequestStatus::Open => t_string!(i18n, requests.status.open),
        RequestStatus::Done => t_string!(i18n, requests.status.done),
        RequestStatus::Refused => t_string!(i18n, requests.status.refused),
        RequestStatus::Withdrawn => t_string!(i18n, requests.status.withdrawn),
    }
}

/// Who made the request, as the list shows it.
pub fn requester_name(reg: &Register, r: &Request) -> String {
    match &r.requester {
        Requester::Person(id) => reg.person(*id).map(|p| p.display_name()).unwrap_or_else(|| "—".into()),
        Requester::Unidentified { name, .. } => name.clone(),
    }
}

/// A clearer message for the request form's date problems.
pub fn request_error(i18n: I18n, errors: RwSignal<Vec<FieldError>>, path: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        errors.with(|list| {
            list.iter().find(|e| e.field == path).map(|e| match (path, &e.problem) {
                ("due", Problem::DateOrder) => t_string!(i18n, requests.due_before_received).to_owned(),
                ("received", Problem::DateInFuture) => t_string!(i18n, requests.received_future).to_owned(),
                ("told_on", Problem::DateOrder) => t_string!(i18n, requests.told_on_order).to_owned(),
                ("requester", Problem::Missing) => t_string!(i18n, requests.choose_person).to_owned(),
                _ => text::problem(i18n, &e.problem).to_owned(),
            })
        })
    })
}

pub fn kind_options(i18n: I18n) -> Vec<(String, Signal<String>)> {
    RequestKind::ALL
        .into_iter()
        .map(|k| (k.key().to_owned(), Signal::derive(move || kind_name(i18n, k).to_owned())))
        .collect()
}

/// How many people a person choice lists at once.
pub const PICK_LIMIT: usize = 50;

/// The people a search finds, as choices (name, and e-mail to tell
/// namesakes apart): at most [`PICK_LIMIT`], in list order, with `keep`
/// (the current choice) always among them.
pub fn people_options(reg: &Register, query: &str, keep: Option<PersonId>) -> Vec<(PersonId, String)> {
    let found = if query.trim().is_empty() {
        reg.people_in_order()
    } else {
        reg.search(&crate::domain::Filter::text(query.to_owned()))
    };
    let mut ids: Vec<PersonId> = found.into_iter().take(PICK_LIMIT).collect();
    if let Some(k) = keep.filter(|k| !ids.contains(k) && reg.person(*k).is_some()) {
        ids.insert(0, k);
    }
    ids.into_iter()
        .filter_map(|id| reg.person(id))
        .map(|p| {
            let mail = p.emails.first().map(|e| format!(" ({})", e.value)).unwrap_or_default();
            (p.id, format!("{}{}", p.display_name(), mail))
        })
        .collect()
}

/// Choosing a person: a search field and the people it finds. `value` is
/// the chosen person's id (empty: none).
#[component]
pub fn PersonPicker(id: &'static str, value: RwSignal<String>, error: Signal<Option<String>>) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let options = Memo::new(move |_| {
        let keep = value.with(|v| v.parse::<PersonId>().ok());
        query.with(|q| state.with(|r| people_options(r, q, keep))).unwrap_or_default()
    });
    let search_id = format!("{id}-search");
    let help_id = format!("{id}-search-help");
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=search_id.clone()>{t!(i18n, requests.person_search)}</label>
            <input id=search_id type="search" autocomplete="off" aria-describedby=help_id.clone()
                prop:value=move || query.get() on:input:target=move |ev| query.set(ev.target().value()) />
            <p class="help" id=help_id>{t!(i18n, requests.person_search_help)}</p>
        </div>
        <div class="field">
            <label for=id>{t!(i18n, requests.person)}</label>
            <select id=id aria-describedby=error_id.clone() on:change:target=move |ev| value.set(ev.target().value())>
                <option value="" selected=move || value.get().is_empty()>{t!(i18n, requests.choose)}</option>
                <For each=move || options.get() key=|(pid, label)| (*pid, label.clone()) children=move |(pid, label)| {
                    let v = pid.to_string();
                    let v2 = v.clone();
                    view! { <option value=v selected=move || value.get() == v2>{label}</option> }
                } />
            </select>
            <ErrorText id=error_id error=error />
        </div>
    }
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, requests.title));
    let today = web::today();
    let rows = Memo::new(move |_| {
        state
            .with(|r| {
                let mut list: Vec<&Request> = r.requests();
                list.sort_by(|a, b| {
                    b.is_open()
                        .cmp(&a.is_open())
                        .then(a.effective_due().cmp(&b.effective_due()))
                        .then(b.received.cmp(&a.received))
                });
                list.into_iter()
                    .map(|q| {
                        (
                            q.id,
                            requester_name(r, q),
                            q.kind,
                            q.received,
                            q.effective_due(),
                            q.status,
                            q.is_overdue(today),
                            q.is_open() && (0..=7).contains(&q.days_left(today)),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    view! {
        <div class="page-head">
            <h1>{t!(i18n, requests.title)}</h1>
            <div class="actions" hidden=move || !state.can_edit()>
                <a class="button primary" href="/requests/new">{t!(i18n, requests.new)}</a>
            </div>
        </div>
        <p class="help">{t!(i18n, requests.intro)}</p>
        <p><a href="/privacy">{t!(i18n, privacy.back_to_desk)}</a></p>
        <p class="muted" hidden=move || !rows.with(Vec::is_empty)>{t!(i18n, requests.none)}</p>
        <table class="table requests" hidden=move || rows.with(Vec::is_empty)>
            <thead><tr>
                <th scope="col">{t!(i18n, requests.requester)}</th>
                <th scope="col">{t!(i18n, requests.kind_label)}</th>
                <th scope="col">{t!(i18n, requests.received)}</th>
                <th scope="col">{t!(i18n, requests.due)}</th>
                <th scope="col">{t!(i18n, requests.status_label)}</th>
            </tr></thead>
            <tbody>
                {move || rows.get().into_iter().map(|(id, who, kind, received, due, status, overdue, soon)| view! {
                    <tr class:overdue=overdue class:due-soon=soon>
                        <th scope="row"><a href=format!("/requests/{id}")>{if who.is_empty() { "—".to_owned() } else { who }}</a></th>
                        <td>{kind_name(i18n, kind)}</td>
                        <td>{text::date(received)}</td>
                        <td>
                            {text::date(due)}
                            {overdue.then(|| view! { " " <strong class="badge bad">{t!(i18n, requests.overdue)}</strong> })}
                            {soon.then(|| view! { " " <strong class="badge warn">{t!(i18n, requests.due_soon)}</strong> })}
                        </td>
                        <td>{status_name(i18n, status)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, requests.new));
    let navigate = use_navigate();
    let query = use_query_map();
    let preset = query.with_untracked(|q| q.get("person")).and_then(|s| s.parse::<PersonId>().ok());
    let has_people = state.with_untracked(|r| r.people_count() > 0).unwrap_or(false);
    let mode = RwSignal::new(if preset.is_some() || has_people { "person" } else { "unidentified" }.to_owned());
    let person = RwSignal::new(preset.map(|p| p.to_string()).unwrap_or_default());
    let name = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let kind = RwSignal::new(
        query
            .with_untracked(|q| q.get("kind"))
            .filter(|k| RequestKind::from_key(k).is_some())
            .unwrap_or_else(|| "access".into()),
    );
    let received = RwSignal::new(web::today().format("%Y-%m-%d").to_string());
    let due = RwSignal::new(String::new());
    let identity = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let requester = if mode.get_untracked() == "person" {
            match person.get_untracked().parse::<PersonId>() {
                Ok(id) => Requester::Person(id),
                Err(_) => {
                    errors.set(vec![FieldError::new("requester", Problem::Missing)]);
                    super::focus_error_summary();
                    return;
                }
            }
        } else {
            Requester::Unidentified { name: name.get_untracked(), contact: contact.get_untracked() }
        };
        let draft = RequestDraft {
            requester,
            kind: RequestKind::from_key(&kind.get_untracked()).unwrap_or(RequestKind::Access),
            received: received.get_untracked(),
            identity_check: identity.get_untracked(),
            due: due.get_untracked(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match state.run(Command::Gdpr(GdprCommand::OpenRequest(draft))).await {
                Ok(plan) => {
                    errors.set(vec![]);
                    state.notice.set(Some(Notice::Saved));
                    match plan.opened_request {
                        Some(id) => navigate(&format!("/requests/{id}"), Default::default()),
                        None => navigate("/requests", Default::default()),
                    }
                }
                Err(RunError::Command(CommandError::Invalid(list))) => {
                    errors.set(list);
                    super::focus_error_summary();
                }
                Err(e) => failure.set(run_error(i18n, &e)),
            }
        });
    };
    view! {
        <h1>{t!(i18n, requests.new)}</h1>
        <p class="help">{t!(i18n, requests.new_help)}</p>
        <form class="form" novalidate on:submit=save>
            <ErrorSummary errors=errors />
            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
            <fieldset>
                <legend>{t!(i18n, requests.who)}</legend>
                <label class="check" for="req-mode-person">
                    <input type="radio" id="req-mode-person" name="req-mode" value="person"
                        prop:checked=move || mode.get() == "person" on:change=move |_| mode.set("person".into()) />
                    {t!(i18n, requests.mode_person)}
                </label>
                <label class="check" for="req-mode-unidentified">
                    <input type="radio" id="req-mode-unidentified" name="req-mode" value="unidentified"
                        prop:checked=move || mode.get() == "unidentified" on:change=move |_| mode.set("unidentified".into()) />
                    {t!(i18n, requests.mode_unidentified)}
                </label>
                <div hidden=move || mode.get() != "person">
                    <PersonPicker id="req-person" value=person error=request_error(i18n, errors, "requester") />
                </div>
                <div hidden=move || mode.get() != "unidentified">
                    <TextField id="req-name" label=tr!(i18n, requests.requester_name) value=name required=true
                        error=request_error(i18n, errors, "requester.name") />
                    <TextField id="req-contact" label=tr!(i18n, requests.requester_contact) value=contact required=true
                        error=request_error(i18n, errors, "requester.contact") />
                </div>
            </fieldset>
            <SelectField id="req-kind" label=tr!(i18n, requests.kind_label) value=kind options=kind_options(i18n) />
            <div class="row2">
                <TextField id="req-received" kind="date" label=tr!(i18n, requests.received) value=received
                    error=request_error(i18n, errors, "received") />
                <TextField id="req-due" kind="date" label=tr!(i18n, requests.due) value=due
                    help=tr!(i18n, requests.due_help) error=request_error(i18n, errors, "due") />
            </div>
            <TextArea id="req-identity" label=tr!(i18n, requests.identity) value=identity
                error=request_error(i18n, errors, "identity_check") />
            <p class="help">{t!(i18n, requests.identity_help)}</p>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || state.busy.get()>{t!(i18n, requests.open_button)}</button>
                <a class="button" href="/requests">{t!(i18n, common.cancel)}</a>
            </div>
        </form>
    }
}
