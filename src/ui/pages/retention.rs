//! Retention: what the rules have made due today, why, and what holds stop
//! it; and the purge that deletes what is due.

use leptos::prelude::*;

use crate::domain::gdpr::{notice::rule_text, DueTarget, GdprCommand, Why};
use crate::domain::Command;
use crate::tr;
use crate::ui::components::use_title;
use crate::ui::i18n::*;
use crate::ui::pages::privacy::ui_lang;
use crate::ui::pages::records::record_line;
use crate::ui::pages::request_view::run_desk;
use crate::ui::state::AppState;
use crate::ui::text;
use crate::web;

#[derive(Clone, PartialEq)]
struct Row {
    what: String,
    whose: String,
    person_link: Option<String>,
    why: Vec<String>,
    blocked: Vec<String>,
}

#[component]
pub fn RetentionPage() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    use_title(tr!(i18n, retention.title));
    let today = web::today();
    let rows = Memo::new(move |_| {
        let lang = ui_lang();
        state
            .with(|r| {
                let rules = r.description().retention.clone();
                r.retention_dry_run(today, &rules)
                    .into_iter()
                    .map(|d| {
                        let whose = r.person(d.person).map(|p| p.display_name()).unwrap_or_default();
                        let record = |id| record_line(i18n, r, id);
                        let what = match d.target {
                            DueTarget::Person(_) => t_string!(i18n, retention.what_person).to_owned(),
                            DueTarget::Record(id) => record(id),
                            DueTarget::Dietary(id) => {
                                t_string!(i18n, retention.what_dietary, what = record(id)).to_string()
                            }
                        };
                        let why = match &d.why {
                            Why::Rules(hits) => hits
                                .iter()
                                .map(|h| {
                                    t_string!(
                                        i18n,
                                        retention.why_rule,
                                        rule = rule_text(lang, r.settings(), &h.rule),
                                        from = text::date(h.from),
                                        due = text::date(h.due_on)
                                    )
                                    .to_string()
                                })
                                .collect(),
                            Why::ErasedExceptHeld => vec![t_string!(i18n, retention.why_erased).to_owned()],
                        };
                        Row {
                            what,
                            whose,
                            person_link: r.person(d.person).map(|_| format!("/people/{}", d.person)),
                            why,
                            blocked: d.blocked_by.iter().map(|h| h.message(lang)).collect(),
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let due = Memo::new(move |_| rows.with(|r| r.iter().filter(|x| x.blocked.is_empty()).count()));
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let result = RwSignal::new(None::<usize>);
    let purge = move |_| {
        confirming.set(false);
        result.set(None);
        run_desk(i18n, Command::Gdpr(GdprCommand::PurgeRetention { today }), None, failure, move |plan| {
            result.set(Some(plan.affected))
        });
    };
    view! {
        <p><a href="/privacy">{t!(i18n, privacy.back_to_desk)}</a></p>
        <h1>{t!(i18n, retention.title)}</h1>
        <p class="help">{t!(i18n, retention.intro)}</p>
        <p class="help" hidden=move || state.is_admin()>{t!(i18n, retention.admin_only)}</p>
        <p role="status" class="ok-text" hidden=move || result.with(Option::is_none)>
            {move || result.get().map(|n| t_string!(i18n, retention.purged, count = n).to_string()).unwrap_or_default()}
        </p>
        <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get().unwrap_or_default()}</p>
        <p>{move || t_string!(i18n, retention.summary, due = due.get(), held = rows.with(Vec::len) - due.get()).to_string()}</p>
        <p class="muted" hidden=move || !rows.with(Vec::is_empty)>{t!(i18n, retention.nothing)}</p>
        <table class="table retention" hidden=move || rows.with(Vec::is_empty)>
            <thead><tr>
                <th scope="col">{t!(i18n, retention.col_whose)}</th>
                <th scope="col">{t!(i18n, retention.col_what)}</th>
                <th scope="col">{t!(i18n, retention.col_why)}</th>
                <th scope="col">{t!(i18n, retention.col_holds)}</th>
            </tr></thead>
            <tbody>
                {move || rows.get().into_iter().map(|r| { let held = !r.blocked.is_empty(); view! {
                    <tr class:held=held>
                        <th scope="row">{match r.person_link {
                            Some(href) => view! { <a href=href>{r.whose.clone()}</a> }.into_any(),
                            None => r.whose.clone().into_any(),
                        }}</th>
                        <td>{r.what}</td>
                        <td><ul class="plain">{r.why.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul></td>
                        <td>{if r.blocked.is_empty() {
                            view! { <span>{t!(i18n, retention.no_holds)}</span> }.into_any()
                        } else {
                            view! { <ul class="plain">{r.blocked.into_iter().map(|b| view! { <li>{b}</li> }).collect_view()}</ul> }.into_any()
                        }}</td>
                    </tr>
                }}).collect_view()}
            </tbody>
        </table>
        <div class="actions" hidden=move || !state.is_admin() || due.get() == 0>
            <button type="button" class="button danger" on:click=move |_| confirming.set(true)>{t!(i18n, retention.purge)}</button>
        </div>
        <div class="confirm" role="alertdialog" aria-labelledby="purge-confirm" hidden=move || !confirming.get()>
            <p id="purge-confirm">{move || t_string!(i18n, retention.confirm, count = due.get()).to_string()}</p>
            <button type="button" class="button danger" on:click=purge disabled=move || state.busy.get()>{t!(i18n, retention.purge_yes)}</button>
            <button type="button" class="button" on:click=move |_| confirming.set(false)>{t!(i18n, common.cancel)}</button>
        </div>
    }
}
