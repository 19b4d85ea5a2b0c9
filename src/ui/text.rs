//! Messages whose key is only known at run time (a validation problem, a
//! storage error, a category), mapped to translation keys. Every key is
//! still checked at compile time by `t_string!`.

use leptos::prelude::*;

use super::i18n::{t_string, Locale};
use crate::domain::{CategoryKey, FieldError, Problem, Settings, Source};
use crate::store::StoreError;

pub type I18n = leptos_i18n::I18nContext<Locale>;

/// A reactive translated string: `tr!(i18n, key)`.
#[macro_export]
macro_rules! tr {
    ($i18n:expr, $($key:tt)+) => {{
        let i18n = $i18n;
        ::leptos::prelude::Signal::derive(move || $crate::ui::i18n::t_string!(i18n, $($key)+).to_string())
    }};
}

pub fn problem(i18n: I18n, p: &Problem) -> &'static str {
    match p {
        Problem::Required => t_string!(i18n, problem.required),
        Problem::NameRequired => t_string!(i18n, problem.name_required),
        Problem::EmailInvalid => t_string!(i18n, problem.email_invalid),
        Problem::PhoneInvalid => t_string!(i18n, problem.phone_invalid),
        Problem::BusinessIdFormat => t_string!(i18n, problem.business_id_format),
        Problem::BusinessIdCheckDigit => t_string!(i18n, problem.business_id_check),
        Problem::UrlInvalid => t_string!(i18n, problem.url_invalid),
        Problem::DateInvalid => t_string!(i18n, problem.date_invalid),
        Problem::DateOrder => t_string!(i18n, problem.date_order),
        Problem::DateTooOld => t_string!(i18n, problem.date_too_old),
        Problem::DateInFuture => t_string!(i18n, problem.date_in_future),
        Problem::NumberInvalid => t_string!(i18n, problem.number_invalid),
        Problem::ChoiceInvalid => t_string!(i18n, problem.choice_invalid),
        Problem::YesNoInvalid => t_string!(i18n, problem.yes_no_invalid),
        Problem::TooLong => t_string!(i18n, problem.too_long),
        Problem::NameTaken => t_string!(i18n, problem.name_taken),
        Problem::Missing => t_string!(i18n, problem.missing),
        Problem::InUse => t_string!(i18n, problem.in_use),
    }
}

pub fn store_error(i18n: I18n, e: &StoreError) -> &'static str {
    match e {
        StoreError::Unavailable => t_string!(i18n, store_error.unavailable),
        StoreError::Blocked => t_string!(i18n, store_error.blocked),
        StoreError::NewerVersion => t_string!(i18n, store_error.newer_version),
        StoreError::QuotaExceeded => t_string!(i18n, store_error.quota),
        StoreError::Failed(_) => t_string!(i18n, store_error.failed),
    }
}

/// The name of a category: built-in ones translated, the organisation's
/// own as it named them.
pub fn category(i18n: I18n, settings: &Settings, key: &CategoryKey) -> String {
    let built_in = match key.as_str() {
        CategoryKey::CUSTOMER => Some(t_string!(i18n, category.customer)),
        CategoryKey::STAKEHOLDER => Some(t_string!(i18n, category.stakeholder)),
        CategoryKey::SUPPORT => Some(t_string!(i18n, category.support)),
        CategoryKey::PROSPECT => Some(t_string!(i18n, category.prospect)),
        CategoryKey::TRAINING => Some(t_string!(i18n, category.training)),
        CategoryKey::EVENT => Some(t_string!(i18n, category.event)),
        _ => None,
    };
    match built_in {
        Some(name) => name.to_owned(),
        None => settings.category(key).map_or_else(|| key.as_str().to_owned(), |c| c.name.clone()),
    }
}

pub fn source(i18n: I18n, s: Source) -> &'static str {
    match s {
        Source::ThePerson => t_string!(i18n, source.person),
        Source::PublicRegister => t_string!(i18n, source.public_register),
        Source::Partner => t_string!(i18n, source.partner),
        Source::EventSignup => t_string!(i18n, source.event_signup),
        Source::Import => t_string!(i18n, source.import),
        Source::Other => t_string!(i18n, source.other),
    }
}

/// The message for the field at `path`, if the last attempt found one.
pub fn field_error(i18n: I18n, errors: RwSignal<Vec<FieldError>>, path: impl Into<String>) -> Signal<Option<String>> {
    let path = path.into();
    Signal::derive(move || {
        errors.with(|list| list.iter().find(|e| e.field == path).map(|e| problem(i18n, &e.problem).to_owned()))
    })
}

/// A date as Finns write it: 22.11.2026.
pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%-d.%-m.%Y").to_string()
}
