//! Native tests of the pure core, in one test binary: `cargo test`.

mod access;
mod backup;
mod bundle;
mod commands;
mod consent;
mod csv_vcard;
mod dto;
mod gdpr;
mod gdpr_erasure;
mod gdpr_notice;
mod gdpr_requests;
mod gdpr_retention;
mod gdpr_sync;
mod implied;
mod outputs;
mod packed;
mod register;
mod sync;
mod tidy;
mod verbatim;
