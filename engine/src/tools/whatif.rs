//! What would have to change for a family to reach a goal — a lower or higher level, or leaving
//! or entering a category, criterion, urgent service or partner: the smallest sets of answer
//! changes (one to three answers) that reach it, each with the answers before → after, what it
//! changes and the level reached.
//!
//! Only answers the rule set declares `changeable` are varied, and of those only the ones some
//! rule on the way to the goal reads (the dependency graph from the goal back to the answers).
//! The values tried are those of the open questions (`tools::open`), money breakpoints included.
//! Single changes are tried exhaustively; pairs and triples are made of the single changes that
//! move the outcome towards the goal (leave something for a lower level or leaving, add something
//! for a higher level or entering), one per distinct effect of each answer, so that a set is
//! minimal by construction: no part of it reaches the goal alone.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::compiled::RuleSet;
use crate::format::model::{Question, QuestionType};
use crate::format::vocab::{Labels, Text};
use crate::run::error::AssessError;
use crate::tools::breakpoints::money_values;
use crate::tools::depends::goal_reads;
use crate::tools::open::{candidates, entered_and_left, parts, question_at, set, OutcomePart};
use crate::tools::phrasing;
use crate::tools::relevance::{clean, renumber, Cleaned};
use crate::tools::thresholds::{thresholds, Thresholds};

/// What the family's outcome should become.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "goal", rename_all = "snake_case")]
pub enum Goal {
    /// Any level lower than today's.
    Lower,
    /// Any level higher than today's.
    Higher,
    /// This level.
    Level {
        /// The level's id.
        id: Text,
    },
    /// No longer this category, criterion, urgent service or partner.
    Leave {
        /// Its id.
        id: Text,
    },
    /// This category, criterion, urgent service or partner.
    Enter {
        /// Its id.
        id: Text,
    },
}

impl Goal {
    /// The goal of the command line's and the HTTP service's options: `leave` or `enter` an
    /// id, else `to` a level — `lower` (also without any option), `higher` or a level's id.
    pub fn from_options(to: Option<&str>, leave: Option<&str>, enter: Option<&str>) -> Goal {
        match (to, leave, enter) {
            (_, Some(id), _) => Goal::Leave { id: id.into() },
            (_, _, Some(id)) => Goal::Enter { id: id.into() },
            (None | Some("lower"), ..) => Goal::Lower,
            (Some("higher"), ..) => Goal::Higher,
            (Some(id), ..) => Goal::Level { id: id.into() },
        }
    }
}

/// One answer changed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AnswerChange {
    /// Its JSON Pointer (members numbered as in the form).
    pub path: Text,
    /// The answer today (`None`: not given).
    pub before: Option<Value>,
    /// The answer that reaches the goal.
    pub after: Value,
    /// The change in words: «Занятость (член семьи 1): не работает → работает».
    pub says: Labels,
}

/// A smallest set of answer changes that reaches the goal.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChangeSet {
    /// The answers changed, in the order of the questions.
    pub changes: Vec<AnswerChange>,
    /// The level reached.
    pub level: Text,
    /// What would be added (a criterion at another severity is left and entered).
    pub enters: Vec<OutcomePart>,
    /// What would no longer be: the rules that flip off.
    pub leaves: Vec<OutcomePart>,
    /// The changes and their effect in words.
    pub says: Labels,
}

/// The answer to "what would change": the goal, and the sets of changes that reach it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WhatWouldChange {
    /// The goal asked for.
    pub goal: Goal,
    /// Today's level.
    pub level: Text,
    /// The family already meets the goal (nothing to change).
    pub reached: bool,
    /// The smallest sets found, the fewest changes first: every single change that reaches the
    /// goal (one per question, whichever member), then pairs and triples up to five sets in all,
    /// none containing another.
    pub sets: Vec<ChangeSet>,
    /// The answers varied (changeable, applying to the family, read on the way to the goal).
    pub varied: Vec<Text>,
    /// How many assessments the search made.
    pub tried: usize,
    /// The search stopped at its limit of assessments before trying every pair and triple.
    pub cut_short: bool,
    /// The goal in words, as the start of a sentence («Чтобы перейти на …, нужно»).
    pub says: Labels,
}

/// The most sets reported when pairs and triples are needed: several different ways, not every
/// variant of one. (Single changes are all reported, one per question.)
const MOST_SETS: usize = 5;
/// The most assessments one search makes (a hang guard on rule sets with many changeable answers).
const MOST_TRIED: usize = 6_000;

