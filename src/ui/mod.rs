//! The user interface (Leptos, client-side rendered). Components stay thin:
//! they read the register through [`state::AppState`] and change it only by
//! running domain commands.

/// The translations module `leptos_i18n` generates from `locales/`; its
/// code is not ours to lint.
#[allow(clippy::new_ret_no_self)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}
pub use generated::i18n;

pub mod components;
pub mod pages;
pub mod shell;
pub mod state;
pub mod text;

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use i18n::*;
use pages::audit::AuditPage;
use pages::duplicates::{ComparePage, DuplicatesPage};
use pages::exchange::ExchangePage;
use pages::orgs::{EditOrg, NewOrg, OrgPage, OrgsPage};
use pages::people::PeoplePage;
use pages::people_filters::PeopleFilter;
use pages::person_form::{EditPerson, NewPerson};
use pages::person_view::PersonPage;
use pages::privacy::{NoticePage, PrivacyPage, RecordPage};
use pages::records::{EditRecord, NewRecord};
use pages::request_view::{AccessReportPage, RequestPage};
use pages::requests::{NewRequestPage, RequestsPage};
use pages::retention::RetentionPage;
use pages::settings::SettingsPage;
use pages::NotFound;
use shell::{LocaleChoice, Shell};
use state::AppState;

/// Mounts the app on the page's body.
pub fn mount() {
    // The app's code also runs in the worker that seals exports
    // (`web::sealing`), where there is no page to mount.
    if web_sys::window().is_none() {
        return;
    }
    crate::web::register_service_worker();
    leptos::mount::mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    state.provide();
    let locale = RwSignal::new(LocaleChoice::initial());
    provide_context(LocaleChoice(locale));
    provide_context(PeopleFilter::new());
    Effect::new(move |_| {
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", locale.get().as_str());
        }
    });
    leptos::task::spawn_local(state.start());
    view! {
        <I18nContextProvider set_lang_attr_on_html=false set_dir_attr_on_html=false>
            <I18nSubContextProvider initial_locale=Signal::from(locale)>
                <Router>
                    <Shell>
                        <Routes fallback=|| view! { <NotFound /> }>
                            <Route path=path!("/") view=|| view! { <Redirect path="/people" /> } />
                            <Route path=path!("/people") view=PeoplePage />
                            <Route path=path!("/people/new") view=NewPerson />
                            <Route path=path!("/people/:id") view=PersonPage />
                            <Route path=path!("/people/:id/edit") view=EditPerson />
                            <Route path=path!("/people/:id/records/new/:kind") view=NewRecord />
                            <Route path=path!("/records/:id/edit") view=EditRecord />
                            <Route path=path!("/organisations") view=OrgsPage />
                            <Route path=path!("/organisations/new") view=NewOrg />
                            <Route path=path!("/organisations/:id") view=OrgPage />
                            <Route path=path!("/organisations/:id/edit") view=EditOrg />
                            <Route path=path!("/duplicates") view=DuplicatesPage />
                            <Route path=path!("/duplicates/:a/:b") view=ComparePage />
                            <Route path=path!("/audit") view=AuditPage />
                            <Route path=path!("/exchange") view=ExchangePage />
                            <Route path=path!("/settings") view=SettingsPage />
                            <Route path=path!("/lists") view=pages::lists::ListsPage />
                            <Route path=path!("/lists/labels") view=pages::labels::LabelsPage />
                            <Route path=path!("/import") view=pages::contacts_import::ImportPage />
                            <Route path=path!("/privacy") view=PrivacyPage />
                            <Route path=path!("/privacy/notice") view=NoticePage />
                            <Route path=path!("/privacy/record") view=RecordPage />
                            <Route path=path!("/requests") view=RequestsPage />
                            <Route path=path!("/requests/new") view=NewRequestPage />
                            <Route path=path!("/requests/:id") view=RequestPage />
                            <Route path=path!("/requests/:id/report") view=AccessReportPage />
                            <Route path=path!("/retention") view=RetentionPage />
                        </Routes>
                    </Shell>
                </Router>
            </I18nSubContextProvider>
        </I18nContextProvider>
    }
}
