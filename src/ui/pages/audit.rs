//! The change log: who changed what and when, newest first. Entries name
//! entities and fields, never personal values; an entity that still exists
//! is linked by its current name.

use leptos::prelude::*;

use crate::domain::{AuditAction, AuditEntry, EntityRef, Register};
use crate::tr;
use crate::ui::components::use_title;
use crate::ui::i18n::*;
use crate::ui::state::AppState;
use crate::ui::text::I18n;

const PAGE: usize = 50;

fn action_name(i18n: I18n, a: &AuditAction) -> &'static str {
    match a {
        AuditAction::Created => t_string!(i18n, audit.created),
        AuditAction::Updated => t_string!(i18n, audit.updated),
        AuditAction::Deleted => t_string!(i18n, audit.deleted),
        AuditAction::MergedFrom(_) => t_string!(i18n, audit.merged_from),
        AuditAction::MergedInto(_) => t_string!(i18n, audit.merged_into),
        AuditAction::DietaryPurged => t_string!(i18n, audit.dietary_purged),
        AuditAction::DietaryViewed => t_string!(i18n, audit.dietary_viewed),
        AuditAction::Imported => t_string!(i18n, audit.imported),
        AuditAction::ImportDeleted => t_string!(i18n, audit.import_deleted),
        AuditAction::RequestOpened(_) => t_string!(i18n, audit.request_opened),
        AuditAction::RequestExtended(_) => t_string!(i18n, audit.request_extended),
        AuditAction::RequestLinked(_) => t_string!(i18n, audit.request_linked),
        AuditAction::RequestClosed(_) => t_string!(i18n, audit.request_closed),
        AuditAction::Rectified(_) => t_string!(i18n, audit.rectified),
        AuditAction::Erased(_) => t_string!(i18n, audit.erased),
        AuditAction::ErasedExceptHeld(_) => t_string!(i18n, audit.erased_except_held),
        AuditAction::Restricted(_) => t_string!(i18n, audit.restricted),
        AuditAction::RestrictionLifted(_) => t_string!(i18n, audit.restriction_lifted),
        AuditAction::ObjectedToMarketing(_) => t_string!(i18n, audit.objected_to_marketing),
        AuditAction::RetentionPurged => t_string!(i18n, audit.retention_purged),
    }
}

fn kind_name(i18n: I18n, e: &EntityRef) -> &'static str {
    match e {
        EntityRef::Person(_) => t_string!(i18n, audit.person),
        EntityRef::Org(_) => t_string!(i18n, audit.organisation),
        EntityRef::Record(_) => t_string!(i18n, audit.record),
        EntityRef::Settings => t_string!(i18n, audit.settings),
    }
}

/// The translated name of a field key from the log ("emails", "custom:<id>").
pub fn field_name(i18n: I18n, reg: &Register, key: &str) -> String {
    let known = match key {
        "name" => Some(t_string!(i18n, fields.name)),
        "emails" => Some(t_string!(i18n, person.emails)),
        "phones" => Some(t_string!(i18n, person.phones)),
        "addresses" | "address" => Some(t_string!(i18n, person.addresses)),
        "websites" | "website" => Some(t_string!(i18n, person.websites)),
        "socials" => Some(t_string!(i18n, person.socials)),
        "affiliations" | "organisation" => Some(t_string!(i18n, person.organisations)),
        "categories" => Some(t_string!(i18n, person.categories)),
        "tags" => Some(t_string!(i18n, person.tags)),
        "provenance" => Some(t_string!(i18n, person.provenance)),
        "notes" => Some(t_string!(i18n, person.notes)),
        "business_id" => Some(t_string!(i18n, org.business_id)),
        "dietary" => Some(t_string!(i18n, record.dietary)),
        "person" => Some(t_string!(i18n, audit.person)),
        "title" => Some(t_string!(i18n, record.title)),
        "date" => Some(t_string!(i18n, record.date)),
        "billing" => Some(t_string!(i18n, record.billing)),
        "value" => Some(t_string!(i18n, record.value)),
        "user_name" => Some(t_string!(i18n, settings.user_name)),
        "fields" => Some(t_string!(i18n, settings.fields)),
        "segments" => Some(t_string!(i18n, people.segments)),
        "consents" => Some(t_string!(i18n, consents.audit_consents)),
        "consent_config" => Some(t_string!(i18n, consents.audit_config)),
        _ => None,
    };
    if let Some(name) = known {
        return name.to_owned();
    }
    // An import's count of new entities: `added:<kind>:<count>`.
    if let Some((kind, count)) =
        key.strip_prefix(crate::domain::sync::ADDED_PREFIX).and_then(|rest| rest.split_once(':'))
    {
        let count: usize = count.parse().unwrap_or(0);
        match kind {
            "people" => return t_string!(i18n, audit.added_people, count = count).to_string(),
            "organisations" => return t_string!(i18n, audit.added_organisations, count = count).to_string(),
            "records" => return t_string!(i18n, audit.added_records, count = count).to_string(),
            _ => {}
        }
    }
    if let Some(id) = key.strip_prefix("custom:").and_then(|id| id.parse().ok()) {
        if let Some(f) = reg.settings().field(id) {
            return f.name.clone();
        }
    }
    key.replace('_', " ")
}