/// An answer the search may change: where, today's value, the values to try.
struct Variable {
    path: Text,
    /// The question, dotted (`members.employment`): the same for every member.
    question: String,
    before: Option<Value>,
    values: Vec<Value>,
}

/// A single change that moves towards the goal without reaching it.
struct Step {
    variable: usize,
    value: Value,
}

/// The outcome of one assessment, as the goal sees it.
#[derive(Clone, PartialEq)]
struct Outcome {
    level: Text,
    rank: usize,
    parts: BTreeSet<OutcomePart>,
}

/// Finds the smallest sets of answer changes that reach `goal` (see [`RuleSet::what_would_change`]).
pub(crate) fn what_would_change(
    rules: &RuleSet,
    partial: &Value,
    goal: &Goal,
) -> Result<WhatWouldChange, AssessError> {
    check_goal(rules, goal)?;
    let Cleaned { answers, incomplete_members, .. } = clean(rules, partial);
    let (base_assessment, hidden) = crate::run::assess_and_hide(rules, &answers)?;
    let base = outcome(rules, &base_assessment);
    let reads = goal_reads(rules, goal);
    let found = &thresholds(rules);
    let mut variables = variables(rules, &answers, &hidden, &reads, found);
    let reached = reaches(goal, &base, &base);
    let probed = if reached { 0 } else { add_money_breakpoints(rules, &answers, found, &mut variables) };
    let mut search = Search {
        rules,
        goal,
        base: &base,
        answers: &answers,
        variables: &variables,
        tried: probed,
        sets: Vec::new(),
    };
    let mut cut_short = false;
    if !reached {
        cut_short = search.run();
    }
    let Search { sets, tried, .. } = search;
    let renumbered = |p: &Text| renumber(p, &incomplete_members);
    let sets = sets
        .into_iter()
        .map(|(changes, after)| {
            let changes: Vec<AnswerChange> = changes
                .into_iter()
                .map(|(v, value)| {
                    let path = renumbered(&variables[v].path);
                    let before = variables[v].before.clone();
                    let says = phrasing::change_says(rules, &path, before.as_ref(), &value);
                    AnswerChange { path, before, after: value, says }
                })
                .collect();
            let (enters, leaves) = entered_and_left(&base.parts, &after.parts);
            let says = says_of_set(rules, &changes, &after.level, &enters, &leaves);
            ChangeSet { changes, level: after.level, enters, leaves, says }
        })
        .collect();
    Ok(WhatWouldChange {
        goal: goal.clone(),
        level: base.level.clone(),
        reached,
        sets,
        varied: variables.iter().map(|v| renumbered(&v.path)).collect(),
        tried,
        cut_short,
        says: phrasing::goal_says(rules, goal),
    })
}

fn says_of_set(
    rules: &RuleSet,
    changes: &[AnswerChange],
    level: &Text,
    enters: &[OutcomePart],
    leaves: &[OutcomePart],
) -> Labels {
    let what = |lang| changes.iter().map(|c| c.says.get(lang)).collect::<Vec<_>>().join("; ");
    let effect = |lang| phrasing::effect_words(rules, Some(level), enters, leaves, lang);
    let said = |lang| format!("{} — {}", what(lang), effect(lang));
    Labels { ru: said(crate::Lang::Ru).into(), en: said(crate::Lang::En).into() }
}

/// The search over single changes, then pairs and triples of steps towards the goal.
struct Search<'a> {
    rules: &'a RuleSet,
    goal: &'a Goal,
    base: &'a Outcome,
    answers: &'a Value,
    variables: &'a [Variable],
    tried: usize,
    sets: Vec<(Vec<(usize, Value)>, Outcome)>,
}

