//! CSV files: exporting lists for spreadsheets, and reading contacts that
//! other tools exported (Outlook, Google Contacts, a register kept in
//! Excel).
//!
//! # Export
//!
//! UTF-8 with a byte order mark (so that Excel shows ä, ö and å right),
//! CRLF line ends, RFC 4180 quoting, and a separator of the user's choice:
//! `;` by default, as Excel in Finnish (and most European) settings
//! expects. Written with the `csv` crate.
//!
//! **Formula injection.** A spreadsheet runs a cell that starts with `=`,
//! `+`, `-` or `@` as a formula, and a tab or carriage return at the start
//! can hide one. Every such cell gets a leading apostrophe (`'`), which
//! spreadsheets show as text. Phone numbers in international form
//! (`+358…`) get it too: the apostrophe is visible, the number is kept
//! whole (without it, Excel would turn it into a number and drop the `+`).
//!
//! # Import
//!
//! [`read`] decodes the bytes (UTF-8 with or without a byte order mark,
//! UTF-16 with one, Windows-1252 otherwise — line by line, so that a file
//! pasted together from two encodings keeps its UTF-8 lines and the
//! others are flagged), refuses binary files and spreadsheets that were
//! not saved as CSV, detects the separator (`;`, `,` or tab, or Excel's
//! `sep=` line), and splits records. The record reader is our own rather
//! than the `csv` crate's: a cell whose opening quote is never closed
//! makes that reader swallow the rest of the file, while ours gives up on
//! the quote after [`MAX_QUOTED_LINES`] lines, reads that line with its
//! quotes as plain text, reports it, and goes on — in linear time.
//! [`auto_map`] maps the header to fields by name (English, Finnish and
//! Swedish, Outlook's and Google's exports); the mapping is the user's to
//! change. [`CsvFile::rows`] then turns records into drafts.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::domain::text::fold;
use crate::domain::{
    Address, AffiliationDraft, CategoryKey, Channel, ConsentState, FieldId, ImportRow, LabeledDraft, OrgChoice,
    PersonId, Problem, Purpose, Register, RowIssue, Settings,
};

mod export;
mod file;
mod mapping;
mod text;

pub use export::*;
pub use file::*;
pub use mapping::*;
pub use text::*;
