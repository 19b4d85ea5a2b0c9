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

/// How strong a passphrase is, as a meter and in words.
#[component]
pub fn StrengthMeter(#[prop(into)] id: String, value: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let strength = Memo::new(move |_| crate::bundle::passphrase::strength(&value.get()));
    view! {
        <div class="strength">
            <meter id=id.clone() min="0" max="90" low="45" high="70" optimum="90"
                aria-labelledby=format!("{id}-label")
                value=move || strength.get().bits.min(90)></meter>
            <span id=format!("{id}-label")>
                {t!(i18n, exchange.strength)} ": "
                {move || match strength.get().level {
                    crate::bundle::passphrase::Level::Weak => t_string!(i18n, exchange.strength_weak),
                    crate::bundle::passphrase::Level::Fair => t_string!(i18n, exchange.strength_fair),
                    crate::bundle::passphrase::Level::Strong => t_string!(i18n, exchange.strength_strong),
                }}
            </span>
        </div>
    }
}
