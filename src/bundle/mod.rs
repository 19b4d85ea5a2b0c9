//! The register's data in serialisable form, and the encrypted bundles
//! colleagues pass to each other. Pure: no IO, no clock, no randomness (the
//! host passes the time, the salt and the nonce), no web crates.
//!
//! - `dto/`: versioned documents of each entity (storage keeps them;
//!   bundles carry them).
//! - `document.rs`: the register document a bundle carries.
//! - `envelope.rs`: the encrypted envelope around it (the wire format).
//! - `error.rs`: what can go wrong, with message ids.
//! - `passphrase.rs`: a strength estimate for the passphrase meter.
//! - `gdpr.rs`: the register description, rights requests, and a
//!   person's data as JSON (portability).
//! - `csv/`, `vcard.rs`: lists for spreadsheets and address books out,
//!   contacts from other tools in.
//!
//! `docs/bundle-format.md` specifies the format.

pub mod csv;
pub mod document;
pub mod dto;
pub mod envelope;
pub mod error;
pub mod gdpr;
pub mod packed;
pub mod pages;
pub mod passphrase;
pub mod vault;
pub mod vcard;

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::{fold, Snapshot};

pub use envelope::{check_file_size, inspect, unlock, Decrypted, Header, KdfParams, Opened, Unlocked};
pub use error::BundleError;

/// Writes a snapshot as an encrypted bundle file. `salt` and `nonce` must
/// come fresh from a secure random source for every file.
pub fn write_bundle(
    snapshot: &Snapshot,
    passphrase: &str,
    params: KdfParams,
    salt: [u8; 16],
    nonce: [u8; 24],
) -> Result<Vec<u8>, BundleError> {
    envelope::seal(&document::write(snapshot), passphrase, params, salt, nonce)
}

/// Decrypts and checks a bundle file. `now` is the reader's time.
pub fn read_bundle(file: &[u8], passphrase: &str, now: DateTime<Utc>) -> Result<Snapshot, BundleError> {
    read_unlocked(envelope::unlock(file, passphrase)?, now)
}

/// The second step of [`read_bundle`], after [`unlock`] derived the key.
pub fn read_unlocked(unlocked: Unlocked, now: DateTime<Utc>) -> Result<Snapshot, BundleError> {
    let opened = unlocked.open()?;
    document::read(&opened.plaintext, now)
}

/// `sidos-<org>-<date>.json`, the organisation's name in lower-case ASCII
/// letters, digits and dashes (`sidos-mipro-oy-2026-11-22.json`).
pub fn file_name(org: &str, date: NaiveDate) -> String {
    let mut slug = String::new();
    for c in fold(org).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "register" } else { slug };
    format!("sidos-{slug}-{}.json", date.format("%Y-%m-%d"))
}
