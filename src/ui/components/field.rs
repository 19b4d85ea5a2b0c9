//! Form fields with a visible label, an inline error tied to the input
//! (`aria-describedby`, `aria-invalid`), and optional help text.

use leptos::prelude::*;

/// A labelled text input.
#[component]
pub fn TextField(
    /// The input's id (and the base of its error's id).
    #[prop(into)]
    id: String,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(into, optional)] error: Signal<Option<String>>,
    /// The input type: text (default), email, tel, date, url, number…
    #[prop(optional)]
    kind: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(into, optional)] help: Option<Signal<String>>,
    /// A `<datalist>` id offering suggestions.
    #[prop(optional, into)]
    list: Option<String>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let has_help = help.is_some();
    let described = {
        let error_id = error_id.clone();
        let help_id = help_id.clone();
        move || {
            let mut ids = Vec::new();
            if has_help {
                ids.push(help_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>
                {move || label.get()}
                {required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
            </label>
            {help.map(|h| view! { <p class="help" id=help_id.clone()>{move || h.get()}</p> })}
            <input
                id=id.clone()
                type=kind.unwrap_or("text")
                autocomplete=autocomplete
                list=list.filter(|l| !l.is_empty())
                required=required
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
            />
            <ErrorText id=error_id error=error />
        </div>
    }
}

/// A labelled multi-line text input.
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(into, optional)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{move || label.get()}</label>
            <textarea
                id=id.clone()
                rows="3"
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby={
                    let error_id = error_id.clone();
                    move || error.with(Option::is_some).then(|| error_id.clone())
                }
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
            ></textarea>
            <ErrorText id=error_id error=error />
        </div>
    }
}

/// The error under a field, when there is one.
#[component]
pub fn ErrorText(#[prop(into)] id: String, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="error" id=id hidden=move || error.with(Option::is_none)>
            {move || error.get().unwrap_or_default()}
        </p>
    }
}

/// A labelled choice from a list.
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    /// (value, text shown)
    options: Vec<(String, Signal<String>)>,
    #[prop(into, optional)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{move || label.get()}</label>
            <select
                id=id.clone()
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby={
                    let error_id = error_id.clone();
                    move || error.with(Option::is_some).then(|| error_id.clone())
                }
                on:change:target=move |ev| value.set(ev.target().value())
            >
                {options
                    .into_iter()
                    .map(|(v, text)| {
                        let selected = {
                            let v = v.clone();
                            move || value.with(|cur| *cur == v)
                        };
                        view! { <option value=v selected=selected>{move || text.get()}</option> }
                    })
                    .collect_view()}
            </select>
            <ErrorText id=error_id error=error />
        </div>
    }
}

/// A labelled checkbox.
#[component]
pub fn CheckField(
    #[prop(into)] id: String,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <label class="check" for=id.clone()>
            <input
                type="checkbox"
                id=id.clone()
                prop:checked=move || value.get()
                on:change:target=move |ev| value.set(ev.target().checked())
            />
            {move || label.get()}
        </label>
    }
}
