//! Adding and editing a person. Nothing is saved while the form has
//! problems; each problem is shown next to its field, in the chosen
//! language, and the form keeps what was typed.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::domain::{
    validate, AffiliationDraft, CategoryKey, Command, CommandError, EntityRef, FieldError, LabeledDraft, OrgChoice,
    Person, PersonDraft, PersonId,
};
use crate::tr;
use crate::ui::components::{use_title, ErrorSummary, TextField};
use crate::ui::i18n::*;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text;

/// One row of a repeatable pair of inputs (e-mail, phone, organisation).
#[derive(Clone, Copy)]
struct Row {
    key: usize,
    a: RwSignal<String>,
    b: RwSignal<String>,
}

/// Rows that can be added and removed; keys stay stable for the view.
#[derive(Clone, Copy)]
struct Rows {
    rows: RwSignal<Vec<Row>>,
    next: StoredValue<usize>,
}

impl Rows {
    fn new(values: Vec<(String, String)>) -> Self {
        let values = if values.is_empty() { vec![(String::new(), String::new())] } else { values };
        let rows = values
            .into_iter()
            .enumerate()
            .map(|(key, (a, b))| Row { key, a: RwSignal::new(a), b: RwSignal::new(b) })
            .collect::<Vec<_>>();
        let next = rows.len();
        Rows { rows: RwSignal::new(rows), next: StoredValue::new(next) }
    }

    fn add(&self) {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        self.rows.update(|r| r.push(Row { key, a: RwSignal::new(String::new()), b: RwSignal::new(String::new()) }));
    }

    fn remove(&self, key: usize) {
        self.rows.update(|r| r.retain(|row| row.key != key));
        if self.rows.with_untracked(Vec::is_empty) {
            self.add();
        }
    }

    fn values(&self) -> Vec<(String, String)> {
        self.rows.with_untracked(|r| r.iter().map(|row| (row.a.get_untracked(), row.b.get_untracked())).collect())
    }

    fn index_of(&self, key: usize) -> usize {
        self.rows.with(|r| r.iter().position(|row| row.key == key).unwrap_or(0))
    }
}

/// The values of the form, as signals.
#[derive(Clone, Copy)]
struct Form {
    given: RwSignal<String>,
    family: RwSignal<String>,
    /// (value, label)
    emails: Rows,
    phones: Rows,
    /// (organisation name, role)
    orgs: Rows,
    categories: RwSignal<BTreeSet<CategoryKey>>,
}

impl Form {
    fn empty() -> Self {
        Form {
            given: RwSignal::new(String::new()),
            family: RwSignal::new(String::new()),
            emails: Rows::new(vec![]),
            phones: Rows::new(vec![]),
            orgs: Rows::new(vec![]),
            categories: RwSignal::new(BTreeSet::new()),
        }
    }

    fn of(person: &Person, org_name: impl Fn(crate::domain::OrgId) -> Option<String>) -> Self {
        let pairs = |list: &[crate::domain::Labeled]| list.iter().map(|l| (l.value.clone(), l.label.clone())).collect();
        Form {
            given: RwSignal::new(person.given_name.clone()),
            family: RwSignal::new(person.family_name.clone()),
            emails: Rows::new(pairs(&person.emails)),
            phones: Rows::new(pairs(&person.phones)),
            orgs: Rows::new(
                person.affiliations.iter().filter_map(|a| org_name(a.org).map(|n| (n, a.role.clone()))).collect(),
            ),
            categories: RwSignal::new(person.categories.clone()),
        }
    }

    /// The draft, with everything else of `base` kept as it is.
    fn draft(&self, base: PersonDraft) -> PersonDraft {
        let labeled = |rows: &Rows| {
            rows.values().into_iter().map(|(value, label)| LabeledDraft { label, value }).collect()
        };
        PersonDraft {
            given_name: self.given.get_untracked(),
            family_name: self.family.get_untracked(),
            emails: labeled(&self.emails),
            phones: labeled(&self.phones),
            affiliations: self
                .orgs
                .values()
                .into_iter()
                .map(|(name, role)| AffiliationDraft { org: OrgChoice::New(name), role })
                .collect(),
            categories: self.categories.get_untracked(),
            ..base
        }
    }
}

