//! vCard: writing people as vCard 4.0 (RFC 6350) for phones and mail
//! programs, and reading contacts from vCard 3.0 and 4.0 files (and the
//! common parts of 2.1) into import rows.
//!
//! Writing: UTF-8, CRLF line ends, lines folded at 75 octets (never inside
//! a character), `\`, `,`, `;` and line breaks escaped. Notes are internal
//! to the register and left out unless asked for.
//!
//! Reading: folded lines are unfolded, property groups (`item1.EMAIL`)
//! and Apple's `X-ABLabel` understood, quoted-printable values (3.0/2.1)
//! decoded by their charset, unknown properties ignored, several cards a
//! file. A card that is never ended is reported, the others are read.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::csv::{decode, windows_1252, FileError, LabelTexts};
use crate::domain::{
    Address, AffiliationDraft, ImportRow, LabeledDraft, OrgChoice, Person, PersonId, Register, RowIssue, Social,
};

// ----- writing -----

/// What a vCard export includes beyond contact data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VcardOptions {
    /// The register's notes about the person (internal: off by default).
    pub notes: bool,
}

/// Escapes a text value (RFC 6350 3.4).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

/// Folds a content line: at most 75 octets a line, continuation lines
/// starting with a space; never splits a UTF-8 character. Adds CRLF.
pub fn fold_line(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// The vCard TYPE of a label the user typed, if it is one vCard knows.
fn type_of(label: &str, phone: bool) -> Option<&'static str> {
    let l = crate::domain::fold(label);
    let has = |list: &[&str]| list.iter().any(|w| l.contains(w));
    if phone && has(&["mob", "matka", "gsm", "kanny", "cell"]) {
        Some("cell")
    } else if has(&["work", "tyo", "arbet", "business", "office"]) {
        Some("work")
    } else if has(&["home", "koti", "hem"]) {
        Some("home")
    } else {
        None
    }
}

fn with_type(name: &str, label: &str, phone: bool) -> String {
    match type_of(label, phone) {
        Some(t) => format!("{name};TYPE={t}"),
        None => name.to_owned(),
    }
}

/// One person as a vCard 4.0.
pub fn write_person(reg: &Register, p: &Person, options: VcardOptions) -> String {
    let mut out = String::new();
    let mut line = |s: String| fold_line(&s, &mut out);
    line("BEGIN:VCARD".into());
    line("VERSION:4.0".into());
    line(format!("UID:urn:uuid:{}", p.id));
    line(format!("FN:{}", escape(&p.display_name())));
    line(format!("N:{};{};;;", escape(&p.family_name), escape(&p.given_name)));
    if let Some(a) = p.affiliations.first() {
        if let Some(org) = reg.org(a.org) {
            line(format!("ORG:{}", escape(&org.name)));
        }
        if !a.role.is_empty() {
            line(format!("TITLE:{}", escape(&a.role)));
        }
    }
    for (i, e) in p.emails.iter().enumerate() {
        let pref = if i == 0 && p.emails.len() > 1 { ";PREF=1" } else { "" };
        line(format!("{}{pref}:{}", with_type("EMAIL", &e.label, false), escape(&e.value)));
    }
    for (i, t) in p.phones.iter().enumerate() {
        let pref = if i == 0 && p.phones.len() > 1 { ";PREF=1" } else { "" };
        line(format!("{}{pref}:{}", with_type("TEL", &t.label, true), escape(&t.value)));
    }
    for a in &p.addresses {
        line(format!(
            "{}:;;{};{};;{};{}",
            with_type("ADR", &a.label, false),
            escape(&a.street),
            escape(&a.city),
            escape(&a.postal_code),
            escape(&a.country)
        ));
    }
    for w in &p.websites {
        line(format!("URL:{}", escape(w)));
    }
    for s in &p.socials {
        line(format!(
            "X-SOCIALPROFILE;TYPE={}:{}",
            escape(&s.service.to_lowercase()).replace(' ', "-"),
            escape(&s.handle)
        ));
    }
    if options.notes && !p.notes.is_empty() {
        line(format!("NOTE:{}", escape(&p.notes)));
    }
    line(format!("REV:{}", rev(p.updated)));
    line("END:VCARD".into());
    out
}

fn rev(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// People as one vCard file, in the order given.
pub fn write_people(reg: &Register, people: &[PersonId], options: VcardOptions) -> String {
    people.iter().filter_map(|id| reg.person(*id)).map(|p| write_person(reg, p, options)).collect()
}

// ----- reading -----

/// One content line: group, name (upper case), parameters (names upper
/// case, values as written), value (raw).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Property {
    group: String,
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Every TYPE, lower case (`TYPE=work,voice`, `TYPE=WORK;TYPE=CELL`,
    /// and 2.1's bare `WORK`).
    fn types(&self) -> Vec<String> {
        self.params
            .iter()
            .filter(|(n, _)| n == "TYPE" || n.is_empty())
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim().trim_matches('"').to_lowercase())
            .filter(|t| !t.is_empty())
            .collect()
    }

    fn quoted_printable(&self) -> bool {
        self.param("ENCODING").is_some_and(|e| e.eq_ignore_ascii_case("quoted-printable"))
            || self.params.iter().any(|(n, v)| n.is_empty() && v.eq_ignore_ascii_case("quoted-printable"))
    }
}

