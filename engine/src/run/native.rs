//! Native evaluation of the simple Rhai expressions most rules are made of.
//!
//! Evaluating a Rhai expression costs a few microseconds (a scope of named variables, dynamic
//! values, function resolution). Most conditions are much simpler: fields compared with
//! literals, joined by `&&`, `||` and `!`, counts over the members. This module parses that
//! subset of Rhai's syntax into a small tree whose names are resolved to fixed slots when the
//! rule set is compiled, and evaluates it with Rhai's semantics:
//!
//! - `==` between different types is false (`!=` true), ints and floats compare as numbers;
//!   `<`, `<=`, `>`, `>=` are false between values that cannot be ordered;
//! - `&&`, `||` short-circuit and fail on a non-boolean operand, as `!` does;
//! - `in` tests membership with `==`; array predicates (`filter`, `some`, `all`) treat a
//!   non-boolean result as false; integer arithmetic is checked and divides towards zero.
//!
//! Anything outside the subset stays with Rhai, and a value the subset does not model (an
//! array or map computed by a Rhai fact) makes the evaluation hand over to Rhai at run time,
//! so results are the same either way. `tests/tests/parity.rs` checks that on every bundled
//! rule set and test family.

use std::sync::Arc;

use serde_json::Value;

use crate::compiled::program::{Arith, Cmp, Lit, Node, Slot};

use crate::dates;

/// A value the native evaluator works with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Text(Arc<str>),
    /// An answered list of enum values (borrowed from the answers).
    List(&'a [Value]),
    /// A value this module does not model; evaluation hands over to Rhai.
    Opaque,
}

impl Val<'_> {
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Unit => "()",
            Val::Bool(_) => "bool",
            Val::Int(_) => "i64",
            Val::Float(_) => "f64",
            Val::Str(_) | Val::Text(_) => "string",
            Val::List(_) => "array",
            Val::Opaque => "value",
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            Val::Text(s) => Some(s),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<f64> {
        match self {
            Val::Int(i) => Some(*i as f64),
            Val::Float(f) => Some(*f),
            _ => None,
        }
    }
}

/// Why native evaluation stopped.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stop {
    /// A value outside the subset: evaluate with Rhai instead.
    Unsupported,
    /// The rule fails, as it would in Rhai (the message never holds a value).
    Failed(String),
}

impl Lit {
    fn val(&self) -> Val<'_> {
        match self {
            Lit::Unit => Val::Unit,
            Lit::Bool(b) => Val::Bool(*b),
            Lit::Int(i) => Val::Int(*i),
            Lit::Float(f) => Val::Float(*f),
            Lit::Str(s) => Val::Str(s),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// The values an expression reads.
pub(crate) struct Env<'e, 'a> {
    pub family: &'e [Val<'a>],
    pub members: &'e [Vec<Val<'a>>],
    pub member: Option<usize>,
}

impl<'a> Env<'_, 'a> {
    fn with_member(&self, member: usize) -> Env<'_, 'a> {
        Env { family: self.family, members: self.members, member: Some(member) }
    }
}

type Result<T> = std::result::Result<T, Stop>;

fn load<'a>(env: &Env<'_, 'a>, slot: Slot) -> Result<Val<'a>> {
    let value = match slot {
        Slot::Family(i) => env.family.get(i),
        Slot::Member(i) => env.member.and_then(|m| env.members.get(m)).and_then(|fields| fields.get(i)),
    };
    match value {
        Some(Val::Opaque) | None => Err(Stop::Unsupported),
        Some(v) => Ok(v.clone()),
    }
}

fn boolean(value: &Val<'_>, op: &str) -> Result<bool> {
    match value {
        Val::Bool(b) => Ok(*b),
        Val::Opaque => Err(Stop::Unsupported),
        other => Err(Stop::Failed(format!("`{op}` needs yes/no values, not {}", other.type_name()))),
    }
}

/// Rhai's `==`.
fn equal(a: &Val<'_>, b: &Val<'_>) -> Result<bool> {
    if matches!(a, Val::Opaque) || matches!(b, Val::Opaque) {
        return Err(Stop::Unsupported);
    }
    Ok(match (a, b) {
        (Val::Unit, Val::Unit) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Int(x), Val::Int(y)) => x == y,
        (x, y) if x.as_number().is_some() && y.as_number().is_some() => x.as_number() == y.as_number(),
        (x, y) if x.as_str().is_some() && y.as_str().is_some() => x.as_str() == y.as_str(),
        (Val::List(_), _) | (_, Val::List(_)) => return Err(Stop::Unsupported),
        _ => false,
    })
}

