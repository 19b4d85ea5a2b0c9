//! Native tests of the pure core, in one test binary: `cargo test`.

mod commands;
mod dto;
mod register;
mod tidy;
mod access;
mod backup;
mod bundle;
mod sync;
mod consent;
mod outputs;
mod csv_vcard;
mod gdpr;
mod gdpr_erasure;
mod gdpr_notice;
mod gdpr_requests;
mod gdpr_retention;
mod gdpr_sync;
