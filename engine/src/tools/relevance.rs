//! What a form should ask next: which questions apply to this family, which unanswered ones
//! could still change the outcome, what is wrong at which field, and the live assessment.
//!
//! A form's answers are partial and may be wrong while the specialist types. Answers with a
//! problem are set aside (treated as unanswered, and reported for their field); a member
//! without `id`, `role` or a birth date takes no part until those are given.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::compiled::RuleSet;
use crate::format::assessment::Assessment;
use crate::format::model::MEMBERS;
use crate::format::vocab::Text;
use crate::run::answers::AnswerProblem;
use crate::run::error::AssessError;

/// The state of a partly filled form.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Relevance {
    /// Questions that do not apply to this family (JSON Pointers, members by index).
    pub hidden: Vec<Text>,
    /// Unanswered questions that apply and whose answer would change the outcome (the level, a
    /// category, a criterion or its severity, an urgent service, a partner or its urgency) for
    /// some value it may take, the other answers as given: those that can move the level first.
    pub open: Vec<Text>,
    /// The same questions, each with the answers that would change the outcome and what they
    /// would change, in words too.
    pub open_questions: Vec<crate::OpenQuestion>,
    /// Unanswered questions that apply and that some rule reads (a superset of `open`: most
    /// of them change nothing for this family).
    pub read_by_rules: Vec<Text>,
    /// Problems with the answers given so far, by field (missing required answers excluded).
    pub problems: Vec<AnswerProblem>,
    /// Members set aside until their id, role and birth date are given (indices).
    pub incomplete_members: Vec<usize>,
    /// The assessment of the answers given so far, when it could be made.
    pub assessment: Option<Assessment>,
    /// Why it could not be made (for example, no assessment date yet).
    pub error: Option<AssessError>,
}

/// Partial answers made fit to assess: answers with a problem set aside, members without their
/// required answers taken out.
pub(crate) struct Cleaned {
    /// What is assessed.
    pub answers: Value,
    /// The problems a form shows (missing required answers only for `as_of`).
    pub problems: Vec<AnswerProblem>,
    /// The members taken out (their indices in the form).
    pub incomplete_members: Vec<usize>,
}

/// Sets aside what cannot be assessed yet in a partly filled form.
pub(crate) fn clean(rules: &RuleSet, partial: &Value) -> Cleaned {
    let all_problems = rules.validate_answers(partial);
    let mut answers = partial.clone();
    for problem in all_problems.iter().filter(|p| p.code != "required") {
        remove(&mut answers, &problem.path);
    }
    let incomplete_members = set_aside_incomplete_members(rules, &mut answers);
    let problems: Vec<AnswerProblem> = all_problems
        .into_iter()
        .filter(|p| p.code != "required" || !p.path.starts_with(&format!("/{MEMBERS}/")))
        .filter(|p| p.code != "required" || p.path == "/as_of")
        .collect();
    Cleaned { answers, problems, incomplete_members }
}

/// Works out what a form should show for partial answers (see [`RuleSet::relevant`]).
pub(crate) fn relevant(rules: &RuleSet, partial: &Value) -> Relevance {
    let cleaned = clean(rules, partial);
    let (assessment, hidden, error) = match crate::run::assess_and_hide(rules, &cleaned.answers) {
        Ok((assessment, hidden)) => (Some(assessment), hidden, None),
        Err(error) => (None, Vec::new(), Some(error)),
    };
    let open_questions = match &assessment {
        Some(assessment) => crate::tools::open::open_questions_of(rules, &cleaned, assessment),
        None => Vec::new(),
    };
    let Cleaned { problems, incomplete_members, .. } = cleaned;
    let renumbered = |paths: &[Text]| paths.iter().map(|p| renumber(p, &incomplete_members)).collect();
    let read_by_rules = assessment.as_ref().map(|a| renumbered(&a.missing)).unwrap_or_default();
    Relevance {
        hidden: renumbered(&hidden),
        open: open_questions.iter().map(|q| q.path.clone()).collect(),
        open_questions,
        read_by_rules,
        problems,
        incomplete_members,
        assessment,
        error,
    }
}

/// Removes the answer at a JSON Pointer (an array element is set to `null`, keeping indices).
fn remove(answers: &mut Value, pointer: &str) {
    let Some((parent, key)) = pointer.rsplit_once('/') else { return };
    match answers.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&key.replace("~1", "/").replace("~0", "~"));
        }
        Some(Value::Array(items)) => {
            if let Some(item) = key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *item = Value::Null;
            }
        }
        _ => {}
    }
}

/// Takes members without their required answers out of the evaluation; returns their indices.
fn set_aside_incomplete_members(rules: &RuleSet, answers: &mut Value) -> Vec<usize> {
    let required: Vec<&str> = rules
        .questions
        .iter()
        .find(|q| q.id == MEMBERS)
        .map(|q| q.questions.iter().filter(|f| f.required).map(|f| f.id.as_str()).collect())
        .unwrap_or_default();
    let Some(Value::Array(members)) = answers.get_mut(MEMBERS) else { return Vec::new() };
    let mut incomplete = Vec::new();
    let mut kept = Vec::new();
    for (index, member) in std::mem::take(members).into_iter().enumerate() {
        let complete = required.iter().all(|f| member.get(*f).is_some_and(|v| !v.is_null()));
        if complete {
            kept.push(member);
        } else {
            incomplete.push(index);
        }
    }
    *members = kept;
    incomplete
}

/// Maps a member path of the evaluated (complete) members back to the form's numbering.
pub(crate) fn renumber(path: &Text, incomplete: &[usize]) -> Text {
    let prefix = format!("/{MEMBERS}/");
    let Some(rest) = path.strip_prefix(&prefix) else { return path.clone() };
    let (index, field) = rest.split_once('/').unwrap_or((rest, ""));
    let Ok(mut index) = index.parse::<usize>() else { return path.clone() };
    for skipped in incomplete {
        if *skipped <= index {
            index += 1;
        }
    }
    format!("{prefix}{index}/{field}").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renumbering_skips_the_members_set_aside() {
        assert_eq!(&*renumber(&Text::from("/members/1/role"), &[0, 2]), "/members/3/role");
        assert_eq!(&*renumber(&Text::from("/survey_act/x"), &[0]), "/survey_act/x");
    }
}
