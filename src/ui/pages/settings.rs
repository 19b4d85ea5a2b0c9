//! Settings: who signs changes on this browser, the country code for phone
//! numbers, the organisation's own categories and custom fields, and the
//! saved searches.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::domain::{
    CategoryDef, CategoryKey, Command, CommandError, FieldDef, FieldError, FieldId, FieldKind, SegmentId, Settings,
};
use crate::tr;
use crate::ui::components::{use_title, CheckField, ErrorSummary, SelectField, TextField};
use crate::ui::i18n::*;
use crate::ui::pages::vault::UsersSection;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text::{self, I18n};
use crate::web;

#[derive(Clone, Copy)]
struct CategoryRow {
    key: StoredValue<CategoryKey>,
    name: RwSignal<String>,
}

#[derive(Clone, Copy)]
struct FieldRow {
    id: FieldId,
    name: RwSignal<String>,
    kind: RwSignal<String>,
    choices: RwSignal<String>,
    required: RwSignal<bool>,
}

impl FieldRow {
    fn of(def: &FieldDef) -> Self {
        let choices = match &def.kind {
            FieldKind::Choice(c) => c.join(", "),
            _ => String::new(),
        };
        FieldRow {
            id: def.id,
            name: RwSignal::new(def.name.clone()),
            kind: RwSignal::new(def.kind.key().to_owned()),
            choices: RwSignal::new(choices),
            required: RwSignal::new(def.required),
        }
    }

    fn def(&self) -> FieldDef {
        let kind = match self.kind.get_untracked().as_str() {
            "number" => FieldKind::Number,
            "date" => FieldKind::Date,
            "yes_no" => FieldKind::YesNo,
            "choice" => {
                FieldKind::Choice(self.choices.get_untracked().split(',').map(|c| c.trim().to_owned()).collect())
            }
            _ => FieldKind::Text,
        };
        FieldDef { id: self.id, name: self.name.get_untracked(), kind, required: self.required.get_untracked() }
    }
}

fn kind_options(i18n: I18n) -> Vec<(String, Signal<String>)> {
    vec![
        ("text".into(), tr!(i18n, field_kind.text)),
        ("number".into(), tr!(i18n, field_kind.number)),
        ("date".into(), tr!(i18n, field_kind.date)),
        ("yes_no".into(), tr!(i18n, field_kind.yes_no)),
        ("choice".into(), tr!(i18n, field_kind.choice)),
    ]
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, settings.title));
    let current = state.with_untracked(|r| r.settings().clone()).unwrap_or_default();
    let country = RwSignal::new(current.country_code.clone());
    let categories = RwSignal::new(
        current
            .categories
            .iter()
            .map(|c| CategoryRow { key: StoredValue::new(c.key.clone()), name: RwSignal::new(c.name.clone()) })
            .collect::<Vec<_>>(),
    );
    let fields = RwSignal::new(current.fields.iter().map(FieldRow::of).collect::<Vec<_>>());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let removed_in_use =
        Memo::new(move |_| errors.with(|e| e.iter().filter(|x| x.field.starts_with("removed_")).count() > 0));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let base = state.with_untracked(|r| r.settings().clone()).unwrap_or_default();
        let new = Settings {
            country_code: country.get_untracked(),
            categories: categories.with_untracked(|rows| {
                rows.iter().map(|r| CategoryDef { key: r.key.get_value(), name: r.name.get_untracked() }).collect()
            }),
            fields: fields.with_untracked(|rows| rows.iter().map(FieldRow::def).collect()),
            ..base
        };
        spawn_local(async move {
            match state.run(Command::UpdateSettings(new)).await {
                Ok(plan) => {
                    errors.set(vec![]);
                    failure.set(None);
                    state.notice.set(Some(if plan.is_empty() { Notice::NoChanges } else { Notice::Saved }));
                }
                Err(RunError::Command(CommandError::Invalid(list))) => {
                    errors.set(list);
                    super::focus_error_summary();
                }
                Err(e) => state.not_saved(i18n, e, |m| failure.set(Some(m))),
            }
        });
    };
    let err = move |path: String| text::field_error(i18n, errors, path);
    let category_rows = move || categories.get().into_iter().enumerate().collect::<Vec<_>>();
    let field_rows = move || fields.get().into_iter().enumerate().collect::<Vec<_>>();
    view! {
        <h1>{t!(i18n, settings.title)}</h1>
        <p class="help" hidden=move || state.is_admin()>{t!(i18n, settings.admin_only)}</p>
        <form class="form" novalidate on:submit=save hidden=move || !state.is_admin()>
            <ErrorSummary errors=errors />
            <p class="error" role="alert" hidden=move || !removed_in_use.get()>{t!(i18n, settings.removed_in_use)}</p>
            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>
                {move || failure.get().unwrap_or_default()}
            </p>
            <fieldset>
                <legend>{t!(i18n, settings.register)}</legend>
                <TextField id="country_code" label=tr!(i18n, settings.country_code) help=tr!(i18n, settings.country_code_help)
                    value=country error=err("country_code".into()) />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, settings.categories)}</legend>
                <p class="help">{t!(i18n, settings.categories_help)}</p>
                <For
                    each=category_rows
                    key=|(_, row)| row.key.get_value()
                    children=move |(i, row)| {
                        let key = row.key.get_value();
                        view! {
                            <div class="row-edit">
                                <TextField id=format!("category-{i}") label=tr!(i18n, settings.category_name)
                                    value=row.name error=err(format!("categories.{i}")) />
                                <button type="button" class="link remove" on:click=move |_| {
                                    categories.update(|c| c.retain(|r| r.key.get_value() != key));
                                }>
                                    {t!(i18n, common.remove)}<span class="visually-hidden">" " {move || row.name.get()}</span>
                                </button>
                            </div>
                        }
                    }
                />
                <button type="button" class="link" on:click=move |_| {
                    let key = CategoryKey::new(format!("custom-{}", web::new_id().simple()));
                    categories.update(|c| c.push(CategoryRow { key: StoredValue::new(key), name: RwSignal::new(String::new()) }));
                }>{t!(i18n, settings.add_category)}</button>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, settings.fields)}</legend>
                <p class="help">{t!(i18n, settings.fields_help)}</p>
                <For
                    each=field_rows
                    key=|(_, row)| row.id
                    children=move |(i, row)| {
                        let id = row.id;
                        view! {
                            <div class="field-def">
                                <div class="row2">
                                    <TextField id=format!("field-{i}-name") label=tr!(i18n, settings.field_name)
                                        value=row.name error=err(format!("fields.{i}.name")) />
                                    <SelectField id=format!("field-{i}-kind") label=tr!(i18n, settings.field_kind)
                                        value=row.kind options=kind_options(i18n) error=err(format!("fields.{i}.kind")) />
                                </div>
                                <div hidden=move || row.kind.get() != "choice">
                                    <TextField id=format!("field-{i}-choices") label=tr!(i18n, settings.field_choices)
                                        help=tr!(i18n, settings.field_choices_help) value=row.choices
                                        error=err(format!("fields.{i}.choices")) />
                                </div>
                                <CheckField id=format!("field-{i}-required") label=tr!(i18n, settings.field_required) value=row.required />
                                <button type="button" class="link remove" on:click=move |_| fields.update(|f| f.retain(|r| r.id != id))>
                                    {t!(i18n, common.remove)}<span class="visually-hidden">" " {move || row.name.get()}</span>
                                </button>
                            </div>
                        }
                    }
                />
                <button type="button" class="link" on:click=move |_| {
                    let def = FieldDef { id: FieldId::new(web::new_id()), name: String::new(), kind: FieldKind::Text, required: false };
                    fields.update(|f| f.push(FieldRow::of(&def)));
                }>{t!(i18n, settings.add_field)}</button>
            </fieldset>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || state.busy.get()>{t!(i18n, common.save)}</button>
            </div>
        </form>
        <super::settings_newsletters::NewslettersSection />
        <UsersSection />
        <crate::ui::pages::settings_description::DescriptionSection />
        <StorageInfo />
        <Segments />
    }
}

