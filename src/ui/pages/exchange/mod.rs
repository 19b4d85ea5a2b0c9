//! Sharing the register with colleagues: an encrypted export of all or
//! part of it, and an import that shows what would change (and every
//! conflict) before anything does (`import.rs`).

mod import;

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::bundle::{self, passphrase, BundleError, KdfParams};
use crate::domain::sync::ExportScope;
use crate::domain::{CategoryKey, Command, PersonId};
use crate::tr;
use crate::ui::components::{use_title, CheckField, StrengthMeter, TextField};
use crate::ui::i18n::*;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text::{self, I18n};
use crate::web;
use import::Import;

pub fn bundle_error(i18n: I18n, e: &BundleError) -> &'static str {
    match e.message_id() {
        "empty" => t_string!(i18n, bundle_error.empty),
        "too_large" => t_string!(i18n, bundle_error.too_large),
        "not_a_bundle" => t_string!(i18n, bundle_error.not_a_bundle),
        "truncated" => t_string!(i18n, bundle_error.truncated),
        "damaged" => t_string!(i18n, bundle_error.damaged),
        "newer_version" | "unsupported" => t_string!(i18n, bundle_error.newer_version),
        "kdf_out_of_bounds" => t_string!(i18n, bundle_error.kdf_out_of_bounds),
        "wrong_passphrase_or_damaged" => t_string!(i18n, bundle_error.wrong_passphrase),
        "damaged_plaintext" | "schema" => t_string!(i18n, bundle_error.schema),
        "empty_passphrase" => t_string!(i18n, bundle_error.empty_passphrase),
        _ => t_string!(i18n, bundle_error.other),
    }
}

#[component]
pub fn ExchangePage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(tr!(i18n, exchange.title));
    view! {
        <h1>{t!(i18n, exchange.title)}</h1>
        <p class="help">{t!(i18n, exchange.intro)}</p>
        <Export />
        <super::backup::BackupSettings />
        <Import />
        <DisclosureLog />
    }
}

