//! Filters for the people list (category, organisation, tag, last
//! customer event) and saved searches (segments) built from them.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::domain::{validate, CategoryKey, Command, CommandError, Filter, Register, SegmentId};
use crate::tr;
use crate::ui::components::{SelectField, TextField};
use crate::ui::i18n::*;
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text;

/// What the people list is filtered by; kept while the user visits a
/// person and comes back.
#[derive(Clone, Copy)]
pub struct PeopleFilter {
    pub text: RwSignal<String>,
    pub categories: RwSignal<BTreeSet<CategoryKey>>,
    /// The organisation's name as typed.
    pub org: RwSignal<String>,
    pub tag: RwSignal<String>,
    pub after: RwSignal<String>,
    pub before: RwSignal<String>,
}

impl PeopleFilter {
    pub fn new() -> Self {
        PeopleFilter {
            text: RwSignal::new(String::new()),
            categories: RwSignal::new(BTreeSet::new()),
            org: RwSignal::new(String::new()),
            tag: RwSignal::new(String::new()),
            after: RwSignal::new(String::new()),
            before: RwSignal::new(String::new()),
        }
    }

    /// The filter to search with. An organisation name that matches none
    /// is kept as a name that nothing matches (no silent widening).
    pub fn filter(&self, reg: &Register) -> (Filter, bool) {
        let org_name = self.org.get();
        let org = if org_name.trim().is_empty() { None } else { Some(reg.org_by_name(&org_name).map(|o| o.id)) };
        let unknown_org = matches!(org, Some(None));
        let date = |s: RwSignal<String>| validate::optional_date(&s.get()).ok().flatten();
        let tag = self.tag.get();
        let filter = Filter {
            text: self.text.get(),
            categories: self.categories.get(),
            org: org.flatten(),
            tag: (!tag.is_empty()).then_some(tag),
            last_event_after: date(self.after),
            last_event_before: date(self.before),
        };
        (filter, unknown_org)
    }

    pub fn is_filtered(&self) -> bool {
        !self.categories.with(BTreeSet::is_empty)
            || !self.org.with(String::is_empty)
            || !self.tag.with(String::is_empty)
            || !self.after.with(String::is_empty)
            || !self.before.with(String::is_empty)
    }

    pub fn clear(&self) {
        self.categories.set(BTreeSet::new());
        for s in [self.org, self.tag, self.after, self.before] {
            s.set(String::new());
        }
    }

    /// Sets the fields from a saved filter.
    pub fn load(&self, f: &Filter, reg: &Register) {
        self.text.set(f.text.clone());
        self.categories.set(f.categories.clone());
        self.org.set(f.org.and_then(|o| reg.org(o)).map(|o| o.name.clone()).unwrap_or_default());
        self.tag.set(f.tag.clone().unwrap_or_default());
        let iso = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
        self.after.set(iso(f.last_event_after));
        self.before.set(iso(f.last_event_before));
    }

    /// Applies a saved search by its id.
    pub fn apply_segment(&self, id: SegmentId) {
        let state = AppState::get();
        state.with_untracked(|r| {
            if let Some(segment) = r.settings().segment(id) {
                self.load(&segment.filter.clone(), r);
            }
        });
    }
}

impl Default for PeopleFilter {
    fn default() -> Self {
        Self::new()
    }
}

/// The filter controls, folded away until needed. Their choices (every
/// organisation and tag of a large register) are made only while the panel
/// is open; the filter itself lives in `filter` and stays when it closes.
#[component]
pub fn FilterPanel(filter: PeopleFilter) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(filter.is_filtered());
    view! {
        <details
            class="filters"
            open=filter.is_filtered()
            on:toggle=move |ev| {
                let now = ev.target().and_then(|t| js_sys::Reflect::get(&t, &"open".into()).ok()).and_then(|v| v.as_bool());
                open.set(now.unwrap_or(false));
            }
        >
            <summary>{t!(i18n, people.filters)}</summary>
            {move || open.get().then(|| view! { <FilterFields filter=filter /> })}
        </details>
    }
}

