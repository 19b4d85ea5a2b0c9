//! Reading: bytes to text (encodings), and text to records (our own
//! record reader, separator detection).

use super::*;

/// How the file's text was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
    /// UTF-8 lines and Windows-1252 lines in one file.
    Mixed,
}

impl Encoding {
    pub fn key(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf8",
            Encoding::Utf8Bom => "utf8_bom",
            Encoding::Utf16Le => "utf16le",
            Encoding::Utf16Be => "utf16be",
            Encoding::Windows1252 => "windows1252",
            Encoding::Mixed => "mixed",
        }
    }
}

/// Why a file cannot be read at all. [`FileError::id`] is the message id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not text")]
    Binary,
    /// An Excel or OpenDocument workbook: save it as CSV first.
    #[error("the file is a spreadsheet, not CSV")]
    Spreadsheet,
    #[error("the file is too large")]
    TooLarge,
    /// Only a header: nothing to import.
    #[error("the file has no rows")]
    NoRows,
    /// Not a vCard file (no BEGIN:VCARD).
    #[error("the file has no contacts")]
    NoCards,
}

impl FileError {
    pub fn id(self) -> &'static str {
        match self {
            FileError::Empty => "empty",
            FileError::Binary => "binary",
            FileError::Spreadsheet => "spreadsheet",
            FileError::TooLarge => "too_large",
            FileError::NoRows => "no_rows",
            FileError::NoCards => "no_cards",
        }
    }
}

/// The largest file read (about 300 000 rows of a wide export).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Decoded text, and the lines (1-based) read as Windows-1252 in a file
/// that was otherwise UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
    pub guessed_lines: BTreeSet<usize>,
}

/// Windows-1252's characters for the bytes 0x80–0x9F (the rest of the
/// upper half is Latin-1). Bytes the code page leaves undefined keep their
/// C1 control character, as browsers do.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', // 80–87
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}', // 88–8F
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', // 90–97
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}', // 98–9F
];

/// Decodes Windows-1252 bytes.
pub fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

fn utf16(bytes: &[u8], little: bool) -> String {
    let units = bytes.chunks_exact(2).map(|c| {
        if little {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

/// Decodes a text file's bytes (see the module's notes).
pub fn decode(bytes: &[u8]) -> Result<Decoded, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge);
    }
    let whole = |text: String, encoding| Decoded { text, encoding, guessed_lines: BTreeSet::new() };
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(FileError::Spreadsheet);
    }
    let decoded = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        whole(utf16(rest, true), Encoding::Utf16Le)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        whole(utf16(rest, false), Encoding::Utf16Be)
    } else if looks_binary(bytes) {
        return Err(FileError::Binary);
    } else if let Some(rest) = bytes.strip_prefix(BOM) {
        match std::str::from_utf8(rest) {
            Ok(text) => whole(text.to_owned(), Encoding::Utf8Bom),
            Err(_) => by_lines(rest),
        }
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => whole(text.to_owned(), Encoding::Utf8),
            Err(_) => by_lines(bytes),
        }
    };
    if decoded.text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').is_empty() {
        return Err(FileError::Empty);
    }
    Ok(decoded)
}

/// Decodes line by line: UTF-8 where a line is valid UTF-8, else
/// Windows-1252. A file with no UTF-8 letters is Windows-1252 throughout.
fn by_lines(bytes: &[u8]) -> Decoded {
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut guessed = BTreeSet::new();
    let mut utf8_letters = false;
    for (n, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        match std::str::from_utf8(line) {
            Ok(s) => {
                utf8_letters |= !s.is_ascii();
                text.push_str(s);
            }
            Err(_) => {
                guessed.insert(n + 1);
                text.push_str(&windows_1252(line));
            }
        }
    }
    if utf8_letters {
        Decoded { text, encoding: Encoding::Mixed, guessed_lines: guessed }
    } else {
        Decoded { text, encoding: Encoding::Windows1252, guessed_lines: BTreeSet::new() }
    }
}