/// The draft of an existing person (for the fields the form does not show).
fn draft_of(person: &Person) -> PersonDraft {
    PersonDraft {
        addresses: person.addresses.clone(),
        websites: person.websites.clone(),
        socials: person.socials.clone(),
        tags: person.tags.iter().cloned().collect(),
        custom: person.custom.iter().map(|(k, v)| (*k, v.to_input())).collect(),
        provenance: crate::domain::draft::ProvenanceDraft {
            source: person.provenance.source,
            detail: person.provenance.detail.clone(),
            date: person.provenance.date.format("%Y-%m-%d").to_string(),
        },
        notes: person.notes.clone(),
        ..PersonDraft::default()
    }
}

#[component]
pub fn NewPerson() -> impl IntoView {
    let i18n = use_i18n();
    use_title(tr!(i18n, person.new_title));
    view! { <PersonForm id=None /> }
}

#[component]
pub fn EditPerson() -> impl IntoView {
    let i18n = use_i18n();
    use_title(tr!(i18n, person.edit_title));
    let params = use_params_map();
    move || {
        let id = params.read().get("id").and_then(|s| s.parse::<PersonId>().ok());
        match id {
            Some(id) => view! { <PersonForm id=Some(id) /> }.into_any(),
            None => view! { <super::NotFound /> }.into_any(),
        }
    }
}

