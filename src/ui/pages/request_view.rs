//! One request: its dates and status, extending and closing it, linking it
//! to a person, and the action its type calls for (the access report, a
//! rectification, an erasure with its preview, a restriction, an
//! objection to direct marketing).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use crate::domain::consent::ConsentSource;
use crate::domain::gdpr::{self, ErasureChoice, GdprCommand, Request, RequestKind, RequestStatus, Requester};
use crate::domain::{Command, CommandError, FieldError, PersonId, RequestId};
use crate::tr;
use crate::ui::components::{use_title, SelectField, TextArea, TextField};
use crate::ui::i18n::*;
use crate::ui::pages::audit::field_name;
use crate::ui::pages::privacy::{run_error, ui_lang, DocActions, DocView, LangSelect};
use crate::ui::pages::records::record_line;
use crate::ui::pages::requests::{kind_name, request_error, status_name, PersonPicker};
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text::{self, I18n};
use crate::web;

fn request_id() -> Memo<Option<RequestId>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<RequestId>().ok()))
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let id = request_id();
    move || match id.get() {
        Some(id) => view! { <RequestDetails id=id /> }.into_any(),
        None => view! { <super::NotFound /> }.into_any(),
    }
}

/// Runs a desk command and reports what happened in `message`/`failure`.
pub fn run_desk(
    i18n: I18n,
    command: Command,
    errors: Option<RwSignal<Vec<FieldError>>>,
    failure: RwSignal<Option<String>>,
    done: impl FnOnce(crate::ui::state::Done) + 'static,
) {
    let state = AppState::get();
    failure.set(None);
    spawn_local(async move {
        match state.run(command).await {
            Ok(plan) => {
                if let Some(e) = errors {
                    e.set(vec![]);
                }
                state.notice.set(Some(if plan.is_empty() { Notice::NoChanges } else { Notice::Saved }));
                done(plan);
            }
            Err(RunError::Command(CommandError::Invalid(list))) if errors.is_some() => {
                if let Some(e) = errors {
                    e.set(list);
                }
            }
            Err(RunError::Command(CommandError::Invalid(list))) => {
                let msg = list.first().map(|e| text::problem(i18n, &e.problem).to_owned());
                failure.set(msg);
            }
            Err(e) => failure.set(run_error(i18n, &e)),
        }
    });
}

#[component]
fn RequestDetails(id: RequestId) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    // The page is drawn again when the request changes, or when its person
    // goes (an erasure).
    let request = Memo::new(move |_| {
        state
            .with(|r| {
                r.request(id).cloned().map(|q| {
                    let present = q.person().is_some_and(|p| r.person(p).is_some());
                    (q, present)
                })
            })
            .flatten()
    });
    use_title(Signal::derive(move || {
        request.with(|r| r.as_ref().map(|(r, _)| kind_name(i18n, r.kind).to_owned())).unwrap_or_default()
    }));
    move || match request.get() {
        None => view! { <super::NotFound /> }.into_any(),
        Some((r, _)) => view! { <RequestBody request=r /> }.into_any(),
    }
}

#[component]
fn RequestBody(request: Request) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let today = web::today();
    let id = request.id;
    let person_id = request.person();
    let person = person_id.and_then(|p| state.with_untracked(|r| r.person(p).cloned()).flatten());
    let requester = match (&request.requester, &person) {
        (Requester::Person(pid), Some(p)) => {
            view! { <a href=format!("/people/{pid}")>{p.display_name()}</a> }.into_any()
        }
        (Requester::Person(_), None) => view! { <span>{t!(i18n, requests.person_gone)}</span> }.into_any(),
        (Requester::Unidentified { name, contact }, _) => view! {
            <span>{format!("{name}, {contact}")}</span>" "<span class="badge warn">{t!(i18n, requests.unidentified)}</span>
        }
        .into_any(),
    };
    let open = request.is_open();
    let overdue = request.is_overdue(today);
    let due_text = text::date(request.effective_due());
    let extension = request.extension.clone();
    let failure = RwSignal::new(None::<String>);
    view! {
        <p class="no-print"><a href="/requests">{t!(i18n, requests.back)}</a></p>
        <h1>{format!("{} – {}", kind_name(i18n, request.kind), text::date(request.received))}</h1>
        <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
        <dl class="details">
            <dt>{t!(i18n, requests.requester)}</dt><dd>{requester}</dd>
            <dt>{t!(i18n, requests.kind_label)}</dt><dd>{kind_name(i18n, request.kind)}</dd>
            <dt>{t!(i18n, requests.received)}</dt><dd>{text::date(request.received)}</dd>
            <dt>{t!(i18n, requests.identity)}</dt>
            <dd>{if request.identity_check.is_empty() {
                view! { <span class="badge warn">{t!(i18n, requests.not_verified)}</span> }.into_any()
            } else { request.identity_check.clone().into_any() }}</dd>
            <dt>{t!(i18n, requests.due)}</dt>
            <dd>
                {due_text}
                {overdue.then(|| view! { " " <strong class="badge bad">{t!(i18n, requests.overdue)}</strong> })}
                {extension.map(|e| view! {
                    <p class="muted">{t_string!(i18n, requests.extended_note, told = text::date(e.told_on), reason = e.reason.clone()).to_string()}</p>
                })}
            </dd>
            <dt>{t!(i18n, requests.status_label)}</dt>
            <dd>
                {status_name(i18n, request.status)}
                {request.closed.map(|d| format!(" ({})", text::date(d)))}
            </dd>
            {(!request.outcome.is_empty()).then(|| view! {
                <dt>{t!(i18n, requests.outcome)}</dt><dd class="notes">{request.outcome.clone()}</dd>
            })}
            <dt>{t!(i18n, requests.handled_by)}</dt><dd>{request.handled_by.clone()}</dd>
        </dl>
        {match person_id.filter(|_| person.is_some()) {
            Some(pid) => view! { <Action request=request.clone() person=pid /> }.into_any(),
            None if open => view! { <LinkPerson id=id /> }.into_any(),
            None => ().into_any(),
        }}
        {(open && state.can_edit()).then(|| view! {
            {request.extension.is_none().then(|| view! { <Extend id=id /> })}
            <Close id=id />
        })}
    }
}