#[component]
fn FilterFields(filter: PeopleFilter) -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let (categories, orgs, tags, segments) = state
        .with_untracked(|r| {
            (
                r.settings()
                    .all_categories()
                    .into_iter()
                    .map(|k| (k.clone(), text::category(i18n, r.settings(), &k)))
                    .collect::<Vec<_>>(),
                r.orgs_in_order().into_iter().map(|o| o.name.clone()).collect::<Vec<_>>(),
                r.tags(),
                r.settings().segments.iter().map(|s| (s.id.to_string(), s.name.clone())).collect::<Vec<_>>(),
            )
        })
        .unwrap_or_default();
    let mut tag_options = vec![(String::new(), tr!(i18n, people.any_tag))];
    tag_options.extend(tags.into_iter().map(|t| {
        let shown = t.clone();
        (t, Signal::derive(move || shown.clone()))
    }));
    let unknown_org = Signal::derive(move || {
        state.with(|r| filter.filter(r).1).unwrap_or(false).then(|| t_string!(i18n, people.unknown_org).to_owned())
    });
    let segment_choice = RwSignal::new(String::new());
    let mut segment_options = vec![(String::new(), tr!(i18n, people.choose_segment))];
    segment_options.extend(segments.into_iter().map(|(id, name)| (id, Signal::derive(move || name.clone()))));
    Effect::new(move |_| {
        if let Ok(id) = segment_choice.get().parse::<SegmentId>() {
            filter.apply_segment(id);
        }
    });
    let segment_name = RwSignal::new(String::new());
    let segment_error = RwSignal::new(None::<String>);
    let save_segment = move |_| {
        let Some((f, _)) = state.with_untracked(|r| filter.filter(r)) else { return };
        let name = segment_name.get_untracked();
        spawn_local(async move {
            match state.run(Command::SaveSegment { name, filter: f }).await {
                Ok(_) => {
                    segment_error.set(None);
                    segment_name.set(String::new());
                    state.notice.set(Some(Notice::Saved));
                }
                Err(RunError::Command(CommandError::Invalid(list))) => {
                    segment_error.set(list.first().map(|e| text::problem(i18n, &e.problem).to_owned()));
                }
                Err(e) => state.not_saved(i18n, e, |m| segment_error.set(Some(m))),
            }
        });
    };
    view! {
            <fieldset>
                <legend>{t!(i18n, person.categories)}</legend>
                <div class="checks">
                    {categories.into_iter().map(|(key, name)| {
                        let id = format!("filter-cat-{}", key.as_str());
                        let (k1, k2) = (key.clone(), key);
                        view! {
                            <label class="check" for=id.clone()>
                                <input type="checkbox" id=id.clone()
                                    prop:checked=move || filter.categories.with(|c| c.contains(&k1))
                                    on:change:target=move |ev| {
                                        let on = ev.target().checked();
                                        filter.categories.update(|c| { if on { c.insert(k2.clone()); } else { c.remove(&k2); } });
                                    } />
                                {name}
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <datalist id="filter-org-names">
                {orgs.into_iter().map(|n| view! { <option value=n></option> }).collect_view()}
            </datalist>
            <div class="row2">
                <TextField id="filter-org" label=tr!(i18n, person.organisation) value=filter.org list="filter-org-names" error=unknown_org />
                <SelectField id="filter-tag" label=tr!(i18n, person.tags) value=filter.tag options=tag_options />
            </div>
            <div class="row2">
                <TextField id="filter-after" label=tr!(i18n, people.event_after) kind="date" value=filter.after />
                <TextField id="filter-before" label=tr!(i18n, people.event_before) kind="date" value=filter.before />
            </div>
            <div class="actions">
                <button type="button" class="button" on:click=move |_| filter.clear()>{t!(i18n, people.clear_filters)}</button>
            </div>
            <fieldset>
                <legend>{t!(i18n, people.segments)}</legend>
                <SelectField id="segment" label=tr!(i18n, people.use_segment) value=segment_choice options=segment_options />
                <div class="row-edit">
                    <TextField id="segment-name" label=tr!(i18n, people.segment_name) value=segment_name error=Signal::derive(move || segment_error.get()) />
                    <button type="button" class="button" on:click=save_segment>{t!(i18n, people.save_segment)}</button>
                </div>
            </fieldset>
    }
}
