//! The `sopro` command's parts, as a library so tests and benchmarks reuse them:
//! reading rule-set folders and answer files, the subcommands, and the text rendering.

pub mod batch;
pub mod commands;
pub mod diff;
pub mod files;
pub mod history;
pub mod history_render;
pub mod programme_doc;
pub mod render;
pub mod serve;
pub mod show;
