//! Lists: a saved search (or everyone) and a purpose give the people who
//! may receive it — the consent ledger, the prohibition register,
//! restrictions and contact data decide — and everyone left out, with the
//! reason. The list goes out as CSV, vCard, address labels, or to a
//! partner (recorded in the disclosure log).

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use crate::bundle::csv::{self, Column, CsvExport, Separator};
use crate::bundle::vcard::{self, VcardOptions};
use crate::domain::{Audience, CommandError, Filter, PersonId, Purpose, Reason, Register, SegmentId};
use crate::tr;
use crate::ui::components::{use_title, TextField};
use crate::ui::i18n::*;
use crate::ui::pages::person_consents::{file_stem, purpose_name};
use crate::ui::state::{AppState, RunError};
use crate::ui::text::{self, I18n};
use crate::web;

/// The filter of a segment choice: a saved search's id, or empty for
/// everyone.
pub fn segment_filter(reg: &Register, segment: &str) -> Filter {
    segment
        .parse::<SegmentId>()
        .ok()
        .and_then(|id| reg.settings().segment(id))
        .map(|s| s.filter.clone())
        .unwrap_or_default()
}

/// The segment's name, or "everyone".
fn segment_name(i18n: I18n, reg: &Register, segment: &str) -> String {
    segment
        .parse::<SegmentId>()
        .ok()
        .and_then(|id| reg.settings().segment(id))
        .map(|s| s.name.clone())
        .unwrap_or_else(|| t_string!(i18n, lists.everyone).to_owned())
}

/// Why someone is left out, in plain words.
pub fn reason_text(i18n: I18n, reg: &Register, reason: &Reason) -> String {
    match reason {
        Reason::Restricted => t_string!(i18n, lists.reason_restricted).to_owned(),
        Reason::Prohibited => t_string!(i18n, lists.reason_marketing_prohibition).to_owned(),
        Reason::NotAsked => t_string!(i18n, lists.reason_consent_not_asked).to_owned(),
        Reason::Refused => t_string!(i18n, lists.reason_consent_refused).to_owned(),
        Reason::Withdrawn => t_string!(i18n, lists.reason_consent_withdrawn).to_owned(),
        Reason::NoEmail => t_string!(i18n, lists.reason_no_email).to_owned(),
        Reason::NoPhone => t_string!(i18n, lists.reason_no_phone).to_owned(),
        Reason::NoAddress => t_string!(i18n, lists.reason_no_address).to_owned(),
        Reason::SameContact(first) => {
            let name = reg.person(*first).map(|p| p.display_name()).unwrap_or_default();
            t_string!(i18n, lists.reason_same_contact, name = name).to_string()
        }
    }
}

/// The columns a list export offers, with their headers in the user's
/// language, and whether each is on by default.
pub fn column_choices(i18n: I18n) -> Vec<(Column, String, bool)> {
    vec![
        (Column::GivenName, t_string!(i18n, lists.col_given_name).to_owned(), true),
        (Column::FamilyName, t_string!(i18n, lists.col_family_name).to_owned(), true),
        (Column::FullName, t_string!(i18n, lists.col_full_name).to_owned(), false),
        (Column::Email, t_string!(i18n, lists.col_email).to_owned(), true),
        (Column::Phone, t_string!(i18n, lists.col_phone).to_owned(), true),
        (Column::Organisation, t_string!(i18n, lists.col_organisation).to_owned(), true),
        (Column::Role, t_string!(i18n, lists.col_role).to_owned(), false),
        (Column::Street, t_string!(i18n, lists.col_street).to_owned(), true),
        (Column::PostalCode, t_string!(i18n, lists.col_postal_code).to_owned(), true),
        (Column::City, t_string!(i18n, lists.col_city).to_owned(), true),
        (Column::Country, t_string!(i18n, lists.col_country).to_owned(), false),
        (Column::Categories, t_string!(i18n, lists.col_categories).to_owned(), false),
        (Column::Tags, t_string!(i18n, lists.col_tags).to_owned(), false),
    ]
}

