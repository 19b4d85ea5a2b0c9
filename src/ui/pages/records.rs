//! Relationship data: a person's timeline of contracts, feedback, support
//! tickets, trainings and events, and the form to add or edit one.
//! Dietary restrictions stay hidden until someone asks to see them; that
//! is logged, and they are deleted once the event is over.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::domain::record::{Contract, EventParticipation, Feedback, Ticket, Training};
use crate::domain::{
    Billing, Command, CommandError, ContractKind, FieldError, OrgId, PersonId, Record, RecordDraft, RecordDraftKind,
    RecordId, RecordKind,
};
use crate::tr;
use crate::ui::components::{use_title, CheckField, ErrorSummary, SelectField, TextArea, TextField};
use crate::ui::i18n::*;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text::{self, I18n};

/// The kinds of record, by their key in addresses (`/records/new/contract`).
pub const KINDS: [&str; 5] = ["contract", "feedback", "ticket", "training", "event"];

pub fn kind_name(i18n: I18n, key: &str) -> &'static str {
    match key {
        "contract" => t_string!(i18n, record.kind_contract),
        "feedback" => t_string!(i18n, record.kind_feedback),
        "ticket" => t_string!(i18n, record.kind_ticket),
        "training" => t_string!(i18n, record.kind_training),
        _ => t_string!(i18n, record.kind_event),
    }
}

fn add_label(i18n: I18n, key: &str) -> &'static str {
    match key {
        "contract" => t_string!(i18n, record.add_contract),
        "feedback" => t_string!(i18n, record.add_feedback),
        "ticket" => t_string!(i18n, record.add_ticket),
        "training" => t_string!(i18n, record.add_training),
        _ => t_string!(i18n, record.add_event),
    }
}

fn contract_kind_name(i18n: I18n, k: ContractKind) -> &'static str {
    match k {
        ContractKind::Contract => t_string!(i18n, record.contract),
        ContractKind::Order => t_string!(i18n, record.order),
        ContractKind::Assignment => t_string!(i18n, record.assignment),
    }
}

pub fn billing_name(i18n: I18n, b: Billing) -> &'static str {
    match b {
        Billing::NotBilled => t_string!(i18n, record.billing_not_billed),
        Billing::Paid => t_string!(i18n, record.billing_paid),
        Billing::OpenInvoice => t_string!(i18n, record.billing_open),
        Billing::InCollection => t_string!(i18n, record.billing_collection),
    }
}

/// Euros from cents, as Finns write them: 1 250,50 €.
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let euros = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{:02}\u{a0}€", cents % 100)
}

/// A record in one line, summary and details ("" when it is gone), for
/// lists of what an erasure or a retention rule touches.
pub fn record_line(i18n: I18n, reg: &crate::domain::Register, id: crate::domain::RecordId) -> String {
    reg.record(id)
        .map(|rec| {
            let (t, d) = describe(i18n, &rec.kind);
            if d.is_empty() {
                t
            } else {
                format!("{t}: {}", d.join(", "))
            }
        })
        .unwrap_or_default()
}

/// The one-line summary and the details of a record, for timelines.
pub fn describe(i18n: I18n, kind: &RecordKind) -> (String, Vec<String>) {
    let opt_date = |d: Option<chrono::NaiveDate>| d.map(text::date).unwrap_or_default();
    match kind {
        RecordKind::Contract(c) => {
            let mut details = vec![contract_kind_name(i18n, c.kind).to_owned()];
            if c.start.is_some() || c.end.is_some() {
                details.push(format!("{} – {}", opt_date(c.start), opt_date(c.end)));
            }
            if let Some(v) = c.value_cents {
                details.push(money(v));
            }
            details.push(billing_name(i18n, c.billing).to_owned());
            (c.title.clone(), details)
        }
        RecordKind::Feedback(f) => (kind_name(i18n, "feedback").to_owned(), vec![f.text.clone()]),
        RecordKind::Ticket(t) => {
            let state = match t.closed {
                Some(d) => format!("{} {}", t_string!(i18n, record.closed), text::date(d)),
                None => t_string!(i18n, record.still_open).to_owned(),
            };
            (kind_name(i18n, "ticket").to_owned(), vec![state, t.description.clone()])
        }
        RecordKind::Training(t) => {
            let mut details = vec![if t.completed {
                t_string!(i18n, record.completed).to_owned()
            } else {
                t_string!(i18n, record.not_completed).to_owned()
            }];
            if !t.grade.is_empty() {
                details.push(format!("{}: {}", t_string!(i18n, record.grade), t.grade));
            }
            if t.statutory {
                details.push(t_string!(i18n, record.statutory).to_owned());
            }
            (t.name.clone(), details)
        }
        RecordKind::Event(e) => (e.name.clone(), vec![]),
    }
}

