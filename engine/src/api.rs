//! The public API of [`RuleSet`], in one place: loading (from files or a bundle), assessing,
//! what a form should show, the rule set's own tests, publication, synthetic families, and what it holds. The work
//! is done by the stages behind it: `load` → `compile` → `compiled` → `run`, and `tools`.

use serde_json::Value;

use crate::compile::Loaded;
use crate::compiled::RuleSet;
use crate::diagnostic::Diagnostic;
use crate::format::assessment::Assessment;
use crate::format::assessment::Explain;
use crate::format::model::{Question, TestCase};
use crate::format::sample::SampleProfile;
use crate::format::vocab::Labels;
use crate::load::source::RuleSource;
use crate::run::answers::{AnswerProblem, BadJson};
use crate::run::error::AssessError;
use crate::tools::generate::Generator;
use crate::tools::library::{PublicationError, PublishedVersion};
use crate::tools::relevance::Relevance;
use crate::tools::testing::TestReport;

/// Why a bundle cannot be loaded.
#[derive(Debug)]
pub enum BundleError {
    /// Its `format` is not one this engine reads.
    UnknownFormat(String),
    /// Its rule set has errors: every diagnostic.
    RulesInvalid(Vec<Diagnostic>),
    /// Its files no longer have the digest it records.
    DigestMismatch,
    /// Its parsed form is not sealed to its files, or (read by a loader with YAML) differs from
    /// what its files parse to.
    PreparedMismatch,
    /// It carries no parsed form (an older bundle), and the loader asked reads no YAML.
    NotPrepared,
}

impl RuleSet {
    /// The rule set of `source` as it applies — a regional overlay merged with its base — item
    /// by item with the layer each comes from (`sopro show --effective`); or every problem
    /// that keeps it from loading.
    pub fn effective(source: &dyn RuleSource) -> Result<crate::format::overlay::Effective, Vec<Diagnostic>> {
        crate::compile::effective::effective(source)
    }

    /// Parses, checks and compiles a rule set. Returns every problem found, not just the first.
    pub fn load(source: &dyn RuleSource) -> Loaded {
        crate::compile::compile(source, &crate::load::Yaml)
    }

    /// Loads the rule set of a bundle (`sopro bundle`): checks its format, parses and compiles
    /// its files and checks that they still have the digest the bundle records; if it carries
    /// its parsed form, that the form is sealed to the files and is what they parse to. Returns
    /// the rule set and its warnings.
    pub fn from_bundle(bundle: &crate::Bundle) -> Result<(RuleSet, Vec<Diagnostic>), BundleError> {
        check_format(bundle)?;
        let source = bundle.source();
        let loaded = RuleSet::load(&source);
        let (rules, warnings) = finish_bundle(bundle, loaded)?;
        if let Some(prepared) = &bundle.prepared {
            let parsed = crate::load::prepared::Prepared::parse(&source, &rules.digest);
            let agrees = parsed.is_some_and(|parsed| parsed.same_as(prepared));
            if !agrees || !prepared.is_sealed_to(&rules.digest) {
                return Err(BundleError::PreparedMismatch);
            }
        }
        Ok((rules, warnings))
    }

    /// Loads the rule set of a bundle from the parsed form it carries, without parsing YAML
    /// (the browser build, which holds no YAML parser). Checks the format, that the parsed form
    /// covers the files and is sealed to their digest, and the digest; compiles as
    /// [`RuleSet::from_bundle`] does, with the same diagnostics and lines.
    pub fn from_prepared_bundle(bundle: &crate::Bundle) -> Result<(RuleSet, Vec<Diagnostic>), BundleError> {
        check_format(bundle)?;
        let Some(prepared) = &bundle.prepared else { return Err(BundleError::NotPrepared) };
        let source = bundle.source();
        if !prepared.covers(&source) || !prepared.is_sealed_to(&bundle.digest) {
            return Err(BundleError::PreparedMismatch);
        }
        finish_bundle(bundle, crate::compile::compile(&source, prepared))
    }

    /// The rule set's id, e.g. `khmao`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The version, e.g. `2026.1`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The title for people.
    pub fn title(&self) -> &Labels {
        &self.title
    }

    /// The rule set's identity as assessments carry it (id, version, digest, base).
    pub fn ruleset_ref(&self) -> crate::format::assessment::RuleSetRef {
        crate::format::assessment::RuleSetRef {
            id: self.id.clone(),
            version: self.version.clone(),
            digest: self.digest.clone(),
            base: self.layers.as_deref().map(crate::load::layers::Layers::base_ref),
        }
    }

    /// The base a regional overlay is written on (id, version, digest), if it is one.
    pub fn base(&self) -> Option<crate::format::assessment::RuleSetRef> {
        self.layers.as_deref().map(|layers| *layers.base_ref())
    }

