//! The GDPR desk's test harness: a register whose "today" the test sets,
//! so that due dates, holds and retention are checked on fixed days.

use chrono::{NaiveDate, TimeZone, Utc};

use sidos::domain::gdpr::{GdprCommand, Request, RequestDraft, RequestKind, Requester};
use sidos::domain::record::Billing;
use sidos::domain::testing::{day, Ids};
use sidos::domain::{
    Actor, AuditEntry, CategoryKey, Change, Command, CommandError, ContractKind, DeviceId, EntityRef, Env,
    FinnishOrder, LabeledDraft, PersonDraft, PersonId, Plan, RecordDraft, RecordDraftKind, RecordId, Register,
    RequestId,
};

/// A register on one device, with a settable today and acting user.
pub struct Desk {
    pub reg: Register,
    pub ids: Ids,
    pub minute: i64,
    pub today: NaiveDate,
    pub actor: Actor,
}

impl Desk {
    pub fn new() -> Self {
        Desk::on(day(2026, 11, 22))
    }

    pub fn on(today: NaiveDate) -> Self {
        Desk {
            reg: Register::new(DeviceId::new(uuid::Uuid::from_u128(0xD5)), Box::new(FinnishOrder)),
            ids: Ids(0x6d00),
            minute: 0,
            today,
            actor: Actor::admin("Tester"),
        }
    }

    pub fn plan(&mut self, cmd: Command) -> Result<Plan, CommandError> {
        self.minute += 1;
        let noon = Utc.from_utc_datetime(&self.today.and_hms_opt(10, 0, 0).unwrap());
        let now = noon + chrono::Duration::seconds(self.minute);
        let ids = &mut self.ids;
        let mut next = || ids.next_id();
        let mut env = Env { now, today: self.today, actor: &self.actor, new_id: &mut next };
        self.reg.plan(&cmd, &mut env)
    }

    /// Plans and applies; panics on a refused command.
    pub fn run(&mut self, cmd: Command) -> Plan {
        let plan = self.plan(cmd.clone()).unwrap_or_else(|e| panic!("{cmd:?} refused: {e:?}"));
        self.reg.apply(plan.changes.clone());
        plan
    }

    pub fn gdpr(&mut self, cmd: GdprCommand) -> Result<Plan, CommandError> {
        let plan = self.plan(Command::Gdpr(cmd))?;
        self.reg.apply(plan.changes.clone());
        Ok(plan)
    }

    pub fn add(&mut self, given: &str, family: &str, categories: &[&str]) -> PersonId {
        let draft = PersonDraft {
            given_name: given.into(),
            family_name: family.into(),
            emails: vec![LabeledDraft { label: String::new(), value: format!("{}@example.fi", given.to_lowercase()) }],
            categories: categories.iter().map(|c| CategoryKey::new(*c)).collect(),
            notes: format!("Muistiinpano {given}"),
            ..PersonDraft::default()
        };
        match self.run(Command::AddPerson(draft)).created {
            Some(EntityRef::Person(id)) => id,
            other => panic!("no person: {other:?}"),
        }
    }

    pub fn record(&mut self, person: PersonId, kind: RecordDraftKind) -> RecordId {
        match self.run(Command::AddRecord(RecordDraft { person, org: None, kind })).created {
            Some(EntityRef::Record(id)) => id,
            other => panic!("no record: {other:?}"),
        }
    }

    pub fn open_request(&mut self, person: PersonId, kind: RequestKind) -> RequestId {
        let draft = RequestDraft {
            requester: Requester::Person(person),
            kind,
            received: String::new(),
            identity_check: "Tunnettu asiakas, sähköposti rekisterin osoitteesta".into(),
            due: String::new(),
        };
        let plan = self.gdpr(GdprCommand::OpenRequest(draft)).expect("a valid request");
        sidos::domain::gdpr::opened_request(&plan).expect("a request opened")
    }

    pub fn request(&self, id: RequestId) -> &Request {
        self.reg.request(id).expect("the request is here")
    }
}

pub fn contract(end: &str, value: &str, billing: Billing) -> RecordDraftKind {
    RecordDraftKind::Contract {
        kind: ContractKind::Contract,
        title: "Ylläpitosopimus".into(),
        start: String::new(),
        end: end.into(),
        value: value.into(),
        billing,
    }
}

pub fn training(date: &str, statutory: bool) -> RecordDraftKind {
    RecordDraftKind::Training {
        name: "Työturvallisuuskortti".into(),
        date: date.into(),
        completed: true,
        grade: "hyväksytty".into(),
        statutory,
    }
}

pub fn event(date: &str, dietary: &str) -> RecordDraftKind {
    RecordDraftKind::Event { name: "Syysseminaari".into(), date: date.into(), dietary: dietary.into() }
}

pub fn audits(plan: &Plan) -> Vec<&AuditEntry> {
    plan.changes
        .iter()
        .filter_map(|c| match c {
            Change::Audit(a) => Some(a),
            _ => None,
        })
        .collect()
}

/// Every audit entry's key is unique within the plan (the store `add`s
/// them, and a duplicate would fail the whole transaction).
pub fn assert_unique_audit_keys(plan: &Plan) {
    let mut keys: Vec<&str> = audits(plan).iter().map(|a| a.key.as_str()).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "audit keys repeat in {plan:#?}");
}

/// The audit entries of a plan name ids and field names only: none of
/// these values appears in them.
pub fn assert_no_values_in_audit(plan: &Plan, values: &[&str]) {
    for a in audits(plan) {
        let text = format!("{:?} {:?} {}", a.action, a.fields, a.actor);
        for v in values {
            assert!(!text.contains(v), "the audit entry {a:?} holds {v:?}");
        }
    }
}