fn order(a: &Val<'_>, b: &Val<'_>) -> Result<Option<std::cmp::Ordering>> {
    if matches!(a, Val::Opaque | Val::List(_)) || matches!(b, Val::Opaque | Val::List(_)) {
        return Err(Stop::Unsupported);
    }
    Ok(match (a, b) {
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (x, y) if x.as_number().is_some() && y.as_number().is_some() => {
            x.as_number().unwrap_or_default().partial_cmp(&y.as_number().unwrap_or_default())
        }
        (x, y) if x.as_str().is_some() && y.as_str().is_some() => Some(x.as_str().cmp(&y.as_str())),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    })
}

fn arith<'a>(op: Arith, a: Val<'a>, b: Val<'a>) -> Result<Val<'a>> {
    let overflow = || Stop::Failed("arithmetic error (division by zero or overflow)".to_owned());
    match (&a, &b) {
        (Val::Int(x), Val::Int(y)) => {
            let result = match op {
                Arith::Add => x.checked_add(*y),
                Arith::Sub => x.checked_sub(*y),
                Arith::Mul => x.checked_mul(*y),
                Arith::Div => x.checked_div(*y),
            };
            result.map(Val::Int).ok_or_else(overflow)
        }
        (x, y) if x.as_number().is_some() && y.as_number().is_some() => {
            let (x, y) = (x.as_number().unwrap_or_default(), y.as_number().unwrap_or_default());
            Ok(Val::Float(match op {
                Arith::Add => x + y,
                Arith::Sub => x - y,
                Arith::Mul => x * y,
                Arith::Div => x / y,
            }))
        }
        _ => Err(Stop::Unsupported),
    }
}

/// Evaluates a compiled expression.
pub(crate) fn eval<'a>(node: &'a Node, env: &Env<'_, 'a>) -> Result<Val<'a>> {
    Ok(match node {
        Node::Lit(lit) => lit.val(),
        Node::Load(slot) => load(env, *slot)?,
        Node::Not(inner) => Val::Bool(!boolean(&eval(inner, env)?, "!")?),
        Node::And(l, r) => Val::Bool(boolean(&eval(l, env)?, "&&")? && boolean(&eval(r, env)?, "&&")?),
        Node::Or(l, r) => Val::Bool(boolean(&eval(l, env)?, "||")? || boolean(&eval(r, env)?, "||")?),
        Node::Cmp(op, l, r) => {
            let (a, b) = (eval(l, env)?, eval(r, env)?);
            Val::Bool(match op {
                Cmp::Eq => equal(&a, &b)?,
                Cmp::Ne => !equal(&a, &b)?,
                Cmp::Lt => order(&a, &b)?.is_some_and(|o| o.is_lt()),
                Cmp::Le => order(&a, &b)?.is_some_and(|o| o.is_le()),
                Cmp::Gt => order(&a, &b)?.is_some_and(|o| o.is_gt()),
                Cmp::Ge => order(&a, &b)?.is_some_and(|o| o.is_ge()),
            })
        }
        Node::Arith(op, l, r) => arith(*op, eval(l, env)?, eval(r, env)?)?,
        Node::Neg(inner) => match eval(inner, env)? {
            Val::Int(i) => Val::Int(i.checked_neg().ok_or(Stop::Unsupported)?),
            Val::Float(f) => Val::Float(-f),
            _ => return Err(Stop::Unsupported),
        },
        Node::InList(item, list) => {
            let item = eval(item, env)?;
            let mut found = false;
            for lit in list {
                if equal(&item, &lit.val())? {
                    found = true;
                    break;
                }
            }
            Val::Bool(found)
        }
        Node::InValue(item, list) => {
            let item = eval(item, env)?;
            match eval(list, env)? {
                Val::List(values) => {
                    Val::Bool(item.as_str().is_some_and(|s| values.iter().any(|v| v.as_str() == Some(s))))
                }
                _ => return Err(Stop::Unsupported),
            }
        }
        Node::Count(filter) => {
            let mut count = 0_i64;
            for m in 0..env.members.len() {
                if filter.as_ref().map_or(Ok(true), |f| predicate(f, &env.with_member(m)))? {
                    count += 1;
                }
            }
            Val::Int(count)
        }
        Node::Some(test) => {
            let mut any = false;
            for m in 0..env.members.len() {
                if predicate(test, &env.with_member(m))? {
                    any = true;
                    break;
                }
            }
            Val::Bool(any)
        }
        Node::All(filter, test) => {
            let mut all = true;
            for m in 0..env.members.len() {
                let member = env.with_member(m);
                if filter.as_ref().map_or(Ok(true), |f| predicate(f, &member))? && !predicate(test, &member)?
                {
                    all = false;
                    break;
                }
            }
            Val::Bool(all)
        }
        Node::SumOf(field) => {
            let mut sum = 0.0;
            for fields in env.members {
                match fields.get(*field) {
                    Some(Val::Int(i)) => sum += *i as f64,
                    Some(Val::Float(f)) => sum += f,
                    Some(Val::Opaque) => return Err(Stop::Unsupported),
                    _ => {}
                }
            }
            Val::Float(sum)
        }
        Node::MinOf(filter, field) => {
            let mut least: Option<Val<'a>> = None;
            for (m, fields) in env.members.iter().enumerate() {
                if !filter.as_ref().map_or(Ok(true), |f| predicate(f, &env.with_member(m)))? {
                    continue;
                }
                let value = match fields.get(*field) {
                    Some(Val::Opaque) => return Err(Stop::Unsupported),
                    Some(v @ (Val::Int(_) | Val::Float(_))) => v.clone(),
                    _ => continue,
                };
                let smaller = least.as_ref().is_none_or(|l| {
                    value.as_number().unwrap_or_default() < l.as_number().unwrap_or_default()
                });
                if smaller {
                    least = Some(value);
                }
            }
            least.unwrap_or(Val::Unit)
        }
        Node::Answered(inner) => Val::Bool(!matches!(eval(inner, env)?, Val::Unit)),
        Node::AgeOn(birth, on) => {
            let (birth, on) = (eval(birth, env)?, eval(on, env)?);
            match (birth.as_str(), on.as_str()) {
                (Some(b), Some(o)) => Val::Int(dates::age_on(b, o).ok_or_else(|| {
                    Stop::Failed("age_on: a date is not of the form YYYY-MM-DD".to_owned())
                })?),
                _ => return Err(Stop::Unsupported),
            }
        }
    })
}

