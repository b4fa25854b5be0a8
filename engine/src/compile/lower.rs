//! One parse: every expression is parsed by Rhai alone, and both what it reads and its native
//! form come from Rhai's AST (the `internals` feature; Rhai is pinned, as its AST is outside
//! semver).
//!
//! - [`Parsed::references`] lists the variables and `x.field` reads of an expression, closures
//!   included, for unknown-name and unknown-field errors, dependency order and `reads`;
//! - [`Parsed::lower`] builds the native form (`compiled::program`) when the expression lies
//!   within the subset `run::native` evaluates with Rhai's semantics: fields compared with
//!   literals, `&&`, `||`, `!`, `in`, arithmetic, counts and predicates over the members.
//!   Anything else stays with Rhai. Both the optimised AST (native builds) and the unoptimised
//!   one (the browser build has `no_optimize`) are understood.

use rhai::{ASTNode, Dynamic, Expr, FnCallExpr, FnPtr, Position, Stmt, AST};

use crate::compiled::program::{Arith, Cmp, Lit, Node, Slot};
use crate::format::model::{MEMBER, MEMBERS};

/// Resolves the names of an expression to slots; `None` keeps the expression with Rhai.
pub(crate) trait Resolve {
    /// A variable, or a variable's property (`as_of`, `survey_act.food_present`, `pm`).
    fn family(&self, root: &str, field: Option<&str>) -> Option<usize>;
    /// A field or fact of a member.
    fn member(&self, field: &str) -> Option<usize>;
    /// Whether `m` is the member in scope (member-scoped rules and member facts).
    fn has_member(&self) -> bool;
}

/// One reference of an expression: a variable, and the property read from it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ref {
    /// The variable's name.
    pub root: String,
    /// The property read from it (`m.age` → `age`); a method call is not a property.
    pub field: Option<String>,
    /// The 1-based line of the reference within the expression.
    pub line: usize,
    /// It is a closure's own parameter (the member the closure is called with).
    pub closure_param: bool,
    /// It is a variable the expression defines itself, not a name of the rule set.
    pub local: bool,
}

/// A closure (`|x| …`): its own parameter, the variables it captures (Rhai curries them in as
/// its first parameters) and its body.
struct Closure {
    name: String,
    own_param: Option<String>,
    captured: Vec<String>,
    body: Vec<Stmt>,
}

/// An expression as Rhai parsed it, with its closures.
pub(crate) struct Parsed<'a> {
    ast: &'a AST,
    closures: Vec<Closure>,
}

/// Closures nest at most this deep for the walk of references (deeper ones are Rhai's).
const MAX_CLOSURE_DEPTH: usize = 8;

impl<'a> Parsed<'a> {
    pub fn new(ast: &'a AST) -> Self {
        let mut curried_vars: Vec<(String, Vec<String>)> = Vec::new();
        ast.walk(&mut |path: &[ASTNode]| {
            let call = match path.last() {
                Some(ASTNode::Expr(Expr::FnCall(call, _))) => Some(&**call),
                Some(ASTNode::Stmt(Stmt::FnCall(call, _))) => Some(&**call),
                _ => None,
            };
            curried_vars.extend(call.and_then(curried));
            true
        });
        let closures = ast
            .iter_fn_def()
            .map(|f| {
                let name = f.name.to_string();
                let captured = curried_vars
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, vars)| vars.clone())
                    .unwrap_or_default();
                let own_param = f.params.get(captured.len()).map(|p| p.to_string());
                let body = body_of(ast, &name);
                Closure { name, own_param, captured, body }
            })
            .collect();
        Parsed { ast, closures }
    }

    fn closure(&self, name: &str) -> Option<&Closure> {
        self.closures.iter().find(|c| c.name == name)
    }

    /// Every variable of the expression and of its closures, with the property read from it.
    pub fn references(&self) -> Vec<Ref> {
        let mut refs = Vec::new();
        for stmt in self.ast.statements() {
            self.refs_in(stmt, None, 0, &mut refs);
        }
        refs
    }

    fn refs_in(&self, stmt: &Stmt, closure: Option<&Closure>, depth: usize, refs: &mut Vec<Ref>) {
        let mut inner: Vec<&Closure> = Vec::new();
        stmt.walk(&mut Vec::new(), &mut |path: &[ASTNode]| {
            let Some(ASTNode::Expr(expr)) = path.last() else { return true };
            match expr {
                Expr::Variable(var, short, position) => {
                    let name = var.1.as_str();
                    let closure_param = closure.is_some_and(|c| c.own_param.as_deref() == Some(name));
                    // A captured variable is read where the closure captures it, outside it.
                    if closure.is_some_and(|c| c.captured.iter().any(|n| n == name)) {
                        return true;
                    }
                    let field = match path.len().checked_sub(2).and_then(|i| path.get(i)) {
                        Some(ASTNode::Expr(Expr::Dot(dot, ..))) if std::ptr::eq(&dot.lhs, *expr) => {
                            first_property(&dot.rhs)
                        }
                        _ => None,
                    };
                    let local = !closure_param && (var.0.is_some() || short.is_some());
                    refs.push(Ref {
                        root: name.to_owned(),
                        field,
                        line: line_of(*position),
                        closure_param,
                        local,
                    });
                }
                Expr::DynamicConstant(value, _) => {
                    if let Some(c) = value.read_lock::<FnPtr>().and_then(|f| self.closure(f.fn_name())) {
                        inner.push(c);
                    }
                }
                _ => {}
            }
            true
        });
        if depth < MAX_CLOSURE_DEPTH {
            for c in inner {
                for stmt in &c.body {
                    self.refs_in(stmt, Some(c), depth + 1, refs);
                }
            }
        }
    }

    /// The native form of the expression, if it lies within the subset.
    pub fn lower(&self, resolve: &dyn Resolve) -> Option<Node> {
        let [stmt] = self.ast.statements() else { return None };
        Lowering { parsed: self, resolve, binding: None }.stmt(stmt)
    }
}

