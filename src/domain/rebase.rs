//! Saving a form without undoing someone else's change.
//!
//! A form is opened on a person as they were (`base`); meanwhile another
//! tab or an import may change them (`fresh`). On saving, only the fields
//! the user actually changed in the form (`mine` differs from `base`) are
//! taken from the form; every other field keeps its fresh value. So two
//! people editing different fields of the same person both keep their work.

use std::collections::BTreeMap;

use super::draft::{AffiliationDraft, LabeledDraft, OrgChoice, OrgDraft, PersonDraft, ProvenanceDraft};
use super::org::Organisation;
use super::person::{Address, Person, Social};
use super::register::Register;

/// The draft a form would hold for a person as they are now.
pub fn person_draft(reg: &Register, p: &Person) -> PersonDraft {
    let labeled = |list: &[super::person::Labeled]| {
        list.iter().map(|l| LabeledDraft { label: l.label.clone(), value: l.value.clone() }).collect()
    };
    PersonDraft {
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        emails: labeled(&p.emails),
        phones: labeled(&p.phones),
        addresses: p.addresses.clone(),
        websites: p.websites.clone(),
        socials: p.socials.clone(),
        affiliations: p
            .affiliations
            .iter()
            .filter_map(|a| {
                reg.org(a.org).map(|o| AffiliationDraft { org: OrgChoice::New(o.name.clone()), role: a.role.clone() })
            })
            .collect(),
        categories: p.categories.clone(),
        tags: p.tags.iter().cloned().collect(),
        custom: p.custom.iter().map(|(k, v)| (*k, v.to_input())).collect(),
        provenance: ProvenanceDraft {
            source: p.provenance.source,
            detail: p.provenance.detail.clone(),
            date: p.provenance.date.format("%Y-%m-%d").to_string(),
        },
        notes: p.notes.clone(),
    }
}

/// The draft an organisation form would hold.
pub fn org_draft(o: &Organisation) -> OrgDraft {
    OrgDraft {
        name: o.name.clone(),
        business_id: o.business_id.clone().unwrap_or_default(),
        address: o.address.clone(),
        website: o.website.clone().unwrap_or_default(),
        notes: o.notes.clone(),
    }
}

fn t(s: &str) -> String {
    s.trim().to_owned()
}

fn labeled(list: &[LabeledDraft]) -> Vec<(String, String)> {
    list.iter().filter(|l| !l.value.trim().is_empty()).map(|l| (t(&l.value), t(&l.label))).collect()
}

fn addresses(list: &[Address]) -> Vec<Address> {
    list.iter()
        .map(|a| Address {
            label: t(&a.label),
            street: t(&a.street),
            postal_code: t(&a.postal_code),
            city: t(&a.city),
            country: t(&a.country),
        })
        .filter(|a| !a.is_empty())
        .collect()
}

fn texts(list: &[String]) -> Vec<String> {
    list.iter().map(|s| t(s)).filter(|s| !s.is_empty()).collect()
}

fn socials(list: &[Social]) -> Vec<(String, String)> {
    list.iter().filter(|s| !s.handle.trim().is_empty()).map(|s| (t(&s.service), t(&s.handle))).collect()
}

fn orgs(list: &[AffiliationDraft]) -> Vec<(String, String)> {
    list.iter()
        .filter_map(|a| match &a.org {
            OrgChoice::New(name) if name.trim().is_empty() => None,
            OrgChoice::New(name) => Some((super::text::fold(name), t(&a.role))),
            OrgChoice::Existing(id) => Some((id.to_string(), t(&a.role))),
        })
        .collect()
}

