//! A generated document (privacy notice, record of processing, access
//! report) as structure: a title, sections with stable keys, and blocks of
//! text. The interface renders it for the screen and for print; [`to_html`]
//! renders it as a stand-alone HTML file for download, laid out for A4.

use super::texts::Lang;

/// What a generated document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// The register description / privacy notice (GDPR Art. 13 and 14).
    Notice,
    /// The record of processing activities (GDPR Art. 30).
    ProcessingRecord,
    /// A data subject's access report (GDPR Art. 15).
    AccessReport,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub kind: DocumentKind,
    pub lang: Lang,
    pub title: String,
    /// Lines under the title (the register's name, the date).
    pub subtitle: Vec<String>,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// A stable key (`controller`, `purposes`, `rights`, `extra.0`, …), the
    /// same in every language.
    pub key: String,
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A heading inside a section.
    Heading(String),
    Paragraph(String),
    /// A bulleted list.
    List(Vec<String>),
    /// Label–value pairs.
    Fields(Vec<(String, String)>),
    /// A table with a header row.
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

impl Document {
    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }

    /// The section keys in order.
    pub fn keys(&self) -> Vec<&str> {
        self.sections.iter().map(|s| s.key.as_str()).collect()
    }

    /// Every text of the document, one after the other (for searching and
    /// tests).
    pub fn texts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = vec![self.title.as_str()];
        out.extend(self.subtitle.iter().map(String::as_str));
        for s in &self.sections {
            out.push(&s.heading);
            for b in &s.blocks {
                match b {
                    Block::Heading(t) | Block::Paragraph(t) => out.push(t),
                    Block::List(items) => out.extend(items.iter().map(String::as_str)),
                    Block::Fields(pairs) => {
                        for (k, v) in pairs {
                            out.push(k);
                            out.push(v);
                        }
                    }
                    Block::Table { head, rows } => {
                        out.extend(head.iter().map(String::as_str));
                        out.extend(rows.iter().flatten().map(String::as_str));
                    }
                }
            }
        }
        out
    }

    /// The document as plain text (headings underlined), e.g. for e-mail.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n{}\n", self.title, "=".repeat(self.title.chars().count()));
        for line in &self.subtitle {
            out.push_str(line);
            out.push('\n');
        }
        for s in &self.sections {
            out.push_str(&format!("\n{}\n{}\n", s.heading, "-".repeat(s.heading.chars().count())));
            for b in &s.blocks {
                match b {
                    Block::Heading(t) => out.push_str(&format!("\n{t}\n")),
                    Block::Paragraph(t) => out.push_str(&format!("{t}\n")),
                    Block::List(items) => items.iter().for_each(|i| out.push_str(&format!("  • {i}\n"))),
                    Block::Fields(pairs) => pairs.iter().for_each(|(k, v)| out.push_str(&format!("{k}: {v}\n"))),
                    Block::Table { head, rows } => {
                        out.push_str(&head.join(" | "));
                        out.push('\n');
                        rows.iter().for_each(|r| out.push_str(&format!("{}\n", r.join(" | "))));
                    }
                }
            }
        }
        out
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The print style: A4 with margins, a readable serif-free font, headings
/// kept with what follows them, tables that do not split rows.
pub const PRINT_CSS: &str = "\
@page { size: A4; margin: 20mm 18mm 22mm 18mm; }
html { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; font-size: 11pt; line-height: 1.45; color: #111; }
body { margin: 0 auto; max-width: 174mm; padding: 12mm 0; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 8mm 0 2mm; border-bottom: 0.3mm solid #999; padding-bottom: 1mm; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
p, li, dd { orphans: 3; widows: 3; }
p { margin: 0 0 2mm; }
ul { margin: 0 0 2mm; padding-left: 6mm; }
.subtitle { color: #444; margin: 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 4mm; margin: 0 0 2mm; }
dt { font-weight: 600; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0 0 3mm; font-size: 10pt; }
th, td { border: 0.2mm solid #bbb; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
tr { break-inside: avoid; page-break-inside: avoid; }
@media screen { body { padding: 12mm 6mm; } }
";

/// The document as a stand-alone HTML file (no scripts, no outside
/// resources), every text escaped.
pub fn to_html(doc: &Document) -> String {
    let mut out = String::with_capacity(16_384);
    out.push_str("<!DOCTYPE html>\n<html lang=\"");
    out.push_str(doc.lang.code());
    out.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    out.push_str(&escape(&doc.title));
    out.push_str("</title>\n<style>\n");
    out.push_str(PRINT_CSS);
    out.push_str("</style>\n</head>\n<body>\n<main>\n<h1>");
    out.push_str(&escape(&doc.title));
    out.push_str("</h1>\n");
    for line in &doc.subtitle {
        out.push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape(line)));
    }
    for s in &doc.sections {
        out.push_str(&format!("<section id=\"{}\">\n<h2>{}</h2>\n", escape(&s.key), escape(&s.heading)));
        for b in &s.blocks {
            block_html(&mut out, b);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn block_html(out: &mut String, block: &Block) {
    match block {
        Block::Heading(t) => out.push_str(&format!("<h3>{}</h3>\n", escape(t))),
        Block::Paragraph(t) => out.push_str(&format!("<p>{}</p>\n", escape(t))),
        Block::List(items) => {
            out.push_str("<ul>\n");
            for i in items {
                out.push_str(&format!("<li>{}</li>\n", escape(i)));
            }
            out.push_str("</ul>\n");
        }
        Block::Fields(pairs) => {
            out.push_str("<dl>\n");
            for (k, v) in pairs {
                out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", escape(k), escape(v)));
            }
            out.push_str("</dl>\n");
        }
        Block::Table { head, rows } => {
            out.push_str("<table>\n<thead><tr>");
            for h in head {
                out.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for r in rows {
                out.push_str("<tr>");
                for c in r {
                    out.push_str(&format!("<td>{}</td>", escape(c)));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
    }
}
