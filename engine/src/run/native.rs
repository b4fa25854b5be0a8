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

/// Where a name's value lives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Slot {
    /// A family-level value: an answer outside the members, a parameter, a fact, an outcome.
    Family(usize),
    /// A field or fact of the member in scope (`m.…`, or a closure's parameter).
    Member(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Lit(Lit),
    Load(Slot),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Cmp(Cmp, Box<Node>, Box<Node>),
    Arith(Arith, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    /// `x in [literals]`.
    InList(Box<Node>, Vec<Lit>),
    /// `x in list` where the list is a value.
    InValue(Box<Node>, Box<Node>),
    /// `members.len()`, or `members.filter(|x| …).len()`.
    Count(Option<Box<Node>>),
    /// `members.some(|x| …)`.
    Some(Box<Node>),
    /// `members.all(|x| …)`, or `members.filter(|x| …).all(|x| …)`.
    All(Option<Box<Node>>, Box<Node>),
    /// `sum_of(members, "field")`: unanswered fields count as 0.
    SumOf(usize),
    /// `min_of(members, "field")` or `members.filter(|x| …).min_of("field")`: the least
    /// answered number, or `()`.
    MinOf(Option<Box<Node>>, usize),
    /// `answered(x)`.
    Answered(Box<Node>),
    /// `age_on(birth, on)`.
    AgeOn(Box<Node>, Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Box<str>),
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

/// Resolves the names of an expression to slots; `None` keeps the expression with Rhai.
pub(crate) trait Resolve {
    /// A variable, or a variable's property (`as_of`, `survey_act.food_present`, `pm`).
    fn family(&self, root: &str, field: Option<&str>) -> Option<usize>;
    /// A field or fact of a member.
    fn member(&self, field: &str) -> Option<usize>;
    /// Whether `m` is the member in scope (member-scoped rules and member facts).
    fn has_member(&self) -> bool;
}

// ---------------------------------------------------------------------------------------------
// Parsing

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Int(i64),
    Float(f64),
    Str(String),
    Op(&'static str),
}

fn tokenize(text: &str) -> Option<Vec<Tok>> {
    const OPS: [&str; 22] = [
        "&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "[", "]", ",", ".", "|", "+", "-", "*",
        "/", "{", "}",
    ];
    let mut tokens = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else { break };
        if rest.starts_with("//") || rest.starts_with("/*") {
            return None;
        }
        if c == '"' {
            let end = rest[1..].find(['"', '\\'])? + 1;
            if rest.as_bytes().get(end) != Some(&b'"') {
                return None;
            }
            tokens.push(Tok::Str(rest[1..end].to_owned()));
            rest = &rest[end + 1..];
        } else if c.is_ascii_digit() {
            let end =
                rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(rest.len());
            let number = rest[..end].replace('_', "");
            if number.ends_with('.') {
                return None;
            }
            if number.contains('.') {
                tokens.push(Tok::Float(number.parse().ok()?));
            } else {
                tokens.push(Tok::Int(number.parse().ok()?));
            }
            rest = &rest[end..];
        } else if c.is_ascii_alphabetic() || c == '_' {
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            tokens.push(Tok::Ident(rest[..end].to_owned()));
            rest = &rest[end..];
        } else {
            let op = OPS.iter().find(|op| rest.starts_with(**op))?;
            if matches!(*op, "{" | "}") {
                return None;
            }
            tokens.push(Tok::Op(op));
            rest = &rest[op.len()..];
        }
    }
    Some(tokens)
}

struct Parser<'r> {
    tokens: Vec<Tok>,
    at: usize,
    resolve: &'r dyn Resolve,
    /// The closure parameter in scope, if any.
    param: Option<String>,
}

/// Compiles `text` if it lies within the subset and every name resolves.
pub(crate) fn compile(text: &str, resolve: &dyn Resolve) -> Option<Node> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, at: 0, resolve, param: None };
    let node = parser.expr(0)?;
    (parser.at == parser.tokens.len()).then_some(node)
}

