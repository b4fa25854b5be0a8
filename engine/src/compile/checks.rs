//! Checks of the rule files that are not about expressions: dates, labels, ids, questions, periods, test cases.

use std::collections::{BTreeMap, BTreeSet};

use crate::dates;
use crate::diagnostic::{At, Code};
use crate::format::model::{self, QuestionType};
use crate::format::vocab::Labels;
use crate::load::Located;

/// The outcome of loading a rule set: the rule set if it has no errors, and every problem.
use super::*;

impl Compiler<'_> {
    pub(super) fn manifest_dates(
        &mut self,
        manifest: &Located<model::Manifest>,
    ) -> ((jiff::civil::Date, Option<jiff::civil::Date>), BTreeSet<jiff::civil::Date>) {
        let at = &manifest.at;
        let from = self.date(&manifest.item.in_force.from, at, "in_force.from");
        let to = manifest.item.in_force.to.as_ref().map(|to| self.date(to, at, "in_force.to"));
        let holidays = manifest.item.holidays.iter().map(|h| self.date(h, at, "holidays")).collect();
        for (text, what) in [(&manifest.item.id, "id"), (&manifest.item.version, "version")] {
            if text.trim().is_empty() {
                self.diags.error(Code::Missing, at, format!("the rule set's {what} is empty"));
            }
        }
        self.check_labels(&manifest.item.title, at);
        ((from, to), holidays)
    }

    pub(super) fn date(&mut self, text: &str, at: &At, what: &str) -> jiff::civil::Date {
        dates::parse(text).unwrap_or_else(|| {
            self.diags.error(Code::BadDate, at, format!("`{what}` is not a date YYYY-MM-DD"));
            jiff::civil::Date::default()
        })
    }

    pub(super) fn check_labels(&mut self, labels: &Labels, at: &At) {
        for (lang, text) in [("ru", &labels.ru), ("en", &labels.en)] {
            if text.trim().is_empty() {
                self.diags.error(Code::MissingLabel, at, format!("the `{lang}` label is empty"));
            }
        }
    }

    pub(super) fn check_ids<T>(&mut self, items: &[Located<T>], parts: impl Fn(&T) -> (&String, &Labels)) {
        let mut seen: BTreeMap<String, At> = BTreeMap::new();
        for item in items {
            let (id, labels) = parts(&item.item);
            check_snake_case(id, &item.at, self.diags);
            self.check_labels(labels, &item.at);
            if let Some(first) = seen.get(id) {
                let place = first.line.map_or(first.file.clone(), |l| format!("{}:{l}", first.file));
                self.diags.error(
                    Code::DuplicateId,
                    &item.at,
                    format!("the id `{id}` is already used (at {place})"),
                );
            } else {
                seen.insert(id.clone(), item.at.clone());
            }
        }
    }

    pub(super) fn check_question(&mut self, q: &model::Question, at: &At) {
        let nested = matches!(q.kind, QuestionType::Section | QuestionType::Records);
        let at = At { rule: Some(format!("question `{}`", q.id)), ..at.clone() };
        if nested && q.questions.is_empty() {
            self.diags.error(Code::EmptySection, &at, "a section or records question needs `questions`");
        }
        if !nested && !q.questions.is_empty() {
            self.diags.error(Code::NotASection, &at, "only section and records questions hold `questions`");
        }
        let enumerated = matches!(q.kind, QuestionType::Enum | QuestionType::EnumList);
        if enumerated && q.values.is_empty() {
            self.diags.error(Code::NoValues, &at, "an enum question needs `values`");
        }
        for value in &q.values {
            self.check_labels(&value.label, &at);
        }
        if let Some(unique) = &q.unique {
            if !q.questions.iter().any(|f| &f.id == unique) {
                self.diags.error(Code::UnknownField, &at, format!("`unique` names no field `{unique}`"));
            }
        }
        let mut seen = BTreeSet::new();
        for field in &q.questions {
            self.check_labels(&field.label, &at);
            check_snake_case(&field.id, &at, self.diags);
            if !seen.insert(field.id.as_str()) {
                self.diags.error(Code::DuplicateId, &at, format!("the field `{}` appears twice", field.id));
            }
            if !field.questions.is_empty() {
                self.diags.error(
                    Code::Nesting,
                    &at,
                    format!("the field `{}` nests too deep (one level of sections only)", field.id),
                );
            }
            self.check_question(field, &at);
        }
    }

    pub(super) fn check_period(&mut self, period: &model::Period, at: &At) {
        let given = [period.days, period.working_days, period.months, period.years]
            .iter()
            .filter(|p| p.is_some())
            .count();
        if given != 1 {
            self.diags.error(
                Code::BadPeriod,
                at,
                "a period gives exactly one of days, working_days, months, years",
            );
        }
    }

    pub(super) fn file_of_question(&self, id: &str) -> At {
        for (file, rules) in &self.loaded.files {
            if rules.questions.iter().any(|q| q.id == id) {
                return At::file(file);
            }
        }
        At::default()
    }

    pub(super) fn check_tests(&mut self) {
        if self.loaded.tests.is_empty() {
            self.diags.warning(Code::NoTests, &At::file("tests/"), "the rule set carries no test cases");
        }
        for test in &self.loaded.tests {
            if test.item.expect.is_empty() {
                self.diags.error(
                    Code::EmptyExpectation,
                    &test.at,
                    "the test case expects nothing, so it cannot fail: say at least the level under `expect:`",
                );
            }
        }
    }
}
