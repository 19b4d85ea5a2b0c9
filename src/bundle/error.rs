//! Why a bundle could not be written or read. Every error has a stable
//! message id (for the translations) and an English message; none carries
//! a personal value.

/// Why a bundle could not be written or read. Nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The file has no content.
    #[error("the file is empty")]
    Empty,
    /// The file, or its decompressed content, is larger than a bundle may be.
    #[error("the file is too large to be a Sidos bundle ({size} bytes, at most {limit})")]
    TooLarge { size: u64, limit: u64 },
    /// The file is something else (a CSV, an image, another JSON file…).
    #[error("this file is not a Sidos bundle")]
    NotABundle,
    /// The file ends too early: the download or copy was cut short.
    #[error("the file is incomplete (cut short): ask for the file again")]
    Truncated,
    /// The file starts like a bundle but its header cannot be read.
    #[error("the file is a damaged Sidos bundle: ask for the file again")]
    Damaged,
    /// A newer version of Sidos made the file (`what`: the envelope or the
    /// register document inside it).
    #[error("the bundle was made by a newer version of Sidos ({what} version {found}, this version reads up to {supported}): update Sidos to read it")]
    NewerVersion { what: &'static str, found: u64, supported: u64 },
    /// The header names a method this version does not know.
    #[error("the bundle uses {0}, which this version of Sidos cannot read")]
    Unsupported(String),
    /// A key derivation parameter is outside the bounds this version
    /// accepts (checked before any work is done).
    #[error("the bundle's key derivation setting {param} = {value} is outside the accepted range {min}–{max}")]
    KdfOutOfBounds { param: &'static str, value: u64, min: u64, max: u64 },
    /// Decryption failed: the two causes cannot be told apart.
    #[error("the passphrase is wrong, or the file was changed or damaged on the way: check the passphrase with the sender; if it is right, ask for the file again")]
    WrongPassphraseOrDamaged,
    /// Decrypted, but the content is not valid compressed data (the program
    /// that wrote it is faulty).
    #[error("the bundle was decrypted but its content is damaged")]
    DamagedPlaintext,
    /// The register document inside breaks the schema. The detail names
    /// the kind and id of the entity and what is wrong, never a value.
    #[error("the bundle's content is not a valid register: {0}")]
    Schema(String),
    /// A bundle needs a passphrase.
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    /// The key derivation could not run (e.g. out of memory).
    #[error("the key could not be derived from the passphrase ({0})")]
    Kdf(String),
}

impl BundleError {
    /// The stable id of the message, for translations (`bundle_error.<id>`).
    pub fn message_id(&self) -> &'static str {
        match self {
            BundleError::Empty => "empty",
            BundleError::TooLarge { .. } => "too_large",
            BundleError::NotABundle => "not_a_bundle",
            BundleError::Truncated => "truncated",
            BundleError::Damaged => "damaged",
            BundleError::NewerVersion { .. } => "newer_version",
            BundleError::Unsupported(_) => "unsupported",
            BundleError::KdfOutOfBounds { .. } => "kdf_out_of_bounds",
            BundleError::WrongPassphraseOrDamaged => "wrong_passphrase_or_damaged",
            BundleError::DamagedPlaintext => "damaged_plaintext",
            BundleError::Schema(_) => "schema",
            BundleError::EmptyPassphrase => "empty_passphrase",
            BundleError::Kdf(_) => "kdf_failed",
        }
    }
}