/// Where an entity can be seen, and its current name, if it still exists.
fn entity_link(reg: &Register, e: &EntityRef) -> Option<(String, String)> {
    match e {
        EntityRef::Person(id) => reg.person(*id).map(|p| (format!("/people/{id}"), p.display_name())),
        EntityRef::Org(id) => reg.org(*id).map(|o| (format!("/organisations/{id}"), o.name.clone())),
        EntityRef::Record(id) => {
            reg.record(*id).and_then(|r| reg.person(r.person).map(|p| (format!("/people/{}", p.id), p.display_name())))
        }
        EntityRef::Settings => Some(("/settings".to_owned(), String::new())),
    }
}

/// One entry as a table row.
#[component]
fn EntryRow(entry: AuditEntry, #[prop(optional)] with_entity: bool) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let when = entry.at.with_timezone(&chrono::Local).format("%-d.%-m.%Y %H.%M").to_string();
    let who = if entry.actor.is_empty() { t_string!(i18n, audit.unnamed).to_owned() } else { entry.actor.clone() };
    let fields = state
        .with_untracked(|r| entry.fields.iter().map(|f| field_name(i18n, r, f)).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let link = state.with_untracked(|r| entity_link(r, &entry.entity)).flatten();
    let kind = kind_name(i18n, &entry.entity);
    let action = action_name(i18n, &entry.action);
    view! {
        <tr>
            <td>{when}</td>
            <td>{who}</td>
            <td>{action}</td>
            {with_entity.then(|| view! {
                <td>
                    {kind} " "
                    {match link {
                        Some((href, name)) if !name.is_empty() => view! { <a href=href>{name}</a> }.into_any(),
                        Some(_) => ().into_any(),
                        None => view! { <span class="muted">{t!(i18n, audit.gone)}</span> }.into_any(),
                    }}
                </td>
            })}
            <td>{fields}</td>
        </tr>
    }
}

/// The change log of one entity, oldest first.
#[component]
pub fn History(entity: EntityRef) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let entries = LocalResource::new(move || {
        let _ = state.revision();
        async move {
            match state.store() {
                Some(store) => store.audit_of(&entity).await.unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });
    view! {
        <section aria-labelledby="history-title">
            <h2 id="history-title">{t!(i18n, audit.history)}</h2>
            {move || entries.get().map(|list| view! {
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, audit.when)}</th>
                        <th scope="col">{t!(i18n, audit.who)}</th>
                        <th scope="col">{t!(i18n, audit.what)}</th>
                        <th scope="col">{t!(i18n, audit.fields)}</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|e| view! { <EntryRow entry=e /> }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

/// The whole change log, newest first, a page at a time.
#[component]
pub fn AuditPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, audit.title));
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let more = RwSignal::new(false);
    let load = move |before: Option<String>| {
        leptos::task::spawn_local(async move {
            let Some(store) = state.store() else { return };
            if let Ok(page) = store.audit_page(before.as_deref(), PAGE + 1).await {
                let has_more = page.len() > PAGE;
                let page: Vec<_> = page.into_iter().take(PAGE).collect();
                if before.is_none() {
                    entries.set(page);
                } else {
                    entries.update(|e| e.extend(page));
                }
                more.set(has_more);
            }
        });
    };
    Effect::new(move |_| {
        let _ = state.revision();
        load(None);
    });
    view! {
        <h1>{t!(i18n, audit.title)}</h1>
        <p class="help">{t!(i18n, audit.intro)}</p>
        <table class="table">
            <thead><tr>
                <th scope="col">{t!(i18n, audit.when)}</th>
                <th scope="col">{t!(i18n, audit.who)}</th>
                <th scope="col">{t!(i18n, audit.what)}</th>
                <th scope="col">{t!(i18n, audit.target)}</th>
                <th scope="col">{t!(i18n, audit.fields)}</th>
            </tr></thead>
            <tbody>
                <For each=move || entries.get() key=|e| e.key.clone() children=|e| view! { <EntryRow entry=e with_entity=true /> } />
            </tbody>
        </table>
        <p class="muted" hidden=move || !entries.with(Vec::is_empty)>{t!(i18n, audit.empty)}</p>
        <div class="actions" hidden=move || !more.get()>
            <button type="button" class="button" on:click=move |_| {
                let last = entries.with_untracked(|e| e.last().map(|l| l.key.clone()));
                load(last);
            }>{t!(i18n, audit.more)}</button>
        </div>
    }
}
