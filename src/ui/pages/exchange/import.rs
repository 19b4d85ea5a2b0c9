//! Importing a colleague's bundle: open it, see what would change and
//! every conflict, then apply it all or nothing.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::bundle_error;
use crate::bundle::{self, BundleError};
use crate::domain::sync::{Conflict, Counts, Entity, ImportPreview, PreparedImport, Side, Snapshot};
use crate::tr;
use crate::ui::components::TextField;
use crate::ui::i18n::*;
use crate::ui::pages::audit::field_name;
use crate::ui::pages::duplicates::shown;
use crate::ui::pages::records::describe;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text::{self, I18n};
use crate::web;

/// What the import knows so far.
#[derive(Clone)]
struct Opened {
    /// The bundle's document, to plan it again where the preview's merge no
    /// longer holds (smaller than what it reads into), and to store its
    /// entities' texts as they are.
    source: StoredValue<Rc<bundle::document::Source>, LocalStorage>,
    preview: ImportPreview,
    /// The preview's merge, for applying without merging again, and the
    /// register's revision it was made on.
    prepared: StoredValue<Option<PreparedImport>, LocalStorage>,
    revision: u64,
}

/// Decrypts a bundle, decompresses it and reads its document: the
/// document's bytes and what they hold. A worker decompresses it (natively,
/// by the browser) while this page reads what has come; without a worker,
/// this page decompresses it first.
async fn open_bundle(unlocked: bundle::Unlocked) -> Result<(bundle::document::Source, Snapshot), BundleError> {
    let decrypted = unlocked.decrypt()?;
    web::mark("import-unsealed");
    let unsealed = web::millis();
    let limit = bundle::envelope::MAX_PLAINTEXT_BYTES;
    let too_large = || BundleError::TooLarge { size: limit + 1, limit };
    // A register's document is about five times its compressed size.
    let expected = decrypted.compressed().len().saturating_mul(5).min(limit as usize);
    let mut reading = bundle::document::Reading::new(expected);
    let streamed =
        web::inflating::inflate_raw(decrypted.compressed(), limit as usize, &mut |piece| reading.push(piece)).await;
    let reading = match streamed {
        web::inflating::Streamed::Done { ms } => {
            web::mark_at("import-inflated", unsealed + ms);
            web::mark("import-by-worker");
            reading
        }
        web::inflating::Streamed::TooLarge => return Err(too_large()),
        web::inflating::Streamed::Unavailable => {
            drop(reading);
            let opened = match web::inflate_raw(decrypted.compressed(), limit as usize).await {
                web::Inflated::Done(plaintext) => decrypted.inflated(plaintext)?,
                web::Inflated::TooLarge => return Err(too_large()),
                web::Inflated::Damaged => return Err(BundleError::DamagedPlaintext),
                web::Inflated::Unavailable => decrypted.inflate()?,
            };
            web::mark("import-inflated");
            bundle::document::Reading::of(opened.plaintext)
        }
    };
    web::mark("import-decrypted");
    let (snapshot, source) = reading.finish(web::now())?;
    Ok((source, snapshot))
}

