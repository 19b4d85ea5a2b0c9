//! How an import joins the definitions of two registers: the settings
//! (categories, custom fields, saved searches) and the consent config
//! (bases and newsletters). The newer wins whole, and keeps the other's
//! definitions it lacks; ties are broken by a canonical text.

use super::*;

/// The consent config as canonical text, to order two configs with one
/// stamp the same way everywhere.
fn consent_config_text(c: &ConsentConfig) -> String {
    let mut newsletters: Vec<_> = c.newsletters.iter().collect();
    newsletters.sort_by_key(|n| n.id);
    let mut out = String::new();
    for p in crate::domain::consent::Purpose::FIXED {
        out.push_str(&format!("b\t{}\t{}\n", p.key(), c.basis(&p).key()));
    }
    for n in newsletters {
        out.push_str(&format!("n\t{}\t{}\t{}\t{}\t{}\n", n.id, n.channel.key(), n.basis.key(), n.retired, n.name));
    }
    out
}

/// Joins two consent configs: the newer one's bases and newsletters, plus
/// the other's newsletters it lacks (newsletters are never removed: the
/// ledger may refer to them; then in id order).
pub(super) fn merge_consent_config(local: &ConsentConfig, incoming: &ConsentConfig) -> ConsentConfig {
    let rank = |c: &ConsentConfig| (c.stamp, consent_config_text(c));
    let (winner, other) = if rank(incoming) > rank(local) { (incoming, local) } else { (local, incoming) };
    let mut out = winner.clone();
    let mut joined = false;
    for n in &other.newsletters {
        if !out.newsletters.iter().any(|x| x.id == n.id) {
            out.newsletters.push(n.clone());
            joined = true;
        }
    }
    if joined {
        out.newsletters.sort_by_key(|n| n.id);
    }
    out
}

/// The settings as canonical text (without the local user name), to order
/// two settings with one stamp the same way everywhere: the country code,
/// then one line per category (by key), custom field (by id) and segment
/// (by id). `docs/bundle-format.md` spells it out.
fn settings_text(s: &Settings) -> String {
    let mut out = format!("{}\n", s.country_code);
    let mut categories: Vec<_> = s.categories.iter().collect();
    categories.sort_by(|a, b| a.key.cmp(&b.key));
    for c in categories {
        out.push_str(&format!("c\t{}\t{}\n", c.key.as_str(), c.name));
    }
    let mut fields: Vec<_> = s.fields.iter().collect();
    fields.sort_by_key(|f| f.id);
    for f in fields {
        let choices = match &f.kind {
            crate::domain::settings::FieldKind::Choice(c) => c.join("\u{1f}"),
            _ => String::new(),
        };
        out.push_str(&format!("f\t{}\t{}\t{}\t{}\t{choices}\n", f.id, f.kind.key(), f.required, f.name));
    }
    let mut segments: Vec<_> = s.segments.iter().collect();
    segments.sort_by_key(|g| g.id);
    for g in segments {
        let f = &g.filter;
        let categories: Vec<&str> = f.categories.iter().map(CategoryKey::as_str).collect();
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "s\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            g.id,
            g.name,
            f.text,
            categories.join(","),
            f.org.map(|o| o.to_string()).unwrap_or_default(),
            f.tag.clone().unwrap_or_default(),
            date(f.last_event_before),
            date(f.last_event_after),
        ));
    }
    out
}

/// Joins two settings: the newer one's values and definitions, plus the
/// other's definitions it lacks (then every list in key or id order). The
/// user name stays `local`'s.
pub(super) fn merge_settings(local: &Settings, incoming: &Settings) -> Settings {
    let rank = |s: &Settings| (s.stamp, settings_text(s));
    let (winner, other) = if rank(incoming) > rank(local) { (incoming, local) } else { (local, incoming) };
    let mut out = winner.clone();
    let mut joined = false;
    for c in &other.categories {
        if !out.categories.iter().any(|x| x.key == c.key) {
            out.categories.push(c.clone());
            joined = true;
        }
    }
    for f in &other.fields {
        if !out.fields.iter().any(|x| x.id == f.id) {
            out.fields.push(f.clone());
            joined = true;
        }
    }
    for g in &other.segments {
        if !out.segments.iter().any(|x| x.id == g.id) {
            out.segments.push(g.clone());
            joined = true;
        }
    }
    if joined {
        // Joined lists take one order whatever the order of the imports:
        // by key and id (both made from UUIDv7, so in order of creation).
        out.categories.sort_by(|a, b| a.key.cmp(&b.key));
        out.fields.sort_by_key(|f| f.id);
        out.segments.sort_by_key(|g| g.id);
    }
    out.user_name = local.user_name.clone();
    out
}