/// Megabytes with one decimal, for storage use.
fn megabytes(bytes: f64) -> String {
    format!("{:.1}", bytes / 1_000_000.0).replace('.', ",")
}

/// Whether the browser keeps the register permanently, and the space used.
#[component]
fn StorageInfo() -> impl IntoView {
    let i18n = use_i18n();
    let asked = RwSignal::new(0u32);
    let info = LocalResource::new(move || {
        asked.track();
        async move { (web::storage::persisted().await, web::storage::estimate().await) }
    });
    let ask = move |_| {
        leptos::task::spawn_local(async move {
            let _ = web::storage::persist().await;
            asked.update(|n| *n += 1);
        });
    };
    view! {
        <section aria-labelledby="storage-title">
            <h2 id="storage-title">{t!(i18n, settings.storage)}</h2>
            <p class="help">{t!(i18n, settings.storage_help)}</p>
            {move || info.get().map(|(kept, estimate)| view! {
                <p role="status">
                    {match kept {
                        Some(true) => t_string!(i18n, settings.storage_kept).to_owned(),
                        Some(false) => t_string!(i18n, settings.storage_not_kept).to_owned(),
                        None => t_string!(i18n, settings.storage_unknown).to_owned(),
                    }}
                </p>
                {estimate.map(|(used, quota)| view! {
                    <p>{t_string!(i18n, settings.storage_used, used = megabytes(used), quota = megabytes(quota)).to_string()}</p>
                })}
                {(kept == Some(false)).then(|| view! {
                    <button type="button" class="button" on:click=ask>{t!(i18n, settings.storage_ask)}</button>
                })}
            })}
        </section>
    }
}

/// The saved searches, with a way to open or delete each.
#[component]
fn Segments() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let segments = Memo::new(move |_| {
        state
            .with(|r| r.settings().segments.iter().map(|s| (s.id, s.name.clone())).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let delete = move |id: SegmentId| {
        spawn_local(async move {
            if let Err(RunError::Store(e)) = state.run(Command::DeleteSegment(id)).await {
                state.notice.set(Some(Notice::StoreFailed(e)));
            }
        });
    };
    view! {
        <section aria-labelledby="segments-title">
            <h2 id="segments-title">{t!(i18n, people.segments)}</h2>
            <p class="muted" hidden=move || !segments.with(Vec::is_empty)>{t!(i18n, people.no_segments)}</p>
            <ul class="plain segments">
                {move || segments.get().into_iter().map(|(id, name)| {
                    let shown = name.clone();
                    view! {
                        <li>
                            <a href=format!("/people?segment={id}")>{shown}</a>
                            " "
                            <button type="button" class="link" on:click=move |_| delete(id)>
                                {t!(i18n, common.delete)}<span class="visually-hidden">" " {name.clone()}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