#[component]
fn LinkPerson(id: RequestId) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let chosen = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let link = move |_| match chosen.get_untracked().parse::<PersonId>() {
        Ok(person) => run_desk(i18n, Command::Gdpr(GdprCommand::LinkRequest { id, person }), None, failure, |_| {}),
        Err(_) => failure.set(Some(t_string!(i18n, requests.choose_person).to_owned())),
    };
    view! {
        <section class="panel" aria-labelledby="link-title" hidden=move || !state.can_edit()>
            <h2 id="link-title">{t!(i18n, requests.link_title)}</h2>
            <p class="help">{t!(i18n, requests.link_help)}</p>
            <PersonPicker id="link-person" value=chosen error=Signal::derive(move || failure.get()) />
            <button type="button" class="button" on:click=link disabled=move || state.busy.get()>{t!(i18n, requests.link_button)}</button>
        </section>
    }
}

#[component]
fn Extend(id: RequestId) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let told = RwSignal::new(web::today().format("%Y-%m-%d").to_string());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let extend = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let cmd = Command::Gdpr(GdprCommand::ExtendRequest {
            id,
            told_on: told.get_untracked(),
            reason: reason.get_untracked(),
        });
        run_desk(i18n, cmd, Some(errors), failure, |_| {});
    };
    view! {
        <section class="panel" aria-labelledby="extend-title">
            <h2 id="extend-title">{t!(i18n, requests.extend_title)}</h2>
            <p class="help">{t!(i18n, requests.extend_help)}</p>
            <form class="form" novalidate on:submit=extend>
                <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
                <TextField id="extend-told" kind="date" label=tr!(i18n, requests.told_on) value=told error=request_error(i18n, errors, "told_on") />
                <TextArea id="extend-reason" label=tr!(i18n, requests.extend_reason) value=reason error=request_error(i18n, errors, "reason") />
                <button type="submit" class="button" disabled=move || state.busy.get()>{t!(i18n, requests.extend_button)}</button>
            </form>
        </section>
    }
}

#[component]
fn Close(id: RequestId) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let status = RwSignal::new("done".to_owned());
    let outcome = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let close = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let status = RequestStatus::from_key(&status.get_untracked()).unwrap_or(RequestStatus::Done);
        let cmd = Command::Gdpr(GdprCommand::CloseRequest { id, status, outcome: outcome.get_untracked() });
        run_desk(i18n, cmd, Some(errors), failure, |_| {});
    };
    let options = [RequestStatus::Done, RequestStatus::Refused, RequestStatus::Withdrawn]
        .into_iter()
        .map(|s| (s.key().to_owned(), Signal::derive(move || status_name(i18n, s).to_owned())))
        .collect();
    view! {
        <section class="panel" aria-labelledby="close-title">
            <h2 id="close-title">{t!(i18n, requests.close_title)}</h2>
            <form class="form" novalidate on:submit=close>
                <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
                <SelectField id="close-status" label=tr!(i18n, requests.close_status) value=status options=options />
                <TextArea id="close-outcome" label=tr!(i18n, requests.outcome) value=outcome error=request_error(i18n, errors, "outcome") />
                <p class="help">{t!(i18n, requests.outcome_help)}</p>
                <button type="submit" class="button" disabled=move || state.busy.get()>{t!(i18n, requests.close_button)}</button>
            </form>
        </section>
    }
}

