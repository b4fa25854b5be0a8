//! Versions of a rule set side by side: each family is assessed by the version in force on its
//! assessment date.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::compiled::RuleSet;
use crate::dates;
use crate::format::assessment::{Assessment, Explain};
use crate::run::answers::{peek_strings, BadJson, Found};
use crate::run::error::AssessError;
use crate::tools::generate::Generator;

/// Several compiled versions of one rule set (e.g. `khmao` 2025.1 and 2026.1).
pub struct RuleLibrary {
    versions: Vec<RuleSet>,
    /// Whether versions marked as drafts may be chosen.
    drafts: bool,
    /// One version named by the caller (a version folder, not a folder of versions): it
    /// assesses every family, whatever its date (outside its period with the warning
    /// `not_in_force`), draft or not (with the warning `draft_version`).
    named: bool,
}

/// A version recorded as published, with the digest it had then (a line of `published.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedVersion {
    /// The version, e.g. `2026.1`.
    pub version: String,
    /// Its `sha256:` digest when it was published.
    pub digest: String,
}

/// Whether drafts (versions not published) may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Drafts {
    /// Only published versions are chosen (the default).
    #[default]
    Refused,
    /// Drafts are chosen too; their assessments carry the warning `draft_version`.
    Allowed,
}

/// Why versions and their record of publication do not agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicationError {
    /// The record of published versions is not a YAML list of `{version, digest}`.
    BadRecord(String),
    /// A published version's files have changed since it was published.
    Changed {
        /// The version.
        version: String,
        /// The digest recorded when it was published.
        published: String,
        /// The digest of its files now.
        now: String,
    },
}

impl std::fmt::Display for PublicationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublicationError::BadRecord(why) => write!(f, "the record of published versions cannot be read: {why}"),
            PublicationError::Changed { version, published, now } => write!(
                f,
                "version {version} was published with the digest {published} and its files have changed since \
                 ({now}): a published version never changes; put the edit into a new version"
            ),
        }
    }
}

impl std::error::Error for PublicationError {}

/// Reads a record of published versions (`published.yaml`: a list of `{version, digest}`).
pub fn parse_published(text: &str) -> Result<Vec<PublishedVersion>, PublicationError> {
    serde_yaml::from_str::<Option<Vec<PublishedVersion>>>(text)
        .map(Option::unwrap_or_default)
        .map_err(|e| PublicationError::BadRecord(crate::load::plain_yaml_error(&e)))
}

/// Whether a version is a draft by the record of published versions: a version recorded there
/// must still have the digest it was published with; one not recorded (or no record, `None`) is.
pub(crate) fn is_draft(
    version: &str,
    digest: &str,
    published: Option<&[PublishedVersion]>,
) -> Result<bool, PublicationError> {
    match published.and_then(|record| record.iter().find(|p| p.version == version)) {
        Some(p) if p.digest == digest => Ok(false),
        Some(p) => Err(PublicationError::Changed {
            version: version.to_owned(),
            published: p.digest.clone(),
            now: digest.to_owned(),
        }),
        None => Ok(true),
    }
}

impl RuleLibrary {
    /// A library of versions (in any order), every one usable as it is marked.
    pub fn new(mut versions: Vec<RuleSet>) -> Self {
        versions.sort_by_key(|v| v.in_force.0);
        RuleLibrary { versions, drafts: true, named: false }
    }

    /// One version the caller named: it assesses every family (see the warnings it gives
    /// outside its period or as a draft). `sopro assess`, `batch` and `diff` given a version
    /// folder all use it so, and so agree on the same family.
    pub fn named(version: RuleSet) -> Self {
        RuleLibrary { versions: vec![version], drafts: true, named: true }
    }

    /// A library of versions checked against the record of published versions (`None`: no
    /// record, so every version is a draft). Only published versions are chosen for a family
    /// unless `drafts` allows them.
    pub fn published(
        versions: Vec<RuleSet>,
        published: Option<&[PublishedVersion]>,
        drafts: Drafts,
    ) -> Result<Self, PublicationError> {
        let mut versions = versions;
        for version in &mut versions {
            version.apply_publication(published)?;
        }
        let mut library = RuleLibrary::new(versions);
        library.drafts = drafts == Drafts::Allowed;
        Ok(library)
    }