/// Binding power of binary operators, in Rhai's order:
/// `||` < `&&` < `== !=` < `in` < `< <= > >=` < `+ -` < `* /`.
fn binary(op: &Tok) -> Option<(u8, &'static str)> {
    let Tok::Op(op) = op else {
        return matches!(op, Tok::Ident(i) if i == "in").then_some((35, "in"));
    };
    let power = match *op {
        "||" => 10,
        "&&" => 20,
        "==" | "!=" => 30,
        "<" | "<=" | ">" | ">=" => 40,
        "+" | "-" => 50,
        "*" | "/" => 60,
        _ => return None,
    };
    Some((power, op))
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Tok> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn eat(&mut self, op: &str) -> Option<()> {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op).then(|| self.at += 1)
    }

    fn ident(&mut self) -> Option<String> {
        match self.next()? {
            Tok::Ident(name) => Some(name),
            _ => None,
        }
    }

    fn expr(&mut self, min_power: u8) -> Option<Node> {
        let mut left = self.unary()?;
        while let Some((power, op)) = self.peek().and_then(binary) {
            if power < min_power {
                break;
            }
            self.at += 1;
            if op == "in" {
                left = self.in_rhs(left)?;
                continue;
            }
            let right = self.expr(power + 1)?;
            let (l, r) = (Box::new(left), Box::new(right));
            left = match op {
                "||" => Node::Or(l, r),
                "&&" => Node::And(l, r),
                "==" => Node::Cmp(Cmp::Eq, l, r),
                "!=" => Node::Cmp(Cmp::Ne, l, r),
                "<" => Node::Cmp(Cmp::Lt, l, r),
                "<=" => Node::Cmp(Cmp::Le, l, r),
                ">" => Node::Cmp(Cmp::Gt, l, r),
                ">=" => Node::Cmp(Cmp::Ge, l, r),
                "+" => Node::Arith(Arith::Add, l, r),
                "-" => Node::Arith(Arith::Sub, l, r),
                "*" => Node::Arith(Arith::Mul, l, r),
                _ => Node::Arith(Arith::Div, l, r),
            };
        }
        Some(left)
    }

    fn in_rhs(&mut self, left: Node) -> Option<Node> {
        if self.eat("[").is_some() {
            let mut items = Vec::new();
            while self.eat("]").is_none() {
                if !items.is_empty() {
                    self.eat(",")?;
                }
                items.push(match self.next()? {
                    Tok::Str(s) => Lit::Str(s.into()),
                    Tok::Int(i) => Lit::Int(i),
                    Tok::Float(f) => Lit::Float(f),
                    Tok::Ident(b) if b == "true" || b == "false" => Lit::Bool(b == "true"),
                    _ => return None,
                });
            }
            return Some(Node::InList(Box::new(left), items));
        }
        // A list-valued answer (`"legal" in questionnaire.requested_help`).
        let right = self.unary()?;
        Some(Node::InValue(Box::new(left), Box::new(right)))
    }

    fn unary(&mut self) -> Option<Node> {
        if self.eat("!").is_some() {
            return Some(Node::Not(Box::new(self.unary()?)));
        }
        if self.eat("-").is_some() {
            return Some(Node::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<Node> {
        match self.next()? {
            Tok::Op("(") => {
                if self.eat(")").is_some() {
                    return Some(Node::Lit(Lit::Unit));
                }
                let inner = self.expr(0)?;
                self.eat(")")?;
                Some(inner)
            }
            Tok::Int(i) => Some(Node::Lit(Lit::Int(i))),
            Tok::Float(f) => Some(Node::Lit(Lit::Float(f))),
            Tok::Str(s) => Some(Node::Lit(Lit::Str(s.into()))),
            Tok::Ident(name) => self.name(name),
            _ => None,
        }
    }

    fn name(&mut self, name: String) -> Option<Node> {
        match name.as_str() {
            "true" => return Some(Node::Lit(Lit::Bool(true))),
            "false" => return Some(Node::Lit(Lit::Bool(false))),
            _ => {}
        }
        if self.eat("(").is_some() {
            return self.call(&name);
        }
        if name == crate::format::model::MEMBERS {
            return self.members();
        }
        let is_member = self.param.as_deref() == Some(name.as_str())
            || (self.param.is_none() && name == crate::format::model::MEMBER && self.resolve.has_member());
        if is_member {
            self.eat(".")?;
            let field = self.ident()?;
            if self.eat("(").is_some() {
                return None;
            }
            return Some(Node::Load(Slot::Member(self.resolve.member(&field)?)));
        }
        let field = if matches!(self.peek(), Some(Tok::Op("."))) {
            self.at += 1;
            let field = self.ident()?;
            if matches!(self.peek(), Some(Tok::Op("(" | "."))) {
                return None;
            }
            Some(field)
        } else {
            None
        };
        Some(Node::Load(Slot::Family(self.resolve.family(&name, field.as_deref())?)))
    }

    fn call(&mut self, function: &str) -> Option<Node> {
        let node = match function {
            "answered" => Node::Answered(Box::new(self.expr(0)?)),
            "age_on" => {
                let birth = self.expr(0)?;
                self.eat(",")?;
                Node::AgeOn(Box::new(birth), Box::new(self.expr(0)?))
            }
            "sum_of" | "min_of" => {
                (self.ident()? == crate::format::model::MEMBERS).then_some(())?;
                self.eat(",")?;
                let Tok::Str(field) = self.next()? else { return None };
                let slot = self.resolve.member(&field)?;
                if function == "sum_of" {
                    Node::SumOf(slot)
                } else {
                    Node::MinOf(None, slot)
                }
            }
            _ => return None,
        };
        self.eat(")")?;
        Some(node)
    }

    /// `members.len()`, `.some(|x| …)`, `.all(|x| …)`, `.filter(|x| …).len()` / `.all(|x| …)`.
    fn members(&mut self) -> Option<Node> {
        if self.param.is_some() {
            return None;
        }
        self.eat(".")?;
        let method = self.ident()?;
        self.eat("(")?;
        if method == "len" {
            self.eat(")")?;
            return Some(Node::Count(None));
        }
        let predicate = self.closure()?;
        match method.as_str() {
            "some" => Some(Node::Some(Box::new(predicate))),
            "all" => Some(Node::All(None, Box::new(predicate))),
            "filter" => {
                self.eat(".")?;
                let then = self.ident()?;
                self.eat("(")?;
                if then == "len" {
                    self.eat(")")?;
                    return Some(Node::Count(Some(Box::new(predicate))));
                }
                if then == "min_of" {
                    let Tok::Str(field) = self.next()? else { return None };
                    self.eat(")")?;
                    return Some(Node::MinOf(Some(Box::new(predicate)), self.resolve.member(&field)?));
                }
                (then == "all").then_some(())?;
                let all = self.closure()?;
                Some(Node::All(Some(Box::new(predicate)), Box::new(all)))
            }
            _ => None,
        }
    }

    /// `|x| expr)` — the closure and the call's closing parenthesis.
    fn closure(&mut self) -> Option<Node> {
        self.eat("|")?;
        let param = self.ident()?;
        self.eat("|")?;
        self.param = Some(param);
        let body = self.expr(0);
        self.param = None;
        let body = body?;
        self.eat(")")?;
        Some(body)
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
        assert!(matches!(run("s.x && true"), Some(Err(Stop::Failed(_)))));
        assert!(matches!(run("a / 0"), Some(Err(Stop::Failed(_)))));
    }

    #[test]
    fn anything_else_stays_with_rhai() {
        for text in [
            "unknown > 1",
            "s.y",
            "m.name",
            "f(a)",
            "if a { 1 } else { 2 }",
            "a.b.c",
            "\"a\\\"b\"",
            "x.len()",
        ] {
            assert!(compile(text, &Names).is_none(), "{text}");
        }
    }
}
