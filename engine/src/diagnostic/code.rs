//! The stable code of every problem a rule set (`rules::…`) or a sample profile (`sample::…`)
//! can have, as written in JSON.

use std::borrow::Cow;
use std::fmt;

use serde::{Serialize, Serializer};

/// Declares [`Code`], its strings and [`Code::ALL`] from one list, so that no code can be left
/// out of `ALL` or given no string.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal,)*) => {
        /// The stable code of a [`Diagnostic`](super::Diagnostic), as callers match on it. It is
        /// written (JSON, text) as today's string, e.g. `rules::unknown-field`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in the order of declaration.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in JSON and text, e.g. `rules::unknown-field`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    /// A rule file is longer than `MAX_RULE_FILE_SIZE` (it is not parsed).
    FileTooLarge = "rules::file-too-large",
    /// No file has a `ruleset:` section.
    NoManifest = "rules::no-manifest",
    /// A second file has a `ruleset:` section.
    DuplicateManifest = "rules::duplicate-manifest",
    /// A rule or test file is not valid YAML, or does not have the format's shape.
    Yaml = "rules::yaml",
    /// `[…]`/`{…}` nest deeper than 64 levels in a file, or rules build on one another deeper than 64.
    TooDeep = "rules::too-deep",
    /// The rule set's `id` or `version` is empty.
    Missing = "rules::missing",
    /// A date (in force, holidays, a parameter's period) is not `YYYY-MM-DD`.
    BadDate = "rules::bad-date",
    /// A label (`ru` or `en`) is empty.
    MissingLabel = "rules::missing-label",
    /// An id is not ASCII snake_case.
    BadId = "rules::bad-id",
    /// Two items of a kind, two fields of a question, or a member fact and question share an id.
    DuplicateId = "rules::duplicate-id",
    /// A section or records question has no `questions`.
    EmptySection = "rules::empty-section",
    /// A question that is not a section or records holds `questions`.
    NotASection = "rules::not-a-section",
    /// An enum question has no `values`.
    NoValues = "rules::no-values",
    /// A field of a section holds `questions` of its own (one level of sections only).
    Nesting = "rules::nesting",
    /// An expression reads a field no question defines, or `unique` names no field.
    UnknownField = "rules::unknown-field",
    /// A period gives none, or more than one, of days, working_days, months, years.
    BadPeriod = "rules::bad-period",
    /// A parameter's value is not a finite number.
    BadValue = "rules::bad-value",
    /// Two dated values of a parameter overlap.
    OverlappingPeriods = "rules::overlapping-periods",
    /// A Rhai expression or function file does not parse.
    RhaiSyntax = "rules::rhai-syntax",
    /// An expression or function file uses what the sandbox refuses (e.g. changing a map in place).
    Forbidden = "rules::forbidden",
    /// A function file does more than define functions, and that fails when it is run.
    Functions = "rules::functions",
    /// An expression uses a name no question, fact, parameter, category or criterion has.
    UnknownName = "rules::unknown-name",
    /// Rules depend on each other in a circle, or a rule on itself.
    Cycle = "rules::cycle",
    /// Warning: an escalation names a severity no higher than its criterion's own.
    EscalationNotHigher = "rules::escalation-not-higher",
    /// Warning: a `when:` of a service, consultation or partner trigger has no `reason:`.
    UnlabelledReason = "rules::unlabelled-reason",
    /// A clause or trigger names a category, criterion, level, service or duty that does not exist.
    UnknownId = "rules::unknown-id",
    /// A level's clause names a level.
    LevelInLevel = "rules::level-in-level",
    /// A level's clause names an urgent service (or `any_urgent_service`).
    ServiceInLevel = "rules::service-in-level",
    /// A clause has `at_least` without a `severity`.
    AtLeast = "rules::at-least",
    /// A clause names nothing.
    EmptyClause = "rules::empty-clause",
    /// A level no family can reach: after an `otherwise` level, without clauses, or shadowed.
    UnreachableLevel = "rules::unreachable-level",
    /// The last level is not `otherwise: true`.
    NoDefaultLevel = "rules::no-default-level",
    /// The rule set defines no levels.
    NoLevels = "rules::no-levels",
    /// Warning: a partner has `without_consent`, instead of a reporting duty on each trigger.
    ConsentPerPartner = "rules::consent-per-partner",
    /// Warning: the rule set has no test cases.
    NoTests = "rules::no-tests",
    /// A test case expects nothing, so it cannot fail.
    EmptyExpectation = "rules::empty-expectation",
    /// An activity names not exactly one responsible partner or department, or neither a due
    /// period nor `until_review`, or both.
    BadActivity = "rules::bad-activity",
    /// Warning: the rule set declares programme activities, but none serves this criterion,
    /// urgent service or partner.
    NotServed = "rules::not-served",
    /// An overlay extends a base whose files are not given.
    NoBase = "rules::no-base",
    /// The base given is not the one `extends:` names, extends another itself, or is not used.
    BaseMismatch = "rules::base-mismatch",
    /// The base's files are not those whose digest the overlay pinned.
    BaseDigest = "rules::base-digest",
    /// An overlay defines an id its base already has, without saying `overrides:`.
    RedefinesBase = "rules::redefines-base",
    /// An override or a disable names an item the base does not have.
    NoSuchBaseItem = "rules::no-such-base-item",
    /// An override is the same as the base's item: it changes nothing.
    OverrideUnchanged = "rules::override-unchanged",
    /// A disable without a reason or a basis, or something in `overrides:` that cannot be there.
    BadOverlay = "rules::bad-overlay",
    /// A regional criterion and a base criterion read the same answers, have different
    /// severities and can both hold for one family.
    LayersOverlap = "rules::layers-overlap",
    /// Whether a regional and a base criterion of different severities can both hold cannot be
    /// decided from their conditions.
    LayersUndecided = "rules::layers-undecided",
    /// A hint of a sample profile (`sample.yaml`, for the generator) names a question or a value
    /// the rule set does not have; the hint is left out.
    SampleUnknown = "sample::unknown",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A code's schema is that of a string, as it was when codes were strings.
impl schemars::JsonSchema for Code {
    fn inline_schema() -> bool {
        String::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        String::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::Code;

    #[test]
    fn every_code_is_listed_once_in_declaration_order_with_its_own_string() {
        for (index, code) in Code::ALL.iter().enumerate() {
            // Discriminants count up from 0 in declaration order: `ALL` leaves none out.
            assert_eq!(*code as usize, index, "{code:?}");
            assert!(["rules::", "sample::"].iter().any(|p| code.as_str().starts_with(p)), "{code}");
            assert_eq!(code.to_string(), code.as_str());
            assert_eq!(serde_json::to_string(code).ok(), Some(format!("\"{}\"", code.as_str())));
            assert!(*code == code.as_str() && code.as_str() == *code);
        }
        let strings: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(strings.len(), Code::ALL.len(), "two codes share a string");
    }

    #[test]
    fn a_code_has_the_schema_of_a_string() {
        let code = schemars::schema_for!(Code);
        let string = schemars::schema_for!(String);
        assert_eq!(serde_json::to_value(&code).ok(), serde_json::to_value(&string).ok());
    }
}
