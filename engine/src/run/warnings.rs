//! What the specialist should know about an assessment: a draft, a date out of force, a birth
//! date after it, a parameter without a value, answers that contradict one another.

use super::*;

impl<'a> Run<'a> {
    /// The rule set's consistency checks: answers that contradict one another become warnings.
    pub(super) fn check_consistency(&mut self) -> Result<(), AssessError> {
        let rules = self.rules;
        for check in &rules.consistency {
            if self.values.holds(&check.expr, None)? {
                let message = check.message.clone();
                self.warnings.push(Warning { code: check.id.clone(), path: check.path.clone(), message });
            }
        }
        Ok(())
    }

    pub(super) fn warn(&mut self, code: &str, path: Option<String>, ru: &str, en: &str) {
        self.warnings.push(Warning { code: code.to_owned(), path, message: Labels::new(ru, en) });
    }

    pub(super) fn check_dates(&mut self) {
        if self.rules.draft {
            let version = &self.rules.version;
            self.warn(
                "draft_version",
                None,
                &format!("оценка по черновику версии {version}: версия не опубликована, её правила могут измениться"),
                &format!("assessed by the draft version {version}: it is not published, and its rules may change"),
            );
        }
        let (from, to) = self.rules.in_force;
        if self.as_of < from || to.is_some_and(|to| self.as_of > to) {
            self.warn(
                "not_in_force",
                Some("/as_of".to_owned()),
                "набор правил не действует на дату оценки",
                "the rule set is not in force on the assessment date",
            );
        }
        let members =
            self.rules.slots.members_at.and_then(|m| self.answers.get(m)).map_or(0, |m| m.records().len());
        for index in 0..members {
            let born = self.member_field(index, "birth_date").and_then(Answer::as_str).and_then(dates::parse);
            if born.is_some_and(|born| born > self.as_of) {
                self.warn(
                    "born_after_as_of",
                    Some(format!("/{MEMBERS}/{index}/birth_date")),
                    "дата рождения позже даты оценки",
                    "the birth date is after the assessment date",
                );
            }
        }
    }

    /// A parameter with no value on the assessment date (e.g. the subsistence minimum of a year
    /// the rule set does not know) makes the date unusable: the answers are refused at `/as_of`,
    /// rather than a rule failing on a missing number.
    pub(super) fn check_parameters(&self) -> Result<(), AssessError> {
        let problems: Vec<AnswerProblem> = self
            .rules
            .parameters
            .iter()
            .filter(|p| p.value_on(self.as_of).is_none())
            .map(|p| AnswerProblem {
                path: "/as_of".to_owned(),
                code: "no_parameter_value".to_owned(),
                message: format!("the rule set has no value of the parameter `{}` on this date", p.id),
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AssessError::InvalidAnswers { problems })
        }
    }
}