#[component]
pub(super) fn Import() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let file = StoredValue::new(None::<(String, Vec<u8>)>);
    let file_name = RwSignal::new(None::<String>);
    let pass = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let opening = RwSignal::new(false);
    let opened = RwSignal::new(None::<Opened>);
    let choices = RwSignal::new(crate::domain::sync::Choices::new());
    let reset = move || {
        file.set_value(None);
        file_name.set(None);
        pass.set(String::new());
        opened.set(None);
        choices.set(Default::default());
    };
    let take_file = move |f: web_sys::File| {
        reset();
        problem.set(None);
        if let Err(e) = bundle::check_file_size(f.size() as u64) {
            problem.set(Some(bundle_error(i18n, &e).to_owned()));
            return;
        }
        spawn_local(async move {
            match web::read_file(&f).await {
                Ok(bytes) => match bundle::inspect(&bytes) {
                    Ok(_) => {
                        file_name.set(Some(f.name()));
                        file.set_value(Some((f.name(), bytes)));
                    }
                    Err(e) => problem.set(Some(bundle_error(i18n, &e).to_owned())),
                },
                Err(_) => problem.set(Some(t_string!(i18n, exchange.read_failed).to_owned())),
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let input: web_sys::HtmlInputElement = ev.target().expect("an input").unchecked_into();
        if let Some(f) = input.files().and_then(|list| list.get(0)) {
            take_file(f);
        }
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(f) = ev.data_transfer().and_then(|d| d.files()).and_then(|list| list.get(0)) {
            take_file(f);
        }
    };
    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((_, bytes)) = file.get_value() else { return };
        let passphrase = pass.get_untracked();
        problem.set(None);
        opening.set(true);
        spawn_local(async move {
            web::next_paint().await;
            web::mark("import-start");
            let result = match bundle::unlock(&bytes, &passphrase) {
                Ok(unlocked) => {
                    web::mark("import-key");
                    open_bundle(unlocked).await
                }
                Err(e) => Err(e),
            };
            opening.set(false);
            match result {
                Ok((source, snapshot)) => {
                    pass.set(String::new());
                    state.whole().await;
                    let revision = state.revision_untracked();
                    let prepared = state.with_untracked(move |r| r.prepare_import(snapshot));
                    web::mark("import-preview");
                    if let Some((preview, prepared)) = prepared {
                        opened.set(Some(Opened {
                            source: StoredValue::new_local(Rc::new(source)),
                            preview,
                            prepared: StoredValue::new_local(Some(prepared)),
                            revision,
                        }));
                    }
                }
                Err(e) => {
                    if matches!(e, BundleError::WrongPassphraseOrDamaged) {
                        // A short pause makes guessing slower.
                        web::next_paint().await;
                    }
                    problem.set(Some(bundle_error(i18n, &e).to_owned()));
                }
            }
        });
    };
    let apply = move |_| {
        let Some(o) = opened.get_untracked() else { return };
        let source = o.source.get_value();
        let document = Rc::clone(&source);
        let prepared = o.prepared.try_update_value(Option::take).flatten();
        let picks = choices.get_untracked();
        problem.set(None);
        spawn_local(async move {
            web::mark("import-apply");
            let plan = move |reg: &crate::domain::Register, env: &mut crate::domain::Env<'_>| {
                // The preview's merge holds only for the register it was
                // made on (the domain checks its clock too); otherwise, and
                // after an apply that was not stored, the document is read
                // and merged again.
                let prepared = prepared.filter(|_| state.revision_untracked() == o.revision);
                if let Some(planned) = prepared.and_then(|p| reg.plan_prepared_import(p, &picks, env)) {
                    return planned;
                }
                match bundle::document::read(document.bytes(), web::now()) {
                    Ok(snapshot) => reg.plan_import(&snapshot, &picks, env),
                    // It read a moment ago: only a clock moved far back could
                    // refuse it now. Opening the file again starts afresh.
                    Err(_) => Err(crate::domain::CommandError::Invalid(Vec::new())),
                }
            };
            match state.run_import(plan, source).await {
                Ok(plan) => {
                    web::mark("import-applied");
                    state.notice.set(Some(if plan.is_empty() { Notice::NothingToImport } else { Notice::Imported }));
                    reset();
                }
                Err(RunError::Store(e)) => problem.set(Some(text::store_error(i18n, &e).to_owned())),
                Err(RunError::Command(crate::domain::CommandError::NotAllowed)) => {
                    problem.set(Some(t_string!(i18n, exchange.not_allowed).to_owned()))
                }
                Err(_) => problem.set(Some(t_string!(i18n, exchange.changed_meanwhile).to_owned())),
            }
        });
    };
    view! {
        <section aria-labelledby="import-title" class="panel" hidden=move || !state.can_edit()>
            <h2 id="import-title">{t!(i18n, exchange.import_title)}</h2>
            <div class="dropzone" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
                <label for="bundle-file">{t!(i18n, exchange.pick_file)}</label>
                <input id="bundle-file" type="file" accept=".json,application/json" on:change=on_pick />
                <p class="help">{t!(i18n, exchange.drop_help)}</p>
            </div>
            <p class="error" role="alert" hidden=move || problem.with(Option::is_none)>{move || problem.get().unwrap_or_default()}</p>
            <form class="form" novalidate on:submit=open hidden=move || file_name.with(Option::is_none) || opened.with(Option::is_some)>
                <p>{move || file_name.get().map(|n| t_string!(i18n, exchange.chosen_file, file = n).to_string())}</p>
                <TextField id="import-pass" label=tr!(i18n, exchange.passphrase) value=pass kind="password" autocomplete="off" />
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || opening.get()>{t!(i18n, exchange.open_button)}</button>
                    <span role="status">{move || opening.get().then(|| t_string!(i18n, exchange.opening))}</span>
                </div>
            </form>
            {move || opened.get().map(|o| view! {
                <Preview preview=o.preview choices=choices />
                <div class="actions">
                    <button type="button" class="button primary" on:click=apply disabled=move || state.busy.get()>{t!(i18n, exchange.apply)}</button>
                    <button type="button" class="button" on:click=move |_| reset()>{t!(i18n, common.cancel)}</button>
                </div>
            })}
        </section>
    }
}

