//! Address labels of a list, laid out in millimetres on A4 label sheets so
//! that the browser's print prints them in place.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::domain::{Channel, LabelOptions, LabelPage, LabelSheet, Purpose};
use crate::tr;
use crate::ui::components::{use_title, CheckField};
use crate::ui::i18n::*;
use crate::ui::pages::lists::segment_filter;
use crate::ui::state::AppState;
use crate::ui::text::I18n;

fn sheet_name(i18n: I18n, key: &str) -> &'static str {
    match key {
        "3x8-70x37" => t_string!(i18n, lists.sheet_3x8_70x37),
        "3x7-63x38" => t_string!(i18n, lists.sheet_3x7_63x38),
        "3x8-63x34" => t_string!(i18n, lists.sheet_3x8_63x34),
        _ => t_string!(i18n, lists.sheet_3x7_70x42),
    }
}

fn mm(v: f64) -> String {
    format!("{v:.2}mm")
}

#[component]
pub fn LabelsPage() -> AnyView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, lists.labels_title));
    // Read-only users have no outreach lists (the lists page hides the way
    // here); the address is refused to them as well.
    if !state.can_edit() {
        return view! {
            <h1>{t!(i18n, lists.labels_title)}</h1>
            <p class="notice bad" role="alert">{t!(i18n, notice.not_allowed)}</p>
        }
        .into_any();
    }
    let params = use_query_map();
    let segment = params.read_untracked().get("segment").unwrap_or_default();
    let purpose = params.read_untracked().get("purpose").and_then(|p| Purpose::from_key(&p));
    let sheet_key = RwSignal::new(
        params
            .read_untracked()
            .get("sheet")
            .filter(|k| LabelSheet::preset(k).is_some())
            .unwrap_or_else(|| LabelSheet::A4_3X7.key.to_owned()),
    );
    let skip = RwSignal::new(String::from("0"));
    let organisation = RwSignal::new(true);
    let back = format!("/lists?segment={}&purpose={}", segment, purpose.map(|p| p.key()).unwrap_or_default());
    let segment = StoredValue::new(segment);
    let sheet = Memo::new(move |_| LabelSheet::preset(&sheet_key.get()).unwrap_or(LabelSheet::A4_3X7));
    let pages = Memo::new(move |_| {
        let sheet = sheet.get();
        let options = LabelOptions {
            skip: skip.get().trim().parse().unwrap_or(0),
            organisation: organisation.get(),
            ..LabelOptions::default()
        };
        let seg = segment.get_value();
        state
            .with(|r| {
                let people = r.search(&segment_filter(r, &seg));
                // Labels go by post: whoever the purpose allows and has an address.
                let purpose = purpose.unwrap_or(Purpose::DirectMarketing(Channel::Post));
                let audience = r.audience_of(&people, &purpose, Some(Channel::Post));
                r.labels(&audience, &sheet, &options)
            })
            .unwrap_or_default()
    });
    let count = move || pages.with(|p| p.iter().map(|pg| pg.labels.iter().flatten().count()).sum::<usize>());
    let print = move |_| {
        let _ = window().print();
    };
    view! {
        <div class="no-print">
            <h1>{t!(i18n, lists.labels_title)}</h1>
            <p class="help">{t!(i18n, lists.labels_help)}</p>
            <div class="form">
                <div class="row2">
                    <div class="field">
                        <label for="label-sheet">{t!(i18n, lists.sheet)}</label>
                        <select id="label-sheet" on:change:target=move |ev| sheet_key.set(ev.target().value())>
                            {LabelSheet::PRESETS.into_iter().map(|s| {
                                let key = s.key;
                                view! { <option value=key selected=move || sheet_key.get() == key>{move || sheet_name(i18n, key)}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="label-skip">{t!(i18n, lists.skip)}</label>
                        <input id="label-skip" type="number" min="0" max="23" prop:value=move || skip.get()
                            on:input:target=move |ev| skip.set(ev.target().value()) />
                    </div>
                </div>
                <CheckField id="label-org" label=tr!(i18n, lists.with_org) value=organisation />
            </div>
            <p role="status" class="labels-count">
                {move || t_string!(i18n, lists.labels_count, labels = count(), sheets = pages.with(Vec::len)).to_string()}
            </p>
            <div class="actions">
                <button type="button" class="button primary" on:click=print>{t!(i18n, lists.print)}</button>
                <a class="button" href=back>{t!(i18n, lists.back)}</a>
            </div>
        </div>
        <div class="label-sheets">
            {move || {
                let sheet = sheet.get();
                pages.get().into_iter().enumerate().map(|(n, page)| view! { <Sheet n=n + 1 sheet=sheet.clone() page=page /> }).collect_view()
            }}
        </div>
    }
    .into_any()
}

#[component]
fn Sheet(n: usize, sheet: LabelSheet, page: LabelPage) -> impl IntoView {
    let i18n = use_i18n();
    // Positions go through the CSS object model (the page's content
    // security policy refuses inline style attributes).
    let place = |i: usize| {
        let (x, y) = sheet.position(i);
        (mm(x), mm(y), mm(sheet.label_width), mm(sheet.label_height), mm(sheet.padding))
    };
    let rows = sheet.rows;
    let cols = sheet.columns;
    view! {
        <div class="label-sheet" role="group" data-rows=rows data-columns=cols
            aria-label=move || t_string!(i18n, lists.sheet_n, n = n).to_string()>
            {page.labels.into_iter().enumerate().map(|(i, label)| {
                let (left, top, width, height, padding) = place(i);
                let blank = label.is_none();
                let lines = label.map(|l| l.lines).unwrap_or_default();
                view! {
                    <div class="label" class:blank=blank style:left=left style:top=top style:width=width
                        style:height=height style:padding=padding>
                        {lines.into_iter().map(|line| view! { <div class="label-line">{line}</div> }).collect_view()}
                    </div>
                }
            }).collect_view()}
        </div>
    }
}
