//! Criteria of two layers that judge one circumstance differently: a regional criterion and a
//! base criterion that read the same answers themselves (not through facts), with different
//! severities (or escalations that may make them differ), and can both hold for
//! one family (then both are met, and the graver one decides the level — which the region may
//! not mean). Whether both can hold is decided from the conditions where they are conjunctions
//! of answers compared with fixed values (thresholds, enum values, yes/no); otherwise `check`
//! says it cannot decide.

use std::collections::{BTreeMap, BTreeSet};

use crate::compiled::program::{Cmp, Lit, Node as Tree, Slot};
use crate::compiled::{FamilySource, Node, NodeKind};
use crate::diagnostic::Code;
use crate::format::model::{self, Scope, MEMBER, MEMBERS};
use crate::load::layers::is_base;
use crate::load::Located;

use super::lower;
use super::names::SlotResolver;
use super::Compiler;

/// Whether two conditions can hold together.
#[derive(Debug, PartialEq)]
enum Joint {
    Both,
    Never,
    Undecided,
}

/// What a conjunction requires of one answer.
#[derive(Debug, Default, Clone)]
struct Bounds {
    /// Least value and whether it is allowed.
    low: Option<(f64, bool)>,
    /// Greatest value and whether it is allowed.
    high: Option<(f64, bool)>,
    /// The only values allowed (text or yes/no), if restricted.
    one_of: Option<Vec<Lit>>,
    /// Values excluded.
    not: Vec<Lit>,
}

impl Bounds {
    fn is_empty(&self) -> bool {
        if let (Some((low, low_in)), Some((high, high_in))) = (self.low, self.high) {
            if low > high || (low == high && !(low_in && high_in)) {
                return true;
            }
        }
        match &self.one_of {
            Some(values) => values.iter().all(|v| self.not.contains(v)) || values.is_empty(),
            None => false,
        }
    }

    fn restrict(&mut self, values: Vec<Lit>) {
        self.one_of = Some(match self.one_of.take() {
            Some(now) => now.into_iter().filter(|v| values.contains(v)).collect(),
            None => values,
        });
    }

    fn compare(&mut self, cmp: Cmp, value: f64) {
        let tighter_low = |now: Option<(f64, bool)>, v: f64, incl: bool| match now {
            Some((l, li)) if l > v || (l == v && !li) => Some((l, li)),
            _ => Some((v, incl)),
        };
        let tighter_high = |now: Option<(f64, bool)>, v: f64, incl: bool| match now {
            Some((h, hi)) if h < v || (h == v && !hi) => Some((h, hi)),
            _ => Some((v, incl)),
        };
        match cmp {
            Cmp::Gt => self.low = tighter_low(self.low, value, false),
            Cmp::Ge => self.low = tighter_low(self.low, value, true),
            Cmp::Lt => self.high = tighter_high(self.high, value, false),
            Cmp::Le => self.high = tighter_high(self.high, value, true),
            Cmp::Eq => {
                self.low = tighter_low(self.low, value, true);
                self.high = tighter_high(self.high, value, true);
            }
            Cmp::Ne => {}
        }
    }
}

fn number(lit: &Lit) -> Option<f64> {
    match lit {
        Lit::Int(i) => Some(*i as f64),
        Lit::Float(f) => Some(*f),
        _ => None,
    }
}

fn flip(cmp: Cmp) -> Cmp {
    match cmp {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        other => other,
    }
}

/// Adds what `tree` requires of the answers to `bounds`; false if some part of it is not a
/// comparison of an answer with a fixed value (that part is left out).
fn conjunction(tree: &Tree, answer: &dyn Fn(usize) -> bool, bounds: &mut BTreeMap<usize, Bounds>) -> bool {
    let mut atom = |slot: &Slot, apply: &dyn Fn(&mut Bounds)| match slot {
        Slot::Family(s) if answer(*s) => {
            apply(bounds.entry(*s).or_default());
            true
        }
        _ => false,
    };
    match tree {
        Tree::And(a, b) => {
            let left = conjunction(a, answer, bounds);
            conjunction(b, answer, bounds) && left
        }
        Tree::Cmp(cmp, a, b) => {
            let (slot, lit, cmp) = match (&**a, &**b) {
                (Tree::Load(slot), Tree::Lit(lit)) => (slot, lit, *cmp),
                (Tree::Lit(lit), Tree::Load(slot)) => (slot, lit, flip(*cmp)),
                _ => return false,
            };
            // Left out (not analysed): `!=` a number (a hole in an interval), and comparisons
            // with `()` (an unanswered question compares unlike any value).
            match (number(lit), cmp, lit) {
                (_, _, Lit::Unit) | (Some(_), Cmp::Ne, _) => false,
                (Some(value), _, _) => atom(slot, &|b| b.compare(cmp, value)),
                (None, Cmp::Eq, _) => atom(slot, &|b| b.restrict(vec![lit.clone()])),
                (None, Cmp::Ne, _) => atom(slot, &|b| b.not.push(lit.clone())),
                (None, _, _) => false,
            }
        }
        // A list of texts or yes/no; a list of numbers is not weighed against intervals.
        Tree::InList(a, values) => match &**a {
            Tree::Load(slot) if values.iter().all(|v| matches!(v, Lit::Str(_) | Lit::Bool(_))) => {
                atom(slot, &|b| b.restrict(values.clone()))
            }
            _ => false,
        },
        Tree::Load(slot) => atom(slot, &|b| b.restrict(vec![Lit::Bool(true)])),
        _ => false,
    }
}