/// A person's relationship data, newest first, with actions.
#[component]
pub fn Timeline(person: PersonId) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let records = Memo::new(move |_| {
        state.with(|r| r.records_of(person).into_iter().cloned().collect::<Vec<_>>()).unwrap_or_default()
    });
    // A restricted person's data is kept, not added to.
    let restricted = move || state.with(|r| r.person(person).is_some_and(|p| p.is_restricted())).unwrap_or(false);
    view! {
        <section aria-labelledby="timeline-title">
            <h2 id="timeline-title">{t!(i18n, record.timeline)}</h2>
            <ul class="add-links" hidden=move || !state.can_edit() || restricted()>
                {KINDS.into_iter().map(|k| view! {
                    <li><a class="button" href=format!("/people/{person}/records/new/{k}")>{move || add_label(i18n, k)}</a></li>
                }).collect_view()}
            </ul>
            <p class="muted" hidden=move || !records.with(Vec::is_empty)>{t!(i18n, record.none)}</p>
            <ol class="timeline">
                <For each=move || records.get() key=|r| (r.id, r.stamp) children=move |r| view! { <TimelineItem record=r /> } />
            </ol>
        </section>
    }
}

#[component]
fn TimelineItem(record: Record) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let shown = RwSignal::new(false);
    let id = record.id;
    let date = record.kind.date().map(text::date).unwrap_or_default();
    let org = record.org.and_then(|o| state.with_untracked(|r| r.org(o).map(|o| o.name.clone())).flatten());
    let kind_key = record.kind.key();
    let dietary = match &record.kind {
        RecordKind::Event(e) => Some(e.dietary.clone()),
        _ => None,
    };
    let kind = StoredValue::new(record.kind.clone());
    let may_see = match &record.kind {
        RecordKind::Event(e) => state.actor().may_see_dietary(&e.name),
        _ => false,
    };
    let show_dietary = move |_| {
        spawn_local(async move {
            if state.run(Command::LogDietaryView(id)).await.is_ok() {
                shown.set(true);
            }
        });
    };
    view! {
        <li class="tl-item">
            <div class="tl-date">{date}</div>
            <div class="tl-body">
                <p class="tl-kind">{move || kind_name(i18n, kind_key)}</p>
                <p class="tl-title">{move || kind.with_value(|k| describe(i18n, k).0)}</p>
                <ul class="plain tl-details">
                    {move || kind.with_value(|k| describe(i18n, k)).1.into_iter().filter(|d| !d.is_empty()).map(|d| view! { <li>{d}</li> }).collect_view()}
                    {org.clone().map(|o| view! { <li>{o}</li> })}
                </ul>
                {dietary.map(|d| match d {
                    None => view! { <p class="muted">{t!(i18n, record.no_dietary)}</p> }.into_any(),
                    Some(text_value) => view! {
                        <div class="dietary">
                            <p class="muted" hidden=may_see>{t!(i18n, record.dietary_hidden)}</p>
                            <button type="button" class="link" hidden=move || shown.get() || !may_see on:click=show_dietary>
                                {t!(i18n, record.show_dietary)}
                            </button>
                            <p hidden=move || !shown.get()>
                                <strong>{t!(i18n, record.dietary)} ": "</strong>{text_value}
                            </p>
                        </div>
                    }.into_any(),
                })}
                <p class="tl-actions" hidden=move || !state.can_edit()>
                    <a href=format!("/records/{id}/edit")>
                        {t!(i18n, common.edit)}<span class="visually-hidden">" " {move || kind_name(i18n, kind_key)}</span>
                    </a>
                </p>
            </div>
        </li>
    }
}

