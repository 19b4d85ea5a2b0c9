//! Encryption at rest: the register in the browser is encrypted with a
//! random data key; each user's passphrase (through Argon2id) wraps that
//! key. Changing a passphrase re-wraps the key only; the data stays.
//!
//! Each stored document is sealed with XChaCha20-Poly1305 under the data
//! key, with the object store and the record's key as associated data, so
//! a sealed document cannot be moved to another place unnoticed.
//! Randomness (the data key, salts, nonces) comes from the host.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::envelope::KdfParams;

/// What can go wrong with the vault. None of it carries data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The passphrase does not open this user's key.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// A sealed document does not open (damaged, or moved).
    #[error("a stored document is damaged")]
    Damaged,
    /// The stored key is not in a form this version reads.
    #[error("the stored key is unreadable")]
    BadKeyRecord,
    /// Key derivation parameters out of bounds.
    #[error("key derivation parameters out of bounds")]
    Kdf,
    #[error("the passphrase is empty")]
    EmptyPassphrase,
}

/// The register's data key. Wiped from memory when dropped.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    /// A data key from 32 random bytes (from the host's secure source).
    pub fn from_random(bytes: [u8; 32]) -> Self {
        DataKey(Zeroizing::new(bytes))
    }

    /// The key itself, for handing to the browser's own cryptography
    /// (which keeps what it derives from it unreadable).
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new_from_slice(self.0.as_slice()).expect("32-byte key")
    }
}

/// A data key wrapped by one user's passphrase, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedKey {
    pub kdf: KdfParams,
    pub salt: [u8; 16],
    pub nonce: [u8; 24],
    pub ciphertext: Vec<u8>,
}

/// The associated data of a user's wrapped key: the key is bound to the
/// user it belongs to.
fn key_aad(user: &str) -> Vec<u8> {
    format!("sidos-vault-key\n1\n{user}").into_bytes()
}

fn kek(passphrase: &str, kdf: &KdfParams, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, VaultError> {
    if passphrase.is_empty() {
        return Err(VaultError::EmptyPassphrase);
    }
    kdf.check().map_err(|_| VaultError::Kdf)?;
    let params = Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32)).map_err(|_| VaultError::Kdf)?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut_slice())
        .map_err(|_| VaultError::Kdf)?;
    Ok(out)
}

/// Wraps the data key with a user's passphrase.
pub fn wrap(
    key: &DataKey,
    user: &str,
    passphrase: &str,
    kdf: KdfParams,
    salt: [u8; 16],
    nonce: [u8; 24],
) -> Result<WrappedKey, VaultError> {
    let kek = kek(passphrase, &kdf, &salt)?;
    let cipher = XChaCha20Poly1305::new_from_slice(kek.as_slice()).map_err(|_| VaultError::Kdf)?;
    let aad = key_aad(user);
    let ciphertext = cipher
        .encrypt(&XNonce::from(nonce), Payload { msg: key.0.as_slice(), aad: &aad })
        .map_err(|_| VaultError::Kdf)?;
    Ok(WrappedKey { kdf, salt, nonce, ciphertext })
}

/// Opens a user's wrapped data key with their passphrase.
pub fn unwrap(wrapped: &WrappedKey, user: &str, passphrase: &str) -> Result<DataKey, VaultError> {
    let kek = kek(passphrase, &wrapped.kdf, &wrapped.salt)?;
    let cipher = XChaCha20Poly1305::new_from_slice(kek.as_slice()).map_err(|_| VaultError::Kdf)?;
    let aad = key_aad(user);
    let plain = Zeroizing::new(
        cipher
            .decrypt(&XNonce::from(wrapped.nonce), Payload { msg: &wrapped.ciphertext, aad: &aad })
            .map_err(|_| VaultError::WrongPassphrase)?,
    );
    let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| VaultError::BadKeyRecord)?;
    Ok(DataKey::from_random(bytes))
}