/// What the request's type calls for.
#[component]
fn Action(request: Request, person: PersonId) -> impl IntoView {
    let i18n = use_i18n();
    let id = request.id;
    let open = request.is_open();
    let body = match request.kind {
        RequestKind::Access | RequestKind::Portability => view! {
            <p>{t!(i18n, requests.access_help)}</p>
            <p class="actions">
                <a class="button primary" href=format!("/requests/{id}/report")>{t!(i18n, requests.open_report)}</a>
                <JsonButton person=person />
            </p>
        }
        .into_any(),
        RequestKind::Rectification => view! {
            <p>{t!(i18n, requests.rectify_help)}</p>
            <p class="actions" hidden=move || !open><a class="button primary" href=format!("/people/{person}/edit?request={id}")>{t!(i18n, requests.rectify_button)}</a></p>
        }
        .into_any(),
        RequestKind::Erasure => view! { <Erasure person=person request=Some(id) /> }.into_any(),
        RequestKind::Restriction => view! { <RestrictButtons person=person request=Some(id) /> }.into_any(),
        RequestKind::Objection => view! { <ObjectButton person=person request=Some(id) /> }.into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="action-title">
            <h2 id="action-title">{t!(i18n, requests.action_title)}</h2>
            {body}
        </section>
    }
}

/// Downloads the person's data as JSON (portability).
#[component]
pub fn JsonButton(person: PersonId) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let download = move |_| {
        leptos::task::spawn_local(async move {
            state.whole().await;
            if let Some(Some(json)) =
                state.with_untracked(|r| crate::bundle::gdpr::personal_data_json(r, person, web::now()))
            {
                let _ =
                    web::download(&format!("personal-data-{}.json", web::today()), "application/json", json.as_bytes());
            }
        });
    };
    view! { <button type="button" class="button" on:click=download>{t!(i18n, requests.download_json)}</button> }
}

/// Restrict processing of a person, or lift the restriction.
#[component]
pub fn RestrictButtons(person: PersonId, request: Option<RequestId>) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let failure = RwSignal::new(None::<String>);
    let restricted = Memo::new(move |_| {
        state
            .with(|r| r.person(person).map(|p| (p.is_restricted(), p.is_erased_except_held())))
            .flatten()
            .unwrap_or_default()
    });
    let restrict =
        move |_| run_desk(i18n, Command::Gdpr(GdprCommand::Restrict { person, request }), None, failure, |_| {});
    let lift =
        move |_| run_desk(i18n, Command::Gdpr(GdprCommand::LiftRestriction { person, request }), None, failure, |_| {});
    view! {
        <div class="actions" hidden=move || !state.can_edit()>
            <button type="button" class="button" hidden=move || restricted.get().0 on:click=restrict disabled=move || state.busy.get()>
                {t!(i18n, privacy.person.restrict)}
            </button>
            <button type="button" class="button" hidden=move || !restricted.get().0 || restricted.get().1 on:click=lift disabled=move || state.busy.get()>
                {t!(i18n, privacy.person.lift)}
            </button>
        </div>
        <p class="help">{t!(i18n, privacy.person.restrict_help)}</p>
        <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
    }
}

/// Sets every marketing prohibition at once.
#[component]
pub fn ObjectButton(person: PersonId, request: Option<RequestId>) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let failure = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let source = ConsentSource::Other;
    let object = move |_| {
        run_desk(
            i18n,
            Command::Gdpr(GdprCommand::ObjectToDirectMarketing { person, request, source }),
            None,
            failure,
            move |_| done.set(true),
        )
    };
    view! {
        <p class="help">{t!(i18n, privacy.person.object_help)}</p>
        <div class="actions" hidden=move || !state.can_edit()>
            <button type="button" class="button" on:click=object disabled=move || state.busy.get()>{t!(i18n, privacy.person.object)}</button>
        </div>
        <p role="status" class="ok-text" hidden=move || !done.get()>{t!(i18n, privacy.person.objected)}</p>
        <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
    }
}

