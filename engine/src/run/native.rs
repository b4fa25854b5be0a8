//! Native evaluation of the simple Rhai expressions most rules are made of.
//!
//! Evaluating a Rhai expression costs a few microseconds (a scope of named variables, dynamic
//! values, function resolution). Most conditions are much simpler: fields compared with
//! literals, joined by `&&`, `||` and `!`, counts over the members. `compile` lowers that subset
//! from Rhai's AST into a flat program over fixed slots (`compiled::program`); this module runs
//! it — one loop over the instructions, a value stack reused across evaluations, recursion only
//! into a closure's body once per member — with Rhai's semantics:
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

use std::borrow::Cow;
use std::sync::Arc;

use crate::compiled::program::{Arith, Cmp, Code, Lit, Logic, Op, Program, Slot};

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
    List(&'a [Cow<'a, str>]),
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

/// Evaluates a compiled expression. `stack` is scratch space, reused from one evaluation to the
/// next (its contents on entry do not matter).
pub(crate) fn eval<'a>(program: &'a Program, env: &Env<'_, 'a>, stack: &mut Vec<Val<'a>>) -> Result<Val<'a>> {
    // Most conditions are one comparison of an answer with a literal: no loop, no stack.
    if program.main.end == program.main.start + 1 {
        if let Some(&Op::CmpSlotLit(cmp, s, i)) = program.ops.get(program.main.start as usize) {
            return slot_against_literal(program, cmp, s, i, env);
        }
    }
    stack.clear();
    run(program, program.main, env, stack)
}

fn pop<'a>(stack: &mut Vec<Val<'a>>) -> Result<Val<'a>> {
    // A well-formed program never underflows; a malformed one hands over to Rhai.
    stack.pop().ok_or(Stop::Unsupported)
}

fn compare(cmp: Cmp, a: &Val<'_>, b: &Val<'_>) -> Result<bool> {
    Ok(match cmp {
        Cmp::Eq => equal(a, b)?,
        Cmp::Ne => !equal(a, b)?,
        Cmp::Lt => order(a, b)?.is_some_and(|o| o.is_lt()),
        Cmp::Le => order(a, b)?.is_some_and(|o| o.is_le()),
        Cmp::Gt => order(a, b)?.is_some_and(|o| o.is_gt()),
        Cmp::Ge => order(a, b)?.is_some_and(|o| o.is_ge()),
    })
}

fn slot<'e, 'a>(env: &'e Env<'_, 'a>, slot: Slot) -> Result<&'e Val<'a>> {
    let value = match slot {
        Slot::Family(i) => env.family.get(i),
        Slot::Member(i) => env.member.and_then(|m| env.members.get(m)).and_then(|fields| fields.get(i)),
    };
    match value {
        Some(Val::Opaque) | None => Err(Stop::Unsupported),
        Some(v) => Ok(v),
    }
}

/// `slot <cmp> literal`, the fused instruction.
fn slot_against_literal<'a>(
    p: &'a Program,
    cmp: Cmp,
    s: Slot,
    lit: u32,
    env: &Env<'_, 'a>,
) -> Result<Val<'a>> {
    let lit = p.lits.get(lit as usize).map(Lit::val).ok_or(Stop::Unsupported)?;
    Ok(Val::Bool(compare(cmp, slot(env, s)?, &lit)?))
}