/// The associated data of a stored document: where it is stored.
/// What a stored document is bound to: its object store and key.
pub fn record_aad(store: &str, key: &str) -> Vec<u8> {
    format!("sidos-vault-record\n1\n{store}\n{key}").into_bytes()
}

/// Seals a document for storage at `store`/`key`: nonce, then ciphertext.
pub fn seal(key: &DataKey, store: &str, record_key: &str, nonce: [u8; 24], plaintext: &[u8]) -> Vec<u8> {
    let aad = record_aad(store, record_key);
    let mut out = nonce.to_vec();
    let ciphertext = key
        .cipher()
        .encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: &aad })
        .expect("documents are far below the cipher's length limit");
    out.extend_from_slice(&ciphertext);
    out
}

/// Opens a document sealed for `store`/`key`.
pub fn open(key: &DataKey, store: &str, record_key: &str, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
    if sealed.len() < 24 + 16 {
        return Err(VaultError::Damaged);
    }
    let (nonce, ciphertext) = sealed.split_at(24);
    let nonce: [u8; 24] = nonce.try_into().map_err(|_| VaultError::Damaged)?;
    let aad = record_aad(store, record_key);
    key.cipher().decrypt(&XNonce::from(nonce), Payload { msg: ciphertext, aad: &aad }).map_err(|_| VaultError::Damaged)
}

/// The stored form of a wrapped key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKeyDto {
    pub kdf: String,
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
    pub salt: String,
    pub nonce: String,
    pub key: String,
}

impl From<&WrappedKey> for WrappedKeyDto {
    fn from(w: &WrappedKey) -> Self {
        WrappedKeyDto {
            kdf: "argon2id".into(),
            m_kib: w.kdf.m_kib,
            t: w.kdf.t,
            p: w.kdf.p,
            salt: B64.encode(w.salt),
            nonce: B64.encode(w.nonce),
            key: B64.encode(&w.ciphertext),
        }
    }
}

impl TryFrom<WrappedKeyDto> for WrappedKey {
    type Error = VaultError;

    fn try_from(d: WrappedKeyDto) -> Result<Self, VaultError> {
        if d.kdf != "argon2id" {
            return Err(VaultError::BadKeyRecord);
        }
        let bytes = |s: &str| B64.decode(s).map_err(|_| VaultError::BadKeyRecord);
        let kdf = KdfParams { m_kib: d.m_kib, t: d.t, p: d.p };
        kdf.check().map_err(|_| VaultError::Kdf)?;
        Ok(WrappedKey {
            kdf,
            salt: bytes(&d.salt)?.try_into().map_err(|_| VaultError::BadKeyRecord)?,
            nonce: bytes(&d.nonce)?.try_into().map_err(|_| VaultError::BadKeyRecord)?,
            ciphertext: bytes(&d.key)?,
        })
    }
}

/// How long the app may stay unlocked without use, unless set otherwise.
pub const DEFAULT_LOCK_MINUTES: u32 = 15;

fn default_lock_minutes() -> u32 {
    DEFAULT_LOCK_MINUTES
}

/// The vault's plain document: who can unlock, and each one's wrapped key.
/// Names are shown on the unlock screen; access levels are kept sealed
/// ([`AccessDto`]) so that they cannot be changed without the data key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultDocDto {
    pub version: u32,
    pub users: Vec<VaultUserDto>,
    #[serde(default = "default_lock_minutes")]
    pub lock_minutes: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultUserDto {
    pub id: uuid::Uuid,
    pub name: String,
    pub key: WrappedKeyDto,
}

