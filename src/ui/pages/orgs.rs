//! Organisations: the list, one organisation with its people and their
//! relationship data, and the form (with the Finnish business ID checked).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::domain::rebase::{org_draft, rebase_org};
use crate::domain::{fold, Address, Command, CommandError, EntityRef, FieldError, OrgDraft, OrgId};
use crate::tr;
use crate::ui::components::{use_title, ErrorSummary, TextArea, TextField};
use crate::ui::i18n::*;
use crate::ui::pages::audit::History;
use crate::ui::pages::records::{describe, kind_name};
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text;

/// At most this many organisations are listed at once; typing narrows.
const SHOWN: usize = 200;

#[component]
pub fn OrgsPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, org.title));
    let query = RwSignal::new(String::new());
    let found = Memo::new(move |_| {
        let q = fold(&query.get());
        state
            .with(|r| {
                r.orgs_in_order()
                    .into_iter()
                    .filter(|o| {
                        q.is_empty()
                            || fold(&o.name).contains(&q)
                            || o.business_id.as_deref().is_some_and(|b| b.contains(&q))
                    })
                    .map(|o| (o.id, o.name.clone(), o.business_id.clone().unwrap_or_default(), r.members(o.id).len()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    view! {
        <div class="page-head">
            <h1>{t!(i18n, org.title)}</h1>
            <a class="button primary" href="/organisations/new" hidden=move || !state.can_edit()>{t!(i18n, org.add)}</a>
        </div>
        <div class="search">
            <label for="org-search">{t!(i18n, org.search_label)}</label>
            <input id="org-search" type="search" autocomplete="off" aria-describedby="org-count"
                prop:value=move || query.get() on:input:target=move |ev| query.set(ev.target().value()) />
        </div>
        <p class="count" id="org-count" role="status" aria-live="polite">
            {move || {
                let n = found.with(Vec::len);
                if n > SHOWN {
                    t_string!(i18n, org.count_many, count = n, shown = SHOWN).to_string()
                } else {
                    t_string!(i18n, org.count, count = n).to_string()
                }
            }}
        </p>
        <table class="table">
            <thead><tr>
                <th scope="col">{t!(i18n, org.name)}</th>
                <th scope="col">{t!(i18n, org.business_id)}</th>
                <th scope="col">{t!(i18n, org.people)}</th>
            </tr></thead>
            <tbody>
                {move || found.with(|list| list.iter().take(SHOWN).cloned().map(|(id, name, bid, members)| view! {
                    <tr>
                        <td><a href=format!("/organisations/{id}")>{name}</a></td>
                        <td>{bid}</td>
                        <td>{members}</td>
                    </tr>
                }).collect_view())}
            </tbody>
        </table>
    }
}

#[component]
pub fn OrgPage() -> impl IntoView {
    let params = use_params_map();
    move || match params.read().get("id").and_then(|s| s.parse::<OrgId>().ok()) {
        Some(id) => view! { <OrgDetails id=id /> }.into_any(),
        None => view! { <super::NotFound /> }.into_any(),
    }
}

#[component]
fn OrgDetails(id: OrgId) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let org = Memo::new(move |_| state.with(|r| r.org(id).cloned()).flatten());
    use_title(Signal::derive(move || org.with(|o| o.as_ref().map(|o| o.name.clone())).unwrap_or_default()));
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let members = Memo::new(move |_| {
        state
            .with(|r| {
                r.members(id)
                    .into_iter()
                    .filter_map(|pid| {
                        let p = r.person(pid)?;
                        let role =
                            p.affiliations.iter().find(|a| a.org == id).map(|a| a.role.clone()).unwrap_or_default();
                        let last = r.last_customer_event(pid);
                        Some((pid, p.sort_name(), role, p.primary_email().unwrap_or_default().to_owned(), last))
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let records = Memo::new(move |_| {
        state
            .with(|r| {
                r.records_of_org(id)
                    .into_iter()
                    .map(|rec| (rec.clone(), r.person(rec.person).map(|p| p.display_name()).unwrap_or_default()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let delete = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match state.run(Command::DeleteOrg(id)).await {
                Ok(_) => {
                    state.notice.set(Some(Notice::Deleted));
                    navigate("/organisations", Default::default());
                }
                Err(e) => state.not_saved(i18n, e, |m| failure.set(Some(m))),
            }
        });
    };
    move || {
        let Some(o) = org.get() else { return view! { <super::NotFound /> }.into_any() };
        let delete = delete.clone();
        let address = o.address.one_line();
        view! {
            <div class="page-head">
                <h1>{o.name.clone()}</h1>
                <div class="actions" hidden=move || !state.can_edit()>
                    <a class="button" href=format!("/organisations/{id}/edit")>{t!(i18n, common.edit)}</a>
                    <button type="button" class="button danger" on:click=move |_| confirming.set(true)>{t!(i18n, common.delete)}</button>
                </div>
            </div>
            <div class="confirm" role="alertdialog" aria-labelledby="confirm-org" hidden=move || !confirming.get()>
                <p id="confirm-org">{t!(i18n, org.delete_confirm, name = o.name.clone(), count = members.with(Vec::len))}</p>
                <button type="button" class="button danger" on:click=delete>{t!(i18n, org.delete_yes)}</button>
                <button type="button" class="button" on:click=move |_| confirming.set(false)>{t!(i18n, common.cancel)}</button>
            </div>
            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
            <dl class="details">
                <dt>{t!(i18n, org.business_id)}</dt>
                <dd>{o.business_id.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, org.address)}</dt>
                <dd>{if address.is_empty() { "—".to_owned() } else { address }}</dd>
                <dt>{t!(i18n, org.website)}</dt>
                <dd>{match o.website.clone() {
                    Some(w) => view! { <a href=w.clone() rel="noopener noreferrer" target="_blank">{w.clone()}</a> }.into_any(),
                    None => "—".into_any(),
                }}</dd>
                {(!o.notes.is_empty()).then(|| view! { <dt>{t!(i18n, person.notes)}</dt><dd class="notes">{o.notes.clone()}</dd> })}
            </dl>
            <section aria-labelledby="members-title">
                <h2 id="members-title">{t!(i18n, org.people)}</h2>
                <p class="muted" hidden=move || !members.with(Vec::is_empty)>{t!(i18n, org.no_people)}</p>
                <table class="table" hidden=move || members.with(Vec::is_empty)>
                    <thead><tr>
                        <th scope="col">{t!(i18n, fields.name)}</th>
                        <th scope="col">{t!(i18n, person.role)}</th>
                        <th scope="col">{t!(i18n, person.email)}</th>
                        <th scope="col">{t!(i18n, person.last_event)}</th>
                    </tr></thead>
                    <tbody>
                        {move || members.get().into_iter().map(|(pid, name, role, email, last)| view! {
                            <tr>
                                <td><a href=format!("/people/{pid}")>{name}</a></td>
                                <td>{role}</td>
                                <td>{email}</td>
                                <td>{last.map(text::date).unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            <section aria-labelledby="org-records-title">
                <h2 id="org-records-title">{t!(i18n, org.records)}</h2>
                <p class="muted" hidden=move || !records.with(Vec::is_empty)>{t!(i18n, record.none)}</p>
                <table class="table" hidden=move || records.with(Vec::is_empty)>
                    <thead><tr>
                        <th scope="col">{t!(i18n, record.date)}</th>
                        <th scope="col">{t!(i18n, record.kind)}</th>
                        <th scope="col">{t!(i18n, record.title)}</th>
                        <th scope="col">{t!(i18n, audit.person)}</th>
                    </tr></thead>
                    <tbody>
                        {move || records.get().into_iter().map(|(rec, person)| {
                            let (title, details) = describe(i18n, &rec.kind);
                            view! {
                                <tr>
                                    <td>{rec.kind.date().map(text::date).unwrap_or_default()}</td>
                                    <td>{kind_name(i18n, rec.kind.key())}</td>
                                    <td>{title} <span class="muted">{details.into_iter().filter(|d| !d.is_empty()).collect::<Vec<_>>().join(" · ")}</span></td>
                                    <td><a href=format!("/people/{}", rec.person)>{person}</a></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            <History entity=EntityRef::Org(id) />
            <p><a href="/organisations">{t!(i18n, org.back)}</a></p>
        }
        .into_any()
    }
}

#[component]
pub fn NewOrg() -> impl IntoView {
    let i18n = use_i18n();
    use_title(tr!(i18n, org.new_title));
    view! { <OrgForm id=None /> }
}

#[component]
pub fn EditOrg() -> impl IntoView {
    let i18n = use_i18n();
    use_title(tr!(i18n, org.edit_title));
    let params = use_params_map();
    move || match params.read().get("id").and_then(|s| s.parse::<OrgId>().ok()) {
        Some(id) => view! { <OrgForm id=Some(id) /> }.into_any(),
        None => view! { <super::NotFound /> }.into_any(),
    }
}

#[component]
fn OrgForm(id: Option<OrgId>) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let existing = id.and_then(|id| state.with_untracked(|r| r.org(id).cloned()).flatten());
    if id.is_some() && existing.is_none() {
        return view! { <super::NotFound /> }.into_any();
    }
    let value = |f: &dyn Fn(&crate::domain::Organisation) -> String| {
        RwSignal::new(existing.as_ref().map(f).unwrap_or_default())
    };
    let name = value(&|o| o.name.clone());
    let business_id = value(&|o| o.business_id.clone().unwrap_or_default());
    let street = value(&|o| o.address.street.clone());
    let postal_code = value(&|o| o.address.postal_code.clone());
    let city = value(&|o| o.address.city.clone());
    let country = value(&|o| o.address.country.clone());
    let website = value(&|o| o.website.clone().unwrap_or_default());
    let notes = value(&|o| o.notes.clone());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let base = StoredValue::new(existing.as_ref().map(org_draft).unwrap_or_default());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = OrgDraft {
            name: name.get_untracked(),
            business_id: business_id.get_untracked(),
            address: Address {
                label: String::new(),
                street: street.get_untracked(),
                postal_code: postal_code.get_untracked(),
                city: city.get_untracked(),
                country: country.get_untracked(),
            },
            website: website.get_untracked(),
            notes: notes.get_untracked(),
        };
        let base = base.get_value();
        let make = move |reg: &crate::domain::Register| match id {
            Some(id) => {
                let org = reg.org(id).ok_or(CommandError::NotFound(EntityRef::Org(id)))?;
                Ok(Command::UpdateOrg(id, rebase_org(&base, &draft, &org_draft(org))))
            }
            None => Ok(Command::AddOrg(draft)),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match state.run_with(make).await {
                Ok(plan) => {
                    state.notice.set(Some(if plan.is_empty() { Notice::NoChanges } else { Notice::Saved }));
                    let target = match plan.created {
                        Some(EntityRef::Org(new)) => Some(new),
                        _ => id,
                    };
                    if let Some(t) = target {
                        navigate(&format!("/organisations/{t}"), Default::default());
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
    let err = move |path: &str| text::field_error(i18n, errors, path);
    let title = match &existing {
        Some(o) => format!("{}: {}", t_string!(i18n, org.edit_title), o.name),
        None => t_string!(i18n, org.new_title).to_owned(),
    };
    let cancel = id.map_or_else(|| "/organisations".to_owned(), |id| format!("/organisations/{id}"));
    view! {
        <h1>{title}</h1>
        <form class="form" novalidate on:submit=save>
            <ErrorSummary errors=errors />
            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
            <fieldset>
                <legend>{t!(i18n, org.basic)}</legend>
                <TextField id="org_name" label=tr!(i18n, org.name) value=name required=true error=err("name") />
                <TextField id="business_id" label=tr!(i18n, org.business_id) value=business_id
                    help=tr!(i18n, org.business_id_help) error=err("business_id") />
                <TextField id="website" label=tr!(i18n, org.website) kind="url" value=website error=err("website") />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, org.address)}</legend>
                <TextField id="street" label=tr!(i18n, address.street) value=street error=err("address.street") />
                <div class="row2">
                    <TextField id="postal_code" label=tr!(i18n, address.postal_code) value=postal_code error=err("address.postal_code") />
                    <TextField id="city" label=tr!(i18n, address.city) value=city error=err("address.city") />
                </div>
                <TextField id="country" label=tr!(i18n, address.country) value=country error=err("address.country") />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, person.notes)}</legend>
                <TextArea id="org_notes" label=tr!(i18n, person.notes) value=notes error=err("notes") />
            </fieldset>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || state.busy.get()>{t!(i18n, common.save)}</button>
                <a class="button" href=cancel>{t!(i18n, common.cancel)}</a>
            </div>
        </form>
    }
    .into_any()
}
