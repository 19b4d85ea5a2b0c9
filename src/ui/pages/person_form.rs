//! Adding and editing a person. Nothing is saved while the form has
//! problems; each problem is shown next to its field, in the chosen
//! language, and the form keeps what was typed.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::domain::rebase::{person_draft, rebase_person};
use crate::domain::{
    validate, Address, AffiliationDraft, CategoryKey, Command, CommandError, EntityRef, FieldDef, FieldError, FieldId,
    FieldKind, LabeledDraft, OrgChoice, Person, PersonDraft, PersonId, ProvenanceDraft, Register, Social, Source,
};
use crate::tr;
use crate::ui::components::{use_title, Column, ErrorSummary, Rows, RowsEditor, SelectField, TextArea, TextField};
use crate::ui::i18n::*;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text::{self, I18n};

/// The values of the form, as signals.
#[derive(Clone, Copy)]
struct Form {
    given: RwSignal<String>,
    family: RwSignal<String>,
    /// [value, label]
    emails: Rows,
    phones: Rows,
    /// [street, postal code, city, country, label]
    addresses: Rows,
    websites: Rows,
    /// [service, handle]
    socials: Rows,
    /// [organisation name, role]
    orgs: Rows,
    categories: RwSignal<BTreeSet<CategoryKey>>,
    tags: RwSignal<String>,
    custom: StoredValue<BTreeMap<FieldId, RwSignal<String>>>,
    source: RwSignal<String>,
    source_detail: RwSignal<String>,
    source_date: RwSignal<String>,
    notes: RwSignal<String>,
}

impl Form {
    fn new(person: Option<&Person>, reg: &Register) -> Self {
        let labeled = |list: &[crate::domain::Labeled]| {
            list.iter().map(|l| vec![l.value.clone(), l.label.clone()]).collect::<Vec<_>>()
        };
        let fields = &reg.settings().fields;
        let custom = fields
            .iter()
            .map(|f| {
                let value = person.and_then(|p| p.custom.get(&f.id)).map(|v| v.to_input()).unwrap_or_default();
                (f.id, RwSignal::new(value))
            })
            .collect();
        match person {
            None => Form {
                given: RwSignal::new(String::new()),
                family: RwSignal::new(String::new()),
                emails: Rows::new(2, vec![]),
                phones: Rows::new(2, vec![]),
                addresses: Rows::new(5, vec![]),
                websites: Rows::new(1, vec![]),
                socials: Rows::new(2, vec![]),
                orgs: Rows::new(2, vec![]),
                categories: RwSignal::new(BTreeSet::new()),
                tags: RwSignal::new(String::new()),
                custom: StoredValue::new(custom),
                source: RwSignal::new(Source::ThePerson.key().to_owned()),
                source_detail: RwSignal::new(String::new()),
                source_date: RwSignal::new(String::new()),
                notes: RwSignal::new(String::new()),
            },
            Some(p) => Form {
                given: RwSignal::new(p.given_name.clone()),
                family: RwSignal::new(p.family_name.clone()),
                emails: Rows::new(2, labeled(&p.emails)),
                phones: Rows::new(2, labeled(&p.phones)),
                addresses: Rows::new(
                    5,
                    p.addresses
                        .iter()
                        .map(|a| {
                            vec![
                                a.street.clone(),
                                a.postal_code.clone(),
                                a.city.clone(),
                                a.country.clone(),
                                a.label.clone(),
                            ]
                        })
                        .collect(),
                ),
                websites: Rows::new(1, p.websites.iter().map(|w| vec![w.clone()]).collect()),
                socials: Rows::new(2, p.socials.iter().map(|s| vec![s.service.clone(), s.handle.clone()]).collect()),
                orgs: Rows::new(
                    2,
                    p.affiliations
                        .iter()
                        .filter_map(|a| reg.org(a.org).map(|o| vec![o.name.clone(), a.role.clone()]))
                        .collect(),
                ),
                categories: RwSignal::new(p.categories.clone()),
                tags: RwSignal::new(p.tags.iter().cloned().collect::<Vec<_>>().join(", ")),
                custom: StoredValue::new(custom),
                source: RwSignal::new(p.provenance.source.key().to_owned()),
                source_detail: RwSignal::new(p.provenance.detail.clone()),
                source_date: RwSignal::new(p.provenance.date.format("%Y-%m-%d").to_string()),
                notes: RwSignal::new(p.notes.clone()),
            },
        }
    }

