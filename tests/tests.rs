//! Integration tests, built as one binary so polars links once.

// A failed expectation in a test is a test failure, not a defect on a data path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod errors;
mod inputs;
mod model;
mod outputs;
mod plan;
mod plausibility;
mod population;
mod properties;
mod scaling;
// TODO(sql): `mod sql;` again once `deltid sql` is wired (tests/sql.rs still has the old API).
mod uncertainty;
mod util;
mod validate;
mod yearly;
