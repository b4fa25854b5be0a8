//! Expressions: parsed once by Rhai, checked against the rule set's names, what they read, native form; and the dependency order of the rules.

use std::collections::{BTreeSet, HashMap};

use rhai::AST;

use crate::compiled::program::Program;
use crate::compiled::{Expr, Node, NodeKind, Reads};
use crate::diagnostic::{At, Code};
use crate::format::model::Scope;

use crate::sandbox;

use crate::format::model::MEMBER;

/// The outcome of loading a rule set: the rule set if it has no errors, and every problem.
use super::*;

impl Compiler<'_> {
    /// Compiles the `nth` expression under `key` of a rule, and works out what it reads.
    pub(super) fn expr(&mut self, text: &str, at: &At, key: &str, nth: usize, scope: Scope) -> Option<Expr> {
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
                    Code::RhaiSyntax,
                    &at.below(line.unwrap_or(0)),
                    format!("syntax error: {}", error.err_type()),
                );
                return None;
            }
        };
        if let Some((message, position)) = sandbox::forbidden(&ast) {
            let line = position.line().map(|l| l.saturating_sub(1));
            self.diags.error(Code::Forbidden, &at.below(line.unwrap_or(0)), message);
            return None;
        }
        let parsed = lower::Parsed::new(&ast);
        let refs = parsed.references();
        let unknown =
            refs.iter().find(|r| !r.closure_param && !r.local && !self.names.is_visible(&r.root, scope));
        if let Some(r) = unknown {
            self.diags.error(
                Code::UnknownName,
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
        let native = parsed.lower(&resolver).map(|tree| Program::flatten(&tree));
        drop(parsed);
        Some(Expr { ast, native, at, reads })
    }

    /// What an expression reads, and errors for fields no question defines.
    pub(super) fn reads(&mut self, refs: &[lower::Ref], at: &At, scope: Scope) -> Reads {
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
                        Code::UnknownField,
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
                        Code::UnknownField,
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
    pub(super) fn order(&mut self, nodes: Vec<Node>) -> Vec<Node> {
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
                        Code::Cycle,
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
                    self.diags.error(Code::TooDeep, &node.expr.at, message);
                }
                return ordered;
            }
            for mut node in ready {
                if node.expr.reads.derived.contains(node.id.as_str())
                    || node.expr.reads.outcomes.contains(&node.id)
                {
                    self.diags.error(Code::Cycle, &node.expr.at, "the rule uses itself");
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
}