    /// `sha256:` digest of the rule set's files.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The compiled rule set and the files it came from as one [`Bundle`](crate::Bundle), with
    /// their parsed form sealed to their digest (so that a loader needs no YAML parser).
    /// `source` must be the files the rule set was loaded from.
    pub fn bundle(&self, source: &crate::MemorySource) -> crate::Bundle {
        crate::Bundle {
            format: crate::load::source::BUNDLE_FORMAT.to_owned(),
            id: self.id.clone(),
            version: self.version.clone(),
            digest: self.digest.clone(),
            files: source.files().clone(),
            draft: self.draft,
            prepared: crate::load::prepared::Prepared::parse(source, &self.digest),
        }
    }

    /// The ids of the support levels, the highest first.
    pub fn level_ids(&self) -> Vec<&str> {
        self.levels.iter().map(|l| &*l.outcome.id).collect()
    }

    /// The questions the rule set reads.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The test cases the rule set carries.
    pub fn test_cases(&self) -> impl Iterator<Item = &TestCase> {
        self.tests.iter().map(|(_, case)| case)
    }

    /// Checks answers against the questions without assessing: every problem, with its path.
    pub fn validate_answers(&self, answers: &Value) -> Vec<AnswerProblem> {
        crate::run::answers::read(&self.questions, &self.shape, answers).problems
    }

    /// Like [`RuleSet::validate_answers`], for answers written as JSON text: the same problems
    /// in the same order, read without building a `Value`.
    pub fn validate_json(&self, text: &str) -> Result<Vec<AnswerProblem>, BadJson> {
        Ok(crate::run::answers::read_json(&self.questions, &self.shape, text)?.problems)
    }

    /// Assesses one family. The assessment date is the answers' `as_of`; nothing else is read
    /// from outside, so the same answers and rule set always give the same assessment.
    pub fn assess(&self, answers: &Value) -> Result<Assessment, AssessError> {
        crate::run::assess(self, answers, Explain::ALL)
    }

    /// Like [`RuleSet::assess`], without the answer paths each finding read (`reads`, empty) and
    /// without the list of `missing` answers (empty): for registry runs that keep ids,
    /// severities, urgencies and dates (`sopro batch` with CSV output). Everything else —
    /// level, categories, criteria, services, partners, deadlines, `because`, basis — is the same.
    pub fn assess_brief(&self, answers: &Value) -> Result<Assessment, AssessError> {
        crate::run::assess(self, answers, Explain::BRIEF)
    }

    /// Assesses with only the explanations asked for (see [`Explain`]); the findings are the
    /// same as [`RuleSet::assess`]'s.
    pub fn assess_with(&self, answers: &Value, explain: Explain) -> Result<Assessment, AssessError> {
        crate::run::assess(self, answers, explain)
    }

    /// Assesses answers written as JSON text, read straight into the values rules see (no
    /// `Value` in between): the outer error when the text is not JSON (with its position),
    /// otherwise exactly what [`RuleSet::assess_with`] gives for the same answers as a `Value`.
    pub fn assess_json(
        &self,
        text: &str,
        explain: Explain,
    ) -> Result<Result<Assessment, AssessError>, BadJson> {
        crate::run::assess_json(self, text, explain)
    }

    /// Works out what a form should show for partial answers (see [`Relevance`]).
    pub fn relevant(&self, partial: &Value) -> Relevance {
        crate::tools::relevance::relevant(self, partial)
    }

    /// The unanswered questions whose answer could still change the outcome (the level, a
    /// category, a criterion or its severity, an urgent service, a partner or its urgency), each
    /// with the answers that would and what they would change; those that can move the level
    /// first. Partial answers are made fit as for [`RuleSet::relevant`]. Unlike its `open` list
    /// (every unanswered question some rule reads), a question listed here matters for this
    /// family.
    pub fn open_questions(&self, partial: &Value) -> Result<Vec<crate::OpenQuestion>, AssessError> {
        crate::tools::open::open_questions(self, partial)
    }

    /// What would have to change for the family to reach `goal` (a lower or higher level, a
    /// given level, or leaving or entering a category, criterion, urgent service or partner):
    /// the smallest sets of changes to the answers the rule set declares `changeable` (one to
    /// three answers), several different ones, each with the answers before → after, what it
    /// changes and the level reached. An unknown id is `AssessError::UnknownGoal`.
    pub fn what_would_change(
        &self,
        partial: &Value,
        goal: &crate::Goal,
    ) -> Result<crate::WhatWouldChange, AssessError> {
        crate::tools::whatif::what_would_change(self, partial, goal)
    }

