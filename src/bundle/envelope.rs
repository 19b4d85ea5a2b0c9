//! The bundle envelope: a small JSON header (format, version, key
//! derivation, cipher, compression) around the encrypted, compressed
//! register document. `docs/bundle-format.md` is the specification.
//!
//! - Key: Argon2id (version 0x13) of the passphrase's UTF-8 bytes with the
//!   header's salt and parameters, 32 bytes.
//! - Cipher: XChaCha20-Poly1305 with the header's 24-byte nonce; the
//!   associated data is [`Header::aad`], built from every header value, so
//!   changing any of them makes decryption fail.
//! - Compression: raw DEFLATE (RFC 1951) of the document before encryption.
//!
//! Pure: the salt and nonce are passed in (the host draws them from a
//! secure random source, fresh for every file). Every limit is checked
//! before any expensive work: the file size first, then the key derivation
//! parameters, before Argon2 runs.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::error::BundleError;

/// The `format` value of every bundle.
pub const FORMAT: &str = "sidos-bundle";
/// The envelope version this code writes and the newest it reads.
pub const VERSION: u64 = 1;
pub const KDF_NAME: &str = "argon2id";
/// Argon2 version 1.3.
pub const KDF_VERSION: u64 = 0x13;
pub const AEAD_NAME: &str = "xchacha20poly1305";
pub const COMPRESSION: &str = "deflate";
/// The largest file read (checked before anything else).
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// The largest document that decompression may produce (a compressed
/// "bomb" stops here).
pub const MAX_PLAINTEXT_BYTES: u64 = 256 * 1024 * 1024;
/// Salt lengths accepted; 16 bytes are written.
pub const SALT_BYTES: std::ops::RangeInclusive<usize> = 16..=64;
pub const NONCE_BYTES: usize = 24;
/// The DEFLATE level written (0–10 in `miniz_oxide`). Level 6 compresses
/// a large register three times faster than level 9, for a file about 1 %
/// larger.
pub const DEFLATE_LEVEL: u8 = 6;

/// Argon2id's cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes over the memory.
    pub t: u32,
    /// Lanes (parallelism).
    pub p: u32,
}

impl KdfParams {
    /// What bundles are written with: 64 MiB, 3 passes, 1 lane.
    pub const DEFAULT: KdfParams = KdfParams { m_kib: 65536, t: 3, p: 1 };
    /// The bounds a reader accepts (inclusive).
    pub const M_KIB: (u32, u32) = (19456, 1_048_576);
    pub const T: (u32, u32) = (1, 10);
    pub const P: (u32, u32) = (1, 4);

    /// Refuses parameters outside the bounds.
    pub fn check(&self) -> Result<(), BundleError> {
        check_bound("m_kib", u64::from(self.m_kib), Self::M_KIB)?;
        check_bound("t", u64::from(self.t), Self::T)?;
        check_bound("p", u64::from(self.p), Self::P).map(|_| ())
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::DEFAULT
    }
}

fn check_bound(param: &'static str, value: u64, (min, max): (u32, u32)) -> Result<u32, BundleError> {
    if value < u64::from(min) || value > u64::from(max) {
        return Err(BundleError::KdfOutOfBounds { param, value, min: min.into(), max: max.into() });
    }
    Ok(value as u32)
}

/// A bundle's header, read and checked without the passphrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub version: u64,
    pub kdf: KdfParams,
    pub salt: Vec<u8>,
    pub nonce: [u8; NONCE_BYTES],
    /// The length of the ciphertext (compressed document and 16-byte tag).
    pub ciphertext_len: usize,
    /// The length of the whole file.
    pub file_len: usize,
}