impl Search<'_> {
    /// Runs the search; `true` if it stopped at its limit.
    fn run(&mut self) -> bool {
        let mut steps = Vec::new();
        for (v, variable) in self.variables.iter().enumerate() {
            let mut solved = false;
            // Values of one answer with the same effect on their own make the same pairs and
            // triples, near enough: one step for each effect (the first value that has it).
            let mut effects: Vec<Outcome> = Vec::new();
            for value in &variable.values {
                if variable.before.as_ref() == Some(value) {
                    continue;
                }
                let Some(after) = self.try_changes(&[(v, value.clone())]) else { continue };
                if self.reaches(&after) {
                    let variant = self.sets.iter().any(|(set, _)| self.same_questions(set, &[v]));
                    if !solved && !variant {
                        self.sets.push((vec![(v, value.clone())], after));
                        solved = true;
                    }
                } else if self.towards(&after) && !effects.contains(&after) {
                    steps.push(Step { variable: v, value: value.clone() });
                    effects.push(after);
                }
            }
            if self.tried >= MOST_TRIED {
                return true;
            }
        }
        // Every single change that reaches the goal is reported (one per question); pairs and
        // triples only fill up to `MOST_SETS`.
        for size in 2..=3 {
            if self.sets.len() >= MOST_SETS {
                break;
            }
            if self.combine(&steps, size) {
                return true;
            }
        }
        false
    }

    /// Tries every combination of `size` steps on different answers whose answers no set found
    /// so far covers (so each set found is minimal and different); `true` at the limit.
    fn combine(&mut self, steps: &[Step], size: usize) -> bool {
        let mut chosen: Vec<usize> = Vec::with_capacity(size);
        self.extend(steps, size, 0, &mut chosen);
        self.tried >= MOST_TRIED
    }

    /// Extends `chosen` to `size` steps and tries it; `true` once the search must stop (enough
    /// sets, or the limit of assessments), at every depth.
    fn extend(&mut self, steps: &[Step], size: usize, from: usize, chosen: &mut Vec<usize>) -> bool {
        if chosen.len() == size {
            let variables: Vec<usize> = chosen.iter().map(|s| steps[*s].variable).collect();
            let covered = self.sets.iter().any(|(set, _)| set.iter().all(|(v, _)| variables.contains(v)))
                || self.sets.iter().any(|(set, _)| self.same_questions(set, &variables));
            if covered {
                return false;
            }
            let changes: Vec<(usize, Value)> =
                chosen.iter().map(|s| (steps[*s].variable, steps[*s].value.clone())).collect();
            if let Some(after) = self.try_changes(&changes) {
                if self.reaches(&after) {
                    self.sets.push((changes, after));
                }
            }
            return self.tried >= MOST_TRIED || self.sets.len() >= MOST_SETS;
        }
        for s in from..steps.len() {
            if chosen.iter().any(|c| steps[*c].variable == steps[s].variable) {
                continue;
            }
            chosen.push(s);
            let stop = self.extend(steps, size, s + 1, chosen);
            chosen.pop();
            if stop {
                return true;
            }
        }
        false
    }

    /// Whether a set found changes the same questions as `variables` (for other members): a
    /// variant of it, not another way.
    fn same_questions(&self, set: &[(usize, Value)], variables: &[usize]) -> bool {
        let questions = |vs: &mut dyn Iterator<Item = usize>| {
            let mut q: Vec<&str> = vs.map(|v| &*self.variables[v].question).collect();
            q.sort_unstable();
            q
        };
        questions(&mut set.iter().map(|(v, _)| *v)) == questions(&mut variables.iter().copied())
    }

    /// The outcome with these answers changed; `None` where the rules cannot assess it.
    fn try_changes(&mut self, changes: &[(usize, Value)]) -> Option<Outcome> {
        let mut changed = self.answers.clone();
        for (v, value) in changes {
            if !set(&mut changed, &self.variables[*v].path, value.clone()) {
                return None;
            }
        }
        self.tried += 1;
        let assessed = crate::run::assess(self.rules, &changed, crate::Explain::OUTCOME).ok()?;
        Some(outcome(self.rules, &assessed))
    }

    fn reaches(&self, after: &Outcome) -> bool {
        reaches(self.goal, self.base, after)
    }

    /// Whether a change that does not reach the goal moves towards it.
    fn towards(&self, after: &Outcome) -> bool {
        let leaves = self.base.parts.difference(&after.parts).next().is_some();
        let enters = after.parts.difference(&self.base.parts).next().is_some();
        let target_rank = match self.goal {
            Goal::Level { id } => self.rules.levels.iter().position(|l| l.outcome.id == *id),
            _ => None,
        };
        match (self.goal, target_rank) {
            (Goal::Lower, _) | (Goal::Leave { .. }, _) => leaves && after.rank >= self.base.rank,
            (Goal::Level { .. }, Some(t)) if t > self.base.rank => leaves && after.rank >= self.base.rank,
            (Goal::Higher, _) | (Goal::Enter { .. }, _) | (Goal::Level { .. }, _) => {
                enters && after.rank <= self.base.rank
            }
        }
    }
}

