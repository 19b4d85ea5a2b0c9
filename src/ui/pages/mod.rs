//! One module per page (route).

pub mod audit;
pub mod backup;
pub mod contacts_import;
pub mod duplicates;
pub mod exchange;
pub mod labels;
pub mod lists;
pub mod orgs;
pub mod people;
pub mod people_filters;
pub mod person_consents;
pub mod person_form;
pub mod person_privacy;
pub mod person_view;
pub mod privacy;
pub mod records;
pub mod request_view;
pub mod requests;
pub mod retention;
pub mod settings;
pub mod settings_description;
pub mod settings_newsletters;
pub mod vault;

use leptos::prelude::*;

use crate::tr;
use crate::ui::components::use_title;
use crate::ui::i18n::*;

/// Shown for an address that leads nowhere, or to something deleted.
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    use_title(tr!(i18n, not_found.title));
    view! {
        <h1>{t!(i18n, not_found.title)}</h1>
        <p>{t!(i18n, not_found.text)}</p>
        <p><a href="/people">{t!(i18n, person.back_to_list)}</a></p>
    }
}

/// Moves focus to the error summary so that screen readers read it.
pub fn focus_error_summary() {
    request_animation_frame(|| {
        use wasm_bindgen::JsCast;
        if let Some(el) =
            document().get_element_by_id("error-summary").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}