impl Header {
    /// The associated data the cipher authenticates: every header value,
    /// one `name=value` line each (LF-terminated, ASCII), in this order:
    ///
    /// ```text
    /// sidos-bundle
    /// version=1
    /// kdf=argon2id
    /// kdf.version=19
    /// kdf.m_kib=65536
    /// kdf.t=3
    /// kdf.p=1
    /// kdf.salt=<salt in lowercase hex>
    /// aead=xchacha20poly1305
    /// aead.nonce=<nonce in lowercase hex>
    /// compression=deflate
    /// ```
    ///
    /// Numbers are decimal without leading zeros. Built from the values,
    /// not the JSON text, so the JSON may be reformatted.
    pub fn aad(&self) -> Vec<u8> {
        format!(
            "{FORMAT}\nversion={}\nkdf={KDF_NAME}\nkdf.version={KDF_VERSION}\nkdf.m_kib={}\nkdf.t={}\nkdf.p={}\nkdf.salt={}\naead={AEAD_NAME}\naead.nonce={}\ncompression={COMPRESSION}\n",
            self.version,
            self.kdf.m_kib,
            self.kdf.t,
            self.kdf.p,
            hex(&self.salt),
            hex(&self.nonce),
        )
        .into_bytes()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A decrypted bundle: its header and the document's bytes (JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    pub header: Header,
    pub plaintext: Vec<u8>,
}

/// The envelope as JSON. Members are refused unless known: nothing outside
/// the authenticated header may ride along.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvelopeJson {
    format: String,
    version: u64,
    kdf: KdfJson,
    aead: AeadJson,
    compression: String,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfJson {
    name: String,
    version: u64,
    m_kib: u64,
    t: u64,
    p: u64,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AeadJson {
    name: String,
    nonce: String,
}

/// Just enough to tell a bundle, and its version, from anything else.
#[derive(Deserialize)]
struct Probe {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

/// Refuses a file larger than a bundle may be. The host can call this with
/// the file's size before reading it.
pub fn check_file_size(len: u64) -> Result<(), BundleError> {
    if len > MAX_FILE_BYTES {
        return Err(BundleError::TooLarge { size: len, limit: MAX_FILE_BYTES });
    }
    Ok(())
}

/// Encrypts a document (JSON bytes) into a bundle file. `salt` and `nonce`
/// must come fresh from a secure random source for every file.
pub fn seal(
    plaintext: &[u8],
    passphrase: &str,
    params: KdfParams,
    salt: [u8; 16],
    nonce: [u8; NONCE_BYTES],
) -> Result<Vec<u8>, BundleError> {
    // Too large is refused before deriving the key.
    if plaintext.len() as u64 > MAX_PLAINTEXT_BYTES {
        return Err(BundleError::TooLarge { size: plaintext.len() as u64, limit: MAX_PLAINTEXT_BYTES });
    }
    Sealer::new(passphrase, params, salt, nonce)?.seal(plaintext)
}

/// Like [`seal`], for a document the host has already compressed with raw
/// DEFLATE (a browser does it natively, several times faster);
/// `plaintext_len` is the document's length before compression.
pub fn seal_deflated(
    compressed: &[u8],
    plaintext_len: usize,
    passphrase: &str,
    params: KdfParams,
    salt: [u8; 16],
    nonce: [u8; NONCE_BYTES],
) -> Result<Vec<u8>, BundleError> {
    Sealer::new(passphrase, params, salt, nonce)?.seal_deflated(compressed, plaintext_len)
}

/// The DEFLATE level an export writes with when it compresses its
/// document while writing it (level 2 of `miniz_oxide`): about three
/// times as fast as level 6, for a file about a sixth larger — still
/// smaller than level 6 made of document version 2 — so that compressing
/// keeps pace with writing the document.
pub const STREAM_LEVEL: u8 = 2;

/// Raw DEFLATE of a document given in pieces as it is written; the same
/// bytes as compressing it whole at that level.
pub struct Deflater {
    compressor: Box<miniz_oxide::deflate::core::CompressorOxide>,
    compressed: Vec<u8>,
    len: usize,
}

impl Deflater {
    pub fn new(level: u8) -> Deflater {
        use miniz_oxide::deflate::core::{create_comp_flags_from_zip_params, CompressorOxide};
        // Raw DEFLATE (no zlib header), default strategy: as `compress_to_vec`.
        let flags = create_comp_flags_from_zip_params(level.into(), 0, 0);
        Deflater { compressor: Box::new(CompressorOxide::new(flags)), compressed: Vec::new(), len: 0 }
    }

    /// Compresses the next piece of the document.
    pub fn push(&mut self, piece: &[u8]) {
        self.len += piece.len();
        self.run(piece, miniz_oxide::deflate::core::TDEFLFlush::None);
    }

    /// The compressed document and its length before compression.
    pub fn finish(mut self) -> (Vec<u8>, usize) {
        self.run(&[], miniz_oxide::deflate::core::TDEFLFlush::Finish);
        (self.compressed, self.len)
    }

    fn run(&mut self, mut input: &[u8], flush: miniz_oxide::deflate::core::TDEFLFlush) {
        use miniz_oxide::deflate::core::{compress_to_output, TDEFLStatus};
        let out = &mut self.compressed;
        loop {
            let (status, used) = compress_to_output(&mut self.compressor, input, flush, |bytes| {
                out.extend_from_slice(bytes);
                true
            });
            input = &input[used.min(input.len())..];
            match status {
                TDEFLStatus::Done => return,
                TDEFLStatus::Okay if input.is_empty() && flush == miniz_oxide::deflate::core::TDEFLFlush::None => {
                    return
                }
                TDEFLStatus::Okay => {}
                // Only a bug in the compressor gets here: it never fails on
                // its own output callback, which always takes the bytes.
                _ => panic!("DEFLATE failed"),
            }
        }
    }
}

/// A bundle's key, derived before its document is ready, so that a host
/// can derive it (slow on purpose) while the document is still being
/// compressed elsewhere; then [`Sealer::seal_deflated`].
pub struct Sealer {
    params: KdfParams,
    salt: [u8; 16],
    nonce: [u8; NONCE_BYTES],
    key: Zeroizing<[u8; 32]>,
}

impl Sealer {
    /// Checks the passphrase and parameters and derives the key.
    pub fn new(
        passphrase: &str,
        params: KdfParams,
        salt: [u8; 16],
        nonce: [u8; NONCE_BYTES],
    ) -> Result<Sealer, BundleError> {
        if passphrase.is_empty() {
            return Err(BundleError::EmptyPassphrase);
        }
        params.check()?;
        let key = derive_key(passphrase, &params, &salt)?;
        Ok(Sealer { params, salt, nonce, key })
    }

    /// Compresses the document and encrypts it into a bundle file.
    pub fn seal(self, plaintext: &[u8]) -> Result<Vec<u8>, BundleError> {
        if plaintext.len() as u64 > MAX_PLAINTEXT_BYTES {
            return Err(BundleError::TooLarge { size: plaintext.len() as u64, limit: MAX_PLAINTEXT_BYTES });
        }
        let compressed = Zeroizing::new(miniz_oxide::deflate::compress_to_vec(plaintext, DEFLATE_LEVEL));
        self.seal_deflated(&compressed, plaintext.len())
    }

    /// Encrypts the compressed document into a bundle file.
    pub fn seal_deflated(self, compressed: &[u8], plaintext_len: usize) -> Result<Vec<u8>, BundleError> {
        let Sealer { params, salt, nonce, key } = self;
        if plaintext_len as u64 > MAX_PLAINTEXT_BYTES {
            return Err(BundleError::TooLarge { size: plaintext_len as u64, limit: MAX_PLAINTEXT_BYTES });
        }
        let header =
            Header { version: VERSION, kdf: params, salt: salt.to_vec(), nonce, ciphertext_len: 0, file_len: 0 };
        let cipher =
            XChaCha20Poly1305::new_from_slice(key.as_slice()).map_err(|_| BundleError::Kdf("key length".into()))?;
        let aad = header.aad();
        let ciphertext = cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: compressed, aad: &aad })
            .map_err(|_| BundleError::TooLarge { size: plaintext_len as u64, limit: MAX_PLAINTEXT_BYTES })?;
        let envelope = EnvelopeJson {
            format: FORMAT.into(),
            version: VERSION,
            kdf: KdfJson {
                name: KDF_NAME.into(),
                version: KDF_VERSION,
                m_kib: params.m_kib.into(),
                t: params.t.into(),
                p: params.p.into(),
                salt: B64.encode(salt),
            },
            aead: AeadJson { name: AEAD_NAME.into(), nonce: B64.encode(nonce) },
            compression: COMPRESSION.into(),
            ciphertext: String::new(),
        };
        let mut file = serde_json::to_vec(&envelope).expect("the envelope always serialises");
        // The ciphertext is the last member, and base64 never needs
        // escaping: it is encoded straight into its place, the same bytes
        // serde would write without a copy of megabytes to scan.
        let closing: &[u8] = b"\"\"}";
        assert!(file.ends_with(closing), "the ciphertext is the envelope's last member");
        file.truncate(file.len() - 2);
        let start = file.len();
        let len = base64::encoded_len(ciphertext.len(), true).expect("a bundle's length fits in memory");
        file.resize(start + len, 0);
        B64.encode_slice(&ciphertext, &mut file[start..]).expect("room for exactly the encoded length");
        file.extend_from_slice(b"\"}");
        check_file_size(file.len() as u64)?;
        Ok(file)
    }
}

/// Reads and checks a bundle's header without decrypting (no passphrase,
/// no key derivation).
pub fn inspect(file: &[u8]) -> Result<Header, BundleError> {
    parse(file).map(|(header, _)| header)
}

/// Decrypts a bundle file into its document's bytes.
pub fn open(file: &[u8], passphrase: &str) -> Result<Opened, BundleError> {
    unlock(file, passphrase)?.open()
}

/// A bundle whose key has been derived from the passphrase: what is left
/// of opening it is decryption and decompression. (Two steps so that the
/// costly key derivation can be told apart from the rest.)
pub struct Unlocked {
    header: Header,
    ciphertext: Vec<u8>,
    key: Zeroizing<[u8; 32]>,
}

/// Reads a bundle's header and derives its key (Argon2id).
pub fn unlock(file: &[u8], passphrase: &str) -> Result<Unlocked, BundleError> {
    let (header, ciphertext) = parse(file)?;
    let key = derive_key(passphrase, &header.kdf, &header.salt)?;
    Ok(Unlocked { header, ciphertext, key })
}

impl Unlocked {
    /// Decrypts and decompresses. A wrong passphrase shows here.
    pub fn open(self) -> Result<Opened, BundleError> {
        self.decrypt()?.inflate()
    }