#[component]
fn Preview(preview: ImportPreview, choices: RwSignal<crate::domain::sync::Choices>) -> impl IntoView {
    let i18n = use_i18n();
    let row = |name: Signal<String>, c: Counts| {
        view! {
            <tr>
                <th scope="row">{move || name.get()}</th>
                <td>{c.added}</td><td>{c.updated}</td><td>{c.unchanged}</td><td>{c.erased}</td><td>{c.skipped}</td>
            </tr>
        }
    };
    let when = preview.exported_at.with_timezone(&chrono::Local).format("%-d.%-m.%Y %H.%M").to_string();
    let conflicts = preview.conflicts.clone();
    let no_conflicts = conflicts.is_empty();
    view! {
        <h3>{t!(i18n, exchange.preview_title)}</h3>
        <p>{t_string!(i18n, exchange.exported_at, when = when).to_string()}</p>
        <table class="table">
            <thead><tr>
                <th scope="col"><span class="visually-hidden">{t!(i18n, exchange.kind)}</span></th>
                <th scope="col">{t!(i18n, exchange.added)}</th>
                <th scope="col">{t!(i18n, exchange.updated)}</th>
                <th scope="col">{t!(i18n, exchange.unchanged)}</th>
                <th scope="col">{t!(i18n, exchange.erased)}</th>
                <th scope="col">{t!(i18n, exchange.skipped)}</th>
            </tr></thead>
            <tbody>
                {row(tr!(i18n, nav.people), preview.people)}
                {row(tr!(i18n, nav.organisations), preview.orgs)}
                {row(tr!(i18n, org.records), preview.records)}
            </tbody>
        </table>
        <h3>{t!(i18n, exchange.conflicts_title)}</h3>
        <p hidden=!no_conflicts>{t!(i18n, exchange.no_conflicts)}</p>
        <p class="help" hidden=no_conflicts>{t!(i18n, exchange.conflicts_help)}</p>
        <table class="table compare" hidden=no_conflicts>
            <thead><tr>
                <th scope="col">{t!(i18n, dup.field)}</th>
                <th scope="col">{t!(i18n, exchange.here)}</th>
                <th scope="col">{t!(i18n, exchange.in_file)}</th>
                <th scope="col">{t!(i18n, exchange.keep)}</th>
            </tr></thead>
            <tbody>
                {conflicts.into_iter().enumerate().map(|(i, c)| view! { <ConflictRow n=i conflict=c choices=choices /> }).collect_view()}
            </tbody>
        </table>
    }
}

/// One side of a conflict as text.
fn side_text(i18n: I18n, entity: &Entity, conflict: &Conflict) -> (String, String) {
    let state = AppState::get();
    state
        .with_untracked(|reg| match entity {
            Entity::Person(p) => {
                let field = conflict.key.field.clone().unwrap_or(crate::domain::PersonField::Name);
                (format!("{} – {}", p.display_name(), field_name(i18n, reg, &field.key())), shown(i18n, reg, p, &field))
            }
            Entity::Org(o) => {
                (o.name.clone(), format!("{} {}", o.business_id.clone().unwrap_or_default(), o.address.one_line()))
            }
            Entity::Record(r) => {
                let (title, details) = describe(i18n, &r.kind);
                (title, details.join(" · "))
            }
        })
        .unwrap_or_default()
}

#[component]
fn ConflictRow(n: usize, conflict: Conflict, choices: RwSignal<crate::domain::sync::Choices>) -> impl IntoView {
    let i18n = use_i18n();
    let (what, here) = side_text(i18n, &conflict.local, &conflict);
    let (_, there) = side_text(i18n, &conflict.incoming, &conflict);
    let key = conflict.key.clone();
    let winner = conflict.winner;
    let current = Memo::new({
        let key = key.clone();
        move |_| choices.with(|c| c.get(&key).copied().unwrap_or(winner))
    });
    let group = format!("conflict-{n}");
    let option = move |side: Side, label: Signal<String>| {
        let key = key.clone();
        let group = group.clone();
        view! {
            <label class="check">
                <input type="radio" name=group prop:checked=move || current.get() == side
                    on:change=move |_| choices.update(|c| { c.insert(key.clone(), side); }) />
                {move || label.get()}
            </label>
        }
    };
    let legend = what.clone();
    view! {
        <tr>
            <th scope="row">{what}</th>
            <td>{here}</td>
            <td>{there}</td>
            <td>
                <fieldset class="inline">
                    <legend class="visually-hidden">{legend}</legend>
                    {option(Side::Local, tr!(i18n, exchange.keep_here))}
                    {option(Side::Incoming, tr!(i18n, exchange.keep_file))}
                </fieldset>
            </td>
        </tr>
    }
}