    fn draft(&self) -> PersonDraft {
        let cell = |row: &Vec<String>, i: usize| row.get(i).cloned().unwrap_or_default();
        let labeled =
            |rows: &Rows| rows.values().iter().map(|r| LabeledDraft { value: cell(r, 0), label: cell(r, 1) }).collect();
        PersonDraft {
            given_name: self.given.get_untracked(),
            family_name: self.family.get_untracked(),
            emails: labeled(&self.emails),
            phones: labeled(&self.phones),
            addresses: self
                .addresses
                .values()
                .iter()
                .map(|r| Address {
                    street: cell(r, 0),
                    postal_code: cell(r, 1),
                    city: cell(r, 2),
                    country: cell(r, 3),
                    label: cell(r, 4),
                })
                .collect(),
            websites: self.websites.values().iter().map(|r| cell(r, 0)).collect(),
            socials: self.socials.values().iter().map(|r| Social { service: cell(r, 0), handle: cell(r, 1) }).collect(),
            affiliations: self
                .orgs
                .values()
                .iter()
                .map(|r| AffiliationDraft { org: OrgChoice::New(cell(r, 0)), role: cell(r, 1) })
                .collect(),
            categories: self.categories.get_untracked(),
            tags: self.tags.get_untracked().split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect(),
            custom: self.custom.with_value(|m| m.iter().map(|(k, v)| (*k, v.get_untracked())).collect()),
            provenance: ProvenanceDraft {
                source: Source::from_key(&self.source.get_untracked()).unwrap_or(Source::Other),
                detail: self.source_detail.get_untracked(),
                date: self.source_date.get_untracked(),
            },
            notes: self.notes.get_untracked(),
        }
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
    move || match params.read().get("id").and_then(|s| s.parse::<PersonId>().ok()) {
        Some(id) => view! { <PersonForm id=Some(id) /> }.into_any(),
        None => view! { <super::NotFound /> }.into_any(),
    }
}

/// The people (other than `except`) who already have one of these e-mails.
fn email_owners(reg: &Register, draft: &PersonDraft, except: Option<PersonId>) -> Vec<(PersonId, String)> {
    let mut owners: Vec<(PersonId, String)> = Vec::new();
    for e in &draft.emails {
        let Ok(email) = validate::email(&e.value) else { continue };
        for owner in reg.email_owners(&email, except) {
            if !owners.iter().any(|(o, _)| *o == owner) {
                owners.push((owner, reg.person(owner).map(Person::display_name).unwrap_or_default()));
            }
        }
    }
    owners
}

#[component]
fn PersonForm(id: Option<PersonId>) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let existing = id.and_then(|id| state.with_untracked(|r| r.person(id).cloned()).flatten());
    if id.is_some() && existing.is_none() {
        return view! { <super::NotFound /> }.into_any();
    }
    let Some(form) = state.with_untracked(|r| Form::new(existing.as_ref(), r)) else {
        return view! { <super::NotFound /> }.into_any();
    };
    // The form as opened: on saving, only what the user changed is taken
    // from the form; the rest comes from the person as they are then.
    let base = StoredValue::new(form.draft());
    let rectify = crate::ui::pages::privacy::rectify_request();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let duplicates = RwSignal::new(Vec::<(PersonId, String)>::new());
    let (org_names, categories, fields) = state
        .with_untracked(|r| {
            (
                r.orgs_in_order().into_iter().map(|o| o.name.clone()).collect::<Vec<_>>(),
                r.settings().all_categories(),
                r.settings().fields.clone(),
            )
        })
        .unwrap_or_default();

