//! Sidos: a customer and stakeholder register that runs in the browser.
//!
//! See ARCHITECTURE.md for the map. The pure parts (`domain`, `bundle`)
//! build and test natively; the browser parts only for wasm32.

pub mod bundle;
pub mod domain;
pub mod sample;

#[cfg(target_arch = "wasm32")]
pub mod store;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod web;