/// The top statements of a closure's function body.
fn body_of(ast: &AST, name: &str) -> Vec<Stmt> {
    // (`clone_functions_only_filtered` keeps every function when it starts from an empty
    // module, in Rhai 1.27: filter the copy instead.)
    let mut only = ast.clone_functions_only();
    only.retain_functions(|_, _, n, _| n == name);
    let mut body = Vec::new();
    only.walk(&mut |path: &[ASTNode]| {
        if let [ASTNode::Stmt(stmt)] = path {
            body.push((*stmt).clone());
        }
        true
    });
    body
}

/// `curry(Fn("anon…"), a, b)`: the closure's function and the variables it captures.
fn curried(call: &FnCallExpr) -> Option<(String, Vec<String>)> {
    if call.name != "curry" {
        return None;
    }
    let (first, rest) = call.args.split_first()?;
    let name = fn_ptr_name(first)?;
    let vars = rest.iter().map(variable_name).collect::<Option<Vec<_>>>()?;
    Some((name, vars.into_iter().map(str::to_owned).collect()))
}

fn fn_ptr_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::DynamicConstant(value, _) => value.read_lock::<FnPtr>().map(|f| f.fn_name().to_owned()),
        _ => None,
    }
}

fn variable_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Variable(var, ..) => Some(var.1.as_str()),
        _ => None,
    }
}

