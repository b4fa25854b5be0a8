//! Builds the native form of an expression (`compiled::program`) when it lies within the
//! subset of Rhai that `run::native` evaluates with Rhai's semantics; anything else stays with
//! Rhai.

use crate::compiled::program::{Arith, Cmp, Lit, Node, Slot};

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