    /// Decrypts, leaving the document compressed (a host may decompress it
    /// natively, then [`Decrypted::inflated`]). A wrong passphrase shows here.
    pub fn decrypt(self) -> Result<Decrypted, BundleError> {
        let Unlocked { header, ciphertext, key } = self;
        let cipher =
            XChaCha20Poly1305::new_from_slice(key.as_slice()).map_err(|_| BundleError::Kdf("key length".into()))?;
        drop(key);
        let aad = header.aad();
        let compressed = Zeroizing::new(
            cipher
                .decrypt(&XNonce::from(header.nonce), Payload { msg: &ciphertext, aad: &aad })
                .map_err(|_| BundleError::WrongPassphraseOrDamaged)?,
        );
        Ok(Decrypted { header, compressed })
    }
}

/// A decrypted bundle whose document is still compressed (raw DEFLATE).
pub struct Decrypted {
    header: Header,
    compressed: Zeroizing<Vec<u8>>,
}

impl Decrypted {
    pub fn compressed(&self) -> &[u8] {
        &self.compressed
    }

    /// Decompresses, refusing more than [`MAX_PLAINTEXT_BYTES`].
    pub fn inflate(self) -> Result<Opened, BundleError> {
        let plaintext =
            miniz_oxide::inflate::decompress_to_vec_with_limit(&self.compressed, MAX_PLAINTEXT_BYTES as usize)
                .map_err(|e| match e.status {
                    miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                        BundleError::TooLarge { size: MAX_PLAINTEXT_BYTES + 1, limit: MAX_PLAINTEXT_BYTES }
                    }
                    _ => BundleError::DamagedPlaintext,
                })?;
        Ok(Opened { header: self.header, plaintext })
    }