/// Whether an outcome meets the goal, against the family's outcome today.
fn reaches(goal: &Goal, base: &Outcome, after: &Outcome) -> bool {
    let has = |id: &Text| after.parts.iter().any(|p| p.id == *id);
    match goal {
        Goal::Lower => after.rank > base.rank,
        Goal::Higher => after.rank < base.rank,
        Goal::Level { id } => after.level == *id,
        Goal::Leave { id } => !has(id),
        Goal::Enter { id } => has(id),
    }
}

/// Adds to each money answer the sums at which the outcome changes along it, the other answers
/// as given (`tools::breakpoints`); returns how many assessments that took.
fn add_money_breakpoints(
    rules: &RuleSet,
    answers: &Value,
    found: &Thresholds,
    variables: &mut [Variable],
) -> usize {
    let mut probed = 0;
    for variable in variables.iter_mut() {
        let Some(question) = question_at(&rules.questions, &variable.path) else { continue };
        let mut changed = answers.clone();
        let path = variable.path.clone();
        let probe = found.computed.contains(&variable.question);
        let more = money_values(question, &variable.values, probe, |value| {
            probed += 1;
            if !set(&mut changed, &path, value.clone()) {
                return None;
            }
            let after = crate::run::assess(rules, &changed, crate::Explain::OUTCOME).ok()?;
            Some(outcome(rules, &after))
        });
        variable.values.extend(more);
    }
    probed
}

fn outcome(rules: &RuleSet, assessment: &crate::Assessment) -> Outcome {
    let rank = rules.levels.iter().position(|l| l.outcome.id == assessment.level.id).unwrap_or(usize::MAX);
    Outcome { level: assessment.level.id.clone(), rank, parts: parts(assessment) }
}

/// An unknown id is an error, not an empty answer.
fn check_goal(rules: &RuleSet, goal: &Goal) -> Result<(), AssessError> {
    let (id, is_level) = match goal {
        Goal::Lower | Goal::Higher => return Ok(()),
        Goal::Level { id } => (id, true),
        Goal::Leave { id } | Goal::Enter { id } => (id, false),
    };
    let known: Vec<Text> = if is_level {
        rules.levels.iter().map(|l| l.outcome.id.clone()).collect()
    } else {
        let categories = rules.categories.iter().map(|c| c.id.clone());
        let criteria = rules.criteria.iter().map(|c| c.outcome.id.clone());
        let services = rules.services.iter().map(|s| s.outcome.id.clone());
        let partners = rules.partners.iter().map(|p| p.outcome.id.clone());
        categories.chain(criteria).chain(services).chain(partners).collect()
    };
    if known.contains(id) {
        Ok(())
    } else {
        Err(AssessError::UnknownGoal { id: id.to_string(), level: is_level })
    }
}

/// The answers the search may change: changeable, applying to the family, read by some rule on
/// the way to the goal; members' fields per member.
fn variables(
    rules: &RuleSet,
    answers: &Value,
    hidden: &[Text],
    reads: &BTreeSet<String>,
    found: &Thresholds,
) -> Vec<Variable> {
    let as_of = answers.get("as_of").and_then(Value::as_str).unwrap_or_default();
    let mut out = Vec::new();
    let mut add = |question: &Question, path: String, dotted: &str| {
        if !question.changeable || !reads.contains(dotted) || hidden.iter().any(|h| **h == *path) {
            return;
        }
        let values = candidates(question, dotted, found, as_of);
        let before = answers.pointer(&path).cloned();
        out.push(Variable { before, path: path.into(), question: dotted.to_owned(), values });
    };
    for question in &rules.questions {
        match question.kind {
            QuestionType::Section => {
                for field in &question.questions {
                    add(
                        field,
                        format!("/{}/{}", question.id, field.id),
                        &format!("{}.{}", question.id, field.id),
                    );
                }
            }
            QuestionType::Records => {
                let count = answers.get(&question.id).and_then(Value::as_array).map_or(0, Vec::len);
                for index in 0..count {
                    for field in &question.questions {
                        let path = format!("/{}/{index}/{}", question.id, field.id);
                        add(field, path, &format!("{}.{}", question.id, field.id));
                    }
                }
            }
            _ => add(question, format!("/{}", question.id), &question.id),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_are_written_with_their_kind() {
        let goal = serde_json::from_str::<Goal>(r#"{"goal": "leave", "id": "omvd_pdn"}"#);
        assert!(matches!(goal, Ok(Goal::Leave { id }) if &*id == "omvd_pdn"));
        let written = serde_json::to_string(&Goal::Lower).ok();
        assert_eq!(written.as_deref(), Some(r#"{"goal":"lower"}"#));
    }
}