/// Splits a content line into its parts; `None` without a colon.
fn parse_line(line: &str) -> Option<Property> {
    // The colon that ends the name and parameters (not one in a quoted
    // parameter value).
    let mut in_quotes = false;
    let colon = line
        .char_indices()
        .find(|&(_, c)| {
            if c == '"' {
                in_quotes = !in_quotes;
            }
            c == ':' && !in_quotes
        })?
        .0;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = split_params(head).into_iter();
    let name_part = parts.next()?;
    let (group, name) = match name_part.rsplit_once('.') {
        Some((g, n)) => (g.to_owned(), n.to_uppercase()),
        None => (String::new(), name_part.to_uppercase()),
    };
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (n.trim().to_uppercase(), v.trim().trim_matches('"').to_owned()),
            None => (String::new(), p.trim().to_owned()),
        })
        .collect();
    Some(Property { group, name, params, value: value.to_owned() })
}

fn split_params(head: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut in_quotes = false;
    for c in head.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                out.last_mut().expect("never empty").push(c);
            }
            ';' if !in_quotes => out.push(String::new()),
            _ => out.last_mut().expect("never empty").push(c),
        }
    }
    out
}

/// Splits a structured value on unescaped `;` into components, and each
/// component on unescaped `,` into its values; unescapes each value.
fn structured(value: &str) -> Vec<Vec<String>> {
    let mut out = vec![vec![String::new()]];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        let current = out.last_mut().expect("never empty");
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => current.last_mut().expect("never empty").push('\n'),
                Some(other) => current.last_mut().expect("never empty").push(other),
                None => {}
            },
            ';' => out.push(vec![String::new()]),
            ',' => current.push(String::new()),
            _ => current.last_mut().expect("never empty").push(c),
        }
    }
    out
}

/// The components of a structured value, each one's values joined by
/// `join` (several street lines, several given names).
fn components(value: &str, join: &str) -> Vec<String> {
    structured(value)
        .into_iter()
        .map(|values| values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect::<Vec<_>>().join(join))
        .collect()
}

/// Unescapes a text value.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes a quoted-printable value in its charset (UTF-8 unless a
/// Latin-1 or Windows charset is named).
fn quoted_printable(value: &str, charset: Option<&str>) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    let latin = charset.is_some_and(|c| {
        let c = c.to_lowercase();
        c.contains("8859-1") || c.contains("1252") || c.contains("latin")
    });
    if latin {
        windows_1252(&out)
    } else {
        String::from_utf8(out.clone()).unwrap_or_else(|_| windows_1252(&out))
    }
}

/// Physical lines joined into content lines, each with the line it began
/// on: a line starting with a space or tab continues the one before;
/// a quoted-printable line ending in `=` continues into the next.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut qp_open = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let (Some(first), Some(last)) = (line.chars().next(), out.last_mut()) {
            if first == ' ' || first == '\t' {
                last.1.push_str(&line[1..]);
                continue;
            }
        }
        if qp_open {
            if let Some(last) = out.last_mut() {
                last.1.pop(); // the soft break's '='
                last.1.push_str(line);
                qp_open = line.ends_with('=');
                continue;
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        let upper = line.to_uppercase();
        qp_open = upper.contains("QUOTED-PRINTABLE") && line.ends_with('=');
        out.push((n + 1, line.to_owned()));
    }
    out
}

/// A card being read.
#[derive(Default)]
struct Card {
    line: usize,
    row: ImportRow,
    full_name: String,
    org: String,
    title: String,
    role: String,
    /// Apple's labels by group.
    group_labels: BTreeMap<String, String>,
    /// Properties whose label comes from a group, to fix at the end:
    /// (kind, index in its list, group).
    grouped: Vec<(char, usize, String)>,
}

/// Reads a vCard file into import rows, one per card.
pub fn read(bytes: &[u8], labels: &LabelTexts) -> Result<Vec<ImportRow>, FileError> {
    let decoded = decode(bytes)?;
    let mut rows = Vec::new();
    let mut card: Option<Card> = None;
    for (line, content) in unfold(&decoded.text) {
        let Some(prop) = parse_line(&content) else {
            continue;
        };
        match (prop.name.as_str(), prop.value.trim().to_uppercase().as_str()) {
            ("BEGIN", "VCARD") => {
                if let Some(open) = card.take() {
                    rows.push(finish(open, labels, false));
                }
                card = Some(Card { line, row: ImportRow { line, ..ImportRow::default() }, ..Card::default() });
                continue;
            }
            ("END", "VCARD") => {
                if let Some(open) = card.take() {
                    rows.push(finish(open, labels, true));
                }
                continue;
            }
            _ => {}
        }
        if let Some(c) = card.as_mut() {
            read_property(c, prop, labels);
        }
    }
    if let Some(open) = card.take() {
        rows.push(finish(open, labels, false));
    }
    if rows.is_empty() {
        return Err(FileError::NoCards);
    }
    Ok(rows)
}

