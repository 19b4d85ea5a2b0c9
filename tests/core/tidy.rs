//! Checks on the code base itself: the pure core stays pure, the
//! translations stay complete, personal data stays out of the console.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Whether `text` names `word` as a whole identifier.
fn names(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

#[test]
fn the_pure_core_names_no_web_crate() {
    let forbidden = ["leptos", "web_sys", "js_sys", "wasm_bindgen", "gloo_storage", "wasm_bindgen_futures"];
    let mut offences = Vec::new();
    for dir in ["src/domain", "src/bundle"] {
        for file in rust_files(&root().join(dir)) {
            let text = fs::read_to_string(&file).unwrap();
            for word in forbidden {
                if names(&text, word) {
                    offences.push(format!("{} names {word}", file.display()));
                }
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

#[test]
fn the_tidy_check_would_catch_an_import() {
    assert!(names("use leptos::prelude::*;", "leptos"));
    assert!(names("let x = web_sys::window();", "web_sys"));
    assert!(!names("use leptos_like_name;", "leptos"));
}

#[test]
fn nothing_writes_to_the_console() {
    // Personal data must never reach logs: no console output at all.
    let mut offences = Vec::new();
    for file in rust_files(&root().join("src")) {
        let text = fs::read_to_string(&file).unwrap();
        for word in
            ["console::log", "console_log", "println!", "dbg!", "logging::log", "console::error", "console::warn"]
        {
            if text.contains(word) {
                offences.push(format!("{} uses {word}", file.display()));
            }
        }
    }
    let allowed = |o: &String| o.contains("src/main.rs") || o.contains("src/bin/");
    let offences: Vec<_> = offences.into_iter().filter(|o| !allowed(o)).collect();
    assert!(offences.is_empty(), "{offences:#?}");
}

/// Flattens a locale file into `key.path → text`.
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => panic!("{prefix}: not a string: {other}"),
    }
}

fn locale(lang: &str) -> BTreeMap<String, String> {
    let text = fs::read_to_string(root().join("locales").join(format!("{lang}.json"))).unwrap();
    let mut out = BTreeMap::new();
    flatten("", &serde_json::from_str(&text).unwrap(), &mut out);
    out
}

fn variables(text: &str) -> Vec<String> {
    let mut vars: Vec<String> =
        text.split("{{").skip(1).filter_map(|part| part.split_once("}}").map(|(v, _)| v.trim().to_owned())).collect();
    vars.sort();
    vars
}

#[test]
fn every_language_has_every_message_with_the_same_values() {
    let fi = locale("fi");
    for lang in ["sv", "en"] {
        let other = locale(lang);
        let missing: Vec<_> = fi.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !fi.contains_key(*k)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, extra {extra:?}");
        for (key, text) in &fi {
            assert_eq!(variables(text), variables(&other[key]), "{lang}: {key} has other values");
            assert!(!other[key].trim().is_empty(), "{lang}: {key} is empty");
        }
    }
    assert!(fi.values().all(|t| !t.trim().is_empty()));
}

/// The code keeps one layout (`rustfmt.toml`), so that a change's diff
/// shows what it changes. Run `cargo fmt` to fix what this reports.
#[test]
fn the_code_is_formatted() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["fmt", "--all", "--check"])
        .current_dir(root())
        .output()
        .expect("cargo fmt runs (the rustfmt component is part of the toolchain)");
    let report = String::from_utf8_lossy(&out.stdout);
    let files: Vec<&str> = report.lines().filter_map(|l| l.strip_prefix("Diff in ")).collect();
    assert!(
        out.status.success(),
        "not formatted (run `cargo fmt`): {files:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
