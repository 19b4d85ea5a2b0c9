//! The register description's form: one signal per input, rows for the
//! lists, and the description it makes.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::domain::gdpr::{
    Anchor, Contact, Controller, DataKind, ExtraSection, LegalBasis, Period, Purpose, Recipient, RecordType,
    RegisterDescription, RetentionRule, RetentionRules, RetentionTarget, Safeguard, Transfer, Unit,
};
use crate::domain::{CategoryKey, FieldError, Problem, Source};
use crate::ui::components::Rows;

#[derive(Clone, Copy)]
pub(super) struct PurposeRow {
    pub(super) uid: usize,
    pub(super) key: StoredValue<String>,
    pub(super) name: RwSignal<String>,
    pub(super) description: RwSignal<String>,
    pub(super) basis: RwSignal<String>,
    pub(super) interest: RwSignal<String>,
    pub(super) categories: RwSignal<BTreeSet<CategoryKey>>,
    pub(super) data: RwSignal<BTreeSet<DataKind>>,
}

impl PurposeRow {
    pub(super) fn of(uid: usize, p: &Purpose) -> Self {
        PurposeRow {
            uid,
            key: StoredValue::new(p.key.clone()),
            name: RwSignal::new(p.name.clone()),
            description: RwSignal::new(p.description.clone()),
            basis: RwSignal::new(p.basis.key().to_owned()),
            interest: RwSignal::new(p.interest.clone()),
            categories: RwSignal::new(p.categories.clone()),
            data: RwSignal::new(p.data.clone()),
        }
    }

    pub(super) fn purpose(&self) -> Purpose {
        Purpose {
            key: self.key.get_value(),
            name: self.name.get_untracked(),
            description: self.description.get_untracked(),
            basis: LegalBasis::from_key(&self.basis.get_untracked()).unwrap_or(LegalBasis::LegitimateInterest),
            interest: self.interest.get_untracked(),
            categories: self.categories.get_untracked(),
            data: self.data.get_untracked(),
        }
    }
}

#[derive(Clone, Copy)]
pub(super) struct TransferRow {
    pub(super) uid: usize,
    pub(super) recipient: RwSignal<String>,
    pub(super) country: RwSignal<String>,
    pub(super) safeguard: RwSignal<String>,
    pub(super) note: RwSignal<String>,
}

#[derive(Clone, Copy)]
pub(super) struct RuleRow {
    pub(super) uid: usize,
    pub(super) target: RwSignal<String>,
    pub(super) amount: RwSignal<String>,
    pub(super) unit: RwSignal<String>,
    pub(super) anchor: RwSignal<String>,
}

pub(super) fn target_key(t: &RetentionTarget) -> String {
    match t {
        RetentionTarget::Category(c) => format!("cat:{}", c.as_str()),
        RetentionTarget::Records(r) => format!("rec:{}", r.key()),
        RetentionTarget::Dietary => "dietary".into(),
    }
}

pub(super) fn target_of(key: &str) -> Option<RetentionTarget> {
    if let Some(c) = key.strip_prefix("cat:") {
        return Some(RetentionTarget::Category(CategoryKey::new(c)));
    }
    if let Some(r) = key.strip_prefix("rec:") {
        return RecordType::from_key(r).map(RetentionTarget::Records);
    }
    (key == "dietary").then_some(RetentionTarget::Dietary)
}

/// The form's state: one signal per input, rows for the lists.
#[derive(Clone, Copy)]
pub(super) struct DescForm {
    pub(super) base: StoredValue<RegisterDescription>,
    pub(super) next: StoredValue<usize>,
    pub(super) c_name: RwSignal<String>,
    pub(super) c_business_id: RwSignal<String>,
    pub(super) c_address: RwSignal<String>,
    pub(super) c_email: RwSignal<String>,
    pub(super) c_phone: RwSignal<String>,
    pub(super) k_name: RwSignal<String>,
    pub(super) k_email: RwSignal<String>,
    pub(super) k_phone: RwSignal<String>,
    pub(super) k_address: RwSignal<String>,
    pub(super) d_name: RwSignal<String>,
    pub(super) d_email: RwSignal<String>,
    pub(super) d_phone: RwSignal<String>,
    pub(super) d_address: RwSignal<String>,
    pub(super) register_name: RwSignal<String>,
    pub(super) purposes: RwSignal<Vec<PurposeRow>>,
    pub(super) sources: RwSignal<BTreeSet<Source>>,
    pub(super) sources_note: RwSignal<String>,
    pub(super) recipients: Rows,
    pub(super) transfers: RwSignal<Vec<TransferRow>>,
    pub(super) rules: RwSignal<Vec<RuleRow>>,
    pub(super) accounting_years: RwSignal<String>,
    pub(super) training_years: RwSignal<String>,
    pub(super) security_manual: RwSignal<String>,
    pub(super) security_it: RwSignal<String>,
    pub(super) automated: RwSignal<String>,
    pub(super) extra: Rows,
}

