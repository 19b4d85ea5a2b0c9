//! Likely duplicates: pairs of people with the same e-mail or phone, or a
//! similar name at the same organisation; compared side by side and merged
//! with a choice per field. A merge keeps every relationship record.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::domain::merge_people::default_side;
use crate::domain::validate::display_phone;
use crate::domain::{Command, DuplicateReason, MergeSide, Person, PersonField, PersonId, Register};
use crate::tr;
use crate::ui::components::use_title;
use crate::ui::i18n::*;
use crate::ui::pages::audit::field_name;
use crate::ui::pages::person_form::custom_text;
use crate::ui::state::{AppState, Notice};
use crate::ui::text::{self, I18n};

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, dup.title));
    let pairs = Memo::new(move |_| {
        state
            .with(|r| {
                r.find_duplicates()
                    .into_iter()
                    .map(|p| {
                        let name = |id| r.person(id).map(Person::display_name).unwrap_or_default();
                        let reasons: Vec<String> = p
                            .reasons
                            .iter()
                            .map(|reason| match reason {
                                DuplicateReason::SameEmail(e) => format!("{}: {e}", t_string!(i18n, dup.same_email)),
                                DuplicateReason::SamePhone(ph) => {
                                    format!("{}: {}", t_string!(i18n, dup.same_phone), display_phone(ph))
                                }
                                DuplicateReason::SimilarNameSameOrg(o) => format!(
                                    "{}: {}",
                                    t_string!(i18n, dup.similar_name),
                                    r.org(*o).map(|o| o.name.clone()).unwrap_or_default()
                                ),
                            })
                            .collect();
                        (p.a, p.b, name(p.a), name(p.b), reasons)
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    view! {
        <h1>{t!(i18n, dup.title)}</h1>
        <p class="help">{t!(i18n, dup.intro)}</p>
        <p class="count" role="status">{move || t_string!(i18n, dup.count, count = pairs.with(Vec::len)).to_string()}</p>
        <table class="table" hidden=move || pairs.with(Vec::is_empty)>
            <thead><tr>
                <th scope="col">{t!(i18n, dup.first)}</th>
                <th scope="col">{t!(i18n, dup.second)}</th>
                <th scope="col">{t!(i18n, dup.why)}</th>
                <th scope="col"><span class="visually-hidden">{t!(i18n, dup.compare)}</span></th>
            </tr></thead>
            <tbody>
                {move || pairs.get().into_iter().map(|(a, b, an, bn, reasons)| {
                    let label = format!("{}: {an} – {bn}", t_string!(i18n, dup.compare));
                    view! {
                        <tr>
                            <td><a href=format!("/people/{a}")>{an}</a></td>
                            <td><a href=format!("/people/{b}")>{bn}</a></td>
                            <td>{reasons.join("; ")}</td>
                            <td><a class="button" href=format!("/duplicates/{a}/{b}") aria-label=label>{t!(i18n, dup.compare)}</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A field's value as text, for comparing.
pub fn shown(i18n: I18n, reg: &Register, p: &Person, field: &PersonField) -> String {
    let join = |items: Vec<String>| items.join(", ");
    match field {
        PersonField::Name => p.display_name(),
        PersonField::Emails => join(p.emails.iter().map(|e| e.value.clone()).collect()),
        PersonField::Phones => join(p.phones.iter().map(|e| display_phone(&e.value)).collect()),
        PersonField::Addresses => p.addresses.iter().map(|a| a.one_line()).collect::<Vec<_>>().join("; "),
        PersonField::Websites => join(p.websites.clone()),
        PersonField::Socials => join(p.socials.iter().map(|s| format!("{}: {}", s.service, s.handle)).collect()),
        PersonField::Affiliations => join(
            p.affiliations
                .iter()
                .filter_map(|a| {
                    reg.org(a.org).map(|o| {
                        if a.role.is_empty() {
                            o.name.clone()
                        } else {
                            format!("{} ({})", o.name, a.role)
                        }
                    })
                })
                .collect(),
        ),
        PersonField::Categories => join(p.categories.iter().map(|c| text::category(i18n, reg.settings(), c)).collect()),
        PersonField::Tags => join(p.tags.iter().cloned().collect()),
        PersonField::Provenance => {
            format!("{}, {}", text::source(i18n, p.provenance.source), text::date(p.provenance.date))
        }
        PersonField::Notes => p.notes.clone(),
        PersonField::Restriction => p.restriction.as_ref().map(|r| text::date(r.since)).unwrap_or_default(),
        PersonField::Custom(id) => p.custom.get(id).map(|v| custom_text(i18n, v)).unwrap_or_default(),
    }
}

#[component]
pub fn ComparePage() -> impl IntoView {
    let params = use_params_map();
    move || {
        let p = params.read();
        let id = |k: &str| p.get(k).and_then(|s| s.parse::<PersonId>().ok());
        match (id("a"), id("b")) {
            (Some(a), Some(b)) if a != b => view! { <Compare a=a b=b /> }.into_any(),
            _ => view! { <super::NotFound /> }.into_any(),
        }
    }
}

#[component]
fn Compare(a: PersonId, b: PersonId) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, dup.compare_title));
    let navigate = use_navigate();
    // Which of the two stays (the other is merged into it).
    let keep_first = RwSignal::new(true);
    let choices = RwSignal::new(BTreeMap::<PersonField, MergeSide>::new());
    let failure = RwSignal::new(None::<String>);
    let pair = move || {
        let (keep, other) = if keep_first.get() { (a, b) } else { (b, a) };
        state
            .with(|r| match (r.person(keep), r.person(other)) {
                (Some(k), Some(o)) => Some((k.clone(), o.clone())),
                _ => None,
            })
            .flatten()
    };
    let merge = move |_| {
        let Some((keep, other)) = pair() else { return };
        let command = Command::MergePeople { keep: keep.id, other: other.id, choices: choices.get_untracked() };
        let navigate = navigate.clone();
        spawn_local(async move {
            match state.run(command).await {
                Ok(_) => {
                    state.notice.set(Some(Notice::Merged));
                    navigate(&format!("/people/{}", keep.id), Default::default());
                }
                Err(e) => state.not_saved(i18n, e, |m| failure.set(Some(m))),
            }
        });
    };
    move || {
        let Some((keep, other)) = pair() else { return view! { <super::NotFound /> }.into_any() };
        let merge = merge.clone();
        let fields = keep.changed_fields(&other);
        let rows = state
            .with_untracked(|r| {
                fields
                    .iter()
                    .map(|f| {
                        (
                            f.clone(),
                            field_name(i18n, r, &f.key()),
                            shown(i18n, r, &keep, f),
                            shown(i18n, r, &other, f),
                            default_side(f, &keep, &other),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let records = state.with_untracked(|r| r.records_of(other.id).len()).unwrap_or(0);
        let no_rows = rows.is_empty();
        view! {
            <h1>{t!(i18n, dup.compare_title)}</h1>
            <p>{t!(i18n, dup.keeps, keep = keep.display_name(), other = other.display_name(), count = records)}</p>
            <button type="button" class="button" on:click=move |_| { choices.set(BTreeMap::new()); keep_first.update(|k| *k = !*k); }>
                {t!(i18n, dup.swap)}
            </button>
            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
            <p hidden=!no_rows>{t!(i18n, dup.same_values)}</p>
            <table class="table compare" hidden=no_rows>
                <thead><tr>
                    <th scope="col">{t!(i18n, dup.field)}</th>
                    <th scope="col">{keep.display_name()}</th>
                    <th scope="col">{other.display_name()}</th>
                    <th scope="col">{t!(i18n, dup.result)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|(field, name, left, right, default)| {
                        let group = format!("choice-{}", field.key());
                        let can_join = field.can_join();
                        let f1 = field.clone();
                        let current = Memo::new(move |_| choices.with(|c| c.get(&f1).copied().unwrap_or(default)));
                        let option = move |side: MergeSide, label: Signal<String>| {
                            let field = field.clone();
                            let group = group.clone();
                            view! {
                                <label class="check">
                                    <input type="radio" name=group prop:checked=move || current.get() == side
                                        on:change=move |_| choices.update(|c| { c.insert(field.clone(), side); }) />
                                    {move || label.get()}
                                </label>
                            }
                        };
                        let legend = name.clone();
                        view! {
                            <tr>
                                <th scope="row">{name}</th>
                                <td>{left}</td>
                                <td>{right}</td>
                                <td>
                                    <fieldset class="inline">
                                        <legend class="visually-hidden">{legend}</legend>
                                        {option(MergeSide::Keep, tr!(i18n, dup.take_left))}
                                        {option(MergeSide::Other, tr!(i18n, dup.take_right))}
                                        {can_join.then(|| option(MergeSide::Both, tr!(i18n, dup.take_both)))}
                                    </fieldset>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <div class="actions">
                <button type="button" class="button primary" on:click=merge disabled=move || state.busy.get() || !state.can_edit()>{t!(i18n, dup.merge)}</button>
                <a class="button" href="/duplicates">{t!(i18n, common.cancel)}</a>
            </div>
        }
        .into_any()
    }
}
