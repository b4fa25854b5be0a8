//! The compiled form of an expression the native evaluator runs (`run::native`): names
//! resolved to fixed slots, operators as in Rhai. `compile` lowers Rhai's AST to a tree
//! ([`Node`]) once per rule set, then flattens the tree into a [`Program`] — instructions over a
//! stack, with jumps for `&&` and `||` — which is what an assessment runs.

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

/// A compiled expression as a tree (the lowering's output; flattened before use).
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

// ---------------------------------------------------------------------------------------------
// The flat form

/// A range of a program's instructions: the whole expression, or the body of a closure that
/// runs once per member.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Code {
    pub start: u32,
    pub end: u32,
}

/// `&&` or `||`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Logic {
    And,
    Or,
}

impl Logic {
    pub fn symbol(self) -> &'static str {
        match self {
            Logic::And => "&&",
            Logic::Or => "||",
        }
    }
}

/// One instruction over a stack of values. Operands are pushed left to right; each operation
/// pops its operands and pushes its result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Op {
    /// Push a literal (an index into [`Program::lits`]).
    Lit(u32),
    Load(Slot),
    /// `slot <cmp> literal` in one step: the commonest condition of a rule set.
    CmpSlotLit(Cmp, Slot, u32),
    Not,
    /// The left operand of `&&` / `||`: pops a yes/no; when it decides the result (false for
    /// `&&`, true for `||`) pushes it and jumps to `to`.
    Decide(Logic, u32),
    /// The right operand of `&&` / `||`: pops a yes/no and pushes it back.
    Truth(Logic),
    Cmp(Cmp),
    Arith(Arith),
    Neg,
    /// `x in [literals]`: the literals are `lits[from..to]`.
    InList(u32, u32),
    InValue,
    Count(Option<Code>),
    Some(Code),
    All(Option<Code>, Code),
    SumOf(usize),
    MinOf(Option<Code>, usize),
    Answered,
    AgeOn,
}

/// A compiled expression as a flat program: no recursion per node, no allocation when it runs
/// (the stack is the caller's, reused across evaluations).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Program {
    pub ops: Box<[Op]>,
    pub lits: Box<[Lit]>,
    /// The expression itself; closures' bodies lie elsewhere in `ops`.
    pub main: Code,
}

impl Program {
    /// Flattens the tree lowered from Rhai's AST.
    pub fn flatten(node: &Node) -> Program {
        let mut builder = Builder { ops: Vec::new(), lits: Vec::new() };
        let main = builder.code(node);
        Program { ops: builder.ops.into(), lits: builder.lits.into(), main }
    }
}

struct Builder {
    ops: Vec<Op>,
    lits: Vec<Lit>,
}

fn index(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Builder {
    /// Emits `node` as one contiguous range (closures it contains are emitted first, apart).
    fn code(&mut self, node: &Node) -> Code {
        let mut local = Vec::new();
        self.emit(node, &mut local);
        let start = index(self.ops.len());
        // Jumps were emitted relative to `local`; make them absolute.
        self.ops.extend(local.into_iter().map(|op| match op {
            Op::Decide(logic, to) => Op::Decide(logic, to + start),
            other => other,
        }));
        Code { start, end: index(self.ops.len()) }
    }

    fn lit(&mut self, lit: &Lit) -> u32 {
        self.lits.push(lit.clone());
        index(self.lits.len() - 1)
    }

    fn emit(&mut self, node: &Node, out: &mut Vec<Op>) {
        match node {
            Node::Lit(lit) => {
                let i = self.lit(lit);
                out.push(Op::Lit(i));
            }
            Node::Load(slot) => out.push(Op::Load(*slot)),
            Node::Not(inner) => {
                self.emit(inner, out);
                out.push(Op::Not);
            }
            Node::And(l, r) | Node::Or(l, r) => {
                let logic = if matches!(node, Node::And(..)) { Logic::And } else { Logic::Or };
                self.emit(l, out);
                let decide = out.len();
                out.push(Op::Decide(logic, 0));
                self.emit(r, out);
                out.push(Op::Truth(logic));
                out[decide] = Op::Decide(logic, index(out.len()));
            }
            Node::Cmp(cmp, l, r) => match (&**l, &**r) {
                (Node::Load(slot), Node::Lit(lit)) => {
                    let i = self.lit(lit);
                    out.push(Op::CmpSlotLit(*cmp, *slot, i));
                }
                _ => {
                    self.emit(l, out);
                    self.emit(r, out);
                    out.push(Op::Cmp(*cmp));
                }
            },
            Node::Arith(op, l, r) => {
                self.emit(l, out);
                self.emit(r, out);
                out.push(Op::Arith(*op));
            }
            Node::Neg(inner) => {
                self.emit(inner, out);
                out.push(Op::Neg);
            }
            Node::InList(item, list) => {
                self.emit(item, out);
                let from = index(self.lits.len());
                self.lits.extend(list.iter().cloned());
                out.push(Op::InList(from, index(self.lits.len())));
            }
            Node::InValue(item, list) => {
                self.emit(item, out);
                self.emit(list, out);
                out.push(Op::InValue);
            }
            Node::Count(filter) => {
                let filter = filter.as_deref().map(|f| self.code(f));
                out.push(Op::Count(filter));
            }
            Node::Some(test) => {
                let test = self.code(test);
                out.push(Op::Some(test));
            }
            Node::All(filter, test) => {
                let filter = filter.as_deref().map(|f| self.code(f));
                let test = self.code(test);
                out.push(Op::All(filter, test));
            }
            Node::SumOf(field) => out.push(Op::SumOf(*field)),
            Node::MinOf(filter, field) => {
                let filter = filter.as_deref().map(|f| self.code(f));
                out.push(Op::MinOf(filter, *field));
            }
            Node::Answered(inner) => {
                self.emit(inner, out);
                out.push(Op::Answered);
            }
            Node::AgeOn(birth, on) => {
                self.emit(birth, out);
                self.emit(on, out);
                out.push(Op::AgeOn);
            }
        }
    }
}