/// The values of a record form, as signals; one set serves every kind.
#[derive(Clone, Copy)]
struct Form {
    title: RwSignal<String>,
    contract_kind: RwSignal<String>,
    start: RwSignal<String>,
    end: RwSignal<String>,
    value: RwSignal<String>,
    billing: RwSignal<String>,
    text: RwSignal<String>,
    completed: RwSignal<bool>,
    statutory: RwSignal<bool>,
    grade: RwSignal<String>,
    org: RwSignal<String>,
}

impl Form {
    fn new(record: Option<&Record>, today: chrono::NaiveDate) -> Self {
        let iso = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
        let f = Form {
            title: RwSignal::new(String::new()),
            contract_kind: RwSignal::new(ContractKind::Contract.key().to_owned()),
            start: RwSignal::new(iso(Some(today))),
            end: RwSignal::new(String::new()),
            value: RwSignal::new(String::new()),
            billing: RwSignal::new(Billing::NotBilled.key().to_owned()),
            text: RwSignal::new(String::new()),
            completed: RwSignal::new(false),
            statutory: RwSignal::new(false),
            grade: RwSignal::new(String::new()),
            org: RwSignal::new(record.and_then(|r| r.org).map(|o| o.to_string()).unwrap_or_default()),
        };
        let Some(record) = record else { return f };
        match &record.kind {
            RecordKind::Contract(Contract { kind, title, start, end, value_cents, billing }) => {
                f.contract_kind.set(kind.key().to_owned());
                f.title.set(title.clone());
                f.start.set(iso(*start));
                f.end.set(iso(*end));
                f.value.set(value_cents.map(|c| format!("{},{:02}", c / 100, (c % 100).abs())).unwrap_or_default());
                f.billing.set(billing.key().to_owned());
            }
            RecordKind::Feedback(Feedback { date, text }) => {
                f.start.set(iso(Some(*date)));
                f.text.set(text.clone());
            }
            RecordKind::Ticket(Ticket { opened, closed, description }) => {
                f.start.set(iso(Some(*opened)));
                f.end.set(iso(*closed));
                f.text.set(description.clone());
            }
            RecordKind::Training(Training { name, date, completed, grade, statutory }) => {
                f.title.set(name.clone());
                f.start.set(iso(Some(*date)));
                f.completed.set(*completed);
                f.grade.set(grade.clone());
                f.statutory.set(*statutory);
            }
            RecordKind::Event(EventParticipation { name, date, dietary }) => {
                f.title.set(name.clone());
                f.start.set(iso(Some(*date)));
                f.text.set(dietary.clone().unwrap_or_default());
            }
        }
        f
    }

    fn draft(&self, kind: &str) -> RecordDraftKind {
        let g = |s: RwSignal<String>| s.get_untracked();
        match kind {
            "contract" => RecordDraftKind::Contract {
                kind: ContractKind::from_key(&g(self.contract_kind)).unwrap_or(ContractKind::Contract),
                title: g(self.title),
                start: g(self.start),
                end: g(self.end),
                value: g(self.value),
                billing: Billing::from_key(&g(self.billing)).unwrap_or(Billing::NotBilled),
            },
            "feedback" => RecordDraftKind::Feedback { date: g(self.start), text: g(self.text) },
            "ticket" => {
                RecordDraftKind::Ticket { opened: g(self.start), closed: g(self.end), description: g(self.text) }
            }
            "training" => RecordDraftKind::Training {
                name: g(self.title),
                date: g(self.start),
                completed: self.completed.get_untracked(),
                grade: g(self.grade),
                statutory: self.statutory.get_untracked(),
            },
            _ => RecordDraftKind::Event { name: g(self.title), date: g(self.start), dietary: g(self.text) },
        }
    }
}

