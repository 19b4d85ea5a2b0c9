//! The privacy desk: its overview (requests due, retention due), the
//! privacy notice and the record of processing generated from the register
//! description, and what the desk's pages share (a generated document on
//! screen, messages for the desk's refusals).

use leptos::prelude::*;

use crate::domain::gdpr::{self, Block, Document, Lang, Refusal};
use crate::domain::{CommandError, FieldError};
use crate::tr;
use crate::ui::components::use_title;
use crate::ui::i18n::*;
use crate::ui::shell::LocaleChoice;
use crate::ui::state::{AppState, RunError};
use crate::ui::text::{self, I18n};
use crate::web;

/// The documents' language that matches the interface's.
pub fn ui_lang() -> Lang {
    match expect_context::<LocaleChoice>().0.get() {
        Locale::sv => Lang::Sv,
        Locale::en => Lang::En,
        _ => Lang::Fi,
    }
}

/// The message for a refusal of the privacy desk.
pub fn refusal(i18n: I18n, r: &Refusal) -> String {
    match r {
        Refusal::Restricted(_) => t_string!(i18n, privacy.refusal.restricted).to_owned(),
        Refusal::UnderHold(holds) => {
            // Also called after an await, where there is no context to read.
            let lang = match i18n.get_locale_untracked() {
                Locale::sv => Lang::Sv,
                Locale::en => Lang::En,
                _ => Lang::Fi,
            };
            let list: Vec<String> = holds.iter().map(|h| h.message(lang)).collect();
            format!("{} {}", t_string!(i18n, privacy.refusal.under_hold), list.join(" "))
        }
        Refusal::RequestClosed(_) => t_string!(i18n, privacy.refusal.request_closed).to_owned(),
        Refusal::AlreadyExtended(_) => t_string!(i18n, privacy.refusal.already_extended).to_owned(),
        Refusal::ErasedEntry(_) => t_string!(i18n, privacy.refusal.erased_entry).to_owned(),
    }
}

/// What to tell the user about a command that did not go through (field
/// problems are shown at their fields instead: `None`).
pub fn run_error(i18n: I18n, e: &RunError) -> Option<String> {
    match e {
        RunError::Command(CommandError::Invalid(_)) => None,
        RunError::Command(CommandError::Refused(r)) => Some(refusal(i18n, r)),
        RunError::Command(CommandError::NotAllowed) => Some(t_string!(i18n, notice.not_allowed).to_owned()),
        RunError::Command(CommandError::NotFound(_)) => Some(t_string!(i18n, notice.gone).to_owned()),
        RunError::Command(_) => Some(t_string!(i18n, privacy.refusal.other).to_owned()),
        RunError::Store(s) => Some(text::store_error(i18n, s).to_owned()),
        RunError::Busy => Some(t_string!(i18n, privacy.busy).to_owned()),
    }
}

/// A language choice for generated documents.
#[component]
pub fn LangSelect(#[prop(into)] id: String, value: RwSignal<Lang>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field lang-pick">
            <label for=id.clone()>{t!(i18n, privacy.doc_language)}</label>
            <select id=id on:change:target=move |ev| {
                if let Some(l) = Lang::from_code(&ev.target().value()) { value.set(l) }
            }>
                <option value="fi" selected=move || value.get() == Lang::Fi>"Suomi"</option>
                <option value="sv" selected=move || value.get() == Lang::Sv>"Svenska"</option>
                <option value="en" selected=move || value.get() == Lang::En>"English"</option>
            </select>
        </div>
    }
}

