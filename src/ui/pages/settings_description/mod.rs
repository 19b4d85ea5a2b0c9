//! Settings: the register description (who the controller is, whom to
//! contact, the purposes and their legal bases, sources, disclosures,
//! transfers, retention and security). Administrators edit it; others read
//! it. The privacy notice and the record of processing are made from it.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::domain::gdpr::{texts, Anchor, DataKind, GdprCommand, LegalBasis, Purpose, RecordType, Safeguard};
use crate::domain::{Command, CommandError, FieldError, Source};
use crate::tr;
use crate::ui::components::{Column, ErrorSummary, RowsEditor, SelectField, TextArea, TextField};
use crate::ui::i18n::*;
use crate::ui::pages::privacy::{run_error, ui_lang};
use crate::ui::state::{AppState, Notice, RunError};
use crate::ui::text::{self, I18n};

mod form;

use form::*;

fn core_text(key: &str) -> String {
    texts::t(ui_lang(), key)
}

fn purpose_title(i18n: I18n, row: PurposeRow, index: usize) -> String {
    let own = row.name.get();
    if !own.trim().is_empty() {
        return own;
    }
    let key = row.key.get_value();
    if !key.is_empty() {
        return core_text(&format!("purpose.{key}.name"));
    }
    t_string!(i18n, privacy.desc.purpose_n, n = index + 1).to_string()
}

fn data_name(settings: &crate::domain::Settings, kind: &DataKind) -> String {
    match kind {
        DataKind::Custom(id) => settings.field(*id).map_or_else(|| id.to_string(), |f| f.name.clone()),
        other => core_text(&format!("data.{}", other.key())),
    }
}

