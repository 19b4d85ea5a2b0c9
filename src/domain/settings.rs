//! What the organisation declares about its register: its own categories of
//! people, its custom fields, saved searches, and the local user's name.

use chrono::NaiveDate;

use super::ids::{FieldId, SegmentId, Stamp};
use super::search::Filter;

/// A category of people, by key. The built-in keys are the categories the
/// seeds' notices share; an organisation's own categories have keys that
/// start with `custom-`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CategoryKey(String);

impl CategoryKey {
    pub const CUSTOMER: &'static str = "customer";
    pub const STAKEHOLDER: &'static str = "stakeholder";
    pub const SUPPORT: &'static str = "support";
    pub const PROSPECT: &'static str = "prospect";
    pub const TRAINING: &'static str = "training";
    pub const EVENT: &'static str = "event";
    /// The built-in categories, in the order forms show them.
    pub const BUILT_IN: [&'static str; 6] =
        [Self::CUSTOMER, Self::STAKEHOLDER, Self::SUPPORT, Self::PROSPECT, Self::TRAINING, Self::EVENT];

    pub fn new(key: impl Into<String>) -> Self {
        CategoryKey(key.into())
    }

    pub fn built_in(key: &str) -> Option<Self> {
        Self::BUILT_IN.contains(&key).then(|| CategoryKey(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_built_in(&self) -> bool {
        Self::BUILT_IN.contains(&self.0.as_str())
    }
}

/// A category the organisation added itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryDef {
    pub key: CategoryKey,
    pub name: String,
}

/// A field the organisation declared, shown and checked like built-in ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDef {
    pub id: FieldId,
    pub name: String,
    pub kind: FieldKind,
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Number,
    Date,
    YesNo,
    /// One of the listed choices.
    Choice(Vec<String>),
}

impl FieldKind {
    pub fn key(&self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
            FieldKind::YesNo => "yes_no",
            FieldKind::Choice(_) => "choice",
        }
    }
}

/// The value of a custom field.
#[derive(Clone, Debug, PartialEq)]
pub enum CustomValue {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    YesNo(bool),
    Choice(String),
}

impl CustomValue {
    /// The value as a form shows it for editing.
    pub fn to_input(&self) -> String {
        match self {
            CustomValue::Text(s) | CustomValue::Choice(s) => s.clone(),
            CustomValue::Number(n) => format_number(*n),
            CustomValue::Date(d) => d.format("%Y-%m-%d").to_string(),
            CustomValue::YesNo(b) => if *b { "yes" } else { "no" }.to_owned(),
        }
    }
}

/// A number without a needless ".0".
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A named filter, kept for later use (lists, exports).
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub id: SegmentId,
    pub name: String,
    pub filter: Filter,
}

/// The register's own settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The name this browser's user signs changes with in the audit log.
    pub user_name: String,
    /// The country calling code national phone numbers get (digits only).
    pub country_code: String,
    pub categories: Vec<CategoryDef>,
    pub fields: Vec<FieldDef>,
    pub segments: Vec<Segment>,
    pub stamp: Stamp,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            user_name: String::new(),
            country_code: "358".into(),
            categories: Vec::new(),
            fields: Vec::new(),
            segments: Vec::new(),
            stamp: Stamp::ZERO,
        }
    }
}

impl Settings {
    /// Which shared sections differ from `other` (not the local user name),
    /// for the audit log: country code, categories, fields, segments.
    pub fn changed_sections(&self, other: &Settings) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if self.country_code != other.country_code {
            changed.push("country_code");
        }
        if self.categories != other.categories {
            changed.push("categories");
        }
        if self.fields != other.fields {
            changed.push("fields");
        }
        if self.segments != other.segments {
            changed.push("segments");
        }
        changed
    }

    pub fn field(&self, id: FieldId) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub fn category(&self, key: &CategoryKey) -> Option<&CategoryDef> {
        self.categories.iter().find(|c| &c.key == key)
    }

    /// Whether a category key is one the register knows.
    pub fn knows_category(&self, key: &CategoryKey) -> bool {
        key.is_built_in() || self.category(key).is_some()
    }

    /// Every category, built-in first, then the organisation's own.
    pub fn all_categories(&self) -> Vec<CategoryKey> {
        CategoryKey::BUILT_IN
            .iter()
            .map(|k| CategoryKey::new(*k))
            .chain(self.categories.iter().map(|c| c.key.clone()))
            .collect()
    }

    pub fn segment(&self, id: SegmentId) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }
}
