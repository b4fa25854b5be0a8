//! Load → check → compile: turns a rule set's files into a [`RuleSet`], collecting every
//! problem on the way (file, line, rule, plain message).

mod checks;
pub(crate) mod effective;
mod exprs;
mod inputs;
pub(crate) mod layers;
pub(crate) mod lower;
mod names;
mod outcomes;
mod overlap;
mod programme;

use names::{Names, SlotResolver};
use outcomes::{outcome, Ids};

use std::collections::{BTreeSet, HashMap};

use rhai::{Engine, Module, Scope as RhaiScope};

use crate::compiled::{
    ConsistencyRule, CriterionRule, DeadlineRule, FamilySource, FastMap, Node, NodeKind, Outcome,
    PartnerRule, Readable, Reads, RuleSet, ServiceRule, Trigger, TriggerRule,
};
use crate::diagnostic::{At, Code, Diagnostic, Diagnostics};
use crate::format::model::{RuleFile, Scope};
use crate::format::overlay::ItemKind;
use crate::format::vocab::{Labels, Text};
use crate::load::source::RuleSource;
use crate::load::{self, FileLines, Located};

use crate::sandbox;

use crate::format::model::MEMBERS;

/// The outcome of loading a rule set: the rule set if it has no errors, and every problem.
pub struct Loaded {
    /// The compiled rule set, unless an error prevents it.
    pub ruleset: Option<RuleSet>,
    /// Every error and warning found.
    pub diagnostics: Vec<Diagnostic>,
}

pub(crate) fn compile(source: &dyn RuleSource, parser: &impl load::FileParser) -> Loaded {
    let mut diags = Diagnostics::default();
    let loaded = load::load(source, parser, &mut diags);
    // A file that does not parse would make every name it defines look unknown elsewhere.
    // A base whose digest changed is still checked with its overlay: that check is what the
    // region needs before it pins the new digest.
    let unreadable = diags.0.iter().any(|d| d.is_error() && d.code != Code::BaseDigest);
    let ruleset = if unreadable { None } else { Compiler::new(&loaded, &mut diags).run() };
    let has_errors = diags.has_errors();
    Loaded { ruleset: if has_errors { None } else { ruleset }, diagnostics: diags.0 }
}

/// What names an expression may use, and what they are.
/// How many levels deep rules (derived facts, categories, criteria) may build on one another.
const MAX_RULE_DEPTH: usize = 64;

struct Compiler<'a> {
    loaded: &'a load::Parsed,
    diags: &'a mut Diagnostics,
    engine: Engine,
    names: Names,
    /// Each file's lines and item ids, indexed once (a rule set may have thousands of items).
    file_lines: HashMap<&'a str, FileLines<'a>>,
    /// The label of every question by its answer path (`/survey_act/x`) or member field (`x`):
    /// the words of a condition that gives none of its own.
    question_labels: HashMap<String, Labels>,
    /// What a regional overlay does to its base (`None` without a base).
    layer_plan: Option<layers::LayerPlan>,
}

