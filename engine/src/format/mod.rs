//! The rule format and the assessment's shape: what policy staff write (`model`), the closed
//! vocabularies every rule set shares (`vocab`) and what an assessment says (`assessment`), and how often answers occur in a synthetic registry (`sample`).
//! Types only, as serde + schemars types; nothing here depends on another module.

pub mod assessment;
pub mod envelope;
pub mod history;
pub mod model;
pub mod overlay;
pub mod programme;
pub mod sample;
pub mod testcase;
pub mod vocab;