/// Takes each field from `mine` where the user changed it (compared with
/// `base`, ignoring empty rows and surrounding spaces), otherwise from
/// `fresh`.
pub fn rebase_person(base: &PersonDraft, mine: &PersonDraft, fresh: &PersonDraft) -> PersonDraft {
    let mut out = fresh.clone();
    if (t(&mine.given_name), t(&mine.family_name)) != (t(&base.given_name), t(&base.family_name)) {
        out.given_name = mine.given_name.clone();
        out.family_name = mine.family_name.clone();
    }
    if labeled(&mine.emails) != labeled(&base.emails) {
        out.emails = mine.emails.clone();
    }
    if labeled(&mine.phones) != labeled(&base.phones) {
        out.phones = mine.phones.clone();
    }
    if addresses(&mine.addresses) != addresses(&base.addresses) {
        out.addresses = mine.addresses.clone();
    }
    if texts(&mine.websites) != texts(&base.websites) {
        out.websites = mine.websites.clone();
    }
    if socials(&mine.socials) != socials(&base.socials) {
        out.socials = mine.socials.clone();
    }
    if orgs(&mine.affiliations) != orgs(&base.affiliations) {
        out.affiliations = mine.affiliations.clone();
    }
    if mine.categories != base.categories {
        out.categories = mine.categories.clone();
    }
    if texts(&mine.tags) != texts(&base.tags) {
        out.tags = mine.tags.clone();
    }
    let custom_keys: Vec<_> = mine.custom.keys().chain(base.custom.keys()).copied().collect();
    let mut custom: BTreeMap<_, _> = fresh.custom.clone();
    for key in custom_keys {
        let value = |d: &PersonDraft| d.custom.get(&key).map(|v| t(v)).unwrap_or_default();
        if value(mine) != value(base) {
            custom.insert(key, mine.custom.get(&key).cloned().unwrap_or_default());
        }
    }
    out.custom = custom;
    let prov = |p: &ProvenanceDraft| (p.source, t(&p.detail), t(&p.date));
    if prov(&mine.provenance) != prov(&base.provenance) {
        out.provenance = mine.provenance.clone();
    }
    if t(&mine.notes) != t(&base.notes) {
        out.notes = mine.notes.clone();
    }
    out
}

/// The same for an organisation, field by field.
pub fn rebase_org(base: &OrgDraft, mine: &OrgDraft, fresh: &OrgDraft) -> OrgDraft {
    let pick = |m: &String, b: &String, f: &String| if t(m) != t(b) { m.clone() } else { f.clone() };
    OrgDraft {
        name: pick(&mine.name, &base.name, &fresh.name),
        business_id: pick(&mine.business_id, &base.business_id, &fresh.business_id),
        address: if addresses(std::slice::from_ref(&mine.address)) != addresses(std::slice::from_ref(&base.address)) {
            mine.address.clone()
        } else {
            fresh.address.clone()
        },
        website: pick(&mine.website, &base.website, &fresh.website),
        notes: pick(&mine.notes, &base.notes, &fresh.notes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(given: &str, email: &str, phone: &str) -> PersonDraft {
        PersonDraft {
            given_name: given.into(),
            family_name: "Aho".into(),
            emails: vec![LabeledDraft { label: String::new(), value: email.into() }],
            phones: vec![LabeledDraft { label: String::new(), value: phone.into() }],
            ..PersonDraft::default()
        }
    }

    #[test]
    fn changes_to_different_fields_are_both_kept() {
        let base = draft("Anna", "anna@x.fi", "040 1");
        let mine = draft("Anna", "anna@x.fi", "040 2"); // this tab changed the phone
        let fresh = draft("Anna", "anna@y.fi", "040 1"); // another tab changed the e-mail
        let out = rebase_person(&base, &mine, &fresh);
        assert_eq!(out.phones[0].value, "040 2");
        assert_eq!(out.emails[0].value, "anna@y.fi");
    }

    #[test]
    fn empty_rows_and_spaces_are_not_changes() {
        let base = draft("Anna", "anna@x.fi", "040 1");
        let mut mine = draft(" Anna ", "anna@x.fi ", "040 1");
        mine.emails.push(LabeledDraft::default());
        mine.websites.push("  ".into());
        let fresh = draft("Anna", "anna@y.fi", "040 9");
        assert_eq!(rebase_person(&base, &mine, &fresh), fresh, "nothing the user changed");
    }

    #[test]
    fn the_same_field_changed_in_both_places_takes_the_form() {
        let base = draft("Anna", "anna@x.fi", "040 1");
        let mine = draft("Anneli", "anna@x.fi", "040 1");
        let fresh = draft("Annika", "anna@x.fi", "040 1");
        assert_eq!(rebase_person(&base, &mine, &fresh).given_name, "Anneli", "what the user saw and saved");
    }

    #[test]
    fn organisations_rebase_by_field() {
        let base = OrgDraft { name: "Mipro".into(), website: "mipro.fi".into(), ..OrgDraft::default() };
        let mine = OrgDraft { name: "Mipro Oy".into(), ..base.clone() };
        let fresh = OrgDraft { website: "www.mipro.fi".into(), ..base.clone() };
        let out = rebase_org(&base, &mine, &fresh);
        assert_eq!((out.name.as_str(), out.website.as_str()), ("Mipro Oy", "www.mipro.fi"));
    }
}
