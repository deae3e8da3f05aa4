//! # deltid-io
//!
//! Readers for deltid: daily counts, deduction tables and scenario files as analysts have them
//! (CSV in any common dialect, spreadsheets, Parquet), into the model of `deltid-model`.
//!
//! Every cell is read by one set of rules, whatever the file ([`DateFormat`],
//! [`NumberStyle`], the model's area resolver), and every problem is reported with its file,
//! line (or sheet and cell, or row), column and value. Counts are read in one pass on every
//! core, into the model's compact form.
#![deny(missing_docs)]

// In the order data flows, each module using only those above it (checked by
// tests/layering.rs): a cell, a file, a row; what every counts reader shares; the readers of
// each kind; counts from any file; deduction tables and mappings; scenarios.
mod cell;
mod counts;
mod delimited;
#[cfg(feature = "parquet")]
mod pages;
mod parquet;
mod reading;
mod rows;
mod scenario;
mod sheet;
mod source;
mod tables;
#[cfg(feature = "parquet")]
mod thrift;

pub use cell::{DateFormat, DecimalMark, NumberStyle};
pub use counts::{digest_taken_while_read, read_counts, read_counts_in_chunks, read_counts_with};
pub use deltid_model::Error;
pub use reading::{CountsColumns, CountsOptions, Progress, Reading, Shape};
pub use rows::MAX_REPORTED;
pub use scenario::{read_scenario, scenario_from_toml};
pub use source::{Encoding, SourceOptions};
pub use tables::{TableLayout, TableRef, read_deduction_table};
