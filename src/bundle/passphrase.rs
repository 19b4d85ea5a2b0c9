//! A rough strength estimate of a passphrase, for the meter shown while
//! the user types one. It counts the kinds of characters used and the
//! length, and gives repeats and runs ("aaaa", "1234") little weight. It
//! does not know dictionaries: a long phrase of words scores well, which
//! matches what it costs an attacker against Argon2 at 64 MiB.

/// How strong a passphrase looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Weak,
    Fair,
    Strong,
}

impl Level {
    /// A stable id for the message (`weak`, `fair`, `strong`).
    pub fn key(self) -> &'static str {
        match self {
            Level::Weak => "weak",
            Level::Fair => "fair",
            Level::Strong => "strong",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Strength {
    /// Estimated bits of guessing work.
    pub bits: u32,
    pub level: Level,
}

/// Below this many bits a passphrase is weak; from `STRONG_BITS` strong.
pub const FAIR_BITS: u32 = 45;
pub const STRONG_BITS: u32 = 70;

pub fn strength(passphrase: &str) -> Strength {
    let chars: Vec<char> = passphrase.chars().collect();
    let mut pool = 0u32;
    let mut has = |test: &dyn Fn(char) -> bool, size: u32| {
        if chars.iter().any(|c| test(*c)) {
            pool += size;
        }
    };
    has(&|c| c.is_ascii_lowercase(), 26);
    has(&|c| c.is_ascii_uppercase(), 26);
    has(&|c| c.is_ascii_digit(), 10);
    has(&|c| c.is_ascii_punctuation() || c == ' ', 33);
    has(&|c| !c.is_ascii(), 40);
    let mut effective = 0.0f64;
    for (i, c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j] as i64);
        let step = prev.map(|p| *c as i64 - p);
        effective += match step {
            Some(0) | Some(1) | Some(-1) => 0.25,
            _ => 1.0,
        };
    }
    let bits = if pool == 0 { 0.0 } else { effective * f64::from(pool).log2() };
    let bits = bits.floor() as u32;
    let level = if bits >= STRONG_BITS {
        Level::Strong
    } else if bits >= FAIR_BITS {
        Level::Fair
    } else {
        Level::Weak
    };
    Strength { bits, level }
}