/// Each user's access level (sealed in `meta` as `access`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessDto {
    pub users: std::collections::BTreeMap<uuid::Uuid, UserAccessDto>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccessDto {
    /// `admin`, `staff`, `event_organiser`, `read_only`.
    pub level: String,
    /// The events an event organiser organises.
    #[serde(default)]
    pub events: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small but valid parameters, so the tests stay quick.
    const FAST: KdfParams = KdfParams { m_kib: 19456, t: 1, p: 1 };

    fn key() -> DataKey {
        DataKey::from_random([7; 32])
    }

    #[test]
    fn a_wrapped_key_opens_with_the_passphrase_only() {
        let wrapped = wrap(&key(), "admin", "kolme sanaa täällä", FAST, [1; 16], [2; 24]).unwrap();
        let opened = unwrap(&wrapped, "admin", "kolme sanaa täällä").unwrap();
        assert_eq!(opened.0.as_slice(), key().0.as_slice());
        assert_eq!(unwrap(&wrapped, "admin", "kolme sanaa taalla").err(), Some(VaultError::WrongPassphrase));
        assert_eq!(
            unwrap(&wrapped, "another user", "kolme sanaa täällä").err(),
            Some(VaultError::WrongPassphrase),
            "bound to its user"
        );
        assert_eq!(wrap(&key(), "admin", "", FAST, [1; 16], [2; 24]).err(), Some(VaultError::EmptyPassphrase));
    }

    #[test]
    fn re_wrapping_keeps_the_same_data_key() {
        let first = wrap(&key(), "u", "vanha salasana", FAST, [1; 16], [2; 24]).unwrap();
        let opened = unwrap(&first, "u", "vanha salasana").unwrap();
        let second = wrap(&opened, "u", "uusi salasana", FAST, [3; 16], [4; 24]).unwrap();
        let sealed = seal(&key(), "people", "id-1", [9; 24], b"Kati");
        let reopened = unwrap(&second, "u", "uusi salasana").unwrap();
        assert_eq!(open(&reopened, "people", "id-1", &sealed).unwrap(), b"Kati");
        assert_eq!(unwrap(&second, "u", "vanha salasana").err(), Some(VaultError::WrongPassphrase));
    }

    #[test]
    fn sealed_documents_hide_their_content_and_stay_in_place() {
        let sealed = seal(&key(), "people", "id-1", [5; 24], "Kati Häkkinen".as_bytes());
        assert!(!sealed.windows(4).any(|w| w == b"Kati"), "nothing readable");
        assert_eq!(open(&key(), "people", "id-1", &sealed).unwrap(), "Kati Häkkinen".as_bytes());
        assert_eq!(open(&key(), "people", "id-2", &sealed).err(), Some(VaultError::Damaged), "moved to another key");
        assert_eq!(open(&key(), "records", "id-1", &sealed).err(), Some(VaultError::Damaged), "moved to another store");
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert_eq!(open(&key(), "people", "id-1", &damaged).err(), Some(VaultError::Damaged));
        assert_eq!(open(&key(), "people", "id-1", &sealed[..30]).err(), Some(VaultError::Damaged));
        assert_eq!(open(&DataKey::from_random([8; 32]), "people", "id-1", &sealed).err(), Some(VaultError::Damaged));
    }

    #[test]
    fn the_stored_key_round_trips_and_bad_records_are_refused() {
        let wrapped = wrap(&key(), "u", "salasana", FAST, [1; 16], [2; 24]).unwrap();
        let dto = WrappedKeyDto::from(&wrapped);
        let json = serde_json::to_string(&dto).unwrap();
        let back = WrappedKey::try_from(serde_json::from_str::<WrappedKeyDto>(&json).unwrap()).unwrap();
        assert_eq!(back, wrapped);
        let huge = WrappedKeyDto { m_kib: 4 * 1024 * 1024, ..dto.clone() };
        assert_eq!(WrappedKey::try_from(huge).err(), Some(VaultError::Kdf), "an attacker's 4 GiB is refused");
        let short_salt = WrappedKeyDto { salt: B64.encode([1u8; 8]), ..dto.clone() };
        assert_eq!(WrappedKey::try_from(short_salt).err(), Some(VaultError::BadKeyRecord));
        let other = WrappedKeyDto { kdf: "md5".into(), ..dto };
        assert_eq!(WrappedKey::try_from(other).err(), Some(VaultError::BadKeyRecord));
    }
}
