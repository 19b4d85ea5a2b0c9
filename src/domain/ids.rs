//! Identities and change stamps.
//!
//! Every entity has a stable id (a UUIDv7 made by the host, never by the
//! core). Every change carries a [`Stamp`]: a hybrid logical clock reading
//! with the id of the device that made it, so that changes from colleagues
//! whose clocks disagree still order the same way everywhere.

use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        pub struct $name(Uuid);

        // Hashed as its 16 bytes in one go (a byte array's own hash adds
        // its length first): registers hash ids by the hundred thousand.
        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                state.write(self.0.as_bytes());
            }
        }

        impl $name {
            pub fn new(uuid: Uuid) -> Self {
                Self(uuid)
            }
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A person in the register.
    PersonId
);
id_type!(
    /// An organisation people represent.
    OrgId
);
id_type!(
    /// A relationship record: a contract, a ticket, a training, an event…
    RecordId
);
id_type!(
    /// A custom field the organisation declared in Settings.
    FieldId
);
id_type!(
    /// A saved search (segment).
    SegmentId
);
id_type!(
    /// The browser profile (device) a change was made on.
    DeviceId
);
id_type!(
    /// A data subject's rights request (access, erasure, …).
    RequestId
);
id_type!(
    /// An entry of the consent and prohibition ledger.
    ConsentId
);
id_type!(
    /// A newsletter the organisation sends (see `ConsentConfig`).
    NewsletterId
);

/// A hybrid logical clock reading: wall-clock milliseconds, a counter for
/// changes within the same millisecond (or while the wall clock lags behind
/// a reading seen before), and the device. Stamps are totally ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub millis: u64,
    pub counter: u32,
    pub device: DeviceId,
}

impl Stamp {
    /// The stamp before every other stamp.
    pub const ZERO: Stamp = Stamp { millis: 0, counter: 0, device: DeviceId(Uuid::nil()) };

    /// The next stamp after `self` on `device` when the wall clock reads
    /// `now_millis`. Never goes backwards, even when the wall clock does.
    pub fn next(self, now_millis: u64, device: DeviceId) -> Stamp {
        if now_millis > self.millis {
            Stamp { millis: now_millis, counter: 0, device }
        } else {
            Stamp { millis: self.millis, counter: self.counter.saturating_add(1), device }
        }
    }
}

impl fmt::Display for Stamp {
    /// `0000019a8b2c3d4e-00000003-<device>`: sorts as text in stamp order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}-{:08x}-{}", self.millis, self.counter, self.device)
    }
}

impl FromStr for Stamp {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, '-');
        let millis = parts.next().and_then(|p| u64::from_str_radix(p, 16).ok()).ok_or(())?;
        let counter = parts.next().and_then(|p| u32::from_str_radix(p, 16).ok()).ok_or(())?;
        let device = parts.next().and_then(|p| p.parse().ok()).ok_or(())?;
        Ok(Stamp { millis, counter, device })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(n: u128) -> DeviceId {
        DeviceId::new(Uuid::from_u128(n))
    }

    #[test]
    fn stamps_move_forward_even_when_the_clock_goes_back() {
        let d = device(1);
        let a = Stamp::ZERO.next(1_000, d);
        let b = a.next(1_000, d);
        let c = b.next(900, d); // the wall clock went back
        let e = c.next(2_000, d);
        assert!(a < b && b < c && c < e);
        assert_eq!((c.millis, c.counter), (1_000, 2));
        assert_eq!((e.millis, e.counter), (2_000, 0));
    }

    #[test]
    fn ids_sort_as_their_bytes_and_their_text() {
        let ids: Vec<Uuid> =
            [0u128, 1, 0xff, 0x100, 1 << 64, (1 << 64) + 1, u128::MAX - 1, u128::MAX, 0x0190_d3a1 << 96]
                .into_iter()
                .map(Uuid::from_u128)
                .collect();
        for a in &ids {
            for b in &ids {
                let expected = a.as_bytes().cmp(b.as_bytes());
                assert_eq!(PersonId::new(*a).cmp(&PersonId::new(*b)), expected, "{a} {b}");
                assert_eq!(a.to_string().cmp(&b.to_string()), expected, "{a} {b}");
                assert_eq!(PersonId::new(*a) == PersonId::new(*b), a == b);
            }
        }
    }

    #[test]
    fn stamps_round_trip_as_text_and_sort_as_text() {
        let a = Stamp { millis: 5, counter: 1, device: device(7) };
        let b = Stamp { millis: 5, counter: 2, device: device(1) };
        assert_eq!(a.to_string().parse::<Stamp>(), Ok(a));
        assert_eq!(a < b, a.to_string() < b.to_string());
        assert!("nonsense".parse::<Stamp>().is_err());
    }
}
