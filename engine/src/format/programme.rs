//! The individual programme of social accompaniment (ИПСС): the activities a rule set declares
//! (what is done, by whom, by when, to what end), the departments of the centre and the
//! directory of contacts — and the draft programme an assessment carries, which the working
//! group approves (seed 002, §4.4).

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::format::model::Period;
use crate::format::vocab::{Basis, Labels, Text};

/// An activity (мероприятие) of the programme.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Id (snake_case).
    pub id: String,
    /// What is done, for people.
    pub label: Labels,
    /// In the programme when any of these is in the assessment.
    pub for_any: Vec<ActivityTrigger>,
    /// Who carries it out.
    pub responsible: Responsible,
    /// Due this long after the assessment date …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_after: Option<Period>,
    /// … or by the next review of the level (`review_on`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub until_review: bool,
    /// The result expected, for people.
    pub result: Labels,
    /// How often the curator checks it.
    pub monitoring: Period,
    /// Legal basis.
    pub basis: Vec<Basis>,
}

/// One thing in an assessment that calls for an activity. Exactly one field is given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityTrigger {
    /// This need criterion is met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criterion: Option<String>,
    /// This urgent service is recommended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgent_service: Option<String>,
    /// This partner is involved (with consent, or by a duty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    /// This category applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The support level is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub level: Vec<String>,
}

/// Who carries out an activity: a partner of the rule set or a department of the centre.
/// Exactly one field is given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Responsible {
    /// A partner's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    /// A department's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// A department of the social-service centre (seed 000 lists them).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Id (snake_case).
    pub id: String,
    /// Its name, for people.
    pub label: Labels,
}

/// The contacts of a partner or department, as the programme prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The partner's or department's id.
    pub id: String,
    /// The organisation's name.
    pub name: Labels,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Telephone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The values are placeholders for the region to fill, not real contacts.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub placeholder: bool,
}

impl Contact {
    /// The contacts on one line («address, phone, e-mail»); `None` where they are placeholders.
    pub fn line(&self) -> Option<String> {
        let given = [&self.address, &self.phone, &self.email].into_iter().flatten();
        (!self.placeholder).then(|| given.map(String::as_str).collect::<Vec<_>>().join(", "))
    }
}

/// The control of the family's situation after accompaniment ends (seed 002: «пост-сопровождение
/// … с периодичностью 1 раз в 3 месяца»): a re-assessment whose level is not one of
/// `accompaniment_levels`, after one whose level was, starts it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostAccompaniment {
    /// Id (snake_case).
    pub id: String,
    /// What is done, for people.
    pub label: Labels,
    /// The levels at which the family is accompanied.
    pub accompaniment_levels: Vec<String>,
    /// How often the situation is checked once accompaniment has ended (calendar days, months
    /// or years).
    pub every: Period,
    /// For how long after the end; without it, the checks go on until the family is
    /// accompanied again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub during: Option<Period>,
    /// Who carries out the checks.
    pub responsible: Responsible,
    /// Legal basis.
    pub basis: Vec<Basis>,
}

/// The post-accompaniment control as an assessment carries it, so a family's history can date
/// the checks from the assessments alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PostAccompanimentPlan {
    /// Its id.
    pub id: Text,
    /// What is done.
    pub label: Labels,
    /// The levels at which the family is accompanied.
    pub accompaniment_levels: Arc<[Text]>,
    /// How often the situation is checked.
    pub every: Period,
    /// The same in words («раз в 3 мес.»).
    pub every_words: Labels,
    /// For how long after the end of accompaniment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub during: Option<Period>,
    /// Who carries out the checks, with contacts.
    pub responsible: ResponsibleContact,
    /// Legal basis.
    pub basis: Arc<[Basis]>,
    /// Its rule.
    pub rule: crate::format::assessment::RuleRef,
}

/// The draft programme of an assessment: activities in order, the urgent first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Programme {
    /// Always `draft`: the working group approves the programme, not the engine.
    pub status: ProgrammeStatus,
    /// The activities, urgent services' first, then by due date.
    pub items: Vec<ProgrammeItem>,
    /// The control after accompaniment ends, where the rule set declares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_accompaniment: Option<Arc<PostAccompanimentPlan>>,
}

/// Where a programme stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeStatus {
    /// Drafted from the assessment, awaiting the working group's approval.
    Draft,
}

/// One activity of a programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProgrammeItem {
    /// Stable across re-assessments of the family: the activity's id (a re-assessment says
    /// what is new, continued or closed by it).
    pub id: Text,
    /// What is done.
    pub label: Labels,
    /// What in the assessment calls for it: criteria, services, partners, categories, the level
    /// (ids).
    pub serves: Vec<Text>,
    /// Who carries it out, with contacts where the directory has them.
    pub responsible: ResponsibleContact,
    /// Due date (working days by the rule set's calendar), or the level's review date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The result expected.
    pub result: Labels,
    /// How often the curator checks it, in words («раз в месяц»).
    pub monitoring: Labels,
    /// Legal basis.
    pub basis: Arc<[Basis]>,
    /// Its rule.
    pub rule: crate::format::assessment::RuleRef,
}

/// The responsible organisation of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResponsibleContact {
    /// `partner` or `department`.
    pub kind: ResponsibleKind,
    /// Its id.
    pub id: Text,
    /// Its name (the directory's, else the partner's or department's label).
    pub name: Labels,
    /// Its contacts, where the directory has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Arc<Contact>>,
}

/// What kind of organisation is responsible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResponsibleKind {
    /// An interagency partner.
    Partner,
    /// A department of the centre.
    Department,
}

/// How often, in words: «ежемесячно», «раз в 3 мес.».
pub(crate) fn every(period: &Period) -> Labels {
    let words = |ru: String, en: String| Labels { ru: ru.into(), en: en.into() };
    match (period.days, period.working_days, period.months, period.years) {
        (Some(1), ..) => words("ежедневно".into(), "daily".into()),
        (Some(n), ..) => words(format!("раз в {n} дн."), format!("every {n} days")),
        (_, Some(1), ..) => words("каждый рабочий день".into(), "every working day".into()),
        (_, Some(n), ..) => words(format!("раз в {n} раб. дн."), format!("every {n} working days")),
        (_, _, Some(1), _) => words("ежемесячно".into(), "monthly".into()),
        (_, _, Some(n), _) => words(format!("раз в {n} мес."), format!("every {n} months")),
        (_, _, _, Some(1)) => words("ежегодно".into(), "yearly".into()),
        (_, _, _, Some(n)) => words(format!("раз в {n} г."), format!("every {n} years")),
        _ => words(String::new(), String::new()),
    }
}
