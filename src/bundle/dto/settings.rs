//! The register's settings: categories, custom fields, saved segments.

use super::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryDto {
    pub key: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldDefDto {
    pub id: Uuid,
    pub name: String,
    /// `text`, `number`, `date`, `yes_no`, `choice`.
    pub kind: String,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilterDto {
    pub text: String,
    pub categories: Vec<String>,
    pub org: Option<Uuid>,
    pub tag: Option<String>,
    pub last_event_before: Option<NaiveDate>,
    pub last_event_after: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentDto {
    pub id: Uuid,
    pub name: String,
    pub filter: FilterDto,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsDto {
    #[serde(default)]
    pub user_name: String,
    #[serde(default = "default_country")]
    pub country_code: String,
    #[serde(default)]
    pub categories: Vec<CategoryDto>,
    #[serde(default)]
    pub fields: Vec<FieldDefDto>,
    #[serde(default)]
    pub segments: Vec<SegmentDto>,
    pub stamp: String,
}

fn default_country() -> String {
    "358".into()
}

impl From<&Filter> for FilterDto {
    fn from(f: &Filter) -> Self {
        FilterDto {
            text: f.text.clone(),
            categories: f.categories.iter().map(|c| c.as_str().to_owned()).collect(),
            org: f.org.map(OrgId::uuid),
            tag: f.tag.clone(),
            last_event_before: f.last_event_before,
            last_event_after: f.last_event_after,
        }
    }
}

impl From<FilterDto> for Filter {
    fn from(f: FilterDto) -> Self {
        Filter {
            text: f.text,
            categories: f.categories.into_iter().map(CategoryKey::new).collect(),
            org: f.org.map(OrgId::new),
            tag: f.tag,
            last_event_before: f.last_event_before,
            last_event_after: f.last_event_after,
        }
    }
}

impl From<&Settings> for SettingsDto {
    fn from(s: &Settings) -> Self {
        SettingsDto {
            user_name: s.user_name.clone(),
            country_code: s.country_code.clone(),
            categories: s
                .categories
                .iter()
                .map(|c| CategoryDto { key: c.key.as_str().into(), name: c.name.clone() })
                .collect(),
            fields: s
                .fields
                .iter()
                .map(|f| FieldDefDto {
                    id: f.id.uuid(),
                    name: f.name.clone(),
                    kind: f.kind.key().into(),
                    choices: match &f.kind {
                        FieldKind::Choice(c) => c.clone(),
                        _ => vec![],
                    },
                    required: f.required,
                })
                .collect(),
            segments: s
                .segments
                .iter()
                .map(|g| SegmentDto { id: g.id.uuid(), name: g.name.clone(), filter: FilterDto::from(&g.filter) })
                .collect(),
            stamp: stamp_text(&s.stamp),
        }
    }
}

impl TryFrom<SettingsDto> for Settings {
    type Error = DtoError;

    fn try_from(d: SettingsDto) -> Result<Self, DtoError> {
        let fields = d
            .fields
            .into_iter()
            .map(|f| {
                let kind = match f.kind.as_str() {
                    "text" => FieldKind::Text,
                    "number" => FieldKind::Number,
                    "date" => FieldKind::Date,
                    "yes_no" => FieldKind::YesNo,
                    "choice" => FieldKind::Choice(f.choices),
                    other => return Err(bad("field kind", other)),
                };
                Ok(FieldDef { id: FieldId::new(f.id), name: f.name, kind, required: f.required })
            })
            .collect::<Result<Vec<_>, DtoError>>()?;
        Ok(Settings {
            user_name: d.user_name,
            country_code: d.country_code,
            categories: d
                .categories
                .into_iter()
                .map(|c| CategoryDef { key: CategoryKey::new(c.key), name: c.name })
                .collect(),
            fields,
            segments: d
                .segments
                .into_iter()
                .map(|s| Segment { id: SegmentId::new(s.id), name: s.name, filter: s.filter.into() })
                .collect(),
            stamp: stamp(&d.stamp)?,
        })
    }
}
