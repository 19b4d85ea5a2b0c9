//! Access levels: the core refuses what a user's level does not allow,
//! whatever the interface offers.

use std::collections::BTreeMap;

use sidos::domain::testing::{day, Ids};
use sidos::domain::{
    Actor, Command, CommandError, Env, Filter, Level, OrgDraft, RecordDraft, RecordDraftKind, Settings,
};

use crate::commands::{person, World};

fn run_as(w: &mut World, actor: &Actor, cmd: &Command) -> Result<(), CommandError> {
    let mut ids = Ids(1000 + w.minute as u128);
    let mut next = || ids.next_id();
    let mut env = Env { now: sidos::domain::testing::at(w.minute), today: day(2026, 11, 22), actor, new_id: &mut next };
    w.reg.plan(cmd, &mut env).map(|_| ())
}

#[test]
fn every_command_is_checked_against_the_level() {
    let mut w = World::new();
    let anna = w.add(person("Anna", "Aho"));
    let bertta = w.add(person("Bertta", "Berg"));
    let event =
        |name: &str| RecordDraftKind::Event { name: name.into(), date: "2026-12-01".into(), dietary: "vegaani".into() };
    let gala =
        match w.run(Command::AddRecord(RecordDraft { person: anna, org: None, kind: event("Joulugaala") })).created {
            Some(sidos::domain::EntityRef::Record(id)) => id,
            _ => panic!(),
        };
    let fair = match w.run(Command::AddRecord(RecordDraft { person: anna, org: None, kind: event("Messut") })).created {
        Some(sidos::domain::EntityRef::Record(id)) => id,
        _ => panic!(),
    };
    let admin = Actor::admin("Admin");
    let staff = Actor::new("Staff", Level::Staff);
    let mut organiser = Actor::new("Organiser", Level::EventOrganiser);
    organiser.events.insert("joulugaala".into());
    let reader = Actor::new("Reader", Level::ReadOnly);
    // (command, admin, staff, organiser, read-only)
    let cases: Vec<(Command, [bool; 4])> = vec![
        (Command::AddPerson(person("Cecilia", "Carlsson")), [true, true, true, false]),
        (Command::UpdatePerson(anna, person("Anna", "Ahonen")), [true, true, true, false]),
        (Command::DeletePerson(bertta), [true, true, true, false]),
        (Command::AddOrg(OrgDraft { name: "Uusi Oy".into(), ..OrgDraft::default() }), [true, true, true, false]),
        (Command::MergePeople { keep: anna, other: bertta, choices: BTreeMap::new() }, [true, true, true, false]),
        (Command::SaveSegment { name: "S".into(), filter: Filter::default() }, [true, true, true, false]),
        (
            Command::UpdateSettings(Settings { country_code: "46".into(), ..Settings::default() }),
            [true, false, false, false],
        ),
        (Command::LogDietaryView(gala), [true, false, true, false]),
        (Command::LogDietaryView(fair), [true, false, false, false]),
        (Command::PurgePastDietary, [true, true, true, true]),
        (
            Command::RecordDisclosure {
                recipient: "X".into(),
                purpose: "Y".into(),
                scope: "Z".into(),
                people: vec![anna],
            },
            [true, true, true, false],
        ),
    ];
    for (cmd, allowed) in cases {
        for (actor, ok) in [&admin, &staff, &organiser, &reader].into_iter().zip(allowed) {
            let result = run_as(&mut w, actor, &cmd);
            if ok {
                assert!(
                    !matches!(result, Err(CommandError::NotAllowed)),
                    "{:?} should be allowed {cmd:?}",
                    actor.level
                );
            } else {
                assert_eq!(result, Err(CommandError::NotAllowed), "{:?} must not {cmd:?}", actor.level);
            }
        }
    }
    assert_eq!(w.reg.people_count(), 2, "planning changed nothing");
}

#[test]
fn an_import_needs_a_level_that_may_edit() {
    let w = World::new();
    let snapshot =
        w.reg.export_snapshot(&sidos::domain::sync::ExportScope::everything(), sidos::domain::testing::at(0));
    let reader = Actor::new("Reader", Level::ReadOnly);
    let mut ids = Ids(0);
    let mut next = || ids.next_id();
    let mut env =
        Env { now: sidos::domain::testing::at(1), today: day(2026, 11, 22), actor: &reader, new_id: &mut next };
    assert_eq!(w.reg.plan_import(&snapshot, &BTreeMap::new(), &mut env), Err(CommandError::NotAllowed));
}

#[test]
fn levels_have_stable_keys() {
    for level in Level::ALL {
        assert_eq!(Level::from_key(level.key()), Some(level));
    }
    assert_eq!(Level::from_key("root"), None);
}