/// The CSV of people with the chosen columns (in the offered order).
fn list_csv(
    i18n: I18n,
    reg: &Register,
    people: &[PersonId],
    chosen: &BTreeSet<String>,
    separator: Separator,
) -> Vec<u8> {
    let columns = column_choices(i18n)
        .into_iter()
        .filter(|(c, _, _)| chosen.contains(&c.key()))
        .map(|(c, h, _)| (c, h))
        .collect();
    let category_names: BTreeMap<_, _> = reg
        .settings()
        .all_categories()
        .into_iter()
        .map(|k| {
            let name = text::category(i18n, reg.settings(), &k);
            (k, name)
        })
        .collect();
    csv::export_people(reg, people, &CsvExport { columns, separator, category_names })
}

fn today_stamp() -> String {
    web::today().format("%Y-%m-%d").to_string()
}

#[component]
pub fn ListsPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, lists.title));
    let params = use_query_map();
    let segment = RwSignal::new(params.read_untracked().get("segment").unwrap_or_default());
    let first_purpose =
        state.with_untracked(|r| r.consent_config().purposes().first().map(Purpose::key)).flatten().unwrap_or_default();
    let purpose = RwSignal::new(params.read_untracked().get("purpose").unwrap_or(first_purpose));
    let segments = Memo::new(move |_| {
        state
            .with(|r| r.settings().segments.iter().map(|s| (s.id.to_string(), s.name.clone())).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let purposes = Memo::new(move |_| {
        state
            .with(|r| {
                let config = r.consent_config();
                config
                    .purposes()
                    .into_iter()
                    .filter(
                        |p| !matches!(p, Purpose::Newsletter(id) if config.newsletter(*id).is_some_and(|n| n.retired)),
                    )
                    .map(|p| (p.key(), purpose_name(i18n, config, &p)))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let audience = Memo::new(move |_| {
        let seg = segment.get();
        let p = Purpose::from_key(&purpose.get());
        state.with(|r| p.map(|p| r.audience(&segment_filter(r, &seg), &p))).flatten()
    });
    let left_out = Memo::new(move |_| {
        let Some(a) = audience.get() else { return vec![] };
        state
            .with(|r| {
                a.left_out
                    .iter()
                    .map(|(id, reason)| {
                        (*id, r.person(*id).map(|p| p.display_name()).unwrap_or_default(), reason_text(i18n, r, reason))
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let included = Memo::new(move |_| audience.with(|a| a.as_ref().map(|a| a.included.clone()).unwrap_or_default()));
    // The columns and separator chosen for the list serve the partner file too.
    let chosen = RwSignal::new(
        column_choices(i18n)
            .into_iter()
            .filter(|(_, _, on)| *on)
            .map(|(c, _, _)| c.key())
            .collect::<BTreeSet<String>>(),
    );
    let separator = RwSignal::new(Separator::Semicolon);
    let labels_href = move || format!("/lists/labels?segment={}&purpose={}", segment.get(), purpose.get());
    view! {
        <h1>{t!(i18n, lists.title)}</h1>
        <p class="help">{t!(i18n, lists.intro)}</p>
        <div class="form list-choice">
            <div class="row2">
                <div class="field">
                    <label for="list-segment">{t!(i18n, lists.segment)}</label>
                    <select id="list-segment" on:change:target=move |ev| segment.set(ev.target().value())>
                        <option value="" selected=move || segment.with(String::is_empty)>{t!(i18n, lists.everyone)}</option>
                        {move || segments.get().into_iter().map(|(id, name)| {
                            let v = id.clone();
                            view! { <option value=id selected=move || segment.with(|s| *s == v)>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="list-purpose">{t!(i18n, lists.purpose)}</label>
                    <select id="list-purpose" on:change:target=move |ev| purpose.set(ev.target().value())>
                        {move || purposes.get().into_iter().map(|(key, name)| {
                            let v = key.clone();
                            view! { <option value=key selected=move || purpose.with(|s| *s == v)>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
        </div>
        <p class="list-count" role="status">
            <strong>{move || t_string!(i18n, lists.count, count = included.with(Vec::len)).to_string()}</strong>
            " "
            {move || t_string!(i18n, lists.left_out_count, count = left_out.with(Vec::len)).to_string()}
        </p>
        <div class="actions" hidden=move || !state.can_edit()>
            <a class="button" href=labels_href>{t!(i18n, lists.labels_button)}</a>
        </div>
        <ExportPanel segment=segment.into() people=included.into() chosen=chosen separator=separator />
        <section aria-labelledby="left-out-title" class="panel">
            <h2 id="left-out-title">{t!(i18n, lists.left_out)}</h2>
            <p class="muted" hidden=move || !left_out.with(Vec::is_empty)>{t!(i18n, lists.none_left_out)}</p>
            <table class="table left-out" hidden=move || left_out.with(Vec::is_empty)>
                <thead><tr>
                    <th scope="col">{t!(i18n, lists.name)}</th>
                    <th scope="col">{t!(i18n, lists.reason)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || left_out.get() key=|row| row.clone() children=move |(id, name, reason)| view! {
                        <tr>
                            <td><a href=format!("/people/{id}")>{name}</a></td>
                            <td>{reason}</td>
                        </tr>
                    } />
                </tbody>
            </table>
        </section>
        <PartnerPanel segment=segment.into() chosen=chosen separator=separator />
    }
}

/// CSV and vCard of the list.
#[component]
fn ExportPanel(
    segment: Signal<String>,
    people: Signal<Vec<PersonId>>,
    chosen: RwSignal<BTreeSet<String>>,
    separator: RwSignal<Separator>,
) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let choices = column_choices(i18n);
    let problem = RwSignal::new(None::<String>);
    let name = move || {
        state.with_untracked(|r| file_stem(&segment_name(i18n, r, &segment.get_untracked()))).unwrap_or_default()
    };
    // The people of the list, once the whole register is in memory; none
    // (and the user told) when the list is empty.
    let list = move || async move {
        state.whole().await;
        problem.set(None);
        let list = people.get_untracked();
        if list.is_empty() {
            problem.set(Some(t_string!(i18n, lists.empty).to_owned()));
            return None;
        }
        Some(list)
    };
    let download_csv = move |_| {
        leptos::task::spawn_local(async move {
            let Some(list) = list().await else { return };
            if chosen.with_untracked(BTreeSet::is_empty) {
                problem.set(Some(t_string!(i18n, lists.no_columns).to_owned()));
                return;
            }
            let sep = separator.get_untracked();
            let bytes = chosen
                .with_untracked(|c| state.with_untracked(|r| list_csv(i18n, r, &list, c, sep)))
                .unwrap_or_default();
            if web::download(&format!("{}-{}.csv", name(), today_stamp()), "text/csv;charset=utf-8", &bytes).is_err() {
                problem.set(Some(t_string!(i18n, lists.download_failed).to_owned()));
            }
        });
    };
    let download_vcard = move |_| {
        leptos::task::spawn_local(async move {
            let Some(list) = list().await else { return };
            let cards =
                state.with_untracked(|r| vcard::write_people(r, &list, VcardOptions::default())).unwrap_or_default();
            if web::download(&format!("{}-{}.vcf", name(), today_stamp()), "text/vcard;charset=utf-8", cards.as_bytes())
                .is_err()
            {
                problem.set(Some(t_string!(i18n, lists.download_failed).to_owned()));
            }
        });
    };
    let sep_option = move |sep: Separator, label: Signal<String>| {
        let id = format!("list-sep-{}", sep.key());
        view! {
            <label class="check" for=id.clone()>
                <input type="radio" id=id.clone() name="list-separator" prop:checked=move || separator.get() == sep
                    on:change=move |_| separator.set(sep) />
                {move || label.get()}
            </label>
        }
    };
    view! {
        // Exports are for staff and administrators; read-only users read.
        <section aria-labelledby="list-export-title" class="panel" hidden=move || !state.can_edit()>
            <h2 id="list-export-title">{t!(i18n, lists.export_title)}</h2>
            <fieldset>
                <legend>{t!(i18n, lists.columns)}</legend>
                <div class="checks">
                    {choices.into_iter().map(|(c, header, _)| {
                        let key = c.key();
                        let id = format!("list-col-{key}");
                        let (k1, k2) = (key.clone(), key);
                        view! {
                            <label class="check" for=id.clone()>
                                <input type="checkbox" id=id.clone() prop:checked=move || chosen.with(|s| s.contains(&k1))
                                    on:change:target=move |ev| {
                                        let on = ev.target().checked();
                                        chosen.update(|s| { if on { s.insert(k2.clone()); } else { s.remove(&k2); } });
                                    } />
                                {header}
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, lists.separator)}</legend>
                {sep_option(Separator::Semicolon, tr!(i18n, lists.separator_semicolon))}
                {sep_option(Separator::Comma, tr!(i18n, lists.separator_comma))}
            </fieldset>
            <p class="error" role="alert" hidden=move || problem.with(Option::is_none)>{move || problem.get().unwrap_or_default()}</p>
            <div class="actions">
                <button type="button" class="button primary" on:click=download_csv>{t!(i18n, lists.csv_button)}</button>
                <button type="button" class="button" on:click=download_vcard>{t!(i18n, lists.vcard_button)}</button>
            </div>
        </section>
    }
}

/// A list for a partner: only people who consented to disclosure, and
/// the disclosure is logged before the file is made.
#[component]
fn PartnerPanel(
    segment: Signal<String>,
    chosen: RwSignal<BTreeSet<String>>,
    separator: RwSignal<Separator>,
) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let recipient = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let recipient_error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let partner: Memo<Option<Audience>> = Memo::new(move |_| {
        let seg = segment.get();
        state.with(|r| r.partner_list(&segment_filter(r, &seg)))
    });
    let count = move || partner.with(|a| a.as_ref().map_or(0, |a| a.included.len()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.set(None);
        done.set(false);
        let to = recipient.get_untracked();
        if to.trim().is_empty() {
            recipient_error.set(Some(t_string!(i18n, lists.recipient_required).to_owned()));
            return;
        }
        recipient_error.set(None);
        if chosen.with_untracked(BTreeSet::is_empty) {
            problem.set(Some(t_string!(i18n, lists.no_columns).to_owned()));
            return;
        }
        if count() == 0 {
            problem.set(Some(t_string!(i18n, lists.empty).to_owned()));
            return;
        }
        let why = purpose.get_untracked();
        let seg = segment.get_untracked();
        let scope = state.with_untracked(|r| segment_name(i18n, r, &seg)).unwrap_or_default();
        spawn_local(async move {
            let seg2 = seg.clone();
            let outcome = state
                .run_with(move |reg| {
                    Ok(reg.partner_list(&segment_filter(reg, &seg2)).partner_disclosure(&to, &why, &scope))
                })
                .await;
            match outcome {
                Ok(_) => {
                    let file = state.with_untracked(|r| {
                        let people = r.partner_list(&segment_filter(r, &seg)).included;
                        let columns = chosen.get_untracked();
                        let bytes = list_csv(i18n, r, &people, &columns, separator.get_untracked());
                        (bytes, file_stem(&recipient.get_untracked()))
                    });
                    if let Some((bytes, stem)) = file {
                        if web::download(&format!("{stem}-{}.csv", today_stamp()), "text/csv;charset=utf-8", &bytes)
                            .is_err()
                        {
                            problem.set(Some(t_string!(i18n, lists.download_failed).to_owned()));
                            return;
                        }
                    }
                    done.set(true);
                }
                Err(RunError::Command(CommandError::NotPermitted(_))) => {
                    problem.set(Some(t_string!(i18n, lists.partner_refused).to_owned()))
                }
                Err(RunError::Command(CommandError::Invalid(list))) => {
                    let message = list.first().map(|e| text::problem(i18n, &e.problem).to_owned()).unwrap_or_default();
                    problem.set(Some(message));
                }
                Err(e) => state.not_saved(i18n, e, |m| problem.set(Some(m))),
            }
        });
    };
    view! {
        <section aria-labelledby="partner-title" class="panel" hidden=move || !state.can_edit()>
            <h2 id="partner-title">{t!(i18n, lists.partner_title)}</h2>
            <p class="help">{t!(i18n, lists.partner_help)} " " {t!(i18n, lists.partner_columns)}</p>
            <p>{move || t_string!(i18n, lists.partner_count, count = count()).to_string()}</p>
            <form class="form" novalidate on:submit=submit>
                <TextField id="partner-recipient" label=tr!(i18n, lists.recipient) value=recipient required=true
                    error=Signal::derive(move || recipient_error.get()) />
                <TextField id="partner-purpose" label=tr!(i18n, lists.partner_purpose) value=purpose />
                <p class="error" role="alert" hidden=move || problem.with(Option::is_none)>{move || problem.get().unwrap_or_default()}</p>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || state.busy.get()>{t!(i18n, lists.partner_button)}</button>
                    <span role="status">{move || done.get().then(|| t_string!(i18n, lists.partner_done))}</span>
                </div>
            </form>
        </section>
    }
}