/// The first property of the right-hand side of a `.` chain (`a.b.c` → `b`; `a.f()` → none).
fn first_property(rhs: &Expr) -> Option<String> {
    match rhs {
        Expr::Property(prop, _) => Some(prop.2.to_string()),
        Expr::Dot(dot, ..) => match &dot.lhs {
            Expr::Property(prop, _) => Some(prop.2.to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn line_of(position: Position) -> usize {
    position.line().unwrap_or(1)
}

/// Inside a closure: its own parameter (the member it is called with) and its captured
/// parameters, each standing for the variable of the same name outside.
struct Binding<'c> {
    closure: &'c Closure,
}

struct Lowering<'p, 'a> {
    parsed: &'p Parsed<'a>,
    resolve: &'p dyn Resolve,
    binding: Option<Binding<'p>>,
}

/// What a variable stands for.
enum Name<'n> {
    /// The member: `m` of a member-scoped rule, or a closure's own parameter.
    Member,
    /// A name of the rule set (an answer, section, parameter, fact, outcome).
    Family(&'n str),
    /// `members`.
    Members,
}

impl Lowering<'_, '_> {
    fn stmt(&self, stmt: &Stmt) -> Option<Node> {
        match stmt {
            Stmt::Expr(expr) => self.expr(expr),
            Stmt::FnCall(call, _) => self.call(call),
            _ => None,
        }
    }

    fn name<'n>(&self, name: &'n str) -> Name<'n> {
        match &self.binding {
            Some(b) if b.closure.own_param.as_deref() == Some(name) => Name::Member,
            // A captured variable is the one of the same name outside; the member in scope
            // outside (`m`) is not the closure's member, so it stays with Rhai.
            Some(_) if name == MEMBERS => Name::Members,
            Some(_) => Name::Family(name),
            None if name == MEMBER && self.resolve.has_member() => Name::Member,
            None if name == MEMBERS => Name::Members,
            None => Name::Family(name),
        }
    }

    fn expr(&self, expr: &Expr) -> Option<Node> {
        Some(match expr {
            Expr::Unit(_) => Node::Lit(Lit::Unit),
            Expr::BoolConstant(b, _) => Node::Lit(Lit::Bool(*b)),
            Expr::IntegerConstant(i, _) => Node::Lit(Lit::Int(*i)),
            Expr::FloatConstant(f, _) => Node::Lit(Lit::Float(**f)),
            Expr::StringConstant(s, _) => Node::Lit(Lit::Str(s.as_str().into())),
            Expr::DynamicConstant(value, _) => Node::Lit(literal(value)?),
            Expr::Variable(var, ..) => match self.name(var.1.as_str()) {
                Name::Family(name) => Node::Load(Slot::Family(self.resolve.family(name, None)?)),
                Name::Member | Name::Members => return None,
            },
            Expr::Dot(..) => self.chain(expr)?,
            Expr::And(operands, _) => self.fold(operands, Node::And)?,
            Expr::Or(operands, _) => self.fold(operands, Node::Or)?,
            Expr::FnCall(call, _) => self.call(call)?,
            _ => return None,
        })
    }

    fn fold(&self, operands: &[Expr], join: fn(Box<Node>, Box<Node>) -> Node) -> Option<Node> {
        let (first, rest) = operands.split_first()?;
        let mut node = self.expr(first)?;
        for operand in rest {
            node = join(Box::new(node), Box::new(self.expr(operand)?));
        }
        Some(node)
    }

    /// `x.field`, `members.len()`, `members.some(|x| …)`, `.filter(|x| …).len()` and the like.
    fn chain(&self, expr: &Expr) -> Option<Node> {
        let (root, segments) = flatten(expr)?;
        let root = variable_name(root)?;
        match (self.name(root), segments.as_slice()) {
            (Name::Member, [Expr::Property(prop, _)]) => {
                Some(Node::Load(Slot::Member(self.resolve.member(prop.2.as_str())?)))
            }
            (Name::Family(name), [Expr::Property(prop, _)]) => {
                Some(Node::Load(Slot::Family(self.resolve.family(name, Some(prop.2.as_str()))?)))
            }
            (Name::Members, segments) if self.binding.is_none() => self.members(segments),
            _ => None,
        }
    }

    fn members(&self, segments: &[&Expr]) -> Option<Node> {
        let method = |e: &Expr| match e {
            Expr::MethodCall(call, _) => Some(call.clone()),
            _ => None,
        };
        let calls: Vec<Box<FnCallExpr>> = segments.iter().map(|e| method(e)).collect::<Option<_>>()?;
        let name = |c: &FnCallExpr| c.name.to_string();
        match calls.as_slice() {
            [len] if name(len) == "len" && len.args.is_empty() => Some(Node::Count(None)),
            [some] if name(some) == "some" => Some(Node::Some(Box::new(self.closure_arg(some)?))),
            [all] if name(all) == "all" => Some(Node::All(None, Box::new(self.closure_arg(all)?))),
            [filter, then] if name(filter) == "filter" => {
                let predicate = Box::new(self.closure_arg(filter)?);
                match name(then).as_str() {
                    "len" if then.args.is_empty() => Some(Node::Count(Some(predicate))),
                    "all" => Some(Node::All(Some(predicate), Box::new(self.closure_arg(then)?))),
                    "min_of" => {
                        let [Expr::StringConstant(field, _)] = then.args.as_slice() else { return None };
                        Some(Node::MinOf(Some(predicate), self.resolve.member(field.as_str())?))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The body of the closure a method is called with (`|x| …`), lowered with `x` as the member.
    fn closure_arg(&self, call: &FnCallExpr) -> Option<Node> {
        let [arg] = call.args.as_slice() else { return None };
        let name = match arg {
            Expr::Stmt(block) => match block.statements() {
                [.., Stmt::Expr(e)] => match &**e {
                    Expr::FnCall(c, _) => curried(c)?.0,
                    _ => return None,
                },
                [.., Stmt::FnCall(c, _)] => curried(c)?.0,
                _ => return None,
            },
            other => fn_ptr_name(other)?,
        };
        let closure = self.parsed.closure(&name)?;
        let [body] = closure.body.as_slice() else { return None };
        closure.own_param.as_ref()?;
        let inner =
            Lowering { parsed: self.parsed, resolve: self.resolve, binding: Some(Binding { closure }) };
        inner.stmt(body)
    }

    fn call(&self, call: &FnCallExpr) -> Option<Node> {
        let args = call.args.as_slice();
        let name = call.name.as_str();
        let binary = |make: fn(Box<Node>, Box<Node>) -> Node| -> Option<Node> {
            let [l, r] = args else { return None };
            Some(make(Box::new(self.expr(l)?), Box::new(self.expr(r)?)))
        };
        if call.is_operator_call() {
            return match (name, args.len()) {
                ("==", 2) => binary(|l, r| Node::Cmp(Cmp::Eq, l, r)),
                ("!=", 2) => binary(|l, r| Node::Cmp(Cmp::Ne, l, r)),
                ("<", 2) => binary(|l, r| Node::Cmp(Cmp::Lt, l, r)),
                ("<=", 2) => binary(|l, r| Node::Cmp(Cmp::Le, l, r)),
                (">", 2) => binary(|l, r| Node::Cmp(Cmp::Gt, l, r)),
                (">=", 2) => binary(|l, r| Node::Cmp(Cmp::Ge, l, r)),
                ("+", 2) => binary(|l, r| Node::Arith(Arith::Add, l, r)),
                ("-", 2) => binary(|l, r| Node::Arith(Arith::Sub, l, r)),
                ("*", 2) => binary(|l, r| Node::Arith(Arith::Mul, l, r)),
                ("/", 2) => binary(|l, r| Node::Arith(Arith::Div, l, r)),
                ("!", 1) => Some(Node::Not(Box::new(self.expr(&args[0])?))),
                ("-", 1) => Some(Node::Neg(Box::new(self.expr(&args[0])?))),
                _ => None,
            };
        }
        match (name, args) {
            // `item in container` is parsed as `contains(container, item)`.
            ("contains", [container, item]) => {
                let item = Box::new(self.expr(item)?);
                match literal_list(container) {
                    Some(list) => Some(Node::InList(item, list)),
                    None => Some(Node::InValue(item, Box::new(self.expr(container)?))),
                }
            }
            ("answered", [inner]) => Some(Node::Answered(Box::new(self.expr(inner)?))),
            ("age_on", [birth, on]) => {
                Some(Node::AgeOn(Box::new(self.expr(birth)?), Box::new(self.expr(on)?)))
            }
            ("sum_of" | "min_of", [records, Expr::StringConstant(field, _)])
                if self.binding.is_none() && variable_name(records) == Some(MEMBERS) =>
            {
                let slot = self.resolve.member(field.as_str())?;
                Some(if name == "sum_of" { Node::SumOf(slot) } else { Node::MinOf(None, slot) })
            }
            _ => None,
        }
    }
}

/// A `.` chain as its root and the segments after it, left to right.
fn flatten(expr: &Expr) -> Option<(&Expr, Vec<&Expr>)> {
    let Expr::Dot(dot, ..) = expr else { return None };
    let mut segments = Vec::new();
    let mut rest = &dot.rhs;
    loop {
        match rest {
            Expr::Dot(inner, ..) => {
                segments.push(&inner.lhs);
                rest = &inner.rhs;
            }
            last => {
                segments.push(last);
                break;
            }
        }
    }
    Some((&dot.lhs, segments))
}

/// A literal list (`["a", "b"]`), whether the optimiser made it one constant or not.
fn literal_list(expr: &Expr) -> Option<Vec<Lit>> {
    match expr {
        Expr::Array(items, _) => items
            .iter()
            .map(|item| match item {
                Expr::StringConstant(s, _) => Some(Lit::Str(s.as_str().into())),
                Expr::IntegerConstant(i, _) => Some(Lit::Int(*i)),
                Expr::FloatConstant(f, _) => Some(Lit::Float(**f)),
                Expr::BoolConstant(b, _) => Some(Lit::Bool(*b)),
                Expr::DynamicConstant(value, _) => literal(value),
                _ => None,
            })
            .collect(),
        Expr::DynamicConstant(value, _) if value.is_array() => {
            let array = value.read_lock::<rhai::Array>()?;
            array.iter().map(literal).collect()
        }
        _ => None,
    }
}

/// A constant the subset models.
fn literal(value: &Dynamic) -> Option<Lit> {
    if value.is_unit() {
        Some(Lit::Unit)
    } else if let Ok(b) = value.as_bool() {
        Some(Lit::Bool(b))
    } else if let Ok(i) = value.as_int() {
        Some(Lit::Int(i))
    } else if let Ok(f) = value.as_float() {
        Some(Lit::Float(f))
    } else {
        value.read_lock::<rhai::ImmutableString>().map(|s| Lit::Str(s.as_str().into()))
    }
}