impl<'a> Compiler<'a> {
    fn new(loaded: &'a load::Parsed, diags: &'a mut Diagnostics) -> Self {
        let mut engine = sandbox::new_engine();
        // The base's functions by name and arity: a region that defines one again would change
        // what the base's rules compute without saying so.
        let mut base_functions: HashMap<(String, usize), String> = HashMap::new();
        for (file, text) in &loaded.functions {
            let ast = match engine.compile(text) {
                Ok(ast) => ast,
                Err(error) => {
                    diags.error(
                        Code::RhaiSyntax,
                        &At { line: error.position().line(), ..At::file(file) },
                        format!("syntax error: {}", error.err_type()),
                    );
                    continue;
                }
            };
            if let Some((message, position)) = sandbox::forbidden(&ast) {
                diags.error(Code::Forbidden, &At { line: position.line(), ..At::file(file) }, message);
                continue;
            }
            for f in ast.iter_functions() {
                let signature = (f.name.to_owned(), f.params.len());
                if load::layers::is_base(file) {
                    base_functions.insert(signature, file.clone());
                } else if let Some(base_file) = base_functions.get(&signature) {
                    let message = format!(
                        "the base already defines the function `{}` with {} parameter(s) (in {base_file}): \
                         the region's would replace it in the base's rules too; give it another name",
                        f.name,
                        f.params.len()
                    );
                    diags.error(Code::RedefinesBase, &At::file(file), message);
                }
            }
            sandbox::budget::start();
            match Module::eval_ast_as_new(RhaiScope::new(), &ast, &engine) {
                Ok(module) => {
                    engine.register_global_module(module.into());
                }
                Err(error) => diags.error(
                    Code::Functions,
                    &At { line: error.position().line(), ..At::file(file) },
                    format!("a function file may only define functions: {}", sandbox::describe(&error)),
                ),
            }
        }
        // Function files are checked strictly by Rhai (a name they use must be defined);
        // expressions are checked against the rule set's names here (`expr`).
        engine.set_strict_variables(false);
        let file_lines =
            loaded.texts.iter().map(|(file, text)| (file.as_str(), FileLines::new(text))).collect();
        Compiler {
            loaded,
            diags,
            engine,
            names: Names::default(),
            file_lines,
            question_labels: HashMap::new(),
            layer_plan: None,
        }
    }

    /// Every item of one kind across the files, located.
    fn items<T: Clone>(
        &self,
        pick: impl Fn(&RuleFile) -> &Vec<T>,
        id: impl Fn(&T) -> &str,
        kind: ItemKind,
    ) -> Vec<Located<T>> {
        let mut out = Vec::new();
        if let Some(plan) = &self.layer_plan {
            self.layered_items(plan, pick, id, kind, &mut out);
            return out;
        }
        for (file, rules) in &self.loaded.files {
            let lines = self.file_lines.get(file.as_str());
            for item in pick(rules) {
                let line = lines.and_then(|lines| lines.item(id(item)).line);
                let rule = Some(format!("{} `{}`", kind.what(), id(item)));
                out.push(Located { at: At { file: file.clone(), line, rule }, item: item.clone() });
            }
        }
        out
    }

