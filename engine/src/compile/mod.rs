//! Load → check → compile: turns a rule set's files into a [`RuleSet`], collecting every
//! problem on the way (file, line, rule, plain message).

pub(crate) mod lower;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rhai::{Engine, Module, Scope as RhaiScope, AST};

use crate::compiled::{
    Clause, ConsistencyRule, CriterionRule, DeadlineRule, Expr, Fact, FamilySource, LevelRule, Node,
    NodeKind, Outcome, Parameter, PartnerRule, Readable, Reads, Relevance, RuleSet, ServiceRule, Slots,
    Trigger, TriggerRule, When,
};
use crate::dates;
use crate::diagnostic::{At, Diagnostic, Diagnostics};
use crate::format::model::{self, QuestionType, RuleFile, Scope};
use crate::format::vocab::{Labels, Severity};
use crate::load::source::RuleSource;
use crate::load::{self, FileLines, Located};

use crate::sandbox;

use crate::format::model::{MEMBER, MEMBERS};

/// The outcome of loading a rule set: the rule set if it has no errors, and every problem.
pub struct Loaded {
    /// The compiled rule set, unless an error prevents it.
    pub ruleset: Option<RuleSet>,
    /// Every error and warning found.
    pub diagnostics: Vec<Diagnostic>,
}

pub(crate) fn compile(source: &dyn RuleSource) -> Loaded {
    let mut diags = Diagnostics::default();
    let loaded = load::load(source, &mut diags);
    // A file that does not parse would make every name it defines look unknown elsewhere.
    let ruleset = if diags.has_errors() { None } else { Compiler::new(&loaded, &mut diags).run() };
    let has_errors = diags.has_errors();
    Loaded { ruleset: if has_errors { None } else { ruleset }, diagnostics: diags.0 }
}

/// What names an expression may use, and what they are.
#[derive(Default)]
struct Names {
    /// Top-level questions that are sections, with their fields.
    sections: BTreeMap<String, BTreeSet<String>>,
    /// Top-level scalar questions (`as_of`).
    scalars: BTreeSet<String>,
    /// Fields of a member record.
    member_fields: BTreeSet<String>,
    /// Member facts and what they read.
    member_facts: BTreeMap<String, Reads>,
    /// Parameters by id.
    parameters: BTreeMap<String, usize>,
    /// Derived facts, categories and criteria.
    derived: BTreeSet<String>,
    outcomes: BTreeSet<String>,
    /// Fixed slots by name: `as_of`, `survey_act.food_present`, parameters, facts, outcomes.
    family_slots: BTreeMap<String, usize>,
    /// Member slots by name: fields, then facts.
    member_slots: BTreeMap<String, usize>,
    slots: Slots,
}

impl Names {
    fn add_family_slot(&mut self, name: String, source: FamilySource) {
        self.family_slots.insert(name, self.slots.family.len());
        self.slots.family.push(source);
    }

    fn add_member_slot(&mut self, name: String, kind: Option<QuestionType>) {
        self.member_slots.insert(name.clone(), self.slots.member.len());
        self.slots.member.push((name, kind));
    }
}

/// Resolves names for native compilation (see `native`).
struct SlotResolver<'n> {
    names: &'n Names,
    has_member: bool,
}

impl lower::Resolve for SlotResolver<'_> {
    fn family(&self, root: &str, field: Option<&str>) -> Option<usize> {
        match field {
            Some(field) if self.names.sections.contains_key(root) => {
                self.names.family_slots.get(&format!("{root}.{field}")).copied()
            }
            Some(_) => None,
            None => self.names.family_slots.get(root).copied(),
        }
    }

    fn member(&self, field: &str) -> Option<usize> {
        self.names.member_slots.get(field).copied()
    }

    fn has_member(&self) -> bool {
        self.has_member
    }
}

impl Names {
    /// Whether an expression in `scope` may use `name`.
    fn is_visible(&self, name: &str, scope: Scope) -> bool {
        self.scalars.contains(name)
            || self.sections.contains_key(name)
            || name == MEMBERS
            || self.parameters.contains_key(name)
            || self.derived.contains(name)
            || self.outcomes.contains(name)
            || (scope == Scope::Member && name == MEMBER)
    }
}

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
}