/// Who was given which data, newest first.
#[component]
fn DisclosureLog() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let rows = Memo::new(move |_| {
        state
            .with(|r| {
                r.disclosures()
                    .into_iter()
                    .rev()
                    .map(|d| {
                        let when = d.at.with_timezone(&chrono::Local).format("%-d.%-m.%Y %H.%M").to_string();
                        (
                            d.id,
                            when,
                            d.by.clone(),
                            d.recipient.clone(),
                            d.purpose.clone(),
                            d.scope.clone(),
                            d.people.len(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    view! {
        <section aria-labelledby="disclosures-title" class="panel">
            <h2 id="disclosures-title">{t!(i18n, exchange.log_title)}</h2>
            <p class="muted" hidden=move || !rows.with(Vec::is_empty)>{t!(i18n, exchange.log_empty)}</p>
            <table class="table" hidden=move || rows.with(Vec::is_empty)>
                <thead><tr>
                    <th scope="col">{t!(i18n, audit.when)}</th>
                    <th scope="col">{t!(i18n, audit.who)}</th>
                    <th scope="col">{t!(i18n, exchange.recipient)}</th>
                    <th scope="col">{t!(i18n, exchange.purpose)}</th>
                    <th scope="col">{t!(i18n, exchange.scope)}</th>
                    <th scope="col">{t!(i18n, nav.people)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|r| r.0 children=move |(_, when, by, to, purpose, scope, n)| view! {
                        <tr>
                            <td>{when}</td>
                            <td>{by}</td>
                            <td>{if to.is_empty() { t_string!(i18n, exchange.not_named).to_owned() } else { to }}</td>
                            <td>{purpose}</td>
                            <td>{scope}</td>
                            <td>{n}</td>
                        </tr>
                    } />
                </tbody>
            </table>
        </section>
    }
}

/// Checks a new passphrase typed twice; `Ok` when usable.
pub fn check_passphrase(i18n: I18n, first: &str, second: &str) -> Result<(), String> {
    if first.is_empty() {
        return Err(t_string!(i18n, exchange.pass_missing).to_owned());
    }
    if passphrase::strength(first).level == passphrase::Level::Weak {
        return Err(t_string!(i18n, exchange.pass_weak).to_owned());
    }
    if first != second {
        return Err(t_string!(i18n, exchange.pass_mismatch).to_owned());
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Idle,
    Collecting,
    Encrypting,
    Done,
}

#[component]
fn Export() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    // Exporting everything is for administrators; others choose a part.
    let everything = RwSignal::new(state.is_admin());
    let chosen = RwSignal::new(BTreeSet::<CategoryKey>::new());
    let relationship = RwSignal::new(true);
    let dietary = RwSignal::new(false);
    let notes = RwSignal::new(true);
    let custom = RwSignal::new(true);
    let org = RwSignal::new(web::prefs::org_name().unwrap_or_default());
    let recipient = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    let pass1 = RwSignal::new(String::new());
    let pass2 = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let step = RwSignal::new(Step::Idle);
    let done_text = RwSignal::new(String::new());
    let categories = state
        .with_untracked(|r| {
            r.settings()
                .all_categories()
                .into_iter()
                .map(|k| (k.clone(), text::category(i18n, r.settings(), &k)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let scope = move || -> ExportScope {
        if everything.get_untracked() {
            return ExportScope::everything();
        }
        let cats = chosen.get_untracked();
        ExportScope {
            categories: if cats.is_empty() { None } else { Some(cats) },
            relationship: relationship.get_untracked(),
            record_kinds: None,
            dietary: dietary.get_untracked() && relationship.get_untracked(),
            notes: notes.get_untracked(),
            custom: custom.get_untracked(),
        }
    };
    // The scope in words, in the user's language, for the disclosure log.
    let scope_words = move |s: &ExportScope| -> String {
        if s.is_everything() {
            return t_string!(i18n, exchange.scope_everything).to_owned();
        }
        let mut parts = Vec::new();
        let names = state.with_untracked(|r| match &s.categories {
            None => t_string!(i18n, exchange.all_people).to_owned(),
            Some(set) => set.iter().map(|k| text::category(i18n, r.settings(), k)).collect::<Vec<_>>().join(", "),
        });
        parts.push(names.unwrap_or_default());
        if s.relationship {
            parts.push(t_string!(i18n, exchange.with_relationship).to_owned());
        }
        if s.dietary {
            parts.push(t_string!(i18n, exchange.with_dietary).to_owned());
        }
        if !s.notes {
            parts.push(t_string!(i18n, exchange.without_notes).to_owned());
        }
        if !s.custom {
            parts.push(t_string!(i18n, exchange.without_custom).to_owned());
        }
        parts.join("; ")
    };
    let export = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(message) = check_passphrase(i18n, &pass1.get_untracked(), &pass2.get_untracked()) {
            problem.set(Some(message));
            return;
        }
        problem.set(None);
        let scope = scope();
        let words = scope_words(&scope);
        let pass = pass1.get_untracked();
        let org_name = org.get_untracked();
        web::prefs::set_org_name(&org_name);
        spawn_local(async move {
            step.set(Step::Collecting);
            state.whole().await;
            // A worker seals the document while it is written here.
            let mut sealing =
                web::sealing::Sealing::start(&pass, KdfParams::DEFAULT, web::random_bytes(), web::random_bytes());
            web::next_paint().await;
            web::mark("export-start");
            sealing.ready().await;
            web::mark("export-ready");
            // Written straight from the register, which cannot change
            // meanwhile: nothing here waits.
            let written = state.with_untracked(|r| {
                let view = r.export_view(&scope, web::now());
                web::mark("export-collected");
                bundle::document::write_view_to(&view, &mut sealing).expect("the document is written into memory");
                view.people.iter().map(|p| p.id).collect::<Vec<PersonId>>()
            });
            let Some(people) = written else { return };
            web::mark("export-written");
            step.set(Step::Encrypting);
            let file = seal(&mut sealing, &pass).await;
            drop(sealing);
            let bytes = match file {
                Ok(bytes) => bytes,
                Err(e) => {
                    step.set(Step::Idle);
                    problem.set(Some(bundle_error(i18n, &e).to_owned()));
                    return;
                }
            };
            web::mark("export-sealed");
            let name = bundle::file_name(&org_name, web::today());
            if web::download_array(&name, "application/json", &bytes).is_err() {
                step.set(Step::Idle);
                problem.set(Some(t_string!(i18n, exchange.download_failed).to_owned()));
                return;
            }
            if scope.is_everything() {
                web::prefs::set_last_backup(&web::now().to_rfc3339());
            }
            let count = people.len();
            let disclosure = Command::RecordDisclosure {
                recipient: recipient.get_untracked(),
                purpose: purpose.get_untracked(),
                scope: words,
                people,
            };
            if let Err(RunError::Store(e)) = state.run(disclosure).await {
                state.notice.set(Some(Notice::StoreFailed(e)));
            }
            pass1.set(String::new());
            pass2.set(String::new());
            done_text.set(t_string!(i18n, exchange.exported, file = name, count = count).to_string());
            step.set(Step::Done);
        });
    };
    view! {
        <section aria-labelledby="export-title" class="panel" hidden=move || !state.can_edit()>
            <h2 id="export-title">{t!(i18n, exchange.export_title)}</h2>
            <form class="form" novalidate on:submit=export>
                <fieldset>
                    <legend>{t!(i18n, exchange.what)}</legend>
                    <label class="check" hidden=move || !state.is_admin()>
                        <input type="radio" name="scope" prop:checked=move || everything.get() on:change=move |_| everything.set(true) />
                        {t!(i18n, exchange.scope_everything)}
                    </label>
                    <label class="check">
                        <input type="radio" name="scope" prop:checked=move || !everything.get() on:change=move |_| everything.set(false) />
                        {t!(i18n, exchange.scope_part)}
                    </label>
                    <div class="sub" hidden=move || everything.get()>
                        <p class="help">{t!(i18n, exchange.categories_help)}</p>
                        <div class="checks">
                            {categories.into_iter().map(|(key, name)| {
                                let id = format!("export-cat-{}", key.as_str());
                                let (k1, k2) = (key.clone(), key);
                                view! {
                                    <label class="check" for=id.clone()>
                                        <input type="checkbox" id=id.clone()
                                            prop:checked=move || chosen.with(|c| c.contains(&k1))
                                            on:change:target=move |ev| {
                                                let on = ev.target().checked();
                                                chosen.update(|c| { if on { c.insert(k2.clone()); } else { c.remove(&k2); } });
                                            } />
                                        {name}
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                        <CheckField id="export-relationship" label=tr!(i18n, exchange.include_relationship) value=relationship />
                        <CheckField id="export-dietary" label=tr!(i18n, exchange.include_dietary) value=dietary />
                        <CheckField id="export-notes" label=tr!(i18n, exchange.include_notes) value=notes />
                        <CheckField id="export-custom" label=tr!(i18n, exchange.include_custom) value=custom />
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, exchange.to_whom)}</legend>
                    <TextField id="recipient" label=tr!(i18n, exchange.recipient) value=recipient help=tr!(i18n, exchange.recipient_help) />
                    <TextField id="purpose" label=tr!(i18n, exchange.purpose) value=purpose />
                    <TextField id="org-name" label=tr!(i18n, exchange.org_name) value=org help=tr!(i18n, exchange.org_name_help) />
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, exchange.passphrase_legend)}</legend>
                    <p class="help">{t!(i18n, exchange.passphrase_help)}</p>
                    <TextField id="export-pass1" label=tr!(i18n, exchange.passphrase) value=pass1 kind="password" autocomplete="new-password" />
                    <StrengthMeter id="export-strength" value=pass1 />
                    <TextField id="export-pass2" label=tr!(i18n, exchange.passphrase_again) value=pass2 kind="password" autocomplete="new-password" />
                </fieldset>
                <p class="error" role="alert" hidden=move || problem.with(Option::is_none)>{move || problem.get().unwrap_or_default()}</p>
                <div class="progress" role="status" hidden=move || step.get() == Step::Idle>
                    <progress max="3" value=move || match step.get() { Step::Idle => 0, Step::Collecting => 1, Step::Encrypting => 2, Step::Done => 3 }></progress>
                    <span>{move || match step.get() {
                        Step::Collecting => t_string!(i18n, exchange.step_collecting).to_string(),
                        Step::Encrypting => t_string!(i18n, exchange.step_encrypting).to_string(),
                        Step::Done => done_text.get(),
                        Step::Idle => String::new(),
                    }}</span>
                </div>
                <div class="actions">
                    <button type="submit" class="button primary"
                        disabled=move || matches!(step.get(), Step::Collecting | Step::Encrypting)>
                        {t!(i18n, exchange.export_button)}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The export's bundle file: sealed by the worker, or, if it could not,
/// here (compressed by the browser where it can).
async fn seal(sealing: &mut web::sealing::Sealing, pass: &str) -> Result<js_sys::Uint8Array, BundleError> {
    let len = sealing.document_len();
    if len as u64 > bundle::envelope::MAX_PLAINTEXT_BYTES {
        return Err(BundleError::TooLarge { size: len as u64, limit: bundle::envelope::MAX_PLAINTEXT_BYTES });
    }
    if let Some(file) = sealing.finish().await {
        web::mark("export-by-worker");
        return Ok(file);
    }
    // A salt and nonce of its own: nothing the worker made is reused.
    let sealer = bundle::envelope::Sealer::new(pass, KdfParams::DEFAULT, web::random_bytes(), web::random_bytes())?;
    web::mark("export-key");
    let document = sealing.document();
    let file = match web::deflate_raw(&document).await {
        Some(deflated) => sealer.seal_deflated(&deflated, len),
        None => sealer.seal(&document),
    };
    file.map(|bytes| js_sys::Uint8Array::from(&bytes[..]))
}