    fn run(mut self) -> Option<RuleSet> {
        let manifest = self.loaded.manifest.clone()?;
        self.layer_plan = self.plan_layers();
        let (in_force, holidays) = self.manifest_dates(&manifest);
        let questions = self.questions();
        let parameters = self.parameters();
        let member_facts = self.member_facts();
        let categories = self.items(|f| &f.categories, |c| &c.id, ItemKind::Category);
        let criteria = self.items(|f| &f.criteria, |c| &c.id, ItemKind::Criterion);
        let derived = self.items(|f| &f.derived, |d| &d.id, ItemKind::Derived);
        let mut levels = self.items(|f| &f.levels, |l| &l.id, ItemKind::Level);
        if self.layer_plan.is_some() {
            // The levels a region adds come before the base's default level, which stays last.
            levels.sort_by_key(|l| l.item.otherwise);
        }
        let services = self.items(|f| &f.urgent_services, |s| &s.id, ItemKind::UrgentService);
        let consultations = self.items(|f| &f.consultations, |s| &s.id, ItemKind::Consultation);
        let partners = self.items(|f| &f.partners, |p| &p.id, ItemKind::Partner);
        let duties = self.items(|f| &f.reporting_duties, |d| &d.id, ItemKind::ReportingDuty);
        let deadlines = self.items(|f| &f.deadlines, |d| &d.id, ItemKind::Deadline);
        let checks = self.items(|f| &f.consistency_checks, |c| &c.id, ItemKind::ConsistencyCheck);

        self.check_ids(&derived, |d| (&d.id, &d.label));
        self.check_ids(&categories, |c| (&c.id, &c.label));
        self.check_ids(&criteria, |c| (&c.id, &c.label));
        self.check_ids(&levels, |l| (&l.id, &l.label));
        self.check_ids(&services, |s| (&s.id, &s.label));
        self.check_ids(&consultations, |s| (&s.id, &s.label));
        self.check_ids(&partners, |p| (&p.id, &p.label));
        self.check_ids(&duties, |d| (&d.id, &d.label));
        self.check_ids(&deadlines, |d| (&d.id, &d.label));
        self.check_ids(&checks, |c| (&c.id, &c.message));
        self.names.derived = derived.iter().map(|d| d.item.id.clone()).collect();
        let category_ids = categories.iter().map(|c| c.item.id.clone());
        self.names.outcomes = category_ids.chain(criteria.iter().map(|c| c.item.id.clone())).collect();
        let computed: Vec<String> =
            self.names.derived.iter().chain(self.names.outcomes.iter()).cloned().collect();
        for name in computed {
            self.names.add_family_slot(name.clone(), FamilySource::Computed(name));
        }

        let mut nodes = Vec::new();
        for d in &derived {
            if let Some(expr) = self.expr(&d.item.value, &d.at, "value", 0, Scope::Family) {
                nodes.push(Node {
                    id: d.item.id.clone(),
                    label: d.item.label.clone(),
                    slot: self.slot_of(&d.item.id),
                    kind: NodeKind::Derived,
                    scope: Scope::Family,
                    expr,
                });
            }
        }
        let mut category_rules = Vec::new();
        for (index, c) in categories.iter().enumerate() {
            if let Some(expr) = self.expr(&c.item.when, &c.at, "when", 0, c.item.scope) {
                nodes.push(Node {
                    id: c.item.id.clone(),
                    label: c.item.label.clone(),
                    slot: self.slot_of(&c.item.id),
                    kind: NodeKind::Category(index),
                    scope: c.item.scope,
                    expr,
                });
            }
            category_rules.push(outcome(&c.at, &c.item.id, &c.item.label, &c.item.basis));
        }
        let mut criterion_rules = Vec::new();
        for (index, c) in criteria.iter().enumerate() {
            if let Some(expr) = self.expr(&c.item.when, &c.at, "when", 0, c.item.scope) {
                nodes.push(Node {
                    id: c.item.id.clone(),
                    label: c.item.label.clone(),
                    slot: self.slot_of(&c.item.id),
                    kind: NodeKind::Criterion(index),
                    scope: c.item.scope,
                    expr,
                });
            }
            let escalate = c
                .item
                .escalate
                .iter()
                .enumerate()
                .filter_map(|(nth, e)| {
                    let expr = self.expr(&e.when, &c.at, "when", nth + 1, c.item.scope)?;
                    if e.severity <= c.item.severity {
                        self.diags.warning(
                            Code::EscalationNotHigher,
                            &expr.at,
                            "an escalation should name a more serious severity than the criterion's own",
                        );
                    }
                    Some((e.severity, expr))
                })
                .collect();
            criterion_rules.push(CriterionRule {
                outcome: outcome(&c.at, &c.item.id, &c.item.label, &c.item.basis),
                severity: c.item.severity,
                escalate,
            });
        }
        let nodes = self.order(nodes);
        self.check_overlaps(&criteria, &nodes);

        let ids = Ids {
            categories: categories.iter().map(|c| c.item.id.as_str()).collect(),
            criteria: criteria.iter().map(|c| c.item.id.as_str()).collect(),
            levels: levels.iter().map(|l| l.item.id.as_str()).collect(),
            services: services.iter().map(|s| s.item.id.as_str()).collect(),
        };
        let level_rules = self.levels(&levels, &ids, &criterion_rules);
        let service_rules: Vec<ServiceRule> = services.iter().map(|s| self.service(s, &ids)).collect();
        let consultation_rules: Vec<ServiceRule> =
            consultations.iter().map(|s| self.service(s, &ids)).collect();
        let duty_rules: Vec<Outcome> =
            duties.iter().map(|d| outcome(&d.at, &d.item.id, &d.item.label, &d.item.basis)).collect();
        let duty_ids: Vec<&str> = duties.iter().map(|d| d.item.id.as_str()).collect();
        let partner_rules: Vec<PartnerRule> = partners
            .iter()
            .map(|p| {
                if p.item.without_consent {
                    self.diags.warning(
                        Code::ConsentPerPartner,
                        &p.at,
                        "`without_consent` on the partner sends every reason without the family's consent; \
                         name the reporting duty on each trigger the law obliges to report (`duty:`) instead",
                    );
                }
                let mut whens = 0;
                let triggers = p
                    .item
                    .triggers
                    .iter()
                    .filter_map(|t| {
                        let trigger = match &t.when {
                            Some(when) => {
                                whens += 1;
                                let reason = t.reason.as_ref();
                                Trigger::When(Box::new(self.when(when, t.scope, reason, &p.at, whens - 1)?))
                            }
                            None => Trigger::Clause(
                                self.clauses(std::slice::from_ref(&t.clause), &p.at, &ids, true).pop()?,
                            ),
                        };
                        let duty = t.duty.as_ref().and_then(|id| {
                            let index = duty_ids.iter().position(|d| d == id);
                            if index.is_none() {
                                self.diags.error(
                                    Code::UnknownId,
                                    &p.at,
                                    format!("no reporting duty has the id `{id}`"),
                                );
                            }
                            index
                        });
                        Some(TriggerRule { trigger, urgency: t.urgency, duty })
                    })
                    .collect();
                PartnerRule {
                    outcome: outcome(&p.at, &p.item.id, &p.item.label, &p.item.basis),
                    without_consent: p.item.without_consent,
                    triggers,
                }
            })
            .collect();
        let consistency_rules: Vec<ConsistencyRule> = checks
            .iter()
            .filter_map(|c| {
                let expr = self.expr(&c.item.when, &c.at, "when", 0, Scope::Family)?;
                Some(ConsistencyRule {
                    id: c.item.id.clone(),
                    path: c.item.path.clone(),
                    message: c.item.message.clone(),
                    expr,
                })
            })
            .collect();
        let deadline_rules = deadlines
            .iter()
            .map(|d| {
                self.check_period(&d.item.due_after, &d.at);
                DeadlineRule {
                    outcome: outcome(&d.at, &d.item.id, &d.item.label, &d.item.basis),
                    if_any: self.clauses(&d.item.if_any, &d.at, &ids, true),
                    due_after: d.item.due_after.clone(),
                }
            })
            .collect();
        let programme = self.programme(&programme::Known {
            criteria: ids.criteria.clone(),
            services: ids.services.clone(),
            partners: partners.iter().map(|p| p.item.id.as_str()).collect(),
            categories: ids.categories.clone(),
            levels: ids.levels.clone(),
        });
        let relevance = self.relevance(&questions);
        self.check_tests();

        if self.diags.has_errors() {
            return None;
        }
        let mut reads_any = Reads::default();
        let exprs = nodes
            .iter()
            .map(|n| &n.expr)
            .chain(member_facts.iter().map(|f| &f.expr))
            .chain(criterion_rules.iter().flat_map(|c| c.escalate.iter().map(|(_, e)| e)))
            .chain(
                service_rules
                    .iter()
                    .chain(&consultation_rules)
                    .filter_map(|s| s.when.as_ref().map(|w| &w.expr)),
            )
            .chain(partner_rules.iter().flat_map(|p: &PartnerRule| {
                p.triggers.iter().filter_map(|t| match &t.trigger {
                    Trigger::When(w) => Some(&w.expr),
                    Trigger::Clause(_) => None,
                })
            }))
            .chain(consistency_rules.iter().map(|c| &c.expr));
        for expr in exprs {
            reads_any.absorb(&expr.reads);
        }
        let relevance_of = |pattern: &str| -> Vec<usize> {
            relevance
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.patterns.iter().any(|p| pattern == p || pattern.starts_with(&format!("{p}/")))
                })
                .map(|(i, _)| i)
                .collect()
        };
        let readable_family = reads_any
            .family
            .iter()
            .map(|path| Readable {
                path: path.clone(),
                keys: path.split('/').skip(1).map(str::to_owned).collect(),
                member_slot: 0,
                family_slot: self
                    .names
                    .family_slots
                    .get(&path.trim_start_matches('/').replace('/', "."))
                    .copied(),
                relevance: relevance_of(path),
            })
            .collect();
        let readable_member = reads_any
            .own_member
            .iter()
            .chain(&reads_any.every_member)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|field| Readable {
                path: field.as_str().into(),
                keys: vec![field.clone()],
                member_slot: self.names.member_slots.get(field).copied().unwrap_or_default(),
                family_slot: None,
                relevance: relevance_of(&format!("/{MEMBERS}/*/{field}")),
            })
            .collect();
        let criterion_index =
            criterion_rules.iter().enumerate().map(|(i, c)| (c.outcome.id.clone(), i)).collect();
        let mut rules = RuleSet {
            shape: crate::compiled::shape::Shape::new(&questions),
            criterion_index,
            label_index: FastMap::default(),
            member_paths: Vec::new(),
            partner_consent: manifest.item.partner_consent.clone(),
            readable_family,
            readable_member,
            slots: {
                let mut slots = std::mem::take(&mut self.names.slots);
                slots.index(&questions);
                slots
            },
            id: manifest.item.id.clone(),
            version: manifest.item.version.clone(),
            title: manifest.item.title.clone(),
            in_force,
            digest: self.loaded.digest.clone(),
            layers: self.loaded.base.clone().map(|base| {
                std::sync::Arc::new(crate::load::layers::Layers {
                    base_id: base.id.as_str().into(),
                    base_version: base.version.as_str().into(),
                    base,
                    region_id: manifest.item.id.as_str().into(),
                    region_version: manifest.item.version.as_str().into(),
                    overriding: self
                        .layer_plan
                        .as_ref()
                        .map(layers::LayerPlan::overriding)
                        .unwrap_or_default(),
                })
            }),
            holidays,
            minimum_partner_urgency: manifest
                .item
                .minimum_partner_urgency
                .iter()
                .map(|m| (m.severity, m.urgency))
                .collect(),
            questions,
            relevance,
            parameters,
            member_facts,
            nodes,
            categories: category_rules,
            criteria: criterion_rules,
            levels: level_rules,
            services: service_rules,
            consultations: consultation_rules,
            partners: partner_rules,
            duties: duty_rules,
            deadlines: deadline_rules,
            consistency: consistency_rules,
            programme,
            draft: false,
            tests: self.loaded.tests.iter().map(|t| (t.at.clone(), t.item.clone())).collect(),
            engine: self.engine,
        };
        rules.resolve_refs();
        programme::resolve_responsible(&mut rules);
        rules.label_index =
            rules.labels().into_iter().map(|(id, label)| (Text::from(id), label.clone())).collect();
        Some(rules)
    }

    fn slot_of(&self, name: &str) -> usize {
        self.names.family_slots.get(name).copied().unwrap_or_default()
    }
}

fn rule_id(rule: &str) -> Option<&str> {
    let start = rule.find('`')? + 1;
    let end = start + rule[start..].find('`')?;
    let id = &rule[start..end];
    // `members.role` → the question's own id line is `id: role`.
    Some(id.rsplit('.').next().unwrap_or(id))
}

fn check_snake_case(id: &str, at: &At, diags: &mut Diagnostics) {
    let ok = id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
    if !ok {
        diags.error(
            Code::BadId,
            at,
            "an id is written in ASCII snake_case (a-z, 0-9, _), starting with a letter",
        );
    }
}
