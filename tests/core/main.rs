//! Native tests of the pure core, in one test binary: `cargo test`.

mod commands;
mod dto;
mod register;
mod tidy;
mod access;
mod bundle;
mod sync;