/// Runs one range of the program and returns the value it leaves.
fn run<'a>(p: &'a Program, code: Code, env: &Env<'_, 'a>, stack: &mut Vec<Val<'a>>) -> Result<Val<'a>> {
    let lit = |i: u32| p.lits.get(i as usize).map(Lit::val).ok_or(Stop::Unsupported);
    let mut pc = code.start as usize;
    while pc < code.end as usize {
        let Some(&op) = p.ops.get(pc) else { return Err(Stop::Unsupported) };
        pc += 1;
        let value = match op {
            Op::Lit(i) => lit(i)?,
            Op::Load(s) => slot(env, s)?.clone(),
            Op::CmpSlotLit(cmp, s, i) => slot_against_literal(p, cmp, s, i, env)?,
            Op::Not => Val::Bool(!boolean(&pop(stack)?, "!")?),
            Op::Decide(logic, to) => {
                let left = boolean(&pop(stack)?, logic.symbol())?;
                if left == (logic == Logic::Or) {
                    pc = to as usize;
                    Val::Bool(left)
                } else {
                    continue;
                }
            }
            Op::Truth(logic) => Val::Bool(boolean(&pop(stack)?, logic.symbol())?),
            Op::Cmp(cmp) => {
                let (b, a) = (pop(stack)?, pop(stack)?);
                Val::Bool(compare(cmp, &a, &b)?)
            }
            Op::Arith(op) => {
                let (b, a) = (pop(stack)?, pop(stack)?);
                arith(op, a, b)?
            }
            Op::Neg => match pop(stack)? {
                Val::Int(i) => Val::Int(i.checked_neg().ok_or(Stop::Unsupported)?),
                Val::Float(f) => Val::Float(-f),
                _ => return Err(Stop::Unsupported),
            },
            Op::InList(from, to) => {
                let item = pop(stack)?;
                let mut found = false;
                for l in p.lits.get(from as usize..to as usize).unwrap_or_default() {
                    if equal(&item, &l.val())? {
                        found = true;
                        break;
                    }
                }
                Val::Bool(found)
            }
            Op::InValue => {
                let (list, item) = (pop(stack)?, pop(stack)?);
                match list {
                    Val::List(values) => {
                        Val::Bool(item.as_str().is_some_and(|s| values.iter().any(|v| v.as_ref() == s)))
                    }
                    _ => return Err(Stop::Unsupported),
                }
            }
            Op::Count(filter) => {
                let mut count = 0_i64;
                for m in 0..env.members.len() {
                    if passes(p, filter, &env.with_member(m), stack)? {
                        count += 1;
                    }
                }
                Val::Int(count)
            }
            Op::Some(test) => {
                let mut any = false;
                for m in 0..env.members.len() {
                    if predicate(p, test, &env.with_member(m), stack)? {
                        any = true;
                        break;
                    }
                }
                Val::Bool(any)
            }
            Op::All(filter, test) => {
                let mut all = true;
                for m in 0..env.members.len() {
                    let member = env.with_member(m);
                    if passes(p, filter, &member, stack)? && !predicate(p, test, &member, stack)? {
                        all = false;
                        break;
                    }
                }
                Val::Bool(all)
            }
            Op::SumOf(field) => {
                let mut sum = 0.0;
                for fields in env.members {
                    match fields.get(field) {
                        Some(Val::Int(i)) => sum += *i as f64,
                        Some(Val::Float(f)) => sum += f,
                        Some(Val::Opaque) => return Err(Stop::Unsupported),
                        _ => {}
                    }
                }
                Val::Float(sum)
            }
            Op::MinOf(filter, field) => {
                let mut least: Option<Val<'a>> = None;
                for (m, fields) in env.members.iter().enumerate() {
                    if !passes(p, filter, &env.with_member(m), stack)? {
                        continue;
                    }
                    let value = match fields.get(field) {
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
            Op::Answered => Val::Bool(!matches!(pop(stack)?, Val::Unit)),
            Op::AgeOn => {
                let (on, birth) = (pop(stack)?, pop(stack)?);
                match (birth.as_str(), on.as_str()) {
                    (Some(b), Some(o)) => Val::Int(dates::age_on(b, o).ok_or_else(|| {
                        Stop::Failed("age_on: a date is not of the form YYYY-MM-DD".to_owned())
                    })?),
                    _ => return Err(Stop::Unsupported),
                }
            }
        };
        stack.push(value);
    }
    pop(stack)
}

/// An array predicate's result: like Rhai, anything but `true` counts as false.
fn predicate<'a>(p: &'a Program, code: Code, env: &Env<'_, 'a>, stack: &mut Vec<Val<'a>>) -> Result<bool> {
    Ok(matches!(run(p, code, env, stack)?, Val::Bool(true)))
}

/// A `filter` closure, where there is one.
fn passes<'a>(
    p: &'a Program,
    filter: Option<Code>,
    env: &Env<'_, 'a>,
    stack: &mut Vec<Val<'a>>,
) -> Result<bool> {
    filter.map_or(Ok(true), |f| predicate(p, f, env, stack))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::lower::{Parsed, Resolve};

    /// Parses with Rhai and lowers, as `compile` does.
    fn compile(text: &str, names: &Names) -> Option<Program> {
        let mut engine = crate::sandbox::new_engine();
        engine.set_strict_variables(false);
        let ast = engine.compile_expression(text).ok()?;
        Parsed::new(&ast).lower(names).map(|node| Program::flatten(&node))
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
        let program = Box::leak(Box::new(compile(text, &Names)?));
        let family = Box::leak(Box::new(vec![Val::Int(3), Val::Unit]));
        let members = Box::leak(Box::new(vec![vec![Val::Int(5)], vec![Val::Int(40)]]));
        Some(eval(program, &Env { family, members, member: Some(0) }, &mut Vec::new()))
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
        // The jumps of `&&` and `||` skip the right operand, which would fail here.
        assert_eq!(run("a > 2 || s.x"), Some(Ok(Val::Bool(true))));
        assert_eq!(run("a < 2 && s.x"), Some(Ok(Val::Bool(false))));
        assert_eq!(run("(a < 2 || a == 3) && !(a > 5 || s.x == 1)"), Some(Ok(Val::Bool(true))));
        assert!(matches!(run("a > 2 && s.x"), Some(Err(Stop::Failed(_)))));
        assert!(matches!(run("a / 0"), Some(Err(Stop::Failed(_)))));
    }

    #[test]
    fn anything_else_stays_with_rhai() {
        for text in ["unknown > 1", "s.y", "m.name", "f(a)", "if a { 1 } else { 2 }", "a.b.c", "x.len()"] {
            assert!(compile(text, &Names).is_none(), "{text}");
        }
    }
}