/// NUL bytes, or many control characters, in the first 64 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if head.contains(&0) {
        return true;
    }
    let controls = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A)).count();
    controls * 100 > head.len().max(1)
}

// ----- reading: text to records -----

/// A quoted cell may hold line breaks; one that runs on for more lines
/// than this is taken for a quote that was never closed.
pub const MAX_QUOTED_LINES: usize = 50;

/// One record of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The line it starts on (1-based).
    pub line: usize,
    pub cells: Vec<String>,
    /// Its quotes were read as plain text (an unclosed quote).
    pub broken: bool,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Splits text into records (see the module's notes). Blank records are
/// dropped.
pub fn split_records(text: &str, separator: char) -> Vec<Record> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut line = 1;
    while pos < bytes.len() {
        let (record, next, lines) = match read_record(text, pos, separator, true) {
            Some(done) => done,
            None => read_record(text, pos, separator, false).expect("without quotes a record always ends"),
        };
        let record = Record { line, cells: record.0, broken: record.1 };
        if !record.is_blank() {
            out.push(record);
        }
        line += lines;
        pos = next;
    }
    out
}

/// Reads one record from `start`: its cells and whether quotes were given
/// up on, where the next record starts, and how many lines it took.
/// `None` when `quotes` is set and a quoted cell does not close soon.
#[allow(clippy::type_complexity)]
fn read_record(text: &str, start: usize, sep: char, quotes: bool) -> Option<((Vec<String>, bool), usize, usize)> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut in_quotes = false;
    let mut at_start = true;
    let mut lines = 1;
    let mut quoted_lines = 0;
    let mut chars = text[start..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek().map(|&(_, n)| n) == Some('"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    lines += 1;
                    quoted_lines += 1;
                    if quoted_lines > MAX_QUOTED_LINES {
                        return None;
                    }
                    cell.push('\n');
                }
                '\r' if chars.peek().map(|&(_, n)| n) == Some('\n') => {}
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            c if c == sep => {
                cells.push(std::mem::take(&mut cell));
                at_start = true;
                continue;
            }
            '\r' | '\n' => {
                let mut end = start + i + 1;
                if c == '\r' && chars.peek().map(|&(_, n)| n) == Some('\n') {
                    end += 1;
                }
                cells.push(cell);
                return Some(((cells, !quotes), end, lines));
            }
            '"' if quotes && at_start && cell.trim().is_empty() => {
                cell.clear();
                in_quotes = true;
            }
            _ => cell.push(c),
        }
        at_start = false;
    }
    if in_quotes {
        return None;
    }
    cells.push(cell);
    Some(((cells, !quotes), text.len(), lines))
}

/// The separator the first lines use most consistently (`;`, `,` or tab);
/// a first line `sep=X` (Excel's hint) decides, and is dropped.
pub fn detect_separator(text: &str) -> (Separator, bool) {
    let first = text.lines().next().unwrap_or_default().trim_start_matches('\u{feff}').trim();
    if let Some(hint) = first.strip_prefix("sep=").or_else(|| first.strip_prefix("SEP=")) {
        let sep = match hint {
            ";" => Some(Separator::Semicolon),
            "," => Some(Separator::Comma),
            "\t" | "" => Some(Separator::Tab),
            _ => None,
        };
        if let Some(sep) = sep {
            return (sep, true);
        }
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let count = |line: &str, sep: char| {
        let mut in_quotes = false;
        line.chars()
            .filter(|&c| {
                if c == '"' {
                    in_quotes = !in_quotes;
                }
                !in_quotes && c == sep
            })
            .count()
    };
    let mut best = (Separator::Semicolon, 0usize, 0usize);
    for sep in [Separator::Semicolon, Separator::Tab, Separator::Comma] {
        let c = char::from(sep.byte());
        let header = lines.first().map_or(0, |l| count(l, c));
        if header == 0 {
            continue;
        }
        // Lines that agree with the header (quoted line breaks aside).
        let agree = lines.iter().filter(|l| count(l, c) == header).count();
        if (agree, header) > (best.1, best.2) {
            best = (sep, agree, header);
        }
    }
    (best.0, false)
}
