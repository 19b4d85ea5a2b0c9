include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
pub fn mount() {}
