//! `sidos-bundle`: shows and opens Sidos bundles outside the browser, so
//! that a register's data is never locked in.
//!
//! ```text
//! sidos-bundle inspect FILE         the header, without the passphrase
//! sidos-bundle decrypt FILE         the register document as JSON
//! sidos-bundle encrypt FILE.json    a bundle of a register document
//! ```
//!
//! The passphrase comes from the environment variable `SIDOS_PASSPHRASE`,
//! or else from the first line of standard input.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use sidos::bundle::{document, envelope, BundleError, KdfParams};

const USAGE: &str = "usage:
  sidos-bundle inspect FILE
  sidos-bundle decrypt FILE
  sidos-bundle encrypt FILE.json [--out FILE] [--m-kib N] [--t N] [--p N] [--salt HEX] [--nonce HEX]

The passphrase is read from SIDOS_PASSPHRASE, or else from the first line of
standard input. `decrypt` prints the register document (JSON) to standard
output; `encrypt` writes the bundle to --out, or to standard output. Salt and
nonce are random unless given (only for making test vectors).";

enum Failure {
    Usage(String),
    Io(String),
    Bundle(BundleError),
}

impl From<BundleError> for Failure {
    fn from(e: BundleError) -> Self {
        Failure::Bundle(e)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("sidos-bundle: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Io(message)) => {
            eprintln!("sidos-bundle: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Bundle(e)) => {
            eprintln!("sidos-bundle: {e} [{}]", e.message_id());
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<(), Failure> {
    let (command, rest) = args.split_first().ok_or_else(|| Failure::Usage("no command".into()))?;
    match command.as_str() {
        "inspect" => inspect(single_file(rest)?),
        "decrypt" => decrypt(single_file(rest)?),
        "encrypt" => encrypt(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(Failure::Usage(format!("unknown command {other:?}"))),
    }
}

fn single_file(rest: &[String]) -> Result<&str, Failure> {
    match rest {
        [file] => Ok(file),
        _ => Err(Failure::Usage("give exactly one file".into())),
    }
}

fn read_file(path: &str) -> Result<Vec<u8>, Failure> {
    let size = std::fs::metadata(path).map_err(|e| Failure::Io(format!("cannot read {path}: {e}")))?.len();
    envelope::check_file_size(size)?;
    std::fs::read(path).map_err(|e| Failure::Io(format!("cannot read {path}: {e}")))
}

fn passphrase() -> Result<String, Failure> {
    if let Ok(p) = std::env::var("SIDOS_PASSPHRASE") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::Io(format!("cannot read the passphrase: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

fn inspect(path: &str) -> Result<(), Failure> {
    let h = envelope::inspect(&read_file(path)?)?;
    println!("format:      {} version {}", envelope::FORMAT, h.version);
    println!(
        "key:         {} (version {}), m = {} KiB, t = {}, p = {}, salt {} bytes",
        envelope::KDF_NAME,
        envelope::KDF_VERSION,
        h.kdf.m_kib,
        h.kdf.t,
        h.kdf.p,
        h.salt.len()
    );
    println!("cipher:      {}, nonce {} bytes", envelope::AEAD_NAME, h.nonce.len());
    println!("compression: {}", envelope::COMPRESSION);
    println!("ciphertext:  {} bytes", h.ciphertext_len);
    println!("file:        {} bytes", h.file_len);
    Ok(())
}

fn decrypt(path: &str) -> Result<(), Failure> {
    let file = read_file(path)?;
    let opened = envelope::open(&file, &passphrase()?)?;
    let mut out = std::io::stdout().lock();
    let written = match serde_json::from_slice::<serde::de::IgnoredAny>(&opened.plaintext) {
        Ok(_) => out.write_all(&indent(&opened.plaintext)),
        // Not JSON: hand the bytes over as they are.
        Err(_) => out.write_all(&opened.plaintext),
    };
    written.map_err(|e| Failure::Io(format!("cannot write: {e}")))
}

/// Valid JSON laid out two spaces per level, members in their order.
fn indent(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', depth * 2));
    };
    let mut i = 0;
    while i < json.len() {
        let b = json[i];
        i += 1;
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b' ' | b'\n' | b'\r' | b'\t' => {}
            b'"' => {
                in_string = true;
                out.push(b);
            }
            b'{' | b'[' => {
                out.push(b);
                let close = if b == b'{' { b'}' } else { b']' };
                let next = json[i..].iter().position(|c| !c.is_ascii_whitespace()).map(|k| json[i + k]);
                if next == Some(close) {
                    continue;
                }
                depth += 1;
                newline(&mut out, depth);
            }
            b'}' | b']' => {
                if !matches!(out.last(), Some(b'{') | Some(b'[')) {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(b),
        }
    }
    out.push(b'\n');
    out
}

fn encrypt(rest: &[String]) -> Result<(), Failure> {
    let mut input = None;
    let mut out_path = None;
    let mut params = KdfParams::DEFAULT;
    let mut salt = None;
    let mut nonce = None;
    let mut i = 0;
    while i < rest.len() {
        let value = || rest.get(i + 1).ok_or_else(|| Failure::Usage(format!("{} needs a value", rest[i])));
        let number = |v: &String| v.parse::<u32>().map_err(|_| Failure::Usage(format!("{} is not a number", v)));
        match rest[i].as_str() {
            "--out" => out_path = Some(value()?.clone()),
            "--m-kib" => params.m_kib = number(value()?)?,
            "--t" => params.t = number(value()?)?,
            "--p" => params.p = number(value()?)?,
            "--salt" => salt = Some(hex::<16>(value()?)?),
            "--nonce" => nonce = Some(hex::<24>(value()?)?),
            flag if flag.starts_with("--") => return Err(Failure::Usage(format!("unknown option {flag}"))),
            file if input.is_none() => {
                input = Some(file.to_owned());
                i += 1;
                continue;
            }
            _ => return Err(Failure::Usage("give exactly one file".into())),
        }
        i += 2;
    }
    let input = input.ok_or_else(|| Failure::Usage("give the document to encrypt".into()))?;
    let plaintext = std::fs::read(&input).map_err(|e| Failure::Io(format!("cannot read {input}: {e}")))?;
    // Only a valid register document becomes a bundle.
    document::read(&plaintext, chrono::Utc::now())?;
    let salt = match salt {
        Some(s) => s,
        None => random()?,
    };
    let nonce = match nonce {
        Some(n) => n,
        None => random()?,
    };
    let bundle = envelope::seal(&plaintext, &passphrase()?, params, salt, nonce)?;
    match out_path {
        Some(path) => std::fs::write(&path, &bundle).map_err(|e| Failure::Io(format!("cannot write {path}: {e}"))),
        None => std::io::stdout().lock().write_all(&bundle).map_err(|e| Failure::Io(format!("cannot write: {e}"))),
    }
}

fn random<const N: usize>() -> Result<[u8; N], Failure> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Failure::Io(format!("no secure random numbers: {e}")))?;
    Ok(bytes)
}

fn hex<const N: usize>(text: &str) -> Result<[u8; N], Failure> {
    let bad = || Failure::Usage(format!("expected {N} bytes in hexadecimal: {text}"));
    if text.len() != 2 * N || !text.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}