/// What an erasure would remove and keep (and why), then the erasure.
#[component]
pub fn Erasure(person: PersonId, request: Option<RequestId>) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let today = web::today();
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let erased = RwSignal::new(None::<bool>);
    let preview = Memo::new(move |_| {
        let lang = ui_lang();
        state
            .with(|r| {
                let rules = r.description().retention.clone();
                let p = r.erasure_preview(person, today, &rules)?;
                let name = r.person(person).map(|x| x.display_name()).unwrap_or_default();
                let record = |id| record_line(i18n, r, id);
                let removed_fields: Vec<String> =
                    p.removed_fields.iter().map(|f| field_name(i18n, r, &f.key())).collect();
                let kept_fields: Vec<String> = p.kept_fields.iter().map(|f| field_name(i18n, r, &f.key())).collect();
                let removed_records: Vec<String> = p.removed_records.iter().map(|id| record(*id)).collect();
                let kept: Vec<(String, Vec<String>)> = p
                    .kept
                    .iter()
                    .map(|k| (record(k.record), k.holds.iter().map(|h| h.message(lang)).collect()))
                    .collect();
                Some((name, p.is_held(), removed_fields, kept_fields, removed_records, kept))
            })
            .flatten()
    });
    let erase = move |_| {
        let held = preview.with_untracked(|p| p.as_ref().is_some_and(|p| p.1));
        let choice = if held { ErasureChoice::AllButHeld } else { ErasureChoice::Everything };
        confirming.set(false);
        run_desk(i18n, Command::Gdpr(GdprCommand::Erase { person, request, choice }), None, failure, move |_| {
            erased.set(Some(held))
        });
    };
    let list = |items: Vec<String>| {
        if items.is_empty() {
            view! { <p class="muted">"—"</p> }.into_any()
        } else {
            view! { <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }.into_any()
        }
    };
    view! {
        <p role="status" class="ok-text" hidden=move || erased.get().is_none()>
            {move || match erased.get() {
                Some(true) => t_string!(i18n, privacy.erase.done_held).to_owned(),
                Some(false) => t_string!(i18n, privacy.erase.done).to_owned(),
                None => String::new(),
            }}
        </p>
        <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
        {move || preview.get().map(|(name, held, removed_fields, kept_fields, removed_records, kept)| {
            let name2 = name.clone();
            view! {
                <div class="erasure">
                    <h3>{t!(i18n, privacy.erase.goes)}</h3>
                    <p class="muted">{t!(i18n, privacy.erase.fields)}</p>
                    {list(removed_fields)}
                    <p class="muted">{t!(i18n, privacy.erase.records)}</p>
                    {list(removed_records)}
                    <h3>{t!(i18n, privacy.erase.stays)}</h3>
                    {if held {
                        view! {
                            <p class="warning">{t!(i18n, privacy.erase.held_intro)}</p>
                            <p class="muted">{t!(i18n, privacy.erase.fields)}</p>
                            {list(kept_fields)}
                            <ul class="kept">
                                {kept.into_iter().map(|(what, why)| view! {
                                    <li><strong>{what}</strong>": "{why.join("; ")}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    } else {
                        view! { <p>{t!(i18n, privacy.erase.nothing_stays)}</p> }.into_any()
                    }}
                    <div class="actions" hidden=move || !state.is_admin()>
                        <button type="button" class="button danger" on:click=move |_| confirming.set(true)>
                            {if held { t!(i18n, privacy.erase.button_held).into_any() } else { t!(i18n, privacy.erase.button).into_any() }}
                        </button>
                    </div>
                    <p class="help" hidden=move || state.is_admin()>{t!(i18n, privacy.erase.admin_only)}</p>
                    <div class="confirm" role="alertdialog" aria-labelledby="erase-confirm" hidden=move || !confirming.get()>
                        <p id="erase-confirm">{t_string!(i18n, privacy.erase.confirm, name = name2.clone()).to_string()}</p>
                        <button type="button" class="button danger" on:click=erase disabled=move || state.busy.get()>{t!(i18n, privacy.erase.yes)}</button>
                        <button type="button" class="button" on:click=move |_| confirming.set(false)>{t!(i18n, common.cancel)}</button>
                    </div>
                </div>
            }
        })}
    }
}

/// The access report of the request's person: printable, as HTML, and the
/// data as JSON.
#[component]
pub fn AccessReportPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let id = request_id();
    let lang = RwSignal::new(ui_lang());
    use_title(tr!(i18n, requests.report_title));
    let report = Memo::new(move |_| {
        let id = id.get()?;
        let l = lang.get();
        state
            .with(|r| {
                let person = r.request(id)?.person()?;
                gdpr::access_report(r, person, l, web::today(), Some(id)).map(|d| (person, d))
            })
            .flatten()
    });
    let doc = Signal::derive(move || report.get().map(|(_, d)| d));
    move || match report.get() {
        None => view! { <super::NotFound /> }.into_any(),
        Some((person, d)) => {
            let back = id.get().map(|i| format!("/requests/{i}")).unwrap_or_default();
            view! {
                <div class="no-print">
                    <p><a href=back>{t!(i18n, requests.back_to_request)}</a></p>
                    <LangSelect id="report-lang" value=lang />
                </div>
                <DocActions doc=doc file="access-report" json_of=person />
                <DocView doc=d />
            }
            .into_any()
        }
    }
}
