//! The fixed wording of the generated documents (privacy notice, record of
//! processing, access report) in Finnish, Swedish and English.
//!
//! The phrases live in `texts/{fi,sv,en}.json` beside this file: flat
//! objects of `key → text`, with `{name}` placeholders. They are compiled
//! into the program and parsed once. They are not the interface's
//! translations (`locales/`): these are legal texts that travel in printed
//! and downloaded documents.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::NaiveDate;

/// The languages a document can be generated in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    Fi,
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Fi, Lang::Sv, Lang::En];

    /// The language code (`fi`, `sv`, `en`), as HTML's `lang` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }
}

type Table = BTreeMap<String, String>;

fn parse(lang: &str, text: &str) -> Table {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("texts/{lang}.json is not a flat object of texts: {e}"))
}

static TABLES: LazyLock<[Table; 3]> = LazyLock::new(|| {
    [
        parse("fi", include_str!("texts/fi.json")),
        parse("sv", include_str!("texts/sv.json")),
        parse("en", include_str!("texts/en.json")),
    ]
});

/// Every phrase of a language, by key (tests check that the languages
/// agree).
pub fn table(lang: Lang) -> &'static BTreeMap<String, String> {
    &TABLES[lang as usize]
}

/// What a missing phrase shows instead: the key in brackets, so that a
/// gap is visible (and tests find it) rather than silently empty.
pub const MISSING_OPEN: char = '⟦';

/// The phrase `key` in `lang`.
pub fn t(lang: Lang, key: &str) -> String {
    match table(lang).get(key) {
        Some(text) => text.clone(),
        None => format!("{MISSING_OPEN}{key}⟧"),
    }
}

/// Whether a phrase exists (custom keys fall back to the organisation's
/// own text).
pub fn has(lang: Lang, key: &str) -> bool {
    table(lang).contains_key(key)
}

/// The phrase `key` with its `{name}` placeholders filled.
pub fn tf(lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
    fill(&t(lang, key), values)
}

/// Fills `{name}` placeholders. Values are inserted as they are (a value
/// holding braces is not filled again).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders a phrase uses, in order of appearance.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        out.push(after[..end].to_owned());
        rest = &after[end + 1..];
    }
    out
}

/// A date as the language writes it (`22.11.2026`, `22 November 2026`).
pub fn date(lang: Lang, d: NaiveDate) -> String {
    d.format(&t(lang, "date_format")).to_string()
}

/// A number of years, months or days: "1 vuosi", "10 vuotta".
pub fn count(lang: Lang, unit: &str, n: u32) -> String {
    let key = if n == 1 { format!("unit.{unit}.one") } else { format!("unit.{unit}.many") };
    tf(lang, &key, &[("n", &n.to_string())])
}

/// `text` with its first letter in upper case (list phrases are written in
/// lower case; labels start with a capital).
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_left() {
        assert_eq!(fill("{a} and {b}", &[("a", "x"), ("b", "{a}")]), "x and {a}");
        assert_eq!(fill("{c} {", &[]), "{c} {");
        assert_eq!(placeholders("{a} x {b}"), vec!["a", "b"]);
    }

    #[test]
    fn counts_and_dates() {
        assert_eq!(count(Lang::Fi, "years", 1), "1 vuosi");
        assert_eq!(count(Lang::Fi, "years", 10), "10 vuotta");
        assert_eq!(count(Lang::En, "days", 2), "2 days");
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(date(Lang::Fi, d), "5.3.2026");
        assert_eq!(date(Lang::Sv, d), "5.3.2026");
        assert_eq!(date(Lang::En, d), "5 March 2026");
        assert_eq!(capitalise("äiti"), "Äiti");
    }
}