#[component]
fn PersonForm(id: Option<PersonId>) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let existing = id.and_then(|id| state.with_untracked(|r| r.person(id).map(|p| (p.clone(), draft_of(p)))).flatten());
    if id.is_some() && existing.is_none() {
        return view! { <super::NotFound /> }.into_any();
    }
    let form = match &existing {
        Some((p, _)) => state
            .with_untracked(|r| Form::of(p, |org| r.org(org).map(|o| o.name.clone())))
            .unwrap_or_else(Form::empty),
        None => Form::empty(),
    };
    let base = existing.as_ref().map(|(_, d)| d.clone()).unwrap_or_default();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let duplicates = RwSignal::new(Vec::<(PersonId, String)>::new());
    let confirmed = RwSignal::new(false);
    let org_names = state
        .with_untracked(|r| r.orgs_in_order().into_iter().map(|o| o.name.clone()).collect::<Vec<_>>())
        .unwrap_or_default();
    let categories = state.with_untracked(|r| r.settings().all_categories()).unwrap_or_default();

    let save = move || {
        let draft = form.draft(base.clone());
        // Warn before saving an e-mail address someone else already has.
        if !confirmed.get_untracked() {
            let owners = state
                .with_untracked(|r| {
                    let mut owners: Vec<(PersonId, String)> = Vec::new();
                    for e in &draft.emails {
                        let Ok(email) = validate::email(&e.value) else { continue };
                        for owner in r.email_owners(&email, id) {
                            if !owners.iter().any(|(o, _)| *o == owner) {
                                owners.push((owner, r.person(owner).map(Person::display_name).unwrap_or_default()));
                            }
                        }
                    }
                    owners
                })
                .unwrap_or_default();
            if !owners.is_empty() && errors.with_untracked(Vec::is_empty) {
                let check = match id {
                    Some(id) => Command::UpdatePerson(id, draft.clone()),
                    None => Command::AddPerson(draft.clone()),
                };
                // Show real problems first; the warning only for a valid form.
                let valid = state
                    .with_untracked(|r| {
                        let mut ids = crate::web::new_id;
                        let mut env = crate::domain::Env { now: crate::web::now(), today: crate::web::today(), actor: "", new_id: &mut ids };
                        r.plan(&check, &mut env).err()
                    })
                    .flatten();
                if let Some(CommandError::Invalid(list)) = valid {
                    errors.set(list);
                    focus_summary();
                    return;
                }
                duplicates.set(owners);
                return;
            }
        }
        let command = match id {
            Some(id) => Command::UpdatePerson(id, draft),
            None => Command::AddPerson(draft),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match state.run(command).await {
                Ok(plan) => {
                    errors.set(vec![]);
                    let target = match plan.created {
                        Some(EntityRef::Person(new)) => Some(new),
                        _ => id,
                    };
                    state.notice.set(Some(if plan.is_empty() { Notice::NoChanges } else { Notice::Saved }));
                    if let Some(target) = target {
                        navigate(&format!("/people/{target}"), Default::default());
                    }
                }
                Err(RunError::Command(CommandError::Invalid(list))) => {
                    errors.set(list);
                    duplicates.set(vec![]);
                    confirmed.set(false);
                    focus_summary();
                }
                Err(RunError::Command(_)) => state.notice.set(Some(Notice::Gone)),
                Err(RunError::Store(e)) => failure.set(Some(text::store_error(i18n, &e).to_owned())),
                Err(RunError::Busy) => {}
            }
        });
    };
    let save_again = save.clone();

    let title = match &existing {
        Some((p, _)) => format!("{}: {}", t_string!(i18n, person.edit_title), p.display_name()),
        None => t_string!(i18n, person.new_title).to_owned(),
    };
    let cancel_href = id.map_or_else(|| "/people".to_owned(), |id| format!("/people/{id}"));

    view! {
        <h1>{title}</h1>
        <form
            class="form"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                confirmed.set(false);
                save();
            }
        >
            <ErrorSummary errors=errors />
            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>
                {move || failure.get().unwrap_or_default()}
            </p>
            <fieldset>
                <legend>{t!(i18n, person.name_legend)}</legend>
                <div class="row2">
                    <TextField
                        id="given_name"
                        label=tr!(i18n, person.given_name)
                        value=form.given
                        autocomplete="off"
                        error=text::field_error(i18n, errors, "given_name")
                    />
                    <TextField
                        id="family_name"
                        label=tr!(i18n, person.family_name)
                        value=form.family
                        autocomplete="off"
                        error=text::field_error(i18n, errors, "family_name")
                    />
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, person.contact_legend)}</legend>
                <RowList rows=form.emails errors=errors path="emails" kind="email"
                    label=tr!(i18n, person.email) add_label=tr!(i18n, person.add_email) />
                <RowList rows=form.phones errors=errors path="phones" kind="tel"
                    label=tr!(i18n, person.phone) add_label=tr!(i18n, person.add_phone) />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, person.org_legend)}</legend>
                <datalist id="org-names">
                    {org_names.into_iter().map(|n| view! { <option value=n></option> }).collect_view()}
                </datalist>
                <OrgRows rows=form.orgs errors=errors />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, person.categories)}</legend>
                <div class="checks">
                    {categories
                        .into_iter()
                        .map(|key| {
                            let name = state
                                .with_untracked(|r| text::category(i18n, r.settings(), &key))
                                .unwrap_or_default();
                            let input_id = format!("cat-{}", key.as_str());
                            let k1 = key.clone();
                            let k2 = key.clone();
                            view! {
                                <label class="check" for=input_id.clone()>
                                    <input
                                        type="checkbox"
                                        id=input_id.clone()
                                        prop:checked=move || form.categories.with(|c| c.contains(&k1))
                                        on:change:target=move |ev| {
                                            let on = ev.target().checked();
                                            form.categories.update(|c| {
                                                if on { c.insert(k2.clone()); } else { c.remove(&k2); }
                                            });
                                        }
                                    />
                                    {name}
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            <div class="warning" role="alert" hidden=move || duplicates.with(Vec::is_empty)>
                <p>{t!(i18n, person.duplicate_email)}</p>
                <ul>
                    {move || duplicates.get().into_iter().map(|(pid, name)| view! {
                        <li><a href=format!("/people/{pid}")>{name}</a></li>
                    }).collect_view()}
                </ul>
                <button type="button" class="button" on:click={
                    let save_again = save_again.clone();
                    move |_| {
                        confirmed.set(true);
                        duplicates.set(vec![]);
                        save_again();
                    }
                }>{t!(i18n, person.save_anyway)}</button>
            </div>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || state.busy.get()>
                    {t!(i18n, common.save)}
                </button>
                <a class="button" href=cancel_href>{t!(i18n, common.cancel)}</a>
            </div>
        </form>
    }
    .into_any()
}

/// Moves focus to the error summary so that screen readers read it.
fn focus_summary() {
    request_animation_frame(|| {
        if let Some(el) = document().get_element_by_id("error-summary") {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}

/// E-mail or phone rows: one input each, more on request.
#[component]
fn RowList(
    rows: Rows,
    errors: RwSignal<Vec<FieldError>>,
    path: &'static str,
    kind: &'static str,
    label: Signal<String>,
    add_label: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="rows">
            <For
                each=move || rows.rows.get()
                key=|row| row.key
                children=move |row| {
                    let index = Memo::new(move |_| rows.index_of(row.key));
                    let error = Signal::derive(move || {
                        let p = format!("{path}.{}", index.get());
                        errors.with(|list| list.iter().find(|e| e.field == p).map(|e| text::problem(i18n, &e.problem).to_owned()))
                    });
                    let row_label = Signal::derive(move || {
                        let n = index.get();
                        if n == 0 { label.get() } else { format!("{} {}", label.get(), n + 1) }
                    });
                    view! {
                        <div class="row-with-remove">
                            <TextField id=format!("{path}-{}", row.key) label=row_label value=row.a kind=kind error=error />
                            <button
                                type="button"
                                class="link"
                                hidden=move || rows.rows.with(|r| r.len() < 2)
                                on:click=move |_| {
                                    rows.remove(row.key);
                                    errors.update(|e| e.retain(|x| !x.field.starts_with(path)));
                                }
                            >
                                {t!(i18n, common.remove)}
                                <span class="visually-hidden">" " {move || row_label.get()}</span>
                            </button>
                        </div>
                    }
                }
            />
            <button type="button" class="link" on:click=move |_| rows.add()>{move || add_label.get()}</button>
        </div>
    }
}

/// Organisation rows: the organisation's name (suggested from those that
/// exist; a new name creates one) and the person's role there.
#[component]
fn OrgRows(rows: Rows, errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="rows">
            <For
                each=move || rows.rows.get()
                key=|row| row.key
                children=move |row| {
                    let index = Memo::new(move |_| rows.index_of(row.key));
                    let error_at = move |suffix: &'static str| Signal::derive(move || {
                        let p = format!("affiliations.{}{suffix}", index.get());
                        errors.with(|list| list.iter().find(|e| e.field == p).map(|e| text::problem(i18n, &e.problem).to_owned()))
                    });
                    view! {
                        <div class="row2 row-with-remove">
                            <TextField
                                id=format!("org-{}", row.key)
                                label=tr!(i18n, person.organisation)
                                value=row.a
                                list="org-names"
                                error=error_at("")
                            />
                            <TextField
                                id=format!("role-{}", row.key)
                                label=tr!(i18n, person.role)
                                value=row.b
                                error=error_at(".role")
                            />
                            <button
                                type="button"
                                class="link"
                                hidden=move || rows.rows.with(|r| r.len() < 2)
                                on:click=move |_| rows.remove(row.key)
                            >
                                {t!(i18n, common.remove)}
                            </button>
                        </div>
                    }
                }
            />
            <button type="button" class="link" on:click=move |_| rows.add()>{t!(i18n, person.add_org)}</button>
        </div>
    }
}