    /// A generator of synthetic families (see [`RuleSet::generator`]) whose assessment dates
    /// lie anywhere in the periods of the versions that may be chosen, each family drawn by the
    /// version in force on its date: the one [`RuleLibrary::assess`] assesses it with.
    pub fn generator(&self, profile: Option<&crate::format::sample::SampleProfile>) -> Generator<'_> {
        Generator::for_library(self, profile)
    }

    /// The versions, oldest first (drafts among them, whether or not they may be chosen).
    pub fn versions(&self) -> &[RuleSet] {
        &self.versions
    }

    /// The version in force on `as_of` (`YYYY-MM-DD`); of several, the one that came into
    /// force last. Drafts only if the library allows them.
    pub fn pick(&self, as_of: &str) -> Option<&RuleSet> {
        self.in_force(as_of).find(|v| self.may_choose(v))
    }

    /// A draft in force on `as_of` that the library does not use (to say so when no version is).
    pub fn draft_not_used(&self, as_of: &str) -> Option<&RuleSet> {
        if self.drafts {
            return None;
        }
        self.in_force(as_of).find(|v| v.draft)
    }

    fn in_force(&self, as_of: &str) -> impl Iterator<Item = &RuleSet> {
        let date = dates::parse(as_of);
        self.versions.iter().rev().filter(move |v| {
            date.is_some_and(|date| v.in_force.0 <= date && v.in_force.1.is_none_or(|to| date <= to))
        })
    }

    /// Assesses a family with the version in force on its `as_of`. Answers without a valid
    /// `as_of` are checked by the newest version, which lists every problem.
    pub fn assess(&self, answers: &Value) -> Result<Assessment, AssessError> {
        self.version_for(answers)?.assess(answers)
    }

    /// Like [`RuleLibrary::assess`], with [`RuleSet::assess_brief`].
    pub fn assess_brief(&self, answers: &Value) -> Result<Assessment, AssessError> {
        self.version_for(answers)?.assess_brief(answers)
    }

    /// Whether a version assesses families: the one named, or one the choice by date may take.
    pub fn is_usable(&self, version: &RuleSet) -> bool {
        self.named || self.may_choose(version)
    }

    /// Whether the choice by date may take a version: published, or drafts allowed.
    fn may_choose(&self, version: &RuleSet) -> bool {
        self.drafts || !version.draft
    }

    /// The versions that may be chosen, oldest first.
    fn usable(&self) -> impl Iterator<Item = &RuleSet> {
        self.versions.iter().filter(|v| self.may_choose(v))
    }

    /// Assesses answers written as JSON text (see [`RuleSet::assess_json`]) with the version in
    /// force on their `as_of`, as [`RuleLibrary::assess`] chooses it.
    pub fn assess_json(
        &self,
        text: &str,
        explain: Explain,
    ) -> Result<Result<Assessment, AssessError>, BadJson> {
        self.assess_json_peeking(text, explain, &[]).map(|(_, assessed)| assessed)
    }

    /// Like [`RuleLibrary::assess_json`], also giving the strings at `paths` (see
    /// [`peek_strings`]; e.g. the case id of a batch row), found in the same scan of the text
    /// as the `as_of` that chooses the version.
    pub fn assess_json_peeking<'t>(
        &self,
        text: &'t str,
        explain: Explain,
        paths: &[&[&str]],
    ) -> Result<(Found<'t>, Result<Assessment, AssessError>), BadJson> {
        let (found, version) = self.version_for_json(text, paths)?;
        let assessed = match version {
            Ok(version) => version.assess_json(text, explain)?,
            Err(error) => Err(error),
        };
        Ok((found, assessed))
    }

    /// The version that assesses answers written as JSON text ([`RuleLibrary::version_on`]
    /// their `as_of`), and the strings at `paths` (see [`peek_strings`]), in one scan.
    pub fn version_for_json<'t>(
        &self,
        text: &'t str,
        paths: &[&[&str]],
    ) -> Result<(Found<'t>, Result<&RuleSet, AssessError>), BadJson> {
        let with_as_of: Vec<&[&str]> = std::iter::once(&["as_of"][..]).chain(paths.iter().copied()).collect();
        let mut found = peek_strings(text, &with_as_of)?;
        let as_of = found.remove(0);
        Ok((found, self.version_on(as_of.as_deref())))
    }

    /// The version that assesses these answers: [`RuleLibrary::version_on`] their `as_of`.
    pub fn version_for(&self, answers: &Value) -> Result<&RuleSet, AssessError> {
        self.version_on(answers.get("as_of").and_then(Value::as_str))
    }

    /// The version that assesses answers with this `as_of` (as written, `None` without one):
    /// the one version of a folder that holds one, the version in force on a valid date, or
    /// the newest usable version for answers without a valid date (it lists every problem).
    pub fn version_on(&self, as_of: Option<&str>) -> Result<&RuleSet, AssessError> {
        if let (true, [only]) = (self.named, self.versions.as_slice()) {
            return Ok(only);
        }
        let as_of = as_of.filter(|d| dates::parse(d).is_some());
        let version = match as_of {
            Some(as_of) => self.pick(as_of).ok_or_else(|| AssessError::NoVersionInForce {
                as_of: as_of.to_owned(),
                versions: self.usable().map(|v| v.version.clone()).collect(),
            })?,
            None => self
                .usable()
                .last()
                .ok_or(AssessError::NoVersionInForce { as_of: String::new(), versions: Vec::new() })?,
        };
        Ok(version)
    }
}

/// Whether an overlay may use the base it pins: a base recorded as published (`record`, the
/// base's own `published.yaml`) with another digest than the pinned one has changed since it
/// was published, or the pin is to a state that never was — refused, as a changed published
/// version is. A base with no record, or not recorded, is the pin's alone to vouch for.
pub fn check_base_publication(
    record: &[PublishedVersion],
    extends: &crate::format::overlay::Extends,
) -> Result<(), String> {
    match record.iter().find(|p| p.version == extends.version) {
        Some(published) if published.digest != extends.digest => Err(format!(
            "the base {} {} was published with the digest {}, but the overlay pins {}: a published base never changes",
            extends.id, extends.version, published.digest, extends.digest
        )),
        _ => Ok(()),
    }
}
