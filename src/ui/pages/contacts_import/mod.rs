//! Importing contacts from a CSV or vCard file: the file's encoding,
//! separator and column mapping, a preview of every row with its problems
//! and likely duplicates (skip, merge or add, row by row), the category
//! and provenance for everyone imported, then one all-or-nothing import.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::bundle::csv::{self, CsvFile, FileError, Separator, Target};
use crate::bundle::vcard;
use crate::domain::gdpr::Refusal;
use crate::domain::{CategoryKey, Command, CommandError, ContactsImport, Decision, ImportOptions, ImportRow, Source};
use crate::tr;
use crate::ui::components::{use_title, TextArea, TextField};
use crate::ui::i18n::*;
use crate::ui::state::{AppState, RunError};
use crate::ui::text::{self};
use crate::web;

mod rows;

use rows::*;

#[component]
pub fn ImportPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, import.title));
    view! {
        <h1>{t!(i18n, import.title)}</h1>
        <p class="help">{t!(i18n, import.intro)}</p>
        {move || if state.can_edit() {
            view! { <Importer /> }.into_any()
        } else {
            view! { <p class="help">{t!(i18n, import.staff_only)}</p> }.into_any()
        }}
    }
}

#[component]
fn Importer() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let bytes = StoredValue::new(Vec::<u8>::new());
    let loaded = StoredValue::new(None::<Loaded>);
    let file_name = RwSignal::new(None::<String>);
    // (encoding key, separator, preset key, rows)
    let info = RwSignal::new(None::<(String, Option<Separator>, String, usize)>);
    let headers = RwSignal::new(Vec::<(String, String)>::new());
    let auto = StoredValue::new(Vec::<Target>::new());
    let mapping = RwSignal::new(Vec::<String>::new());
    let problem = RwSignal::new(None::<String>);
    let refusal = RwSignal::new(Vec::<String>::new());
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(Busy::No);
    let rows = StoredValue::new(Vec::<ImportRow>::new());
    let shown = RwSignal::new(None::<Vec<ShownRow>>);
    let total_rows = RwSignal::new(0usize);
    let decisions = RwSignal::new(Vec::<Decision>::new());
    let counts = RwSignal::new((0usize, 0usize, 0usize));
    let has_consents = RwSignal::new(false);
    let category = RwSignal::new(String::new());
    let detail = RwSignal::new(String::new());
    let date = RwSignal::new(web::today().format("%Y-%m-%d").to_string());
    let wording = RwSignal::new(String::new());
    let wording_error = RwSignal::new(None::<String>);

    let clear_preview = move || {
        shown.set(None);
        decisions.set(vec![]);
        refusal.set(vec![]);
    };
    let reset = move || {
        clear_preview();
        loaded.set_value(None);
        bytes.set_value(vec![]);
        file_name.set(None);
        info.set(None);
        headers.set(vec![]);
        mapping.set(vec![]);
    };
    let install_csv = move |file: CsvFile| {
        let settings = state.with_untracked(|r| r.settings().clone()).unwrap_or_default();
        let targets = csv::auto_map(&file.headers, &settings);
        let examples: Vec<(String, String)> = file
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let example = file
                    .records
                    .iter()
                    .map(|r| r.cells.get(i).cloned().unwrap_or_default())
                    .find(|c| !c.trim().is_empty());
                (h.clone(), example.unwrap_or_default())
            })
            .collect();
        mapping.set(targets.iter().map(Target::key).collect());
        auto.set_value(targets);
        headers.set(examples);
        info.set(Some((
            file.encoding.key().to_owned(),
            Some(file.separator),
            file.preset().key().to_owned(),
            file.records.len(),
        )));
        loaded.set_value(Some(Loaded::Csv(file)));
    };
    let take_file = move |f: web_sys::File| {
        reset();
        problem.set(None);
        done.set(None);
        let name = f.name();
        spawn_local(async move {
            let Ok(data) = web::read_file(&f).await else {
                problem.set(Some(t_string!(i18n, import.error_read).to_owned()));
                return;
            };
            if data.len() > csv::MAX_FILE_BYTES {
                problem.set(Some(file_error(i18n, FileError::TooLarge).to_owned()));
                return;
            }
            if looks_like_vcard(&name, &data) {
                match vcard::read(&data, &label_texts(i18n)) {
                    Ok(list) if list.is_empty() => problem.set(Some(file_error(i18n, FileError::NoCards).to_owned())),
                    Ok(list) => {
                        let encoding = csv::decode(&data).map_or("utf8", |d| d.encoding.key());
                        info.set(Some((encoding.to_owned(), None, "vcard".into(), list.len())));
                        loaded.set_value(Some(Loaded::Vcard(list)));
                    }
                    Err(e) => {
                        problem.set(Some(file_error(i18n, e).to_owned()));
                        return;
                    }
                }
            } else {
                match csv::read(&data) {
                    Ok(file) => install_csv(file),
                    Err(e) => {
                        problem.set(Some(file_error(i18n, e).to_owned()));
                        return;
                    }
                }
            }
            if problem.with_untracked(Option::is_none) {
                detail.set(name.clone());
                file_name.set(Some(name));
                bytes.set_value(data);
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
    let change_separator = move |key: String| {
        let Some(sep) = Separator::from_key(&key) else { return };
        clear_preview();
        match bytes.with_value(|b| csv::read_as(b, sep)) {
            Ok(file) => {
                problem.set(None);
                install_csv(file);
            }
            Err(e) => problem.set(Some(file_error(i18n, e).to_owned())),
        }
    };
    let options = move || ImportOptions {
        source: Source::Import,
        detail: detail.get_untracked(),
        date: date.get_untracked(),
        categories: {
            let c = category.get_untracked();
            if c.is_empty() {
                BTreeSet::new()
            } else {
                BTreeSet::from([CategoryKey::new(c)])
            }
        },
        tags: vec![],
        consent_wording: wording.get_untracked(),
        consent_date: String::new(),
    };
    let check = move |_| {
        clear_preview();
        done.set(None);
        let Some(file) = loaded.get_value() else { return };
        spawn_local(async move {
            let labels = label_texts(i18n);
            let all: Vec<ImportRow> = match file {
                Loaded::Vcard(list) => list,
                Loaded::Csv(file) => {
                    let settings = state.with_untracked(|r| r.settings().clone()).unwrap_or_default();
                    let targets: Vec<Target> = mapping.with_untracked(|m| {
                        auto.with_value(|a| {
                            m.iter()
                                .enumerate()
                                .map(|(i, v)| target_from(v, i, a.get(i).unwrap_or(&Target::Ignore), &settings))
                                .collect()
                        })
                    });
                    let total = file.records.len();
                    let mut out = Vec::with_capacity(total);
                    let mut start = 0;
                    while start < total {
                        busy.set(Busy::Checking(start, total));
                        web::next_paint().await;
                        out.extend(file.rows(start..start + 2000, &targets, &labels));
                        start += 2000;
                    }
                    out
                }
            };
            busy.set(Busy::Checking(all.len(), all.len()));
            web::next_paint().await;
            let opts = options();
            let result = state.with_untracked(|r| {
                let preview = r.preview_contacts_import(&all, &opts, web::today());
                (shown_rows(i18n, r, &all, &preview), preview)
            });
            busy.set(Busy::No);
            let Some((list, preview)) = result else { return };
            let c = preview.counts();
            let get = |k: &str| c.get(k).copied().unwrap_or(0);
            counts.set((get("new"), get("duplicate") + get("duplicate_in_file"), get("invalid") + get("unreadable")));
            has_consents.set(all.iter().any(|r| !r.consents.is_empty()));
            total_rows.set(all.len());
            decisions.set(preview.suggestions());
            rows.set_value(all);
            shown.set(Some(list));
        });
    };
    let apply = move |_| {
        refusal.set(vec![]);
        wording_error.set(None);
        let chosen = decisions.get_untracked();
        if chosen.iter().all(|d| *d == Decision::Skip) {
            refusal.set(vec![t_string!(i18n, import.nothing_chosen).to_owned()]);
            return;
        }
        let import = ContactsImport { rows: rows.get_value(), decisions: chosen, options: options() };
        let lines: Vec<usize> = import.rows.iter().map(|r| r.line).collect();
        spawn_local(async move {
            busy.set(Busy::Applying);
            web::next_paint().await;
            let outcome = state.run(Command::ImportContacts(import)).await;
            busy.set(Busy::No);
            match outcome {
                Ok(plan) => {
                    done.set(Some(t_string!(i18n, import.done, count = plan.affected).to_string()));
                    reset();
                }
                Err(RunError::Command(CommandError::Invalid(list))) => {
                    let mut messages = vec![t_string!(i18n, import.refused, count = list.len()).to_string()];
                    for e in &list {
                        let what = text::problem(i18n, &e.problem);
                        if e.field == "consent_wording" {
                            let message = t_string!(i18n, import.consent_wording_missing).to_owned();
                            wording_error.set(Some(message.clone()));
                            messages.push(message);
                        } else if let Some(rest) = e.field.strip_prefix("rows.") {
                            let mut parts = rest.splitn(2, '.');
                            let i: usize = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                            let field = parts.next().unwrap_or("");
                            let problem = if field.is_empty() {
                                what.to_owned()
                            } else {
                                let name = state
                                    .with_untracked(|r| {
                                        crate::ui::pages::audit::field_name(
                                            i18n,
                                            r,
                                            field.split('.').next().unwrap_or(""),
                                        )
                                    })
                                    .unwrap_or_default();
                                format!("{name}: {what}")
                            };
                            messages.push(
                                t_string!(
                                    i18n,
                                    import.refused_row,
                                    line = lines.get(i).copied().unwrap_or(0),
                                    problem = problem
                                )
                                .to_string(),
                            );
                        } else {
                            messages.push(what.to_owned());
                        }
                    }
                    refusal.set(messages);
                }
                Err(RunError::Command(CommandError::Refused(Refusal::Restricted(_)))) => {
                    refusal.set(vec![t_string!(i18n, import.refused_restricted).to_owned()]);
                }
                Err(e) => state.not_saved(i18n, e, |m| refusal.set(vec![m])),
            }
        });
    };
    let categories = state
        .with_untracked(|r| {
            r.settings()
                .all_categories()
                .into_iter()
                .map(|k| (k.as_str().to_owned(), text::category(i18n, r.settings(), &k)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let choices = StoredValue::new(state.with_untracked(|r| target_choices(i18n, r)).unwrap_or_default());
    let info_view = move || {
        info.get().map(|(encoding, sep, preset, n)| {
            let file = file_name.get().unwrap_or_default();
            let encoding_text = match encoding.as_str() {
                "utf8_bom" => t_string!(i18n, import.encoding_utf8_bom),
                "utf16le" => t_string!(i18n, import.encoding_utf16le),
                "utf16be" => t_string!(i18n, import.encoding_utf16be),
                "windows1252" => t_string!(i18n, import.encoding_windows1252),
                "mixed" => t_string!(i18n, import.encoding_mixed),
                _ => t_string!(i18n, import.encoding_utf8),
            };
            let preset_text = match preset.as_str() {
                "outlook" => t_string!(i18n, import.preset_outlook),
                "google" => t_string!(i18n, import.preset_google),
                "vcard" => t_string!(i18n, import.preset_vcard),
                _ => t_string!(i18n, import.preset_other),
            };
            view! {
                <p>{t_string!(i18n, import.file_info, file = file, rows = n).to_string()}</p>
                <dl class="details import-info">
                    <dt>{t!(i18n, import.preset)}</dt><dd>{preset_text}</dd>
                    <dt>{t!(i18n, import.encoding)}</dt><dd>{encoding_text}</dd>
                </dl>
                {sep.map(|sep| view! {
                    <div class="field">
                        <label for="import-separator">{t!(i18n, import.separator)}</label>
                        <select id="import-separator" on:change:target=move |ev| change_separator(ev.target().value())>
                            {[(Separator::Semicolon, t_string!(i18n, import.sep_semicolon)),
                              (Separator::Comma, t_string!(i18n, import.sep_comma)),
                              (Separator::Tab, t_string!(i18n, import.sep_tab))].into_iter().map(|(s, label)| view! {
                                <option value=s.key() selected=s == sep>{label}</option>
                            }).collect_view()}
                        </select>
                    </div>
                })}
            }
        })
    };
    let mapping_view = move || {
        let list = headers.get();
        (!list.is_empty()).then(|| view! {
            <h2>{t!(i18n, import.mapping)}</h2>
            <p class="help">{t!(i18n, import.mapping_help)}</p>
            <div class="table-scroll">
            <table class="table import-map">
                <thead><tr>
                    <th scope="col">{t!(i18n, import.column)}</th>
                    <th scope="col">{t!(i18n, import.example)}</th>
                    <th scope="col">{t!(i18n, import.field)}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().enumerate().map(|(i, (header, example))| {
                        let id = format!("map-{i}");
                        let label = t_string!(i18n, import.field_for, column = header.clone()).to_string();
                        view! {
                            <tr>
                                <th scope="row">{header}</th>
                                <td>{example}</td>
                                <td>
                                    <select id=id aria-label=label on:change:target=move |ev| {
                                        let v = ev.target().value();
                                        mapping.update(|m| if let Some(slot) = m.get_mut(i) { *slot = v; });
                                        clear_preview();
                                    }>
                                        {choices.get_value().into_iter().map(|(value, text)| {
                                            let v = value.clone();
                                            view! { <option value=value selected=move || mapping.with(|m| m.get(i) == Some(&v))>{text}</option> }
                                        }).collect_view()}
                                    </select>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        })
    };
    let preview_view = move || {
        shown.get().map(|list| {
            let (new, dup, bad) = counts.get();
            let total = total_rows.get();
            view! {
                <h2>{t!(i18n, import.preview_title)}</h2>
                <p class="import-counts">{t_string!(i18n, import.counts, new = new, dup = dup, bad = bad).to_string()}</p>
                {(total > SHOWN_ROWS).then(|| view! { <p class="help">{t_string!(i18n, import.shown_first, count = SHOWN_ROWS).to_string()}</p> })}
                <div class="table-scroll">
                <table class="table import-preview">
                    <thead><tr>
                        <th scope="col">{t!(i18n, import.line)}</th>
                        <th scope="col">{t!(i18n, import.name)}</th>
                        <th scope="col">{t!(i18n, import.email)}</th>
                        <th scope="col">{t!(i18n, import.status)}</th>
                        <th scope="col">{t!(i18n, import.choice)}</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|row| {
                            let i = row.index;
                            let label = t_string!(i18n, import.choice_for, line = row.line).to_string();
                            let current = move || decisions.with(|d| d.get(i).map(decision_value).unwrap_or_default());
                            let opt = move |value: String, text: String| {
                                let v = value.clone();
                                view! { <option value=value selected=move || current() == v>{text}</option> }
                            };
                            let mut options = vec![opt("skip".into(), t_string!(i18n, import.do_skip).to_owned())];
                            if row.importable {
                                for (id, name) in row.merge.clone() {
                                    options.push(opt(format!("merge:{id}"), t_string!(i18n, import.do_merge, name = name).to_string()));
                                }
                                options.push(opt("add".into(), t_string!(i18n, import.do_add).to_owned()));
                            }
                            let invalid = !row.importable;
                            view! {
                                <tr class:invalid=invalid>
                                    <td>{row.line}</td>
                                    <td>{row.name}</td>
                                    <td>{row.email}</td>
                                    <td>
                                        {row.status}
                                        {(!row.problems.is_empty()).then(|| view! {
                                            <ul class="issues">{row.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                                        })}
                                    </td>
                                    <td>
                                        <select aria-label=label disabled=invalid on:change:target=move |ev| {
                                            let d = decision_from(&ev.target().value());
                                            decisions.update(|list| if let Some(slot) = list.get_mut(i) { *slot = d; });
                                        }>{options}</select>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
                <div class="actions">
                    <button type="button" class="button primary import-apply" on:click=apply disabled=move || busy.get() != Busy::No>
                        {t!(i18n, import.apply)}
                    </button>
                    <button type="button" class="button" on:click=move |_| reset()>{t!(i18n, import.cancel)}</button>
                </div>
            }
        })
    };
    view! {
        <div class="panel">
            <div class="dropzone">
                <label for="contacts-file">{t!(i18n, import.pick_file)}</label>
                <input id="contacts-file" type="file" accept=".csv,.txt,.tsv,.vcf,.vcard,text/csv,text/vcard" on:change=on_pick />
            </div>
            <p class="error" role="alert" hidden=move || problem.with(Option::is_none)>{move || problem.get().unwrap_or_default()}</p>
            <p class="done" role="status">{move || done.get()}</p>
            {info_view}
        </div>
        {mapping_view}
        <section class="panel form" aria-labelledby="import-options-title" hidden=move || file_name.with(Option::is_none)>
            <h2 id="import-options-title">{t!(i18n, import.options)}</h2>
            <div class="field">
                <label for="import-category">{t!(i18n, import.category)}</label>
                <select id="import-category" on:change:target=move |ev| { category.set(ev.target().value()); clear_preview(); }>
                    <option value="" selected=move || category.with(String::is_empty)>{t!(i18n, import.no_category)}</option>
                    {categories.into_iter().map(|(key, name)| {
                        let k = key.clone();
                        view! { <option value=key selected=move || category.with(|c| *c == k)>{name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <TextField id="import-detail" label=tr!(i18n, import.provenance) value=detail help=tr!(i18n, import.provenance_help) />
            <TextField id="import-date" label=tr!(i18n, import.date) value=date kind="date" />
            <div hidden=move || !has_consents.get()>
                <TextArea id="import-wording" label=tr!(i18n, import.consent_wording) value=wording
                    error=Signal::derive(move || wording_error.get()) />
                <p class="help">{t!(i18n, import.consent_wording_help)}</p>
            </div>
            <div class="actions">
                <button type="button" class="button primary" on:click=check disabled=move || busy.get() != Busy::No>
                    {t!(i18n, import.check)}
                </button>
            </div>
        </section>
        <div class="progress" role="status" hidden=move || busy.get() == Busy::No>
            {move || match busy.get() {
                Busy::Checking(done, total) => view! {
                    <progress max=total.max(1) value=done></progress>
                    <span>{t!(i18n, import.checking)}</span>
                }.into_any(),
                Busy::Applying => view! {
                    <progress></progress>
                    <span>{t!(i18n, import.applying)}</span>
                }.into_any(),
                Busy::No => ().into_any(),
            }}
        </div>
        <div class="error-summary" role="alert" hidden=move || refusal.with(Vec::is_empty)>
            <ul class="plain">{move || refusal.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
        </div>
        <section aria-label=move || t_string!(i18n, import.preview_title).to_string()>{preview_view}</section>
    }
}
