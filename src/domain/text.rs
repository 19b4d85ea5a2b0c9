//! Text rules the register relies on: the folding that makes search case- and
//! accent-insensitive, and Finnish alphabetical order.
//!
//! The browser has `Intl.Collator`, and the app uses it where it runs; the
//! order defined here is the same Finnish order written down in Rust, so that
//! the core can be tested natively and works where no collator is given.

use std::cmp::Ordering;

/// Folds text for searching: lower case, diacritics removed, runs of
/// white space collapsed to one space and the ends trimmed.
///
/// `fold("  Häkkinen ") == "hakkinen"`, so typing "hakkinen" finds "Häkkinen".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.chars() {
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        push_folded(ch, &mut out);
    }
    out
}

/// Appends the folded form of one character.
fn push_folded(ch: char, out: &mut String) {
    let base: &str = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => {
            "a"
        }
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'ð' | 'Ď' | 'Đ' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => {
            "e"
        }
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => "i",
        'ł' | 'Ł' | 'ľ' | 'Ľ' | 'ĺ' | 'Ĺ' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => {
            "o"
        }
        'œ' | 'Œ' => "oe",
        'ŕ' | 'ř' | 'Ŕ' | 'Ř' => "r",
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'Ť' | 'Ţ' => "t",
        'þ' | 'Þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => {
            "u"
        }
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => {
            for lower in ch.to_lowercase() {
                out.push(lower);
            }
            return;
        }
    };
    out.push_str(base);
}

/// Compares two strings in an order people expect for names.
///
/// The core only needs `compare`; the browser passes an `Intl.Collator`,
/// tests and other hosts pass [`FinnishOrder`].
pub trait Collator {
    fn compare(&self, a: &str, b: &str) -> Ordering;
}

/// Finnish alphabetical order: the Latin alphabet with `v` and `w` apart,
/// `ü` with `y`, and `å`, `ä`, `ö` as the last three letters after `z`.
/// Other accents, case and punctuation matter only to break ties.
#[derive(Clone, Copy, Debug, Default)]
pub struct FinnishOrder;

impl Collator for FinnishOrder {
    fn compare(&self, a: &str, b: &str) -> Ordering {
        finnish_key(a).cmp(&finnish_key(b)).then_with(|| b.cmp(a)) // lower case before upper case on a tie
    }
}

/// The key [`FinnishOrder`] compares by: the letters' primary weights, then
/// the folded text (so accents break ties). Sorting by this key gives the
/// same order as `FinnishOrder` but for ties of case.
pub fn finnish_key(s: &str) -> (Vec<u16>, String) {
    (s.chars().filter_map(primary_weight).collect(), fold(s))
}

/// The primary weight of a character in Finnish order, or `None` for
/// characters that are ignored at the first level (spaces, hyphens, dots).
fn primary_weight(ch: char) -> Option<u16> {
    const LAST: u16 = 330; // after 200 + 'z'
    let lower = ch.to_lowercase().next().unwrap_or(ch);
    let weight = match lower {
        'å' => LAST + 1,
        'ä' | 'æ' => LAST + 2,
        'ö' | 'ø' | 'õ' | 'ő' | 'œ' => LAST + 3,
        'ü' | 'ű' => 200 + u16::from(b'y'),
        '0'..='9' => 100 + lower as u16 - '0' as u16,
        c if c.is_alphabetic() => {
            let mut folded = String::new();
            push_folded(c, &mut folded);
            match folded.as_bytes() {
                [first, ..] if first.is_ascii_lowercase() => 200 + u16::from(*first),
                // Letters of other scripts sort after the Finnish alphabet.
                _ => 400 + (c as u32 % 60_000) as u16,
            }
        }
        _ => return None,
    };
    Some(weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_cases() {
        let cases = [
            ("Häkkinen", "hakkinen"),
            ("  ÅSA   Öberg ", "asa oberg"),
            ("Müller-Lüdenscheidt", "muller-ludenscheidt"),
            ("Straße", "strasse"),
            ("ÆRØ", "aero"),
            ("", ""),
            ("José\tÑúñez", "jose nunez"),
        ];
        for (input, expected) in cases {
            assert_eq!(fold(input), expected, "fold({input:?})");
        }
    }

    #[test]
    fn finnish_order_puts_a_ring_a_umlaut_o_umlaut_after_z() {
        let mut names = vec!["Öhman", "Zetterberg", "Ahonen", "Äijälä", "Åberg", "Virtanen", "Wallin"];
        names.sort_by(|a, b| FinnishOrder.compare(a, b));
        assert_eq!(names, ["Ahonen", "Virtanen", "Wallin", "Zetterberg", "Åberg", "Äijälä", "Öhman"]);
    }

    #[test]
    fn finnish_order_details() {
        let less = [
            ("a", "b"),
            ("Aho", "aho-Mäki"),
            ("Müller", "Mäki"),  // ü is y, before ä
            ("Myllys", "Müllä"), // y and ü are one letter, and y < ä
            ("Élise", "Emma"),   // é is e
            ("Virta", "Wirta"),  // v and w are different letters
            ("9", "a"),
            ("Aa", "Ä"),
            ("aho", "Aho"), // a tie only broken by case
        ];
        for (a, b) in less {
            assert_eq!(FinnishOrder.compare(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(FinnishOrder.compare(b, a), Ordering::Greater, "{b} > {a}");
        }
        assert_eq!(FinnishOrder.compare("Sama", "Sama"), Ordering::Equal);
    }
}
