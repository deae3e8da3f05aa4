//! Integration tests, built as one binary so polars links once.

// A failed expectation in a test is a test failure, not a defect on a data path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod disclosure;
mod errors;
mod files;
mod hostile;
mod inputs;
mod language;
mod layering;
mod model;
mod nights;
mod one_core;
mod origin;
mod origin_record;
mod origin_split;
mod outputs;
mod paths;
mod plan;
mod plausibility;
mod population;
mod properties;
mod record;
mod report;
mod safety;
mod scaling;
mod sql;
mod sql_origin;
mod studies;
mod uncertainty;
mod util;
mod validate;
mod yearly;
