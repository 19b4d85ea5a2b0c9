//! Who may do what. Each local user has an access level; every command is
//! checked against the acting user's level before it is planned, so the
//! core refuses what the interface does not offer.
//!
//! - administrator: everything (settings, users, erasure, purge, exports);
//! - staff: people, organisations and relationship data, imports, exports;
//! - event organiser: staff, and the dietary data of the events they
//!   organise;
//! - read-only: reading only.

use std::collections::BTreeSet;

use super::commands::{Command, CommandError};
use super::record::RecordKind;
use super::register::Register;
use super::text::fold;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Admin,
    Staff,
    EventOrganiser,
    ReadOnly,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Admin, Level::Staff, Level::EventOrganiser, Level::ReadOnly];

    pub fn key(self) -> &'static str {
        match self {
            Level::Admin => "admin",
            Level::Staff => "staff",
            Level::EventOrganiser => "event_organiser",
            Level::ReadOnly => "read_only",
        }
    }

    pub fn from_key(key: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.key() == key)
    }

    /// Whether this level may change the register at all.
    pub fn may_edit(self) -> bool {
        self != Level::ReadOnly
    }
}

/// The user a command is run for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The name the audit log records.
    pub name: String,
    pub level: Level,
    /// The events (by name) an event organiser organises.
    pub events: BTreeSet<String>,
}

impl Actor {
    pub fn new(name: impl Into<String>, level: Level) -> Actor {
        Actor { name: name.into(), level, events: BTreeSet::new() }
    }

    /// An administrator (before any users exist, the register is run as one).
    pub fn admin(name: impl Into<String>) -> Actor {
        Actor::new(name, Level::Admin)
    }

    /// Whether the actor organises the event of this name.
    pub fn organises(&self, event: &str) -> bool {
        let event = fold(event);
        self.events.iter().any(|e| fold(e) == event)
    }

    /// Whether the actor may see the dietary data of an event.
    pub fn may_see_dietary(&self, event: &str) -> bool {
        self.level == Level::Admin || (self.level == Level::EventOrganiser && self.organises(event))
    }
}

/// What a command needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// Any signed-in user (automatic duties such as the dietary clean-up).
    Anyone,
    /// Changing people, organisations or relationship data.
    Edit,
    /// Settings, users, erasure, purges.
    Admin,
    /// Seeing a particular event's dietary data.
    Dietary,
}

/// Refuses a command the actor's level does not allow.
pub fn check(actor: &Actor, command: &Command, reg: &Register) -> Result<(), CommandError> {
    let need = match command {
        Command::AddPerson(_)
        | Command::UpdatePerson(..)
        | Command::DeletePerson(_)
        | Command::AddOrg(_)
        | Command::UpdateOrg(..)
        | Command::DeleteOrg(_)
        | Command::AddRecord(_)
        | Command::UpdateRecord(..)
        | Command::DeleteRecord(_)
        | Command::MergePeople { .. }
        | Command::SaveSegment { .. }
        | Command::DeleteSegment(_)
        | Command::RecordDisclosure { .. }
        | Command::RecordConsent { .. }
        | Command::ObjectToMarketing { .. }
        | Command::RecordPartnerDisclosure { .. }
        | Command::ImportContacts(_) => Need::Edit,
        Command::PurgePastDietary => Need::Anyone,
        Command::LogDietaryView(_) => Need::Dietary,
        Command::UpdateSettings(_) | Command::UpdateConsentConfig(_) => Need::Admin,
        Command::Gdpr(gdpr) => {
            if gdpr.admin_only() {
                Need::Admin
            } else {
                Need::Edit
            }
        }
    };
    let allowed = match need {
        Need::Anyone => true,
        Need::Edit => actor.level.may_edit(),
        Need::Admin => actor.level == Level::Admin,
        Need::Dietary => match command {
            Command::LogDietaryView(id) => match reg.record(*id).map(|r| &r.kind) {
                Some(RecordKind::Event(e)) => actor.may_see_dietary(&e.name),
                _ => actor.level == Level::Admin,
            },
            _ => false,
        },
    };
    if allowed {
        Ok(())
    } else {
        Err(CommandError::NotAllowed)
    }
}
