//! Integration tests, built as one binary so polars links once.

// A failed expectation in a test is a test failure, not a defect on a data path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod one_core;
mod paths;
mod sql;
mod util;