/// Whether the conditions `a` and `b` can hold for one family.
fn joint(a: Option<&Tree>, b: Option<&Tree>, answer: &dyn Fn(usize) -> bool) -> Joint {
    let mut bounds = BTreeMap::new();
    let whole_a = a.is_some_and(|a| conjunction(a, answer, &mut bounds));
    let whole_b = b.is_some_and(|b| conjunction(b, answer, &mut bounds));
    if bounds.values().any(Bounds::is_empty) {
        Joint::Never
    } else if whole_a && whole_b {
        Joint::Both
    } else {
        Joint::Undecided
    }
}

/// A criterion's severity, and the gravest it escalates to: `high`, `high–critical`.
fn severities(criterion: &model::Criterion) -> String {
    let gravest = criterion.escalate.iter().map(|e| e.severity).max().filter(|s| *s > criterion.severity);
    match gravest {
        Some(gravest) => format!("{}–{}", criterion.severity.id(), gravest.id()),
        None => criterion.severity.id().to_owned(),
    }
}

impl Compiler<'_> {
    /// The answers an expression reads itself (not through facts), as paths: `/section/field`,
    /// `/field`, or `/members/*/field`; the assessment date is left out, as nearly every rule
    /// reads it through ages.
    fn direct_answers(&self, node: &Node) -> BTreeSet<String> {
        let names = &self.names;
        let refs = lower::Parsed::new(&node.expr.ast).references();
        let mut out = BTreeSet::new();
        for r in refs.iter().filter(|r| !r.local) {
            let member = (r.root == MEMBER && node.scope == Scope::Member) || r.closure_param;
            match &r.field {
                Some(field) if member && names.member_fields.contains(field) => {
                    out.insert(format!("/{MEMBERS}/*/{field}"));
                }
                Some(field) if names.sections.get(&r.root).is_some_and(|f| f.contains(field)) => {
                    out.insert(format!("/{}/{field}", r.root));
                }
                None if names.scalars.contains(&r.root) && r.root != "as_of" => {
                    out.insert(format!("/{}", r.root));
                }
                _ => {}
            }
        }
        out
    }

    /// Reports regional criteria that judge a circumstance a base criterion also judges, with
    /// a different severity, when both can hold (or when that cannot be decided).
    pub(super) fn check_overlaps(&mut self, criteria: &[Located<model::Criterion>], nodes: &[Node]) {
        if self.loaded.base.is_none() {
            return;
        }
        let tree = |index: usize| {
            let node = nodes.iter().find(|n| n.kind == NodeKind::Criterion(index))?;
            Some((node, node.scope))
        };
        let slots = &self.names.slots.family;
        let answer = |slot: usize| matches!(slots.get(slot), Some(FamilySource::Answer { .. }));
        let mut found = Vec::new();
        for (r, region) in criteria.iter().enumerate().filter(|(_, c)| !is_base(&c.at.file)) {
            for (b, base) in criteria.iter().enumerate().filter(|(_, c)| is_base(&c.at.file)) {
                // Criteria that can escalate may differ in severity even where their own agree.
                let escalates = !region.item.escalate.is_empty() || !base.item.escalate.is_empty();
                if region.item.severity == base.item.severity && !escalates {
                    continue;
                }
                let (Some((rn, rs)), Some((bn, bs))) = (tree(r), tree(b)) else { continue };
                let (from_region, from_base) = (self.direct_answers(rn), self.direct_answers(bn));
                let shared: Vec<String> = from_region.intersection(&from_base).cloned().collect();
                if shared.is_empty() {
                    continue;
                }
                let lowered = |node: &Node, scope: Scope| {
                    let resolver = SlotResolver { names: &self.names, has_member: scope == Scope::Member };
                    lower::Parsed::new(&node.expr.ast).lower(&resolver)
                };
                let verdict = if rs == Scope::Member || bs == Scope::Member {
                    Joint::Undecided
                } else {
                    joint(lowered(rn, rs).as_ref(), lowered(bn, bs).as_ref(), &answer)
                };
                found.push((verdict, region, base, shared.join(", ")));
            }
        }
        for (verdict, region, base, read) in found {
            let place = base.at.line.map_or(base.at.file.clone(), |l| format!("{}:{l}", base.at.file));
            let (rid, bid) = (&region.item.id, &base.item.id);
            let (rsev, bsev) = (severities(&region.item), severities(&base.item));
            match verdict {
                Joint::Never => {}
                Joint::Both => self.diags.warning(
                    Code::LayersOverlap,
                    &region.at,
                    format!(
                        "the region's criterion `{rid}` ({rsev}) and the base's `{bid}` ({bsev}, at {place}) \
                         read the same answers ({read}) and can both hold for one family: both are then met \
                         and the graver decides the level; to replace the base's judgement, override `{bid}`"
                    ),
                ),
                Joint::Undecided => self.diags.warning(
                    Code::LayersUndecided,
                    &region.at,
                    format!(
                        "the region's criterion `{rid}` ({rsev}) and the base's `{bid}` ({bsev}, at {place}) \
                         read the same answers ({read}); whether both can hold cannot be decided from their \
                         conditions (more than comparisons with fixed values): a test case where both hold settles it"
                    ),
                ),
            }
        }
    }
}
