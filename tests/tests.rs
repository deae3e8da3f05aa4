//! Integration tests, built as one binary so polars links once.

mod cli;
mod errors;
mod model;
mod plan;
mod util;
