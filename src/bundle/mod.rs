//! The register's data in serialisable form: versioned documents that
//! storage keeps and that bundles will carry. Pure: no IO, no web crates.

pub mod dto;
pub mod pages;