/// The register description, in Settings.
#[component]
pub fn DescriptionSection() -> impl IntoView {
    let state = AppState::get();
    let i18n = use_i18n();
    let Some((desc, settings)) = state.with_untracked(|r| (r.description().clone(), r.settings().clone())) else {
        return ().into_any();
    };
    let form = DescForm::new(&desc);
    let settings = StoredValue::new(settings);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let err = move |path: &str| text::field_error(i18n, errors, path.to_owned());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        let desc = match form.description() {
            Ok(d) => d,
            Err(list) => {
                errors.set(list);
                super::focus_error_summary();
                return;
            }
        };
        spawn_local(async move {
            match state.run(Command::Gdpr(GdprCommand::UpdateDescription(Box::new(desc)))).await {
                Ok(plan) => {
                    errors.set(vec![]);
                    if let Some(d) = state.with_untracked(|r| r.description().clone()) {
                        form.base.set_value(d);
                    }
                    state.notice.set(Some(if plan.is_empty() { Notice::NoChanges } else { Notice::Saved }));
                }
                Err(RunError::Command(CommandError::Invalid(list))) => {
                    errors.set(list);
                    super::focus_error_summary();
                }
                Err(e) => failure.set(run_error(i18n, &e)),
            }
        });
    };
    let basis_options = move || {
        LegalBasis::ALL
            .iter()
            .map(|b| {
                let k = b.key();
                (k.to_owned(), Signal::derive(move || core_text(&format!("basis.{k}"))))
            })
            .collect::<Vec<_>>()
    };
    let categories = settings.with_value(|s| s.all_categories());
    let data_kinds: Vec<DataKind> = settings.with_value(|s| {
        DataKind::BUILT_IN.iter().copied().chain(s.fields.iter().map(|f| DataKind::Custom(f.id))).collect()
    });
    let categories = StoredValue::new(categories);
    let data_kinds = StoredValue::new(data_kinds);
    let target_options = move || {
        let mut out: Vec<(String, Signal<String>)> = categories.with_value(|cs| {
            cs.iter()
                .map(|c| {
                    let name = settings.with_value(|s| text::category(i18n, s, c));
                    (format!("cat:{}", c.as_str()), Signal::derive(move || name.clone()))
                })
                .collect()
        });
        for r in RecordType::ALL {
            let k = r.key();
            out.push((format!("rec:{k}"), Signal::derive(move || core_text(&format!("target.{k}")))));
        }
        out.push(("dietary".into(), Signal::derive(|| core_text("target.dietary"))));
        out
    };
    let unit_options = move || {
        vec![
            ("days".to_owned(), tr!(i18n, privacy.desc.days)),
            ("months".to_owned(), tr!(i18n, privacy.desc.months)),
            ("years".to_owned(), tr!(i18n, privacy.desc.years)),
        ]
    };
    let anchor_options = move || {
        Anchor::ALL
            .iter()
            .map(|a| {
                let k = a.key();
                (k.to_owned(), Signal::derive(move || core_text(&format!("anchor.{k}"))))
            })
            .collect::<Vec<_>>()
    };
    let safeguard_options = move || {
        Safeguard::ALL
            .iter()
            .map(|s| {
                let k = s.key();
                (k.to_owned(), Signal::derive(move || core_text(&format!("safeguard.{k}"))))
            })
            .collect::<Vec<_>>()
    };
    let purpose_rows = move || form.purposes.get().into_iter().enumerate().collect::<Vec<_>>();
    let transfer_rows = move || form.transfers.get().into_iter().enumerate().collect::<Vec<_>>();
    let rule_rows = move || form.rules.get().into_iter().enumerate().collect::<Vec<_>>();
    let updated = desc.updated.map(text::date);
    view! {
        <section aria-labelledby="description-title" class="panel description">
            <h2 id="description-title">{t!(i18n, privacy.description)}</h2>
            <p class="help">{t!(i18n, privacy.desc.intro)}</p>
            <p class="help" hidden=move || state.is_admin()>{t!(i18n, privacy.desc.read_only)}</p>
            {updated.map(|d| view! { <p class="muted">{t_string!(i18n, privacy.desc.updated, date = d).to_string()}</p> })}
            <p><a href="/privacy/notice">{t!(i18n, privacy.notice_title)}</a>" · "<a href="/privacy/record">{t!(i18n, privacy.record_title)}</a></p>
            <form class="form" novalidate on:submit=save aria-labelledby="description-title">
                <ErrorSummary errors=errors />
                <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>
                    {move || failure.get().unwrap_or_default()}
                </p>
                <fieldset class="bare" disabled=move || !state.is_admin()>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.controller)}</legend>
                    <TextField id="desc-c-name" label=tr!(i18n, privacy.desc.controller_name) value=form.c_name required=true error=err("controller.name") />
                    <TextField id="desc-c-bid" label=tr!(i18n, privacy.desc.business_id) value=form.c_business_id error=err("controller.business_id") />
                    <TextArea id="desc-c-address" label=tr!(i18n, privacy.desc.address) value=form.c_address error=err("controller.address") />
                    <div class="row2">
                        <TextField id="desc-c-email" kind="email" label=tr!(i18n, privacy.desc.email) value=form.c_email error=err("controller.email") />
                        <TextField id="desc-c-phone" kind="tel" label=tr!(i18n, privacy.desc.phone) value=form.c_phone error=err("controller.phone") />
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.contact)}</legend>
                    <p class="help">{t!(i18n, privacy.desc.contact_help)}</p>
                    <TextField id="desc-k-name" label=tr!(i18n, privacy.desc.contact_name) value=form.k_name required=true error=err("contact.name") />
                    <div class="row2">
                        <TextField id="desc-k-email" kind="email" label=tr!(i18n, privacy.desc.contact_email) value=form.k_email error=err("contact.email") />
                        <TextField id="desc-k-phone" kind="tel" label=tr!(i18n, privacy.desc.contact_phone) value=form.k_phone error=err("contact.phone") />
                    </div>
                    <TextArea id="desc-k-address" label=tr!(i18n, privacy.desc.contact_address) value=form.k_address error=err("contact.address") />
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.dpo)}</legend>
                    <p class="help">{t!(i18n, privacy.desc.dpo_help)}</p>
                    <TextField id="desc-d-name" label=tr!(i18n, privacy.desc.dpo_name) value=form.d_name error=err("dpo.name") />
                    <div class="row2">
                        <TextField id="desc-d-email" kind="email" label=tr!(i18n, privacy.desc.dpo_email) value=form.d_email error=err("dpo.email") />
                        <TextField id="desc-d-phone" kind="tel" label=tr!(i18n, privacy.desc.dpo_phone) value=form.d_phone error=err("dpo.phone") />
                    </div>
                    <TextArea id="desc-d-address" label=tr!(i18n, privacy.desc.dpo_address) value=form.d_address error=err("dpo.address") />
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.register)}</legend>
                    <TextField id="desc-register-name" label=tr!(i18n, privacy.desc.register_name)
                        help=Signal::derive(move || t_string!(i18n, privacy.desc.register_name_help, name = core_text("register.default_name")).to_string())
                        value=form.register_name error=err("register_name") />
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.purposes)}</legend>
                    <p class="help">{t!(i18n, privacy.desc.purposes_help)}</p>
                    <p class="error" hidden=move || err("purposes").with(Option::is_none)>{t!(i18n, privacy.desc.purposes_required)}</p>
                    <For each=purpose_rows key=|(i, row)| (*i, row.uid) children=move |(i, row)| {
                        let uid = row.uid;
                        let standard = !row.key.get_value().is_empty();
                        let title = Signal::derive(move || purpose_title(i18n, row, i));
                        let std_name = row.key.get_value();
                        let name_help = standard.then(|| {
                            let std_name = std_name.clone();
                            Signal::derive(move || t_string!(i18n, privacy.desc.standard_help, text = core_text(&format!("purpose.{std_name}.name"))).to_string())
                        });
                        let is_li = Signal::derive(move || row.basis.get() == "legitimate_interest");
                        let interest_help = Signal::derive(move || {
                            let k = row.key.get_value();
                            let std = format!("purpose.{k}.interest");
                            if !k.is_empty() && texts::has(ui_lang(), &std) {
                                t_string!(i18n, privacy.desc.standard_help, text = core_text(&std)).to_string()
                            } else {
                                t_string!(i18n, privacy.desc.interest_help).to_string()
                            }
                        });
                        view! {
                            <fieldset class="purpose">
                                <legend>{move || title.get()}</legend>
                                <p class="error" hidden=move || err(&format!("purposes.{i}")).with(Option::is_none)>
                                    {move || err(&format!("purposes.{i}")).get().unwrap_or_default()}
                                </p>
                                {match name_help {
                                    Some(h) => view! { <TextField id=format!("purpose-{uid}-name") label=tr!(i18n, privacy.desc.purpose_name) help=h value=row.name error=err(&format!("purposes.{i}.name")) /> }.into_any(),
                                    None => view! { <TextField id=format!("purpose-{uid}-name") label=tr!(i18n, privacy.desc.purpose_name) value=row.name required=true error=err(&format!("purposes.{i}.name")) /> }.into_any(),
                                }}
                                <TextArea id=format!("purpose-{uid}-description") label=tr!(i18n, privacy.desc.purpose_description) value=row.description error=err(&format!("purposes.{i}.description")) />
                                <SelectField id=format!("purpose-{uid}-basis") label=tr!(i18n, privacy.desc.basis) value=row.basis options=basis_options() error=err(&format!("purposes.{i}.basis")) />
                                <div hidden=move || !is_li.get()>
                                    <p class="help" id=format!("purpose-{uid}-interest-help")>{move || interest_help.get()}</p>
                                    <TextArea id=format!("purpose-{uid}-interest") label=tr!(i18n, privacy.desc.interest) value=row.interest error=err(&format!("purposes.{i}.interest")) />
                                </div>
                                <fieldset class="inline-group">
                                    <legend>{t!(i18n, privacy.desc.categories)}</legend>
                                    <div class="checks">
                                        {categories.get_value().into_iter().map(|c| {
                                            let name = settings.with_value(|s| text::category(i18n, s, &c));
                                            let id = format!("purpose-{uid}-cat-{}", c.as_str());
                                            let id_for = id.clone();
                                            let c2 = c.clone();
                                            view! {
                                                <label class="check" for=id_for>
                                                    <input type="checkbox" id=id
                                                        prop:checked=move || row.categories.with(|s| s.contains(&c))
                                                        on:change:target=move |ev| {
                                                            let on = ev.target().checked();
                                                            row.categories.update(|s| { if on { s.insert(c2.clone()); } else { s.remove(&c2); } });
                                                        } />
                                                    {name}
                                                </label>
                                            }
                                        }).collect_view()}
                                    </div>
                                    <p class="error" hidden=move || err(&format!("purposes.{i}.categories")).with(Option::is_none)>
                                        {move || err(&format!("purposes.{i}.categories")).get().unwrap_or_default()}
                                    </p>
                                </fieldset>
                                <fieldset class="inline-group">
                                    <legend>{t!(i18n, privacy.desc.data)}</legend>
                                    <div class="checks">
                                        {data_kinds.get_value().into_iter().map(|k| {
                                            let name = settings.with_value(|s| data_name(s, &k));
                                            let id = format!("purpose-{uid}-data-{}", k.key().replace(':', "-"));
                                            let id_for = id.clone();
                                            view! {
                                                <label class="check" for=id_for>
                                                    <input type="checkbox" id=id
                                                        prop:checked=move || row.data.with(|s| s.contains(&k))
                                                        on:change:target=move |ev| {
                                                            let on = ev.target().checked();
                                                            row.data.update(|s| { if on { s.insert(k); } else { s.remove(&k); } });
                                                        } />
                                                    {name}
                                                </label>
                                            }
                                        }).collect_view()}
                                    </div>
                                    <p class="error" hidden=move || err(&format!("purposes.{i}.data")).with(Option::is_none)>
                                        {move || err(&format!("purposes.{i}.data")).get().unwrap_or_default()}
                                    </p>
                                </fieldset>
                                <button type="button" class="link remove" on:click=move |_| form.purposes.update(|p| p.retain(|r| r.uid != uid))>
                                    {t!(i18n, privacy.desc.remove_purpose)}<span class="visually-hidden">" " {move || title.get()}</span>
                                </button>
                            </fieldset>
                        }
                    } />
                    <button type="button" class="link" on:click=move |_| {
                        let p = Purpose {
                            key: String::new(), name: String::new(), description: String::new(),
                            basis: LegalBasis::Consent, interest: String::new(),
                            categories: BTreeSet::new(), data: BTreeSet::new(),
                        };
                        let uid = form.uid();
                        form.purposes.update(|list| list.push(PurposeRow::of(uid, &p)));
                    }>{t!(i18n, privacy.desc.add_purpose)}</button>
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.sources)}</legend>
                    <div class="checks">
                        {Source::ALL.into_iter().map(|s| {
                            let id = format!("desc-source-{}", s.key());
                            let id_for = id.clone();
                            view! {
                                <label class="check" for=id_for>
                                    <input type="checkbox" id=id
                                        prop:checked=move || form.sources.with(|set| set.contains(&s))
                                        on:change:target=move |ev| {
                                            let on = ev.target().checked();
                                            form.sources.update(|set| { if on { set.insert(s); } else { set.remove(&s); } });
                                        } />
                                    {text::source(i18n, s)}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    <TextArea id="desc-sources-note" label=tr!(i18n, privacy.desc.sources_note) value=form.sources_note error=err("sources_note") />
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.recipients)}</legend>
                    <p class="help">{t!(i18n, privacy.desc.recipients_help)}</p>
                    <RowsEditor rows=form.recipients errors=errors path="recipients"
                        columns=vec![
                            Column::new(tr!(i18n, privacy.desc.recipient_name), "text", ".name"),
                            Column::new(tr!(i18n, privacy.desc.recipient_purpose), "text", ".purpose"),
                        ]
                        add_label=tr!(i18n, privacy.desc.add_recipient) />
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.transfers)}</legend>
                    <p class="help">{t!(i18n, privacy.desc.transfers_help)}</p>
                    <For each=transfer_rows key=|(i, row)| (*i, row.uid) children=move |(i, row)| {
                        let uid = row.uid;
                        let n = i + 1;
                        view! {
                            <fieldset class="transfer">
                                <legend>{t_string!(i18n, privacy.desc.transfer_n, n = n).to_string()}</legend>
                                <div class="row2">
                                    <TextField id=format!("transfer-{uid}-recipient") label=tr!(i18n, privacy.desc.transfer_recipient) value=row.recipient error=err(&format!("transfers.{i}.recipient")) />
                                    <TextField id=format!("transfer-{uid}-country") label=tr!(i18n, privacy.desc.transfer_country) value=row.country error=err(&format!("transfers.{i}.country")) />
                                </div>
                                <SelectField id=format!("transfer-{uid}-safeguard") label=tr!(i18n, privacy.desc.safeguard) value=row.safeguard options=safeguard_options() />
                                <TextArea id=format!("transfer-{uid}-note") label=tr!(i18n, privacy.desc.safeguard_note) value=row.note error=err(&format!("transfers.{i}.note")) />
                                <button type="button" class="link remove" on:click=move |_| form.transfers.update(|t| t.retain(|r| r.uid != uid))>
                                    {t!(i18n, common.remove)}<span class="visually-hidden">" " {t_string!(i18n, privacy.desc.transfer_n, n = n).to_string()}</span>
                                </button>
                            </fieldset>
                        }
                    } />
                    <button type="button" class="link" on:click=move |_| {
                        let uid = form.uid();
                        form.transfers.update(|t| t.push(TransferRow {
                            uid, recipient: RwSignal::new(String::new()), country: RwSignal::new(String::new()),
                            safeguard: RwSignal::new("standard_clauses".into()), note: RwSignal::new(String::new()),
                        }));
                    }>{t!(i18n, privacy.desc.add_transfer)}</button>
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.retention)}</legend>
                    <p class="help">{t!(i18n, privacy.desc.retention_help)}</p>
                    <For each=rule_rows key=|(i, row)| (*i, row.uid) children=move |(i, row)| {
                        let uid = row.uid;
                        let n = i + 1;
                        view! {
                            <fieldset class="rule">
                                <legend>{t_string!(i18n, privacy.desc.rule_n, n = n).to_string()}</legend>
                                <SelectField id=format!("rule-{uid}-target") label=tr!(i18n, privacy.desc.rule_target) value=row.target options=target_options() error=err(&format!("retention.rules.{i}.target")) />
                                <div class="row2">
                                    <TextField id=format!("rule-{uid}-amount") kind="number" label=tr!(i18n, privacy.desc.rule_amount) value=row.amount error=err(&format!("retention.rules.{i}.amount")) />
                                    <SelectField id=format!("rule-{uid}-unit") label=tr!(i18n, privacy.desc.rule_unit) value=row.unit options=unit_options() />
                                </div>
                                <SelectField id=format!("rule-{uid}-anchor") label=tr!(i18n, privacy.desc.rule_anchor) value=row.anchor options=anchor_options() error=err(&format!("retention.rules.{i}.anchor")) />
                                <button type="button" class="link remove" on:click=move |_| form.rules.update(|t| t.retain(|r| r.uid != uid))>
                                    {t!(i18n, common.remove)}<span class="visually-hidden">" " {t_string!(i18n, privacy.desc.rule_n, n = n).to_string()}</span>
                                </button>
                            </fieldset>
                        }
                    } />
                    <button type="button" class="link" on:click=move |_| {
                        let uid = form.uid();
                        form.rules.update(|t| t.push(RuleRow {
                            uid, target: RwSignal::new("rec:feedback".into()), amount: RwSignal::new("1".into()),
                            unit: RwSignal::new("years".into()), anchor: RwSignal::new("record_date".into()),
                        }));
                    }>{t!(i18n, privacy.desc.add_rule)}</button>
                    <div class="row2">
                        <TextField id="desc-accounting-years" kind="number" label=tr!(i18n, privacy.desc.accounting_years) value=form.accounting_years error=err("retention.accounting_years") />
                        <TextField id="desc-training-years" kind="number" label=tr!(i18n, privacy.desc.training_years) value=form.training_years error=err("retention.statutory_training_years") />
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.security)}</legend>
                    <p class="help">{t!(i18n, privacy.desc.security_help)}</p>
                    <TextArea id="desc-security-manual" label=tr!(i18n, privacy.desc.security_manual) value=form.security_manual error=err("security_manual") />
                    <TextArea id="desc-security-it" label=tr!(i18n, privacy.desc.security_it) value=form.security_it error=err("security_it") />
                    <TextArea id="desc-automated" label=tr!(i18n, privacy.desc.automated) value=form.automated error=err("automated_decisions") />
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, privacy.desc.extra)}</legend>
                    <p class="help">{t!(i18n, privacy.desc.extra_help)}</p>
                    <RowsEditor rows=form.extra errors=errors path="extra"
                        columns=vec![
                            Column::new(tr!(i18n, privacy.desc.extra_heading), "text", ".heading"),
                            Column::new(tr!(i18n, privacy.desc.extra_text), "text", ".text"),
                        ]
                        add_label=tr!(i18n, privacy.desc.add_extra) />
                </fieldset>
                </fieldset>
                <div class="actions" hidden=move || !state.is_admin()>
                    <button type="submit" class="button primary" disabled=move || state.busy.get()>{t!(i18n, privacy.desc.save)}</button>
                </div>
            </form>
        </section>
    }
    .into_any()
}
