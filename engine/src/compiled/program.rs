//! The compiled form of an expression the native evaluator runs (`run::native`): names
//! resolved to fixed slots, operators as in Rhai. Built by `compile` from the expression's
//! text once per rule set.

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
