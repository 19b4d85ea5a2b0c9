//! Writes a generated sample register as an encrypted bundle (see
//! `sidos::sample`; passphrase `sidos::sample::PASSPHRASE`), for
//! benchmarks and demonstrations: import it on the Export and import page.
//!
//! ```sh
//! cargo run --release --bin sidos-sample -- --people 50000 --orgs 5000 --records 200000 --seed 1 > sample-bundle.json
//! ```
//!
//! `--today YYYY-MM-DD` fixes the day the register is "as of" (default:
//! today, UTC); the same options give the same file.
//!
//! `--stages` writes no file: it times the pure stages of an export and an
//! import of the sample natively (no browser, no key derivation) and prints
//! them, to see where the time of the browser benchmark goes.

use std::io::{self, Write};
use std::process::ExitCode;

use chrono::{NaiveDate, Utc};
use sidos::bundle::{dto, vault};
use sidos::sample::{generate, write_bundle, Config};

const USAGE: &str =
    "usage: sidos-sample [--people N] [--orgs N] [--records N] [--seed N] [--today YYYY-MM-DD] [--stages] > sample-bundle.json";

fn parse(args: &[String]) -> Result<(Config, bool), String> {
    let mut config = Config::benchmark(Utc::now().date_naive());
    let mut stages = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        if flag == "--stages" {
            stages = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || value.parse::<usize>().map_err(|_| format!("{flag}: not a number: {value}"));
        match flag.as_str() {
            "--people" => config.people = number()?,
            "--orgs" => config.orgs = number()?,
            "--records" => config.records = number()?,
            "--seed" => config.seed = number()? as u64,
            "--today" => {
                config.today =
                    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| format!("--today: not a date: {value}"))?
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok((config, stages))
}

/// Prints a stage's name, how long it took since `started`, and a detail.
fn step(name: &str, started: std::time::Instant, detail: String) {
    println!("{name:<40} {:>9.1} ms  {detail}", started.elapsed().as_secs_f64() * 1000.0);
}

/// Times the pure stages of exporting the sample and importing it into an
/// empty register, natively.
fn time_stages(config: &Config) {
    use sidos::bundle::{document, pages};
    use sidos::domain::{Actor, Change, DeviceId, Env, FinnishOrder, Register};
    use std::time::Instant;
    let t = Instant::now();
    let sample = generate(config);
    step("generate", t, String::new());
    let t = Instant::now();
    let snapshot = sidos::sample::snapshot(sample, config);
    step("export: snapshot of the register", t, String::new());
    let t = Instant::now();
    let doc = document::write(&snapshot);
    step("export: document as JSON", t, format!("{} bytes", doc.len()));
    let t = Instant::now();
    let compressed = miniz_oxide::deflate::compress_to_vec(&doc, sidos::bundle::envelope::DEFLATE_LEVEL);
    step(
        &format!("export: deflate (level {})", sidos::bundle::envelope::DEFLATE_LEVEL),
        t,
        format!("{} bytes", compressed.len()),
    );
    drop(snapshot);
    let now = Utc::now();
    let t = Instant::now();
    let (back, source) = document::read_source(doc, now).expect("the sample reads back");
    step("import: read and check the document", t, format!("{} texts kept", source.len()));
    let mut reg = Register::new(DeviceId::new(uuid::Uuid::from_u128(9)), Box::new(FinnishOrder));
    let t = Instant::now();
    let (preview, prepared) = reg.prepare_import(back);
    step("import: preview (the merge, kept)", t, String::new());
    drop(preview);
    let mut n = 0u128;
    let mut ids = || {
        n += 1;
        uuid::Uuid::from_u128(n)
    };
    let actor = Actor::admin("");
    let mut env = Env { now, today: config.today, actor: &actor, new_id: &mut ids };
    let t = Instant::now();
    let plan = reg
        .plan_prepared_import(prepared, &Default::default(), &mut env)
        .expect("the preview's merge holds")
        .expect("an import plan");
    let audits = plan.changes.iter().filter(|c| matches!(c, Change::Audit(_))).count();
    step(
        "import: plan (from the kept merge)",
        t,
        format!("{} changes, {audits} audit entries, {} kept as written", plan.changes.len(), plan.verbatim.len()),
    );
    let t = Instant::now();
    let verbatim = pages::Verbatim { changes: &plan.verbatim, source: &source };
    let paged = pages::Rewrite::with(&plan.changes, Some(verbatim)).texts(&Default::default()).expect("new pages");
    let bytes: usize = paged.iter().filter_map(|(_, text)| Some(text.as_ref()?.len())).sum();
    step("import: storage pages as text", t, format!("{} pages, {bytes} bytes", paged.len()));
    let t = Instant::now();
    reg.apply(plan.changes);
    step("import: apply in memory", t, String::new());
    export_stages(&reg, now);
    drop(reg);

    // Opening: what the store does after reading and decrypting the pages.
    let texts: Vec<(pages::Kind, String)> =
        paged.into_iter().filter_map(|(key, text)| Some((pages::Kind::from_page_key(&key)?, text?))).collect();
    // Sealed with the app's own cipher (one nonce for all is fine here: the
    // pages are only timed, never stored). The browser seals stored pages
    // with its own AES-GCM instead, much faster than this and off the
    // page's thread, so in the browser the unsealing time shown here is
    // mostly gone; it still shows what pages sealed by earlier versions
    // cost, and what opening a bundle's ciphertext costs.
    let key = vault::DataKey::from_random([7; 32]);
    let sealed: Vec<(pages::Kind, Vec<u8>)> = texts
        .iter()
        .map(|(kind, text)| (*kind, vault::seal(&key, "pages", kind.prefix(), [1; 24], text.as_bytes())))
        .collect();
    drop(texts);
    // The first rows wait for everything but the records; the records are
    // read after them.
    let mut parts = sidos::domain::Parts::default();
    for first in [true, false] {
        let t = Instant::now();
        let mut bytes = 0;
        let mut unsealing = std::time::Duration::ZERO;
        for (kind, page) in sealed.iter().filter(|(kind, _)| (*kind != pages::Kind::Records) == first) {
            let u = Instant::now();
            let text = vault::open(&key, "pages", kind.prefix(), page).expect("a page that opens");
            let text = String::from_utf8(text).expect("text");
            unsealing += u.elapsed();
            bytes += text.len();
            for entry in pages::Page::entries(&text) {
                let (_, doc) = entry.expect("a readable page");
                match kind {
                    pages::Kind::People => parts.people.push(decode::<dto::PersonDto, _>(doc)),
                    pages::Kind::Orgs => parts.orgs.push(decode::<dto::OrgDto, _>(doc)),
                    pages::Kind::Records => parts.records.push(decode::<dto::RecordDto, _>(doc)),
                    pages::Kind::Tombstones => parts.tombstones.push(decode::<dto::TombstoneDto, _>(doc)),
                    _ => {}
                }
            }
        }
        let (name, count) = match first {
            true => ("open: unseal + decode all but records", format!("{} people", parts.people.len())),
            false => ("open: unseal + decode the records", format!("{} records", parts.records.len())),
        };
        step(name, t, format!("{count}, {bytes} bytes, unsealing (XChaCha20) {:.0} ms", unsealing.as_secs_f64() * 1e3));
    }
    // The worker that decodes the records when the register opens hands
    // them to the page packed.
    let t = Instant::now();
    let packed = sidos::bundle::packed::pack(&parts.records, &[]);
    step("open: pack the records (worker)", t, format!("{} bytes", packed.len()));
    let t = Instant::now();
    let (unpacked, _) = sidos::bundle::packed::unpack(&packed).expect("packed records read back");
    step("open: unpack the records (page)", t, format!("{} records", unpacked.len()));
    assert!(unpacked == parts.records);
    drop(unpacked);
    let t = Instant::now();
    let reg = Register::from_parts(parts, DeviceId::new(uuid::Uuid::from_u128(9)), Box::new(FinnishOrder));
    step("open: build the register and its indexes", t, format!("{} people", reg.people_count()));
    let t = Instant::now();
    reg.prepare_search();
    step("open: make the search texts (after the list)", t, String::new());
}

/// Times an export of the whole register as the page and its worker make
/// it: the view, the JSON written in pieces, and on the worker the key,
/// the compression and the encryption.
fn export_stages(reg: &sidos::domain::Register, now: chrono::DateTime<Utc>) {
    use sidos::bundle::{document, envelope};
    use sidos::domain::ExportScope;
    use std::time::Instant;
    let t = Instant::now();
    let view = reg.export_view(&ExportScope::everything(), now);
    step("export: the view of the register", t, format!("{} people", view.people.len()));
    let t = Instant::now();
    let mut doc = Vec::new();
    document::write_view_to(&view, &mut doc).expect("written into memory");
    step("export: document as JSON (the view)", t, format!("{} bytes", doc.len()));
    drop(view);
    let t = Instant::now();
    let mut deflater = envelope::Deflater::new(envelope::STREAM_LEVEL);
    doc.chunks(2 << 20).for_each(|piece| deflater.push(piece));
    let (compressed, len) = deflater.finish();
    step(
        &format!("export: deflate (level {}, in pieces)", envelope::STREAM_LEVEL),
        t,
        format!("{} bytes", compressed.len()),
    );
    let t = Instant::now();
    let sealer = envelope::Sealer::new(
        sidos::sample::PASSPHRASE,
        envelope::KdfParams::DEFAULT,
        [3; 16],
        [4; envelope::NONCE_BYTES],
    )
    .expect("the default key derivation");
    step("export: derive the key (Argon2id)", t, String::new());
    let t = Instant::now();
    let file = sealer.seal_deflated(&compressed, len).expect("sealed");
    step("export: encrypt (XChaCha20-Poly1305)", t, format!("{} bytes", file.len()));
}

/// One stored document read back as the store reads it.
fn decode<D: serde::de::DeserializeOwned, T: TryFrom<D, Error = dto::DtoError>>(doc: &str) -> T {
    dto::decode::<D, T>(doc).expect("a readable, valid document")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (config, stages) = match parse(&args) {
        Ok(c) => c,
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("{problem}");
            }
            eprintln!("{USAGE}");
            return if problem.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    };
    if stages {
        time_stages(&config);
        return ExitCode::SUCCESS;
    }
    let sample = generate(&config);
    let file = match write_bundle(sample, &config) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("could not seal the sample: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = io::stdout().lock();
    match out.write_all(&file).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("could not write the sample: {e}");
            ExitCode::FAILURE
        }
    }
}