fn block_view(b: Block) -> AnyView {
    match b {
        Block::Heading(t) => view! { <h3>{t}</h3> }.into_any(),
        Block::Paragraph(t) => view! { <p>{t}</p> }.into_any(),
        Block::List(items) => {
            view! { <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }.into_any()
        }
        Block::Fields(pairs) => view! {
            <dl class="doc-fields">
                {pairs.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        }
        .into_any(),
        Block::Table { head, rows } => view! {
            <table class="table">
                <thead><tr>{head.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
    }
}

/// A generated document on the page (and on paper), in its own language.
#[component]
pub fn DocView(doc: Document) -> impl IntoView {
    view! {
        <article class="document" lang=doc.lang.code()>
            <h1>{doc.title.clone()}</h1>
            {doc.subtitle.iter().map(|s| view! { <p class="subtitle">{s.clone()}</p> }).collect_view()}
            {doc.sections.into_iter().map(|s| view! {
                <section class="doc-section" id=format!("doc-{}", s.key.replace('.', "-"))>
                    <h2>{s.heading}</h2>
                    {s.blocks.into_iter().map(block_view).collect_view()}
                </section>
            }).collect_view()}
        </article>
    }
}

/// Print and HTML download of a generated document.
#[component]
pub fn DocActions(
    doc: Signal<Option<Document>>,
    #[prop(into)] file: String,
    /// The person whose data can also be downloaded as JSON (an access report).
    #[prop(optional)]
    json_of: Option<crate::domain::PersonId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let file = StoredValue::new(file);
    let download = move |_| {
        if let Some(d) = doc.get_untracked() {
            let name = format!("{}-{}.html", file.get_value(), d.lang.code());
            let _ = web::download(&name, "text/html;charset=utf-8", gdpr::to_html(&d).as_bytes());
        }
    };
    view! {
        <div class="actions no-print">
            <button type="button" class="button" on:click=move |_| { let _ = window().print(); }>
                {t!(i18n, privacy.print)}
            </button>
            <button type="button" class="button" on:click=download>{t!(i18n, privacy.download_html)}</button>
            {json_of.map(|person| view! { <super::request_view::JsonButton person=person /> })}
        </div>
    }
}

/// Why a document cannot be made yet: the description's problems.
#[component]
fn Incomplete(errors: Vec<FieldError>) -> impl IntoView {
    let i18n = use_i18n();
    let n = errors.len();
    view! {
        <div class="warning" role="status">
            <p><strong>{t_string!(i18n, privacy.incomplete, count = n).to_string()}</strong></p>
            <p><a href="/settings#description-title">{t!(i18n, privacy.go_describe)}</a></p>
        </div>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Which {
    Notice,
    Record,
}

#[component]
fn DocumentPage(which: Which) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let lang = RwSignal::new(ui_lang());
    let result = Memo::new(move |_| {
        let l = lang.get();
        state.with(|r| match which {
            Which::Notice => gdpr::notice(r, l),
            Which::Record => gdpr::processing_record(r, l),
        })
    });
    let doc = Signal::derive(move || result.get().and_then(|r| r.ok()));
    let warnings = Memo::new(move |_| {
        let l = ui_lang();
        state
            .with(|r| gdpr::warnings(r).iter().map(|w| w.message(l, r.settings())).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let file = match which {
        Which::Notice => "privacy-notice",
        Which::Record => "record-of-processing",
    };
    use_title(match which {
        Which::Notice => tr!(i18n, privacy.notice_title),
        Which::Record => tr!(i18n, privacy.record_title),
    });
    view! {
        <div class="no-print">
            <p><a href="/privacy">{t!(i18n, privacy.back_to_desk)}</a></p>
            <LangSelect id="doc-lang" value=lang />
            <div class="warning" role="status" hidden=move || warnings.with(Vec::is_empty)>
                <p class="warn-title"><strong>{t!(i18n, privacy.warnings_title)}</strong></p>
                <ul>{move || warnings.get().into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                <p><a href="/settings#description-title">{t!(i18n, privacy.go_describe)}</a></p>
            </div>
        </div>
        {move || match result.get() {
            Some(Ok(d)) => view! {
                <DocActions doc=doc file=file />
                <DocView doc=d />
            }
            .into_any(),
            Some(Err(errors)) => view! {
                <h1>{match which {
                    Which::Notice => t!(i18n, privacy.notice_title).into_any(),
                    Which::Record => t!(i18n, privacy.record_title).into_any(),
                }}</h1>
                <Incomplete errors=errors />
            }
            .into_any(),
            None => ().into_any(),
        }}
    }
}

#[component]
pub fn NoticePage() -> impl IntoView {
    view! { <DocumentPage which=Which::Notice /> }
}

#[component]
pub fn RecordPage() -> impl IntoView {
    view! { <DocumentPage which=Which::Record /> }
}

/// The privacy desk: what is due, and the way to each of its pages.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, privacy.title));
    let today = web::today();
    let overview = Memo::new(move |_| {
        state
            .with(|r| {
                let o = r.request_overview(today, 7);
                let row = |q: &gdpr::Request| (q.id, super::requests::requester_name(r, q), q.kind, q.effective_due());
                (
                    o.overdue.iter().map(|q| row(q)).collect::<Vec<_>>(),
                    o.due_soon.iter().map(|q| row(q)).collect::<Vec<_>>(),
                    o.open.len(),
                    r.retention_due_count(today),
                    gdpr::warnings(r).len(),
                    r.has_description(),
                )
            })
            .unwrap_or_default()
    });
    let list = move |rows: Vec<(crate::domain::RequestId, String, gdpr::RequestKind, chrono::NaiveDate)>| {
        rows.into_iter()
            .map(|(id, who, kind, due)| {
                view! {
                    <li>
                        <a href=format!("/requests/{id}")>{format!("{} – {}", super::requests::kind_name(i18n, kind), who)}</a>
                        " " {t_string!(i18n, requests.due_on, date = text::date(due)).to_string()}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <h1>{t!(i18n, privacy.title)}</h1>
        <p class="help">{t!(i18n, privacy.intro)}</p>
        <div class="warning" role="status" hidden=move || overview.with(|o| o.5)>
            <p>{t!(i18n, privacy.no_description)}</p>
            <p><a href="/settings#description-title">{t!(i18n, privacy.go_describe)}</a></p>
        </div>
        <div class="desk-cards">
            <section class="card" aria-labelledby="desk-requests">
                <h2 id="desk-requests">{t!(i18n, privacy.requests)}</h2>
                <p>{move || t_string!(i18n, privacy.open_count, count = overview.with(|o| o.2)).to_string()}</p>
                <div hidden=move || overview.with(|o| o.0.is_empty())>
                    <h3 class="overdue-title">{move || t_string!(i18n, privacy.overdue_count, count = overview.with(|o| o.0.len())).to_string()}</h3>
                    <ul class="plain">{move || list(overview.get().0)}</ul>
                </div>
                <div hidden=move || overview.with(|o| o.1.is_empty())>
                    <h3>{move || t_string!(i18n, privacy.due_soon_count, count = overview.with(|o| o.1.len())).to_string()}</h3>
                    <ul class="plain">{move || list(overview.get().1)}</ul>
                </div>
                <p><a href="/requests">{t!(i18n, privacy.all_requests)}</a>" · "<a href="/requests/new">{t!(i18n, requests.new)}</a></p>
            </section>
            <section class="card" aria-labelledby="desk-retention">
                <h2 id="desk-retention">{t!(i18n, privacy.retention)}</h2>
                <p>{move || t_string!(i18n, privacy.retention_count, count = overview.with(|o| o.3)).to_string()}</p>
                <p hidden=move || !state.is_admin()><a href="/retention">{t!(i18n, privacy.open_retention)}</a></p>
            </section>
            <section class="card" aria-labelledby="desk-docs">
                <h2 id="desk-docs">{t!(i18n, privacy.documents)}</h2>
                <p hidden=move || overview.with(|o| o.4 == 0)>
                    {move || t_string!(i18n, privacy.warning_count, count = overview.with(|o| o.4)).to_string()}
                </p>
                <ul class="plain">
                    <li><a href="/privacy/notice">{t!(i18n, privacy.notice_title)}</a></li>
                    <li><a href="/privacy/record">{t!(i18n, privacy.record_title)}</a></li>
                    <li><a href="/settings#description-title">{t!(i18n, privacy.description)}</a></li>
                </ul>
            </section>
        </div>
    }
}

/// The request a person's edit answers (`?request=<id>` on the edit page).
pub fn rectify_request() -> Option<crate::domain::RequestId> {
    leptos_router::hooks::use_query_map().with_untracked(|q| q.get("request")).and_then(|s| s.parse().ok())
}

/// A person's edit, recorded as the rectification a request asked for when
/// there is one.
pub fn rectified(
    request: Option<crate::domain::RequestId>,
    person: crate::domain::PersonId,
    draft: crate::domain::PersonDraft,
) -> crate::domain::Command {
    match request {
        Some(request) => crate::domain::Command::Gdpr(gdpr::GdprCommand::Rectify { request, person, draft }),
        None => crate::domain::Command::UpdatePerson(person, draft),
    }
}
