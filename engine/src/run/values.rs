//! The values of one assessment and how expressions are evaluated over them.
//!
//! Values live in fixed slots laid out when the rule set was compiled: one per answer outside
//! the members, parameter, derived fact and outcome, and one per member field and member fact
//! for every member. Answers are taken from the read answers without copying. Each expression
//! is evaluated natively when it was compiled so (`native`); otherwise — or when it meets a
//! value the native subset does not model — by Rhai, whose scope is built only the first time
//! it is needed and then kept in step with the slots.

use std::sync::Arc;

use jiff::civil::Date;
use rhai::{Array, Dynamic, Map, Scope as RhaiScope};

use crate::compiled::{Expr, FamilySource, RuleSet};
use crate::format::model::QuestionType;
use crate::format::model::{MEMBER, MEMBERS};
use crate::run::answers::{self, Answer};
use crate::run::error::{rule_failed, AssessError};
use crate::run::native::{self, Env, Stop, Val};
use crate::sandbox;

/// Rhai's view of the same values, built on first use.
struct RhaiState {
    scope: RhaiScope<'static>,
    members: Vec<Dynamic>,
}

pub(crate) struct Values<'a> {
    rules: &'a RuleSet,
    answers: &'a [Answer<'a>],
    family: Vec<Val<'a>>,
    members: Vec<Vec<Val<'a>>>,
    member_answers: Vec<&'a Answer<'a>>,
    /// Which family slots, and which member slots of each member, hold an answer given (not
    /// `null`): `missing` reads these instead of looking the answers up again.
    family_given: Vec<bool>,
    members_given: Vec<Vec<bool>>,
    rhai: Option<RhaiState>,
    /// The native evaluator's stack, reused by every expression of the assessment.
    stack: Vec<Val<'a>>,
}