    /// The document as the host decompressed it (at most
    /// [`MAX_PLAINTEXT_BYTES`], which the host enforces while decompressing).
    pub fn inflated(self, plaintext: Vec<u8>) -> Result<Opened, BundleError> {
        if plaintext.len() as u64 > MAX_PLAINTEXT_BYTES {
            return Err(BundleError::TooLarge { size: plaintext.len() as u64, limit: MAX_PLAINTEXT_BYTES });
        }
        Ok(Opened { header: self.header, plaintext })
    }
}

/// Argon2id of the passphrase: the 32-byte key, wiped when dropped.
fn derive_key(passphrase: &str, kdf: &KdfParams, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, BundleError> {
    kdf.check()?;
    let params = Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32)).map_err(|e| BundleError::Kdf(e.to_string()))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut_slice())
        .map_err(|e| BundleError::Kdf(e.to_string()))?;
    Ok(key)
}

/// Whether the start of a file names the bundle format (so that a file cut
/// short or damaged is told from one that is something else).
fn looks_like_bundle(file: &[u8]) -> bool {
    let head = &file[..file.len().min(1024)];
    let magic = format!("\"{FORMAT}\"");
    head.windows(magic.len()).any(|w| w == magic.as_bytes())
}

/// Checks everything up to the ciphertext, cheapest first.
fn parse(file: &[u8]) -> Result<(Header, Vec<u8>), BundleError> {
    check_file_size(file.len() as u64)?;
    let body = file.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(file);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(BundleError::Empty);
    }
    let probe: Probe = serde_json::from_slice(body).map_err(|e| {
        if !looks_like_bundle(body) {
            BundleError::NotABundle
        } else if e.is_eof() {
            BundleError::Truncated
        } else {
            BundleError::Damaged
        }
    })?;
    if probe.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(BundleError::NotABundle);
    }
    match probe.version.as_ref().and_then(serde_json::Value::as_u64) {
        Some(v) if v > VERSION => {
            return Err(BundleError::NewerVersion { what: "file format", found: v, supported: VERSION })
        }
        Some(VERSION) => {}
        _ => return Err(BundleError::Damaged),
    }
    let env: EnvelopeJson = serde_json::from_slice(body).map_err(|_| BundleError::Damaged)?;
    let unsupported = |what: &str, value: &str| {
        let value: String = value.chars().take(40).collect();
        BundleError::Unsupported(format!("{what} \"{value}\""))
    };
    if env.kdf.name != KDF_NAME {
        return Err(unsupported("the key derivation", &env.kdf.name));
    }
    if env.kdf.version != KDF_VERSION {
        return Err(unsupported("the Argon2 version", &env.kdf.version.to_string()));
    }
    if env.aead.name != AEAD_NAME {
        return Err(unsupported("the cipher", &env.aead.name));
    }
    if env.compression != COMPRESSION {
        return Err(unsupported("the compression", &env.compression));
    }
    let kdf = KdfParams {
        m_kib: check_bound("m_kib", env.kdf.m_kib, KdfParams::M_KIB)?,
        t: check_bound("t", env.kdf.t, KdfParams::T)?,
        p: check_bound("p", env.kdf.p, KdfParams::P)?,
    };
    let salt = B64.decode(&env.kdf.salt).map_err(|_| BundleError::Damaged)?;
    if !SALT_BYTES.contains(&salt.len()) {
        return Err(BundleError::KdfOutOfBounds {
            param: "salt length",
            value: salt.len() as u64,
            min: *SALT_BYTES.start() as u64,
            max: *SALT_BYTES.end() as u64,
        });
    }
    let nonce: [u8; NONCE_BYTES] =
        B64.decode(&env.aead.nonce).map_err(|_| BundleError::Damaged)?.try_into().map_err(|_| BundleError::Damaged)?;
    let ciphertext = B64.decode(&env.ciphertext).map_err(|_| BundleError::Damaged)?;
    if ciphertext.len() < 16 {
        return Err(BundleError::Truncated);
    }
    let header = Header { version: VERSION, kdf, salt, nonce, ciphertext_len: ciphertext.len(), file_len: file.len() };
    Ok((header, ciphertext))
}