fn read_property(c: &mut Card, prop: Property, labels: &LabelTexts) {
    let raw =
        if prop.quoted_printable() { quoted_printable(&prop.value, prop.param("CHARSET")) } else { prop.value.clone() };
    let types = prop.types();
    let label = |phone: bool| -> String {
        let has = |t: &str| types.iter().any(|x| x == t);
        if phone && (has("cell") || has("mobile")) {
            labels.mobile.clone()
        } else if has("work") {
            labels.work.clone()
        } else if has("home") {
            labels.home.clone()
        } else {
            String::new()
        }
    };
    let d = &mut c.row.draft;
    match prop.name.as_str() {
        "FN" => c.full_name = unescape(&raw),
        "N" => {
            let parts = components(&raw, " ");
            let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
            d.family_name = get(0);
            d.given_name = [get(1), get(2)].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
        }
        "EMAIL" => {
            let value = unescape(&raw).trim().trim_start_matches("mailto:").to_owned();
            if !value.is_empty() {
                d.emails.push(LabeledDraft { label: label(false), value });
                if !prop.group.is_empty() {
                    c.grouped.push(('e', d.emails.len() - 1, prop.group.clone()));
                }
            }
        }
        "TEL" => {
            let value = unescape(&raw).trim().trim_start_matches("tel:").to_owned();
            if !value.is_empty() && !types.iter().any(|t| t == "fax" || t == "pager") {
                d.phones.push(LabeledDraft { label: label(true), value });
                if !prop.group.is_empty() {
                    c.grouped.push(('t', d.phones.len() - 1, prop.group.clone()));
                }
            }
        }
        "ADR" => {
            let parts = components(&raw, ", ");
            let get = |i: usize| parts.get(i).map(|s| s.replace('\n', ", ")).unwrap_or_default();
            let street = [get(2), get(1), get(0)].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ");
            let a = Address { label: label(false), street, postal_code: get(5), city: get(3), country: get(6) };
            if !a.is_empty() {
                d.addresses.push(a);
                if !prop.group.is_empty() {
                    c.grouped.push(('a', d.addresses.len() - 1, prop.group.clone()));
                }
            }
        }
        "ORG" => c.org = components(&raw, ", ").into_iter().next().unwrap_or_default(),
        "TITLE" => c.title = unescape(&raw).trim().to_owned(),
        "ROLE" => c.role = unescape(&raw).trim().to_owned(),
        "URL" => {
            let value = unescape(&raw).trim().to_owned();
            if !value.is_empty() {
                d.websites.push(value);
            }
        }
        "NOTE" => {
            let note = unescape(&raw);
            if !d.notes.is_empty() {
                d.notes.push_str("\n\n");
            }
            d.notes.push_str(note.trim());
        }
        "CATEGORIES" => {
            for tag in raw.split(',').map(unescape) {
                let tag = tag.trim().to_owned();
                if !tag.is_empty() && !d.tags.contains(&tag) {
                    d.tags.push(tag);
                }
            }
        }
        "X-SOCIALPROFILE" => {
            let handle = unescape(&raw).trim().to_owned();
            let service = types.first().cloned().unwrap_or_default();
            if !handle.is_empty() {
                d.socials.push(Social { service, handle });
            }
        }
        "X-ABLABEL" => {
            let text = unescape(&raw);
            let text = text.trim().trim_start_matches("_$!<").trim_end_matches(">!$_");
            c.group_labels.insert(prop.group.clone(), labels.from_file(text));
        }
        _ => {}
    }
}

fn finish(mut c: Card, _labels: &LabelTexts, ended: bool) -> ImportRow {
    let d = &mut c.row.draft;
    if d.given_name.is_empty() && d.family_name.is_empty() && !c.full_name.trim().is_empty() {
        (d.given_name, d.family_name) = super::csv::split_full_name(&c.full_name);
    }
    for (kind, i, group) in &c.grouped {
        if let Some(label) = c.group_labels.get(group) {
            match kind {
                'e' => d.emails[*i].label = label.clone(),
                't' => d.phones[*i].label = label.clone(),
                _ => d.addresses[*i].label = label.clone(),
            }
        }
    }
    if !c.org.is_empty() {
        let role = if c.title.is_empty() { c.role.clone() } else { c.title.clone() };
        d.affiliations.push(AffiliationDraft { org: OrgChoice::New(c.org.clone()), role });
    }
    if !ended {
        c.row.issues.push(RowIssue::Malformed);
    }
    c.row.line = c.line;
    c.row
}