impl DescForm {
    pub(super) fn new(d: &RegisterDescription) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        let dpo = d.dpo.clone().unwrap_or_default();
        let mut n = 0usize;
        let mut uid = || {
            n += 1;
            n
        };
        let purposes = d.purposes.iter().map(|p| PurposeRow::of(uid(), p)).collect();
        let transfers = d
            .transfers
            .iter()
            .map(|t| TransferRow {
                uid: uid(),
                recipient: s(&t.recipient),
                country: s(&t.country),
                safeguard: s(t.safeguard.key()),
                note: s(&t.note),
            })
            .collect();
        let rules = d
            .retention
            .rules
            .iter()
            .map(|r| RuleRow {
                uid: uid(),
                target: RwSignal::new(target_key(&r.applies_to)),
                amount: RwSignal::new(r.period.amount.to_string()),
                unit: s(r.period.unit.key()),
                anchor: s(r.anchor.key()),
            })
            .collect();
        DescForm {
            base: StoredValue::new(d.clone()),
            next: StoredValue::new(n + 1),
            c_name: s(&d.controller.name),
            c_business_id: s(&d.controller.business_id),
            c_address: s(&d.controller.address),
            c_email: s(&d.controller.email),
            c_phone: s(&d.controller.phone),
            k_name: s(&d.contact.name),
            k_email: s(&d.contact.email),
            k_phone: s(&d.contact.phone),
            k_address: s(&d.contact.address),
            d_name: s(&dpo.name),
            d_email: s(&dpo.email),
            d_phone: s(&dpo.phone),
            d_address: s(&dpo.address),
            register_name: s(&d.register_name),
            purposes: RwSignal::new(purposes),
            sources: RwSignal::new(d.sources.clone()),
            sources_note: s(&d.sources_note),
            recipients: Rows::new(2, d.recipients.iter().map(|r| vec![r.name.clone(), r.purpose.clone()]).collect()),
            transfers: RwSignal::new(transfers),
            rules: RwSignal::new(rules),
            accounting_years: RwSignal::new(d.retention.accounting_years.to_string()),
            training_years: RwSignal::new(d.retention.statutory_training_years.to_string()),
            security_manual: s(&d.security_manual),
            security_it: s(&d.security_it),
            automated: s(&d.automated_decisions),
            extra: Rows::new(2, d.extra.iter().map(|x| vec![x.heading.clone(), x.text.clone()]).collect()),
        }
    }

    pub(super) fn uid(&self) -> usize {
        let n = self.next.get_value();
        self.next.set_value(n + 1);
        n
    }

    /// The description as typed, or the numbers that are not numbers.
    pub(super) fn description(&self) -> Result<RegisterDescription, Vec<FieldError>> {
        let g = |s: RwSignal<String>| s.get_untracked();
        let mut bad = Vec::new();
        let mut number = |field: String, raw: String| -> u32 {
            match raw.trim().parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    bad.push(FieldError::new(field, Problem::NumberInvalid));
                    0
                }
            }
        };
        let rules: Vec<RetentionRule> = self.rules.with_untracked(|rows| {
            rows.iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let applies_to = target_of(&r.target.get_untracked())?;
                    Some(RetentionRule {
                        applies_to,
                        period: Period {
                            amount: number(format!("retention.rules.{i}.amount"), r.amount.get_untracked()),
                            unit: Unit::from_key(&r.unit.get_untracked()).unwrap_or(Unit::Years),
                        },
                        anchor: Anchor::from_key(&r.anchor.get_untracked()).unwrap_or(Anchor::RecordDate),
                    })
                })
                .collect()
        });
        let retention = RetentionRules {
            rules,
            accounting_years: number("retention.accounting_years".into(), g(self.accounting_years)),
            statutory_training_years: number("retention.statutory_training_years".into(), g(self.training_years)),
        };
        if !bad.is_empty() {
            return Err(bad);
        }
        let dpo = Contact {
            name: g(self.d_name),
            email: g(self.d_email),
            phone: g(self.d_phone),
            address: g(self.d_address),
        };
        let dpo_given = [&dpo.name, &dpo.email, &dpo.phone, &dpo.address].iter().any(|s| !s.trim().is_empty());
        Ok(RegisterDescription {
            controller: Controller {
                name: g(self.c_name),
                business_id: g(self.c_business_id),
                address: g(self.c_address),
                email: g(self.c_email),
                phone: g(self.c_phone),
            },
            contact: Contact {
                name: g(self.k_name),
                email: g(self.k_email),
                phone: g(self.k_phone),
                address: g(self.k_address),
            },
            dpo: dpo_given.then_some(dpo),
            register_name: g(self.register_name),
            purposes: self.purposes.with_untracked(|rows| rows.iter().map(PurposeRow::purpose).collect()),
            sources: self.sources.get_untracked(),
            sources_note: g(self.sources_note),
            recipients: self
                .recipients
                .values()
                .into_iter()
                .map(|v| Recipient { name: v[0].clone(), purpose: v[1].clone() })
                .collect(),
            transfers: self.transfers.with_untracked(|rows| {
                rows.iter()
                    .map(|t| Transfer {
                        recipient: t.recipient.get_untracked(),
                        country: t.country.get_untracked(),
                        safeguard: Safeguard::from_key(&t.safeguard.get_untracked()).unwrap_or(Safeguard::Other),
                        note: t.note.get_untracked(),
                    })
                    .collect()
            }),
            retention,
            security_manual: g(self.security_manual),
            security_it: g(self.security_it),
            automated_decisions: g(self.automated),
            extra: self
                .extra
                .values()
                .into_iter()
                .map(|v| ExtraSection { heading: v[0].clone(), text: v[1].clone() })
                .collect(),
            ..self.base.get_value()
        })
    }
}
