//! The tools on top of assessments: a rule set's own test cases, the difference between two
//! assessments, versions side by side, what a form shows, JSON Schemas, synthetic families from the questions.

pub(crate) mod breakpoints;
pub(crate) mod compare;
pub(crate) mod csv_rows;
pub(crate) mod depends;
pub(crate) mod diff;
pub(crate) mod document;
pub(crate) mod generate;
pub(crate) mod history;
pub(crate) mod library;
pub(crate) mod open;
pub(crate) mod phrasing;
pub(crate) mod relevance;
pub(crate) mod schema;
pub(crate) mod testing;
pub(crate) mod thresholds;
pub(crate) mod whatif;