impl<'a> Compiler<'a> {
    fn new(loaded: &'a load::Parsed, diags: &'a mut Diagnostics) -> Self {
        let mut engine = sandbox::new_engine();
        for (file, text) in &loaded.functions {
            let ast = match engine.compile(text) {
                Ok(ast) => ast,
                Err(error) => {
                    diags.error(
                        "rules::rhai-syntax",
                        &At { line: error.position().line(), ..At::file(file) },
                        format!("syntax error: {}", error.err_type()),
                    );
                    continue;
                }
            };
            if let Some((message, position)) = sandbox::forbidden(&ast) {
                diags.error("rules::forbidden", &At { line: position.line(), ..At::file(file) }, message);
                continue;
            }
            sandbox::budget::start();
            match Module::eval_ast_as_new(RhaiScope::new(), &ast, &engine) {
                Ok(module) => {
                    engine.register_global_module(module.into());
                }
                Err(error) => diags.error(
                    "rules::functions",
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
        }
    }

    /// Every item of one kind across the files, located.
    fn items<T: Clone>(
        &self,
        pick: impl Fn(&RuleFile) -> &Vec<T>,
        id: impl Fn(&T) -> &str,
        what: &str,
    ) -> Vec<Located<T>> {
        let mut out = Vec::new();
        for (file, rules) in &self.loaded.files {
            let lines = self.file_lines.get(file.as_str());
            for item in pick(rules) {
                let line = lines.and_then(|lines| lines.item(id(item)).line);
                let rule = Some(format!("{what} `{}`", id(item)));
                out.push(Located { at: At { file: file.clone(), line, rule }, item: item.clone() });
            }
        }
        out
    }

    fn run(mut self) -> Option<RuleSet> {
        let manifest = self.loaded.manifest.clone()?;
        let (in_force, holidays) = self.manifest_dates(&manifest);
        let questions = self.questions();
        let parameters = self.parameters();
        let member_facts = self.member_facts();
        let categories = self.items(|f| &f.categories, |c| &c.id, "category");
        let criteria = self.items(|f| &f.criteria, |c| &c.id, "criterion");
        let derived = self.items(|f| &f.derived, |d| &d.id, "derived fact");
        let levels = self.items(|f| &f.levels, |l| &l.id, "level");
        let services = self.items(|f| &f.urgent_services, |s| &s.id, "urgent service");
        let consultations = self.items(|f| &f.consultations, |s| &s.id, "consultation");
        let partners = self.items(|f| &f.partners, |p| &p.id, "partner");
        let duties = self.items(|f| &f.reporting_duties, |d| &d.id, "reporting duty");
        let deadlines = self.items(|f| &f.deadlines, |d| &d.id, "deadline");
        let checks = self.items(|f| &f.consistency_checks, |c| &c.id, "consistency check");

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
                            "rules::escalation-not-higher",
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
                        "rules::consent-per-partner",
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
                                    "rules::unknown-id",
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
            member_paths: Vec::new(),
            partner_consent: manifest.item.partner_consent.clone(),
            readable_family,
            readable_member,
            slots: {
                let mut slots = std::mem::take(&mut self.names.slots);
                slots.index();
                slots
            },
            id: manifest.item.id.clone(),
            version: manifest.item.version.clone(),
            title: manifest.item.title.clone(),
            in_force,
            digest: self.loaded.digest.clone(),
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
            draft: false,
            tests: self.loaded.tests.iter().map(|t| (t.at.clone(), t.item.clone())).collect(),
            engine: self.engine,
        };
        rules.resolve_refs();
        Some(rules)
    }

    /// An urgent service or a consultation.
    fn service(&mut self, s: &Located<model::Service>, ids: &Ids) -> ServiceRule {
        let when = s.item.when.as_ref();
        ServiceRule {
            outcome: outcome(&s.at, &s.item.id, &s.item.label, &s.item.basis),
            if_any: self.clauses(&s.item.if_any, &s.at, ids, true),
            when: when.and_then(|w| self.when(w, s.item.scope, s.item.reason.as_ref(), &s.at, 0)),
        }
    }

    /// The `nth` Rhai condition of a service, consultation or partner trigger, with its words
    /// for people: its own `reason`, or the labels of the questions it reads (and a warning).
    fn when(
        &mut self,
        text: &str,
        scope: Scope,
        reason: Option<&Labels>,
        at: &At,
        nth: usize,
    ) -> Option<When> {
        let expr = self.expr(text, at, "when", nth, scope)?;
        let reason = match reason {
            Some(reason) => {
                self.check_labels(reason, &expr.at);
                reason.clone()
            }
            None => {
                self.diags.warning(
                    "rules::unlabelled-reason",
                    &expr.at,
                    "a `when:` without `reason:`: the assessment can only name the questions it reads",
                );
                self.labels_of_reads(&expr.reads)
            }
        };
        Some(When { expr, scope, reason })
    }

    /// «по ответам: <question>; <question>» for what an expression reads.
    fn labels_of_reads(&self, reads: &Reads) -> Labels {
        let fields = reads.own_member.iter().chain(&reads.every_member).map(|f| f.to_string());
        let paths = reads.family.iter().map(|p| p.to_string()).chain(fields);
        let mut ru = Vec::new();
        let mut en = Vec::new();
        for key in paths {
            if let Some(label) = self.question_labels.get(&key) {
                if !ru.contains(&label.ru) {
                    ru.push(label.ru.clone());
                    en.push(label.en.clone());
                }
            }
        }
        Labels::new(
            &format!("по ответам: {}", ru.join("; ")),
            &format!("from the answers: {}", en.join("; ")),
        )
    }

    fn slot_of(&self, name: &str) -> usize {
        self.names.family_slots.get(name).copied().unwrap_or_default()
    }

    fn manifest_dates(
        &mut self,
        manifest: &Located<model::Manifest>,
    ) -> ((jiff::civil::Date, Option<jiff::civil::Date>), BTreeSet<jiff::civil::Date>) {
        let at = &manifest.at;
        let from = self.date(&manifest.item.in_force.from, at, "in_force.from");
        let to = manifest.item.in_force.to.as_ref().map(|to| self.date(to, at, "in_force.to"));
        let holidays = manifest.item.holidays.iter().map(|h| self.date(h, at, "holidays")).collect();
        for (text, what) in [(&manifest.item.id, "id"), (&manifest.item.version, "version")] {
            if text.trim().is_empty() {
                self.diags.error("rules::missing", at, format!("the rule set's {what} is empty"));
            }
        }
        self.check_labels(&manifest.item.title, at);
        ((from, to), holidays)
    }

    fn date(&mut self, text: &str, at: &At, what: &str) -> jiff::civil::Date {
        dates::parse(text).unwrap_or_else(|| {
            self.diags.error("rules::bad-date", at, format!("`{what}` is not a date YYYY-MM-DD"));
            jiff::civil::Date::default()
        })
    }

    fn check_labels(&mut self, labels: &Labels, at: &At) {
        for (lang, text) in [("ru", &labels.ru), ("en", &labels.en)] {
            if text.trim().is_empty() {
                self.diags.error("rules::missing-label", at, format!("the `{lang}` label is empty"));
            }
        }
    }

    fn check_ids<T>(&mut self, items: &[Located<T>], parts: impl Fn(&T) -> (&String, &Labels)) {
        let mut seen: BTreeMap<String, At> = BTreeMap::new();
        for item in items {
            let (id, labels) = parts(&item.item);
            check_snake_case(id, &item.at, self.diags);
            self.check_labels(labels, &item.at);
            if let Some(first) = seen.get(id) {
                let place = first.line.map_or(first.file.clone(), |l| format!("{}:{l}", first.file));
                self.diags.error(
                    "rules::duplicate-id",
                    &item.at,
                    format!("the id `{id}` is already used (at {place})"),
                );
            } else {
                seen.insert(id.clone(), item.at.clone());
            }
        }
    }

    fn questions(&mut self) -> Vec<model::Question> {
        let located = self.items(|f| &f.questions, |q| &q.id, "question");
        self.check_ids(&located, |q| (&q.id, &q.label));
        let mut questions = Vec::new();
        for q in located {
            self.check_question(&q.item, &q.at);
            match q.item.kind {
                QuestionType::Section | QuestionType::Records => {
                    for field in &q.item.questions {
                        let key = if q.item.id == MEMBERS {
                            field.id.clone()
                        } else {
                            format!("/{}/{}", q.item.id, field.id)
                        };
                        self.question_labels.insert(key, field.label.clone());
                    }
                }
                _ => {
                    self.question_labels.insert(format!("/{}", q.item.id), q.item.label.clone());
                }
            }
            match q.item.kind {
                QuestionType::Section => {
                    let fields = q.item.questions.iter().map(|f| f.id.clone()).collect();
                    self.names.sections.insert(q.item.id.clone(), fields);
                    for field in &q.item.questions {
                        let source = FamilySource::Answer {
                            section: Some(q.item.id.clone()),
                            id: field.id.clone(),
                            kind: field.kind,
                        };
                        self.names.add_family_slot(format!("{}.{}", q.item.id, field.id), source);
                    }
                }
                QuestionType::Records if q.item.id == MEMBERS => {
                    self.names.member_fields = q.item.questions.iter().map(|f| f.id.clone()).collect();
                    for field in &q.item.questions {
                        self.names.add_member_slot(field.id.clone(), Some(field.kind));
                    }
                }
                QuestionType::Records => {
                    self.names.sections.insert(q.item.id.clone(), BTreeSet::new());
                }
                _ => {
                    self.names.scalars.insert(q.item.id.clone());
                    let source =
                        FamilySource::Answer { section: None, id: q.item.id.clone(), kind: q.item.kind };
                    self.names.add_family_slot(q.item.id.clone(), source);
                }
            }
            questions.push(q.item);
        }
        questions
    }

    fn check_question(&mut self, q: &model::Question, at: &At) {
        let nested = matches!(q.kind, QuestionType::Section | QuestionType::Records);
        let at = At { rule: Some(format!("question `{}`", q.id)), ..at.clone() };
        if nested && q.questions.is_empty() {
            self.diags.error("rules::empty-section", &at, "a section or records question needs `questions`");
        }
        if !nested && !q.questions.is_empty() {
            self.diags.error(
                "rules::not-a-section",
                &at,
                "only section and records questions hold `questions`",
            );
        }
        let enumerated = matches!(q.kind, QuestionType::Enum | QuestionType::EnumList);
        if enumerated && q.values.is_empty() {
            self.diags.error("rules::no-values", &at, "an enum question needs `values`");
        }
        for value in &q.values {
            self.check_labels(&value.label, &at);
        }
        if let Some(unique) = &q.unique {
            if !q.questions.iter().any(|f| &f.id == unique) {
                self.diags.error("rules::unknown-field", &at, format!("`unique` names no field `{unique}`"));
            }
        }
        let mut seen = BTreeSet::new();
        for field in &q.questions {
            self.check_labels(&field.label, &at);
            check_snake_case(&field.id, &at, self.diags);
            if !seen.insert(field.id.as_str()) {
                self.diags.error(
                    "rules::duplicate-id",
                    &at,
                    format!("the field `{}` appears twice", field.id),
                );
            }
            if !field.questions.is_empty() {
                self.diags.error(
                    "rules::nesting",
                    &at,
                    format!("the field `{}` nests too deep (one level of sections only)", field.id),
                );
            }
            self.check_question(field, &at);
        }
    }

    fn parameters(&mut self) -> Vec<Parameter> {
        let located = self.items(|f| &f.parameters, |p| &p.id, "parameter");
        self.check_ids(&located, |p| (&p.id, &p.label));
        let mut out = Vec::new();
        for p in located {
            let mut values = Vec::new();
            for v in &p.item.values {
                let from = self.date(&v.from, &p.at, "from");
                let to = v.to.as_ref().map(|to| self.date(to, &p.at, "to"));
                if !v.value.is_finite() {
                    self.diags.error("rules::bad-value", &p.at, "a parameter value must be a finite number");
                }
                values.push((from, to, v.value, v.basis.clone()));
            }
            values.sort_by_key(|(from, ..)| *from);
            for pair in values.windows(2) {
                if let [(_, to, ..), (next_from, ..)] = pair {
                    if to.is_none_or(|to| to >= *next_from) {
                        self.diags.error(
                            "rules::overlapping-periods",
                            &p.at,
                            format!("two values overlap: one has no end or ends on or after {next_from}"),
                        );
                    }
                }
            }
            self.names.parameters.insert(p.item.id.clone(), out.len());
            self.names.add_family_slot(p.item.id.clone(), FamilySource::Parameter(out.len()));
            out.push(Parameter { id: p.item.id, label: p.item.label, values });
        }
        out
    }

    fn member_facts(&mut self) -> Vec<Fact> {
        let located = self.items(|f| &f.member_facts, |f| &f.id, "member fact");
        self.check_ids(&located, |f| (&f.id, &f.label));
        let mut facts = Vec::new();
        for f in &located {
            if !self.names.member_slots.contains_key(&f.item.id) {
                self.names.add_member_slot(f.item.id.clone(), None);
            }
        }
        for f in located {
            if self.names.member_fields.contains(&f.item.id) {
                self.diags.error(
                    "rules::duplicate-id",
                    &f.at,
                    "a member fact may not share its name with a member question",
                );
            }
            if let Some(expr) = self.expr(&f.item.value, &f.at, "value", 0, Scope::Member) {
                self.names.member_facts.insert(f.item.id.clone(), expr.reads.clone());
                let slot = self.names.member_slots.get(&f.item.id).copied().unwrap_or_default();
                facts.push(Fact { id: f.item.id, slot, expr });
            }
        }
        facts
    }

    /// Compiles the `nth` expression under `key` of a rule, and works out what it reads.
    fn expr(&mut self, text: &str, at: &At, key: &str, nth: usize, scope: Scope) -> Option<Expr> {
        let start = at.line.and_then(|_| {
            let lines = self.file_lines.get(at.file.as_str())?;
            lines.item(at.rule.as_deref().and_then(rule_id).unwrap_or("")).expression(key, nth)
        });
        let at = At { line: start.or(at.line), ..at.clone() };
        // One parse, by Rhai: what the expression reads and its native form come from the AST.
        // Names are checked here (not by Rhai's strict mode, which needs a scope of every name
        // and made checking quadratic in the number of rules).
        let ast: AST = match self.engine.compile_expression(text) {
            Ok(ast) => ast,
            Err(error) => {
                let line = error.position().line().map(|l| l.saturating_sub(1));
                self.diags.error(
                    "rules::rhai-syntax",
                    &at.below(line.unwrap_or(0)),
                    format!("syntax error: {}", error.err_type()),
                );
                return None;
            }
        };
        if let Some((message, position)) = sandbox::forbidden(&ast) {
            let line = position.line().map(|l| l.saturating_sub(1));
            self.diags.error("rules::forbidden", &at.below(line.unwrap_or(0)), message);
            return None;
        }
        let parsed = lower::Parsed::new(&ast);
        let refs = parsed.references();
        let unknown =
            refs.iter().find(|r| !r.closure_param && !r.local && !self.names.is_visible(&r.root, scope));
        if let Some(r) = unknown {
            self.diags.error(
                "rules::unknown-name",
                &at.below(r.line - 1),
                format!(
                    "unknown name `{}`: no question, fact, parameter, category or criterion is called so",
                    r.root
                ),
            );
            return None;
        }
        let reads = self.reads(&refs, &at, scope);
        let resolver = SlotResolver { names: &self.names, has_member: scope == Scope::Member };
        let native = parsed.lower(&resolver);
        drop(parsed);
        Some(Expr { ast, native, at, reads })
    }

    /// What an expression reads, and errors for fields no question defines.
    fn reads(&mut self, refs: &[lower::Ref], at: &At, scope: Scope) -> Reads {
        let mut reads = Reads::default();
        for r in refs.iter().filter(|r| !r.local) {
            let here = at.below(r.line - 1);
            let n = &self.names;
            let is_member = r.root == MEMBER && scope == Scope::Member && !r.closure_param;
            if is_member || r.closure_param {
                let Some(field) = r.field.clone() else { continue };
                let target = if is_member { &mut reads.own_member } else { &mut reads.every_member };
                if let Some(fact) = n.member_facts.get(&field) {
                    target.extend(fact.own_member.iter().cloned());
                    reads.family.extend(fact.family.iter().cloned());
                    reads.parameters.extend(fact.parameters.iter().copied());
                } else if n.member_fields.contains(&field) {
                    target.insert(field);
                } else if is_member || !n.sections.values().any(|s| s.contains(&field)) {
                    self.diags.error(
                        "rules::unknown-field",
                        &here,
                        format!("a member has no field or fact `{field}`"),
                    );
                }
            } else if let Some(fields) = n.sections.get(&r.root) {
                match &r.field {
                    Some(field) if fields.contains(field) => {
                        reads.family.insert(format!("/{}/{field}", r.root).into());
                    }
                    Some(field) => self.diags.error(
                        "rules::unknown-field",
                        &here,
                        format!("`{}` has no field `{field}`", r.root),
                    ),
                    None => {}
                }
            } else if n.scalars.contains(&r.root) {
                reads.family.insert(format!("/{}", r.root).into());
            } else if let Some(&index) = n.parameters.get(&r.root) {
                reads.parameters.insert(index);
            } else if n.derived.contains(&r.root) {
                reads.derived.insert(r.root.as_str().into());
            } else if n.outcomes.contains(&r.root) {
                reads.outcomes.insert(r.root.clone());
            }
        }
        reads
    }

    /// Orders derived facts, categories and criteria so that each comes after what it uses,
    /// and completes every node's reads with those of the facts it uses.
    fn order(&mut self, nodes: Vec<Node>) -> Vec<Node> {
        let mut pending: Vec<Node> = nodes;
        let mut ordered: Vec<Node> = Vec::new();
        let mut done: BTreeSet<String> = BTreeSet::new();
        // Where each derived fact stands in `ordered`, to complete the reads of those using it.
        let mut derived_at: HashMap<String, usize> = HashMap::new();
        let mut depth = 0;
        while !pending.is_empty() {
            let (ready, waiting): (Vec<Node>, Vec<Node>) = pending.into_iter().partition(|node| {
                let reads = &node.expr.reads;
                let uses =
                    reads.derived.iter().map(|d| &**d).chain(reads.outcomes.iter().map(String::as_str));
                uses.into_iter().all(|d| done.contains(d) || d == node.id)
            });
            if ready.is_empty() {
                let ids: Vec<&str> = waiting.iter().map(|n| n.id.as_str()).collect();
                for node in &waiting {
                    self.diags.error(
                        "rules::cycle",
                        &node.expr.at,
                        format!("rules depend on each other in a circle: {}", ids.join(", ")),
                    );
                }
                return ordered;
            }
            depth += 1;
            if depth > MAX_RULE_DEPTH {
                // Each level's reads include those of the levels below: a long chain of rules
                // would make checking (and every explanation) grow with the square of its length.
                if let Some(node) = ready.first() {
                    let message =
                        format!("rules build on one another more than {MAX_RULE_DEPTH} levels deep");
                    self.diags.error("rules::too-deep", &node.expr.at, message);
                }
                return ordered;
            }
            for mut node in ready {
                if node.expr.reads.derived.contains(node.id.as_str())
                    || node.expr.reads.outcomes.contains(&node.id)
                {
                    self.diags.error("rules::cycle", &node.expr.at, "the rule uses itself");
                }
                let used: Vec<Reads> = node
                    .expr
                    .reads
                    .derived
                    .iter()
                    .filter_map(|id| derived_at.get(&**id).and_then(|&i| ordered.get(i)))
                    .map(|o| o.expr.reads.clone())
                    .collect();
                for u in &used {
                    node.expr.reads.absorb(u);
                }
                done.insert(node.id.clone());
                if node.kind == NodeKind::Derived {
                    derived_at.insert(node.id.clone(), ordered.len());
                }
                ordered.push(node);
            }
            pending = waiting;
        }
        ordered
    }

    fn clauses(
        &mut self,
        clauses: &[model::Clause],
        at: &At,
        ids: &Ids,
        levels_allowed: bool,
    ) -> Vec<Clause> {
        let mut out = Vec::new();
        for c in clauses {
            let mut resolve = |list: &[&str], id: &Option<String>, what: &str| -> Option<usize> {
                let id = id.as_ref()?;
                let index = list.iter().position(|x| x == id);
                if index.is_none() {
                    self.diags.error("rules::unknown-id", at, format!("no {what} has the id `{id}`"));
                }
                index
            };
            let category = resolve(&ids.categories, &c.category, "category");
            let criterion = resolve(&ids.criteria, &c.criterion, "criterion");
            let service = resolve(&ids.services, &c.urgent_service, "urgent service");
            let levels: Vec<usize> =
                c.level.iter().filter_map(|l| resolve(&ids.levels, &Some(l.clone()), "level")).collect();
            if !levels_allowed && !c.level.is_empty() {
                self.diags.error("rules::level-in-level", at, "a level's clause cannot depend on the level");
            }
            if !levels_allowed && (c.urgent_service.is_some() || c.any_urgent_service) {
                self.diags.error(
                    "rules::service-in-level",
                    at,
                    "a level's clause cannot depend on urgent services (they follow from the level)",
                );
            }
            if c.at_least.is_some() && c.severity.is_none() {
                self.diags.error(
                    "rules::at-least",
                    at,
                    "`at_least` counts criteria of a `severity`, which is missing",
                );
            }
            let clause = Clause {
                category,
                criterion,
                severity: c.severity.map(|s| (s, c.at_least.unwrap_or(1).max(1))),
                levels,
                service,
                any_service: c.any_urgent_service,
            };
            if clause == Clause::default() {
                self.diags.error("rules::empty-clause", at, "a clause must name a category, criterion, severity, level or urgent service (or any_urgent_service)");
            }
            out.push(clause);
        }
        out
    }

    fn levels(
        &mut self,
        levels: &[Located<model::Level>],
        ids: &Ids,
        criteria: &[CriterionRule],
    ) -> Vec<LevelRule> {
        let reachable_severities: BTreeSet<Severity> = criteria
            .iter()
            .flat_map(|c| std::iter::once(c.severity).chain(c.escalate.iter().map(|(s, _)| *s)))
            .collect();
        let mut rules: Vec<LevelRule> = Vec::new();
        let mut earlier: Vec<Clause> = Vec::new();
        for (index, l) in levels.iter().enumerate() {
            let if_any = self.clauses(&l.item.if_any, &l.at, ids, false);
            let last = index + 1 == levels.len();
            if let Some(review) = &l.item.review_after {
                self.check_period(review, &l.at);
            }
            if l.item.otherwise && !last {
                self.diags.error(
                    "rules::unreachable-level",
                    &l.at,
                    "only the last level can be `otherwise`; the levels after it can never be reached",
                );
            } else if last && !l.item.otherwise {
                self.diags.error(
                    "rules::no-default-level",
                    &l.at,
                    "the last level must be `otherwise: true`, so that every family gets a level",
                );
            } else if !l.item.otherwise {
                let impossible =
                    |c: &Clause| c.severity.is_some_and(|(s, _)| !reachable_severities.contains(&s));
                let shadowed = |c: &Clause| earlier.iter().any(|e| subsumes(e, c));
                if if_any.is_empty() {
                    self.diags.error(
                        "rules::unreachable-level",
                        &l.at,
                        "the level has no `if_any` clauses and is not `otherwise`: no family can reach it",
                    );
                } else if if_any.iter().all(|c| impossible(c) || shadowed(c)) {
                    self.diags.error(
                        "rules::unreachable-level",
                        &l.at,
                        "no family can reach this level: each clause needs a severity no criterion has, or is already covered by a higher level",
                    );
                }
            }
            earlier.extend(if_any.iter().cloned());
            rules.push(LevelRule {
                outcome: outcome(&l.at, &l.item.id, &l.item.label, &l.item.basis),
                if_any,
                otherwise: l.item.otherwise,
                review_after: l.item.review_after.clone(),
            });
        }
        if rules.is_empty() {
            self.diags.error("rules::no-levels", &At::file("levels.yaml"), "the rule set defines no levels");
        }
        rules
    }

    fn check_period(&mut self, period: &model::Period, at: &At) {
        let given = [period.days, period.working_days, period.months, period.years]
            .iter()
            .filter(|p| p.is_some())
            .count();
        if given != 1 {
            self.diags.error(
                "rules::bad-period",
                at,
                "a period gives exactly one of days, working_days, months, years",
            );
        }
    }

    fn relevance(&mut self, questions: &[model::Question]) -> Vec<Relevance> {
        let mut out: Vec<Relevance> = Vec::new();
        let mut shared: BTreeMap<(String, bool), usize> = BTreeMap::new();
        for q in questions {
            let at =
                At { line: None, rule: Some(format!("question `{}`", q.id)), ..self.file_of_question(&q.id) };
            let (scope, prefix) = if q.kind == QuestionType::Records {
                (Scope::Member, format!("/{}/*", q.id))
            } else {
                (Scope::Family, format!("/{}", q.id))
            };
            let mut conditions = Vec::new();
            if let Some(when) = &q.relevant_when {
                conditions.push((when, at.clone(), Scope::Family, format!("/{}", q.id)));
            }
            for field in &q.questions {
                if let Some(when) = &field.relevant_when {
                    let at = At { rule: Some(format!("question `{}.{}`", q.id, field.id)), ..at.clone() };
                    conditions.push((when, at, scope, format!("{prefix}/{}", field.id)));
                }
            }
            for (when, at, scope, pattern) in conditions {
                let key = (when.trim().to_owned(), scope == Scope::Member);
                if let Some(&index) = shared.get(&key) {
                    if let Some(r) = out.get_mut(index) {
                        r.patterns.push(pattern);
                    }
                } else if let Some(expr) = self.expr(when, &at, "relevant_when", 0, scope) {
                    shared.insert(key, out.len());
                    out.push(Relevance { patterns: vec![pattern], expr });
                }
            }
        }
        out
    }

    fn file_of_question(&self, id: &str) -> At {
        for (file, rules) in &self.loaded.files {
            if rules.questions.iter().any(|q| q.id == id) {
                return At::file(file);
            }
        }
        At::default()
    }

    fn check_tests(&mut self) {
        if self.loaded.tests.is_empty() {
            self.diags.warning("rules::no-tests", &At::file("tests/"), "the rule set carries no test cases");
        }
        for test in &self.loaded.tests {
            if test.item.expect.is_empty() {
                self.diags.error(
                    "rules::empty-expectation",
                    &test.at,
                    "the test case expects nothing, so it cannot fail: say at least the level under `expect:`",
                );
            }
        }
    }
}

/// Clause `a` holds whenever clause `b` holds (so `b` adds nothing after `a`).
fn subsumes(a: &Clause, b: &Clause) -> bool {
    let same = |x: Option<usize>, y: Option<usize>| x.is_none() || x == y;
    let severity = match (a.severity, b.severity) {
        (None, _) => true,
        (Some((sa, na)), Some((sb, nb))) => sa == sb && na <= nb,
        (Some(_), None) => false,
    };
    same(a.category, b.category)
        && same(a.criterion, b.criterion)
        && same(a.service, b.service)
        && severity
        && a.levels.is_empty()
        && !a.any_service
}

struct Ids<'a> {
    categories: Vec<&'a str>,
    criteria: Vec<&'a str>,
    levels: Vec<&'a str>,
    services: Vec<&'a str>,
}

fn outcome(at: &At, id: &str, label: &Labels, basis: &[crate::format::vocab::Basis]) -> Outcome {
    Outcome { id: id.into(), label: label.clone(), basis: basis.into(), at: at.clone() }
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
            "rules::bad-id",
            at,
            "an id is written in ASCII snake_case (a-z, 0-9, _), starting with a letter",
        );
    }
}