#[component]
pub fn NewRecord() -> impl IntoView {
    let i18n = use_i18n();
    use_title(tr!(i18n, record.new_title));
    let params = use_params_map();
    move || {
        let p = params.read();
        let person = p.get("id").and_then(|s| s.parse::<PersonId>().ok());
        let kind = p.get("kind").filter(|k| KINDS.contains(&k.as_str()));
        match (person, kind) {
            (Some(person), Some(kind)) => view! { <RecordForm person=person kind=kind record=None /> }.into_any(),
            _ => view! { <super::NotFound /> }.into_any(),
        }
    }
}

#[component]
pub fn EditRecord() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, record.edit_title));
    let params = use_params_map();
    move || {
        let id = params.read().get("id").and_then(|s| s.parse::<RecordId>().ok());
        match id.and_then(|id| state.with_untracked(|r| r.record(id).cloned()).flatten()) {
            Some(record) => {
                let kind = record.kind.key().to_owned();
                view! { <RecordForm person=record.person kind=kind record=Some(record) /> }.into_any()
            }
            None => view! { <super::NotFound /> }.into_any(),
        }
    }
}

#[component]
fn RecordForm(person: PersonId, kind: String, record: Option<Record>) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let Some(person_name) = state.with_untracked(|r| r.person(person).map(|p| p.display_name())).flatten() else {
        return view! { <super::NotFound /> }.into_any();
    };
    let form = Form::new(record.as_ref(), crate::web::today());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let record_id = record.as_ref().map(|r| r.id);
    // Organisations the person belongs to, and the one already chosen.
    let orgs: Vec<(String, Signal<String>)> = state
        .with_untracked(|r| {
            let mut ids: Vec<OrgId> =
                r.person(person).map(|p| p.affiliations.iter().map(|a| a.org).collect()).unwrap_or_default();
            if let Some(o) = record.as_ref().and_then(|rec| rec.org) {
                if !ids.contains(&o) {
                    ids.push(o);
                }
            }
            let mut out = vec![(String::new(), tr!(i18n, common.not_set))];
            out.extend(ids.into_iter().filter_map(|id| {
                r.org(id).map(|o| {
                    let name = o.name.clone();
                    (id.to_string(), Signal::derive(move || name.clone()))
                })
            }));
            out
        })
        .unwrap_or_default();
    let back = format!("/people/{person}");
    let kind_key: &'static str = KINDS.into_iter().find(|k| *k == kind).unwrap_or("event");
    let save = {
        let navigate = navigate.clone();
        let back = back.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let draft = RecordDraft { person, org: form.org.get_untracked().parse().ok(), kind: form.draft(kind_key) };
            let command = match record_id {
                Some(id) => Command::UpdateRecord(id, draft),
                None => Command::AddRecord(draft),
            };
            let navigate = navigate.clone();
            let back = back.clone();
            spawn_local(async move {
                match state.run(command).await {
                    Ok(plan) => {
                        state.notice.set(Some(if plan.is_empty() { Notice::NoChanges } else { Notice::Saved }));
                        navigate(&back, Default::default());
                    }
                    Err(RunError::Command(CommandError::Invalid(list))) => {
                        errors.set(list);
                        super::focus_error_summary();
                    }
                    Err(e) => state.not_saved(i18n, e, |m| failure.set(Some(m))),
                }
            });
        }
    };
    let delete = {
        let back = back.clone();
        move |_| {
            let Some(id) = record_id else { return };
            let navigate = navigate.clone();
            let back = back.clone();
            spawn_local(async move {
                match state.run(Command::DeleteRecord(id)).await {
                    Ok(_) => {
                        state.notice.set(Some(Notice::Deleted));
                        navigate(&back, Default::default());
                    }
                    Err(e) => state.not_saved(i18n, e, |m| failure.set(Some(m))),
                }
            });
        }
    };
    let err = move |path: &str| text::field_error(i18n, errors, path);
    let heading = format!("{} – {}", kind_name(i18n, kind_key), person_name);
    let fields = match kind_key {
        "contract" => {
            let kinds = ContractKind::ALL
                .into_iter()
                .map(|k| (k.key().to_owned(), Signal::derive(move || contract_kind_name(i18n, k).to_owned())))
                .collect();
            let billings = Billing::ALL
                .into_iter()
                .map(|b| (b.key().to_owned(), Signal::derive(move || billing_name(i18n, b).to_owned())))
                .collect();
            view! {
                <SelectField id="contract_kind" label=tr!(i18n, record.contract_kind) value=form.contract_kind options=kinds />
                <TextField id="title" label=tr!(i18n, record.title) value=form.title required=true error=err("title") />
                <div class="row2">
                    <TextField id="start" label=tr!(i18n, record.start) kind="date" value=form.start error=err("start") />
                    <TextField id="end" label=tr!(i18n, record.end) kind="date" value=form.end error=err("end") />
                </div>
                <div class="row2">
                    <TextField id="value" label=tr!(i18n, record.value) value=form.value error=err("value") help=tr!(i18n, record.value_help) />
                    <SelectField id="billing" label=tr!(i18n, record.billing) value=form.billing options=billings />
                </div>
            }
            .into_any()
        }
        "feedback" => view! {
            <TextField id="date" label=tr!(i18n, record.date) kind="date" value=form.start required=true error=err("date") />
            <TextArea id="text" label=tr!(i18n, record.feedback_text) value=form.text error=err("text") />
        }
        .into_any(),
        "ticket" => view! {
            <div class="row2">
                <TextField id="opened" label=tr!(i18n, record.opened) kind="date" value=form.start required=true error=err("opened") />
                <TextField id="closed" label=tr!(i18n, record.closed) kind="date" value=form.end error=err("closed") />
            </div>
            <TextArea id="description" label=tr!(i18n, record.description) value=form.text error=err("description") />
        }
        .into_any(),
        "training" => view! {
            <TextField id="name" label=tr!(i18n, record.training_name) value=form.title required=true error=err("name") />
            <div class="row2">
                <TextField id="date" label=tr!(i18n, record.date) kind="date" value=form.start required=true error=err("date") />
                <TextField id="grade" label=tr!(i18n, record.grade) value=form.grade error=err("grade") />
            </div>
            <CheckField id="completed" label=tr!(i18n, record.completed) value=form.completed />
            <CheckField id="statutory" label=tr!(i18n, record.statutory_label) value=form.statutory />
        }
        .into_any(),
        _ => view! {
            <TextField id="name" label=tr!(i18n, record.event_name) value=form.title required=true error=err("name") />
            <TextField id="date" label=tr!(i18n, record.date) kind="date" value=form.start required=true error=err("date") />
            <TextArea id="dietary" label=tr!(i18n, record.dietary) value=form.text error=err("dietary") />
            <p class="help">{t!(i18n, record.dietary_help)}</p>
        }
        .into_any(),
    };
    view! {
        <h1>{heading}</h1>
        <form class="form" novalidate on:submit=save>
            <ErrorSummary errors=errors />
            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>
                {move || failure.get().unwrap_or_default()}
            </p>
            <fieldset>
                <legend>{move || kind_name(i18n, kind_key)}</legend>
                {fields}
                <SelectField id="org" label=tr!(i18n, person.organisation) value=form.org options=orgs error=err("org") />
            </fieldset>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || state.busy.get()>{t!(i18n, common.save)}</button>
                <a class="button" href=back.clone()>{t!(i18n, common.cancel)}</a>
                {record_id.map(|_| view! {
                    <button type="button" class="button danger" on:click=move |_| confirming.set(true)>{t!(i18n, common.delete)}</button>
                })}
            </div>
            <div class="confirm" role="alertdialog" aria-labelledby="confirm-record" hidden=move || !confirming.get()>
                <p id="confirm-record">{t!(i18n, record.delete_confirm)}</p>
                <button type="button" class="button danger" on:click=delete>{t!(i18n, record.delete_yes)}</button>
                <button type="button" class="button" on:click=move |_| confirming.set(false)>{t!(i18n, common.cancel)}</button>
            </div>
        </form>
    }
    .into_any()
}
