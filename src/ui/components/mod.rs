//! Small reusable pieces of the interface.

mod field;
mod rows;

pub use field::{CheckField, ErrorText, SelectField, TextArea, TextField};
pub use rows::{Column, Rows, RowsEditor};

use leptos::prelude::*;

use crate::domain::FieldError;
use crate::ui::i18n::*;

/// Keeps the document's title in step with the page: "Page – Sidos".
pub fn use_title(title: Signal<String>) {
    Effect::new(move |_| {
        let t = title.get();
        let full = if t.is_empty() { "Sidos".to_owned() } else { format!("{t} – Sidos") };
        document().set_title(&full);
    });
}

/// "Check the fields marked below" with their count, shown after a failed
/// save. Focus moves here so that screen readers announce it.
#[component]
pub fn ErrorSummary(errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div id="error-summary" class="error-summary" role="alert" tabindex="-1" hidden=move || errors.with(Vec::is_empty)>
            {move || {
                let n = errors.with(Vec::len);
                t_string!(i18n, form.has_errors, count = n).to_string()
            }}
        </div>
    }
}