    /// A generator of synthetic families that fit the questions, drawn around the thresholds
    /// the rules compare answers with, as often as `profile` says (evenly without one); the
    /// assessment date lies in the period the rule set is in force. Deterministic per seed:
    /// `rules.generator(None).families(100, 7)`.
    pub fn generator(&self, profile: Option<&SampleProfile>) -> Generator<'_> {
        Generator::for_rules(self, profile)
    }

    /// Runs the rule set's own test cases.
    pub fn run_tests(&self) -> TestReport {
        crate::tools::testing::run_tests(self)
    }

    /// Marks the rule set by the record of published versions: a version recorded there must
    /// still have the digest it was published with; a version not recorded (or no record at
    /// all, `None`) is a draft.
    pub fn apply_publication(
        &mut self,
        published: Option<&[PublishedVersion]>,
    ) -> Result<(), PublicationError> {
        self.draft = crate::tools::library::is_draft(&self.version, &self.digest, published)?;
        Ok(())
    }

    /// Marks the rule set as a draft (a version not published): every assessment it makes then
    /// carries the warning `draft_version`. The engine does not know what is published; the
    /// caller does (`published.yaml`, see [`crate::RuleLibrary`]).
    pub fn mark_draft(&mut self) {
        self.draft = true;
    }

    /// Whether the rule set is marked as a draft.
    pub fn is_draft(&self) -> bool {
        self.draft
    }

    /// The label of any rule by id: a derived fact, category, criterion, level, urgent service,
    /// consultation, partner, reporting duty or deadline (for rendering `because` lists).
    pub fn label_of(&self, id: &str) -> Option<&Labels> {
        self.label_index.get(id)
    }

    /// The label of every rule by id (derived facts, categories, criteria, levels, services,
    /// consultations, partners, reporting duties, deadlines, programme activities): for rendering `because` lists
    /// where the rule set itself is not at hand (the browser).
    pub fn labels(&self) -> std::collections::BTreeMap<&str, &Labels> {
        let outcomes = self.outcomes().map(|o| (&*o.id, &o.label));
        let activities =
            self.programme.activities.iter().map(|a| (a.activity.id.as_str(), &a.activity.label));
        self.nodes.iter().map(|n| (n.id.as_str(), &n.label)).chain(outcomes).chain(activities).collect()
    }

    /// The legal basis of a category, criterion, level, urgent service, consultation, partner,
    /// reporting duty, deadline or programme activity by id, and where it is written (for the
    /// rule studio's hover).
    pub fn basis_of(&self, id: &str) -> Option<(&[crate::Basis], &str, Option<usize>)> {
        let outcome = self.outcomes().find(|o| &*o.id == id);
        if let Some(o) = outcome {
            return Some((&o.basis, o.at.file.as_str(), o.at.line));
        }
        let a = self.programme.activities.iter().find(|a| a.activity.id == id)?;
        Some((&a.basis, a.at.file.as_str(), a.at.line))
    }

    /// Every rule with an id, label and basis: categories, criteria, levels, services,
    /// consultations, partners, reporting duties, deadlines.
    fn outcomes(&self) -> impl Iterator<Item = &crate::compiled::Outcome> {
        self.categories
            .iter()
            .chain(self.criteria.iter().map(|c| &c.outcome))
            .chain(self.levels.iter().map(|l| &l.outcome))
            .chain(self.services.iter().map(|s| &s.outcome))
            .chain(self.consultations.iter().map(|s| &s.outcome))
            .chain(self.partners.iter().map(|p| &p.outcome))
            .chain(&self.duties)
            .chain(self.deadlines.iter().map(|d| &d.outcome))
    }

    /// The first and last day the rule set is in force.
    pub fn in_force(&self) -> (String, Option<String>) {
        (self.in_force.0.to_string(), self.in_force.1.map(|d| d.to_string()))
    }

    /// The same rule set with every expression evaluated by Rhai alone: the reference the
    /// native evaluator is tested against (`tests/tests/parity.rs`). Slower; not for production.
    #[doc(hidden)]
    pub fn rhai_only(mut self) -> Self {
        for expr in self.exprs_mut() {
            expr.native = None;
        }
        self
    }

    /// How many expressions evaluate natively, and the rules of those that need Rhai
    /// (anything beyond the simple subset: script functions, `if`, string building…).
    pub fn native_coverage(&self) -> (usize, Vec<String>) {
        let mut native = 0;
        let mut rhai = Vec::new();
        for expr in self.exprs() {
            if expr.native.is_some() {
                native += 1;
            } else {
                rhai.push(expr.at.rule.clone().unwrap_or_default());
            }
        }
        (native, rhai)
    }
}

fn check_format(bundle: &crate::Bundle) -> Result<(), BundleError> {
    if crate::load::source::BUNDLE_FORMATS_READ.contains(&bundle.format.as_str()) {
        Ok(())
    } else {
        Err(BundleError::UnknownFormat(bundle.format.clone()))
    }
}

/// The compiled rule set of a bundle, checked against the digest it records, with its warnings.
fn finish_bundle(bundle: &crate::Bundle, loaded: Loaded) -> Result<(RuleSet, Vec<Diagnostic>), BundleError> {
    let Some(mut rules) = loaded.ruleset else { return Err(BundleError::RulesInvalid(loaded.diagnostics)) };
    if rules.digest != bundle.digest {
        return Err(BundleError::DigestMismatch);
    }
    rules.draft = bundle.draft;
    Ok((rules, loaded.diagnostics))
}