impl<'a> Values<'a> {
    /// The answers (the top level of the read answers) and the parameters in force on
    /// `as_of`, in their slots.
    pub fn new(rules: &'a RuleSet, answers: &'a [Answer<'a>], as_of: Date) -> Self {
        let member_answers: Vec<&'a Answer<'a>> = rules
            .slots
            .members_at
            .and_then(|m| answers.get(m))
            .map(|members| members.records().iter().collect())
            .unwrap_or_default();
        // Slots start unanswered, then take the answers where the questions put them.
        let mut family: Vec<Val<'a>> = rules
            .slots
            .family
            .iter()
            .map(|source| match source {
                FamilySource::Answer { kind, .. } => from_answer(&Answer::Absent, *kind),
                FamilySource::Parameter(index) => rules
                    .parameters
                    .get(*index)
                    .and_then(|p| p.value_on(as_of))
                    .map_or(Val::Unit, |(value, _)| Val::Float(value)),
                FamilySource::Computed(_) => Val::Unit,
            })
            .collect();
        let mut family_given = vec![false; family.len()];
        for &(slot, top, field) in &rules.slots.family_at {
            let answer = answers.get(top);
            let answer = match field {
                Some(field) => answer.and_then(|section| section.fields().get(field)),
                None => answer,
            };
            let (Some(answer), Some(FamilySource::Answer { kind, .. })) =
                (answer, rules.slots.family.get(slot))
            else {
                continue;
            };
            if let Some(place) = family.get_mut(slot) {
                *place = from_answer(answer, *kind);
            }
            if let Some(given) = family_given.get_mut(slot) {
                *given = answer.is_given();
            }
        }
        let empty_member: Vec<Val<'a>> = rules
            .slots
            .member
            .iter()
            .map(|(_, kind)| kind.map_or(Val::Unit, |kind| from_answer(&Answer::Absent, kind)))
            .collect();
        let mut members_given = Vec::with_capacity(member_answers.len());
        let members = member_answers
            .iter()
            .map(|member| {
                let mut values = empty_member.clone();
                let mut given = vec![false; values.len()];
                let fields = member.fields();
                for &(field, slot) in &rules.slots.member_at {
                    let Some(answer) = fields.get(field) else { continue };
                    if let (Some(place), Some((_, Some(kind)))) =
                        (values.get_mut(slot), rules.slots.member.get(slot))
                    {
                        *place = from_answer(answer, *kind);
                    }
                    if let Some(given) = given.get_mut(slot) {
                        *given = answer.is_given();
                    }
                }
                members_given.push(given);
                values
            })
            .collect();
        Values {
            rules,
            answers,
            family,
            members,
            member_answers,
            family_given,
            members_given,
            rhai: None,
            stack: Vec::with_capacity(16),
        }
    }

    /// Whether the answer in a family slot was given.
    pub fn family_answered(&self, slot: usize) -> bool {
        self.family_given.get(slot).copied().unwrap_or(false)
    }

    /// Whether member `m` answered the field in member slot `slot`.
    pub fn member_slot_answered(&self, m: usize, slot: usize) -> bool {
        self.members_given.get(m).and_then(|given| given.get(slot)).copied().unwrap_or(false)
    }

    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Computes every member fact for every member, in declaration order.
    pub fn compute_member_facts(&mut self) -> Result<(), AssessError> {
        let rules = self.rules;
        for m in 0..self.members.len() {
            for fact in &rules.member_facts {
                let (value, dynamic) = self.value(&fact.expr, Some(m))?;
                if let Some(slot) = self.members.get_mut(m).and_then(|fields| fields.get_mut(fact.slot)) {
                    *slot = value.clone();
                }
                if let Some(state) = &mut self.rhai {
                    if let Some(map) =
                        state.members.get_mut(m).and_then(|d| d.write_lock::<Map>()).as_deref_mut()
                    {
                        map.insert(fact.id.as_str().into(), dynamic.unwrap_or_else(|| to_dynamic(&value)));
                    }
                }
            }
        }
        if let Some(state) = &mut self.rhai {
            state.scope.set_value(MEMBERS, Dynamic::from_array(state.members.clone()));
        }
        Ok(())
    }

    /// Stores a derived fact's or an outcome's value.
    pub fn store(&mut self, slot: usize, name: &str, value: Val<'a>, dynamic: Option<Dynamic>) {
        if let Some(state) = &mut self.rhai {
            state.scope.set_value(name.to_owned(), dynamic.unwrap_or_else(|| to_dynamic(&value)));
        }
        if let Some(place) = self.family.get_mut(slot) {
            *place = value;
        }
    }

    /// Evaluates an expression for the family, or for member `member`. Returns the value, and
    /// Rhai's own value when Rhai computed it.
    pub fn value(
        &mut self,
        expr: &'a Expr,
        member: Option<usize>,
    ) -> Result<(Val<'a>, Option<Dynamic>), AssessError> {
        if let Some(program) = &expr.native {
            let env = Env { family: &self.family, members: &self.members, member };
            match native::eval(program, &env, &mut self.stack) {
                Ok(value) => return Ok((value, None)),
                Err(Stop::Failed(message)) => return Err(rule_failed(&expr.at, message)),
                Err(Stop::Unsupported) => {}
            }
        }
        let dynamic = self.rhai_eval(expr, member)?;
        Ok((from_dynamic(&dynamic), Some(dynamic)))
    }

    /// A condition: `true` holds; `false` and `()` (it read an unanswered question) do not.
    pub fn holds(&mut self, expr: &'a Expr, member: Option<usize>) -> Result<bool, AssessError> {
        match self.value(expr, member)? {
            (Val::Bool(b), _) => Ok(b),
            (Val::Unit, _) => Ok(false),
            (other, dynamic) => {
                let type_name = dynamic.map_or(other.type_name(), |d| d.type_name());
                Err(rule_failed(
                    &expr.at,
                    format!("gives a value of type {type_name} where yes/no is needed"),
                ))
            }
        }
    }

    /// Every member for whom a member-scoped condition holds.
    pub fn members_where(&mut self, expr: &'a Expr) -> Result<Vec<usize>, AssessError> {
        let mut matched = Vec::new();
        for m in 0..self.members.len() {
            if self.holds(expr, Some(m))? {
                matched.push(m);
            }
        }
        Ok(matched)
    }

    fn rhai_eval(&mut self, expr: &Expr, member: Option<usize>) -> Result<Dynamic, AssessError> {
        let engine = &self.rules.engine;
        let state = self.rhai_state();
        let mark = state.scope.len();
        if let Some(m) = member {
            state.scope.push_dynamic(MEMBER, state.members.get(m).cloned().unwrap_or(Dynamic::UNIT));
        }
        let result = engine.eval_ast_with_scope::<Dynamic>(&mut state.scope, &expr.ast);
        state.scope.rewind(mark);
        result.map_err(|error| rule_failed(&expr.at, sandbox::describe(&error)))
    }

    /// Rhai's scope: the answers, the members with their facts, and every slot computed so far.
    /// Built the first time Rhai is needed, then kept in step by `store` and the member facts.
    fn rhai_state(&mut self) -> &mut RhaiState {
        let (rules, answers) = (self.rules, self.answers);
        let (family, members, member_answers) = (&self.family, &self.members, &self.member_answers);
        self.rhai.get_or_insert_with(|| {
            let members: Vec<Dynamic> = member_answers
                .iter()
                .zip(members)
                .map(|(answers, values)| {
                    let mut map =
                        answers::record_map(rules.questions.iter().find(|q| q.id == MEMBERS), answers);
                    for ((name, kind), value) in rules.slots.member.iter().zip(values) {
                        if kind.is_none() && *value != Val::Unit {
                            map.insert(name.as_str().into(), to_dynamic(value));
                        }
                    }
                    Dynamic::from_map(map)
                })
                .collect();
            let mut scope = RhaiScope::new();
            for q in rules.questions.iter().filter(|q| q.id != MEMBERS) {
                let answer = rules.shape.index.get(&q.id).and_then(|&i| answers.get(i));
                scope.push_dynamic(
                    q.id.clone(),
                    answers::to_dynamic(q, answer.unwrap_or(&Answer::Absent)).unwrap_or(Dynamic::UNIT),
                );
            }
            scope.push_dynamic(MEMBERS, Dynamic::from_array(members.clone()));
            for (source, value) in rules.slots.family.iter().zip(family) {
                let name = match source {
                    FamilySource::Parameter(index) => rules.parameters.get(*index).map(|p| p.id.as_str()),
                    FamilySource::Computed(name) => Some(name.as_str()),
                    FamilySource::Answer { .. } => None,
                };
                if let Some(name) = name {
                    scope.push_dynamic(name.to_owned(), to_dynamic(value));
                }
            }
            RhaiState { scope, members }
        })
    }
}

/// An answer as a value: `null` or absent is `()`, an unanswered list is empty.
fn from_answer<'a>(answer: &'a Answer<'a>, kind: QuestionType) -> Val<'a> {
    match (kind, answer) {
        (QuestionType::EnumList, Answer::List(items)) => Val::List(items),
        (QuestionType::EnumList, _) => Val::List(&[]),
        (QuestionType::Bool, Answer::Bool(b)) => Val::Bool(*b),
        (QuestionType::Integer, Answer::Number(n)) => Val::Int(*n as i64),
        (QuestionType::Number | QuestionType::Money, Answer::Number(n)) => Val::Float(*n),
        (QuestionType::Date | QuestionType::Text | QuestionType::Enum, Answer::Text(text)) => Val::Str(text),
        (QuestionType::Section | QuestionType::Records, answer) if answer.is_given() => Val::Opaque,
        _ => Val::Unit,
    }
}

fn from_dynamic(value: &Dynamic) -> Val<'static> {
    if value.is_unit() {
        Val::Unit
    } else if let Ok(b) = value.as_bool() {
        Val::Bool(b)
    } else if let Ok(i) = value.as_int() {
        Val::Int(i)
    } else if let Ok(f) = value.as_float() {
        Val::Float(f)
    } else if let Some(s) = value.read_lock::<rhai::ImmutableString>() {
        Val::Text(Arc::from(s.as_str()))
    } else {
        Val::Opaque
    }
}

fn to_dynamic(value: &Val<'_>) -> Dynamic {
    match value {
        Val::Unit | Val::Opaque => Dynamic::UNIT,
        Val::Bool(b) => Dynamic::from_bool(*b),
        Val::Int(i) => Dynamic::from_int(*i),
        Val::Float(f) => Dynamic::from_float(*f),
        Val::Str(s) => Dynamic::from(s.to_string()),
        Val::Text(s) => Dynamic::from(s.to_string()),
        Val::List(items) => {
            Dynamic::from_array(items.iter().map(|s| Dynamic::from(s.to_string())).collect::<Array>())
        }
    }
}