/// An array predicate's result: like Rhai, anything but `true` counts as false.
fn predicate(node: &Node, env: &Env<'_, '_>) -> Result<bool> {
    Ok(matches!(eval(node, env)?, Val::Bool(true)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::lower::{Parsed, Resolve};

    /// Parses with Rhai and lowers, as `compile` does.
    fn compile(text: &str, names: &Names) -> Option<Node> {
        let mut engine = crate::sandbox::new_engine();
        engine.set_strict_variables(false);
        let ast = engine.compile_expression(text).ok()?;
        Parsed::new(&ast).lower(names)
    }

    struct Names;

    impl Resolve for Names {
        fn family(&self, root: &str, field: Option<&str>) -> Option<usize> {
            match (root, field) {
                ("a", None) => Some(0),
                ("s", Some("x")) => Some(1),
                _ => None,
            }
        }
        fn member(&self, field: &str) -> Option<usize> {
            (field == "age").then_some(0)
        }
        fn has_member(&self) -> bool {
            true
        }
    }

    fn run(text: &str) -> Option<Result<Val<'static>>> {
        let node = Box::leak(Box::new(compile(text, &Names)?));
        let family = Box::leak(Box::new(vec![Val::Int(3), Val::Unit]));
        let members = Box::leak(Box::new(vec![vec![Val::Int(5)], vec![Val::Int(40)]]));
        Some(eval(node, &Env { family, members, member: Some(0) }))
    }

    #[test]
    fn the_subset_follows_rhai() {
        assert_eq!(run("a > 2 && s.x == ()"), Some(Ok(Val::Bool(true))));
        assert_eq!(run("s.x != \"none\""), Some(Ok(Val::Bool(true))));
        assert_eq!(run("s.x in [\"a\", 1]"), Some(Ok(Val::Bool(false))));
        assert_eq!(run("a / 2 == 1 && 1 == 1.0"), Some(Ok(Val::Bool(true))));
        assert_eq!(run("members.filter(|x| x.age >= 18).len()"), Some(Ok(Val::Int(1))));
        assert_eq!(
            run("members.some(|x| x.age < 6) && !members.all(|x| x.age < 6)"),
            Some(Ok(Val::Bool(true)))
        );
        assert_eq!(run("m.age + 1"), Some(Ok(Val::Int(6))));
        assert_eq!(run("members.filter(|x| x.age > 10).min_of(\"age\")"), Some(Ok(Val::Int(40))));
        assert_eq!(run("min_of(members, \"age\") < 6"), Some(Ok(Val::Bool(true))));
        assert!(matches!(run("s.x && a > 1"), Some(Err(Stop::Failed(_)))));
        assert!(matches!(run("a / 0"), Some(Err(Stop::Failed(_)))));
    }

    #[test]
    fn anything_else_stays_with_rhai() {
        for text in ["unknown > 1", "s.y", "m.name", "f(a)", "if a { 1 } else { 2 }", "a.b.c", "x.len()"] {
            assert!(compile(text, &Names).is_none(), "{text}");
        }
    }
}