    let command_for = move |draft: PersonDraft| match id {
        Some(id) => Command::UpdatePerson(id, draft),
        None => Command::AddPerson(draft),
    };
    let submit = move |confirmed: bool| {
        let draft = form.draft();
        if !confirmed {
            // Warn about an e-mail someone else has, but only for a form
            // without other problems.
            let actor = state.actor();
            let check = state.with_untracked(|r| {
                let mut ids = crate::web::new_id;
                let mut env = crate::domain::Env {
                    now: crate::web::now(),
                    today: crate::web::today(),
                    actor: &actor,
                    new_id: &mut ids,
                };
                (r.plan(&command_for(draft.clone()), &mut env).err(), email_owners(r, &draft, id))
            });
            match check {
                Some((Some(CommandError::Invalid(list)), _)) => {
                    errors.set(list);
                    super::focus_error_summary();
                    return;
                }
                Some((_, owners)) if !owners.is_empty() => {
                    errors.set(vec![]);
                    duplicates.set(owners);
                    return;
                }
                _ => {}
            }
        }
        duplicates.set(vec![]);
        let navigate = navigate.clone();
        let base = base.get_value();
        let make = move |reg: &Register| match id {
            Some(id) => {
                let person = reg.person(id).ok_or(CommandError::NotFound(EntityRef::Person(id)))?;
                Ok(crate::ui::pages::privacy::rectified(
                    rectify,
                    id,
                    rebase_person(&base, &draft, &person_draft(reg, person)),
                ))
            }
            None => Ok(Command::AddPerson(draft)),
        };
        spawn_local(async move {
            match state.run_with(make).await {
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
                    super::focus_error_summary();
                }
                Err(e) => state.not_saved(i18n, e, |m| failure.set(Some(m))),
            }
        });
    };
    let submit_anyway = submit.clone();

    let title = match &existing {
        Some(p) => format!("{}: {}", t_string!(i18n, person.edit_title), p.display_name()),
        None => t_string!(i18n, person.new_title).to_owned(),
    };
    let cancel_href = id.map_or_else(|| "/people".to_owned(), |id| format!("/people/{id}"));
    let err = move |path: &str| text::field_error(i18n, errors, path);
    let sources: Vec<(String, Signal<String>)> = Source::ALL
        .into_iter()
        .map(|s| (s.key().to_owned(), Signal::derive(move || text::source(i18n, s).to_owned())))
        .collect();

    view! {
        <h1>{title}</h1>
        <form class="form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            submit(false);
        }>
            <ErrorSummary errors=errors />
            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>
                {move || failure.get().unwrap_or_default()}
            </p>
            <fieldset>
                <legend>{t!(i18n, person.name_legend)}</legend>
                <div class="row2">
                    <TextField id="given_name" label=tr!(i18n, person.given_name) value=form.given
                        autocomplete="off" error=err("given_name") />
                    <TextField id="family_name" label=tr!(i18n, person.family_name) value=form.family
                        autocomplete="off" error=err("family_name") />
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, person.contact_legend)}</legend>
                <RowsEditor rows=form.emails errors=errors path="emails" add_label=tr!(i18n, person.add_email)
                    columns=vec![
                        Column::new(tr!(i18n, person.email), "email", ""),
                        Column::new(tr!(i18n, person.label), "text", ".label"),
                    ] />
                <RowsEditor rows=form.phones errors=errors path="phones" add_label=tr!(i18n, person.add_phone)
                    columns=vec![
                        Column::new(tr!(i18n, person.phone), "tel", ""),
                        Column::new(tr!(i18n, person.label), "text", ".label"),
                    ] />
                <RowsEditor rows=form.addresses errors=errors path="addresses" add_label=tr!(i18n, person.add_address)
                    columns=vec![
                        Column::new(tr!(i18n, address.street), "text", ".street"),
                        Column::new(tr!(i18n, address.postal_code), "text", ".postal_code"),
                        Column::new(tr!(i18n, address.city), "text", ".city"),
                        Column::new(tr!(i18n, address.country), "text", ".country"),
                        Column::new(tr!(i18n, person.label), "text", ".label"),
                    ] />
                <RowsEditor rows=form.websites errors=errors path="websites" add_label=tr!(i18n, person.add_website)
                    columns=vec![Column::new(tr!(i18n, person.website), "url", "")] />
                <RowsEditor rows=form.socials errors=errors path="socials" add_label=tr!(i18n, person.add_social)
                    columns=vec![
                        Column::new(tr!(i18n, person.social_service), "text", ".service"),
                        Column::new(tr!(i18n, person.social_handle), "text", ""),
                    ] />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, person.org_legend)}</legend>
                <datalist id="org-names">
                    {org_names.into_iter().map(|n| view! { <option value=n></option> }).collect_view()}
                </datalist>
                <RowsEditor rows=form.orgs errors=errors path="affiliations" add_label=tr!(i18n, person.add_org)
                    columns=vec![
                        Column::new(tr!(i18n, person.organisation), "text", "").suggest("org-names"),
                        Column::new(tr!(i18n, person.role), "text", ".role"),
                    ] />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, person.categories)}</legend>
                <CategoryChecks categories=categories selected=form.categories />
                <TextField id="tags" label=tr!(i18n, person.tags) help=tr!(i18n, person.tags_help)
                    value=form.tags error=err("tags") />
            </fieldset>
            {(!fields.is_empty()).then(|| view! {
                <fieldset>
                    <legend>{t!(i18n, person.custom_legend)}</legend>
                    {fields.into_iter().map(|def| {
                        let value = form.custom.with_value(|m| m.get(&def.id).copied());
                        value.map(|value| view! { <CustomInput def=def value=value errors=errors /> })
                    }).collect_view()}
                </fieldset>
            })}
            <fieldset>
                <legend>{t!(i18n, person.provenance)}</legend>
                <div class="row2">
                    <SelectField id="source" label=tr!(i18n, person.source) value=form.source options=sources />
                    <TextField id="source_date" label=tr!(i18n, person.source_date) kind="date"
                        value=form.source_date error=err("provenance.date") />
                </div>
                <TextField id="source_detail" label=tr!(i18n, person.source_detail) value=form.source_detail
                    error=err("provenance.detail") />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, person.notes)}</legend>
                <TextArea id="notes" label=tr!(i18n, person.notes) value=form.notes error=err("notes") />
            </fieldset>
            <div class="warning" role="alert" hidden=move || duplicates.with(Vec::is_empty)>
                <p>{t!(i18n, person.duplicate_email)}</p>
                <ul>
                    {move || duplicates.get().into_iter().map(|(pid, name)| view! {
                        <li><a href=format!("/people/{pid}")>{name}</a></li>
                    }).collect_view()}
                </ul>
                <button type="button" class="button" on:click={
                    let submit_anyway = submit_anyway.clone();
                    move |_| submit_anyway(true)
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

/// Checkboxes for the categories, built-in and the organisation's own.
#[component]
fn CategoryChecks(categories: Vec<CategoryKey>, selected: RwSignal<BTreeSet<CategoryKey>>) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    view! {
        <div class="checks">
            {categories
                .into_iter()
                .map(|key| {
                    let name = state.with_untracked(|r| text::category(i18n, r.settings(), &key)).unwrap_or_default();
                    let input_id = format!("cat-{}", key.as_str());
                    let (k1, k2) = (key.clone(), key);
                    view! {
                        <label class="check" for=input_id.clone()>
                            <input
                                type="checkbox"
                                id=input_id.clone()
                                prop:checked=move || selected.with(|c| c.contains(&k1))
                                on:change:target=move |ev| {
                                    let on = ev.target().checked();
                                    selected.update(|c| {
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
    }
}

/// The input for one custom field, by its kind.
#[component]
fn CustomInput(def: FieldDef, value: RwSignal<String>, errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("custom-{}", def.id);
    let error = text::field_error(i18n, errors, format!("custom.{}", def.id));
    let name = def.name.clone();
    let label = Signal::derive(move || name.clone());
    match def.kind {
        FieldKind::Text => view! { <TextField id=id label=label value=value required=def.required error=error /> }.into_any(),
        FieldKind::Number => {
            view! { <TextField id=id label=label value=value required=def.required error=error help=tr!(i18n, field_kind.number_help) /> }.into_any()
        }
        FieldKind::Date => view! { <TextField id=id label=label value=value kind="date" required=def.required error=error /> }.into_any(),
        FieldKind::YesNo => {
            let options = vec![
                (String::new(), tr!(i18n, common.not_set)),
                ("yes".to_owned(), tr!(i18n, common.yes)),
                ("no".to_owned(), tr!(i18n, common.no)),
            ];
            view! { <SelectField id=id label=label value=value options=options error=error /> }.into_any()
        }
        FieldKind::Choice(choices) => {
            let mut options = vec![(String::new(), tr!(i18n, common.not_set))];
            options.extend(choices.into_iter().map(|c| {
                let shown = c.clone();
                (c, Signal::derive(move || shown.clone()))
            }));
            view! { <SelectField id=id label=label value=value options=options error=error /> }.into_any()
        }
    }
}

/// The text of a custom value for showing (yes/no translated).
pub fn custom_text(i18n: I18n, value: &crate::domain::CustomValue) -> String {
    use crate::domain::CustomValue as V;
    match value {
        V::YesNo(true) => t_string!(i18n, common.yes).to_owned(),
        V::YesNo(false) => t_string!(i18n, common.no).to_owned(),
        V::Date(d) => text::date(*d),
        V::Number(n) => crate::domain::settings::format_number(*n),
        V::Text(s) | V::Choice(s) => s.clone(),
    }
}
