//! The people list: search as you type, in Finnish alphabetical order.
//! Only the rows in view are rendered, so it stays smooth at 50 000.

use leptos::html;
use leptos::prelude::*;

use leptos_router::hooks::use_query_map;

use crate::domain::{validate::display_phone, PersonId, SegmentId};
use crate::tr;
use crate::ui::components::use_title;
use crate::ui::i18n::*;
use crate::ui::pages::people_filters::{FilterPanel, PeopleFilter};
use crate::ui::state::AppState;

/// The height of one row in pixels (kept in step with `style/app.css`).
const ROW: f64 = 64.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 6;

#[component]
pub fn PeoplePage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, people.title));
    let filter = use_context::<PeopleFilter>().unwrap_or_default();
    let query = filter.text;
    // `/people?segment=<id>` opens a saved search.
    let params = use_query_map();
    if let Some(id) = params.read_untracked().get("segment").and_then(|s| s.parse::<SegmentId>().ok()) {
        filter.apply_segment(id);
    }
    let results = Memo::new(move |_| state.with(|r| r.search(&filter.filter(r).0)).unwrap_or_default());
    let total = Memo::new(move |_| state.with(|r| r.people_count()).unwrap_or(0));
    view! {
        <div class="page-head">
            <h1>{t!(i18n, people.title)}</h1>
            <a class="button primary" href="/people/new">{t!(i18n, people.add)}</a>
        </div>
        <div class="search">
            <label for="people-search">{t!(i18n, people.search_label)}</label>
            <input
                id="people-search"
                type="search"
                autocomplete="off"
                aria-describedby="people-count"
                prop:value=move || query.get()
                on:input:target=move |ev| query.set(ev.target().value())
            />
        </div>
        <p class="count" id="people-count" role="status" aria-live="polite">
            {move || {
                let shown = results.with(Vec::len);
                if total.get() == 0 {
                    t_string!(i18n, people.empty).to_string()
                } else if query.with(|q| q.trim().is_empty()) && !filter.is_filtered() {
                    t_string!(i18n, people.count, count = shown).to_string()
                } else if shown == 0 {
                    t_string!(i18n, people.no_match).to_string()
                } else {
                    t_string!(i18n, people.matches, count = shown).to_string()
                }
            }}
        </p>
        <FilterPanel filter=filter />
        <PeopleList ids=results />
    }
}

/// A scrolling list that renders only the rows in view.
#[component]
pub fn PeopleList(#[prop(into)] ids: Signal<Vec<PersonId>>) -> impl IntoView {
    let i18n = use_i18n();
    let container = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0.0);
    let height = RwSignal::new(640.0);
    let measure = move || {
        if let Some(el) = container.get_untracked() {
            scroll_top.set(el.scroll_top() as f64);
            let h = el.client_height() as f64;
            if h > 0.0 {
                height.set(h);
            }
        }
    };
    Effect::new(move |_| {
        if container.get().is_some() {
            measure();
        }
    });
    let window_resize = leptos::ev::resize;
    let handle = window_event_listener(window_resize, move |_| measure());
    on_cleanup(move || handle.remove());

    let len = Memo::new(move |_| ids.with(Vec::len));
    let visible = Memo::new(move |_| {
        let n = len.get();
        let first = ((scroll_top.get() / ROW) as usize).saturating_sub(OVERSCAN).min(n);
        let count = (height.get() / ROW).ceil() as usize + 2 * OVERSCAN;
        let last = (first + count).min(n);
        ids.with(|all| all[first..last].iter().enumerate().map(|(i, id)| (first + i, *id)).collect::<Vec<_>>())
    });
    // Back to the top when the results change (a new search). Setting the
    // scroll position makes the browser lay the page out at once, so only
    // when the list is not at the top already.
    Effect::new(move |_| {
        ids.track();
        if scroll_top.get_untracked() > 0.0 {
            if let Some(el) = container.get_untracked() {
                el.set_scroll_top(0);
                scroll_top.set(0.0);
            }
        }
    });
    view! {
        <div class="vlist" node_ref=container on:scroll=move |_| measure()>
            <ul
                class="vlist-inner"
                aria-label=move || t_string!(i18n, people.list_label)
                style:height=move || format!("{}px", len.get() as f64 * ROW)
            >
                <For
                    each=move || visible.get()
                    key=|(pos, id)| (*pos, *id)
                    children=move |(pos, id)| view! { <PersonRow pos=pos id=id total=len /> }
                />
            </ul>
        </div>
    }
}

#[component]
fn PersonRow(pos: usize, id: PersonId, #[prop(into)] total: Signal<usize>) -> impl IntoView {
    let state = AppState::get();
    let row = move || {
        state
            .with(|r| {
                r.person(id).map(|p| {
                    let orgs: Vec<String> = p
                        .affiliations
                        .iter()
                        .filter_map(|a| {
                            r.org(a.org).map(|o| {
                                if a.role.is_empty() {
                                    o.name.clone()
                                } else {
                                    format!("{} ({})", o.name, a.role)
                                }
                            })
                        })
                        .collect();
                    let contact: Vec<String> = p
                        .primary_email()
                        .map(str::to_owned)
                        .into_iter()
                        .chain(p.primary_phone().map(display_phone))
                        .collect();
                    (p.sort_name(), orgs.join(", "), contact.join(" · "))
                })
            })
            .flatten()
    };
    view! {
        <li
            class="vrow"
            aria-posinset=pos + 1
            aria-setsize=move || total.get()
            style:transform=format!("translateY({}px)", pos as f64 * ROW)
        >
            {move || row().map(|(name, orgs, contact)| view! {
                <a href=format!("/people/{id}")>
                    <span class="name">{name}</span>
                    <span class="meta">{orgs}</span>
                    <span class="meta">{contact}</span>
                </a>
            })}
        </li>
    }
}
