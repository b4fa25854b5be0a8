//! What the draft individual programme (ИПСС) says on paper, as the service's staff print and
//! sign it: a header (institution, family by case id, level, period of accompaniment, curator —
//! blanks to fill), the table of activities (№, activity, responsible with contacts, due date,
//! mark of completion) and signatures. The CLI writes it as DOCX and HTML, the intake page as
//! HTML: one text, so they agree. No answer is in it but the family's case id.

use schemars::JsonSchema;
use serde::Serialize;

use crate::format::assessment::Assessment;
use crate::format::programme::ProgrammeItem;
use crate::format::vocab::Lang;

/// The words of the document, per language.
struct Words {
    title: &'static str,
    draft: &'static str,
    institution: &'static str,
    family: &'static str,
    level: &'static str,
    period: &'static str,
    curator: &'static str,
    columns: [&'static str; 5],
    until_review: &'static str,
    no_activities: &'static str,
    signatures: [&'static str; 3],
    made_by: &'static str,
    placeholder: &'static str,
}

const RU: Words = Words {
    title: "Индивидуальная программа социального сопровождения семьи",
    draft: "Проект — утверждается рабочей группой (межведомственным консилиумом)",
    institution: "Учреждение",
    family: "Семья (номер случая)",
    level: "Уровень сопровождения",
    period: "Срок сопровождения",
    curator: "Куратор семьи",
    columns: ["№", "Мероприятие", "Ответственный исполнитель", "Срок", "Отметка о выполнении"],
    until_review: "до пересмотра",
    no_activities: "Мероприятий нет: сопровождение не требуется.",
    signatures: [
        "Куратор семьи",
        "Руководитель службы сопровождения",
        "С программой ознакомлен(а), законный представитель",
    ],
    made_by: "Проект составлен по набору правил",
    placeholder: "контакты уточнить",
};

const EN: Words = Words {
    title: "Individual programme of social accompaniment of the family",
    draft: "Draft — to be approved by the working group",
    institution: "Institution",
    family: "Family (case id)",
    level: "Support level",
    period: "Period of accompaniment",
    curator: "Curator",
    columns: ["No.", "Activity", "Responsible", "Due", "Done"],
    until_review: "until the review",
    no_activities: "No activities: no accompaniment is needed.",
    signatures: ["Curator", "Head of the accompaniment service", "Read by the family's legal representative"],
    made_by: "Drafted by the rule set",
    placeholder: "contacts to be confirmed",
};

/// A line to fill in by hand.
pub const BLANK: &str = "____________________________";

/// The programme document's text in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ProgrammeSheet {
    /// `ru` or `en`.
    pub lang: Lang,
    /// «Индивидуальная программа социального сопровождения семьи».
    pub title: String,
    /// That it is a draft for the working group.
    pub draft: String,
    /// The header: name and value (a blank line where staff fill it in).
    pub header: Vec<[String; 2]>,
    /// The table's column names.
    pub columns: [String; 5],
    /// One row per activity: №, activity, responsible with contacts, due date, (empty) mark.
    pub rows: Vec<[String; 5]>,
    /// What stands in place of the table when there are no activities.
    pub no_activities: String,
    /// The signature lines' names; each is followed by two blanks (signature / name).
    pub signatures: Vec<String>,
    /// The blank to sign on.
    pub blank: String,
    /// The rule set, its digest and the assessment date.
    pub footer: String,
}

/// The document of an assessment's draft programme; `None` where it has none.
pub fn programme_sheet(assessment: &Assessment, case_id: Option<&str>, lang: Lang) -> Option<ProgrammeSheet> {
    let programme = assessment.programme.as_ref()?;
    let w = match lang {
        Lang::Ru => &RU,
        Lang::En => &EN,
    };
    let as_of = date(&assessment.as_of, lang);
    let period = match &assessment.level.review_on {
        Some(review) => format!("{as_of} — {} ({})", date(review, lang), w.until_review),
        None => as_of,
    };
    let line = |name: &str, value: String| [name.to_owned(), value];
    let header = vec![
        line(w.institution, BLANK.to_owned()),
        line(w.family, case_id.map_or_else(|| BLANK.to_owned(), str::to_owned)),
        line(w.level, assessment.level.label.get(lang).to_owned()),
        line(w.period, period),
        line(w.curator, BLANK.to_owned()),
    ];
    let r = &assessment.ruleset;
    Some(ProgrammeSheet {
        lang,
        title: w.title.to_owned(),
        draft: w.draft.to_owned(),
        header,
        columns: w.columns.map(str::to_owned),
        rows: programme.items.iter().enumerate().map(|(n, item)| row(n, item, w, lang)).collect(),
        no_activities: w.no_activities.to_owned(),
        signatures: w.signatures.iter().map(|s| (*s).to_owned()).collect(),
        blank: BLANK.to_owned(),
        footer: format!("{} {} {} ({}), {}", w.made_by, r.id, r.version, r.digest, assessment.as_of),
    })
}

fn row(n: usize, item: &ProgrammeItem, w: &Words, lang: Lang) -> [String; 5] {
    let who = &item.responsible;
    let contact = who.contact.as_ref().map(|c| c.line().unwrap_or_else(|| w.placeholder.to_owned()));
    let responsible = match contact {
        Some(contact) if !contact.is_empty() => format!("{} ({contact})", who.name.get(lang)),
        _ => who.name.get(lang).to_owned(),
    };
    [
        (n + 1).to_string(),
        item.label.get(lang).to_owned(),
        responsible,
        item.due.as_deref().map_or_else(|| w.until_review.to_owned(), |d| date(d, lang)),
        String::new(),
    ]
}

/// A date as Russian documents write it (`11.03.2026`); ISO in English.
fn date(iso: &str, lang: Lang) -> String {
    match (lang, iso.split('-').collect::<Vec<_>>().as_slice()) {
        (Lang::Ru, [y, m, d]) => format!("{d}.{m}.{y}"),
        _ => iso.to_owned(),
    }
}

/// Text for HTML: `&`, `<`, `>` and `"` escaped.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl ProgrammeSheet {
    /// The programme as a self-contained HTML page to print (A4 landscape), the same from the
    /// CLI (`sopro programme -o ipss.html`) and the intake page's «Проект ИПСС».
    pub fn html(&self) -> String {
        let e = escape_html;
        let header: String =
            self.header.iter().map(|[k, v]| format!("<tr><th>{}</th><td>{}</td></tr>", e(k), e(v))).collect();
        let head: String = self.columns.iter().map(|c| format!("<th>{}</th>", e(c))).collect();
        let cells = |r: &[String]| r.iter().map(|c| format!("<td>{}</td>", e(c))).collect::<String>();
        let rows: String = self.rows.iter().map(|r| format!("<tr>{}</tr>", cells(r))).collect();
        let table = if self.rows.is_empty() {
            format!("<p>{}</p>", e(&self.no_activities))
        } else {
            format!("<table class=\"items\"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        };
        let blank = e(&self.blank);
        let signatures: String = self
            .signatures
            .iter()
            .map(|n| format!("<p class=\"sign\">{}: {blank} / {blank}</p>", e(n)))
            .collect();
        let lang_code = match self.lang {
            Lang::Ru => "ru",
            Lang::En => "en",
        };
        format!(
            "<!doctype html>\n<html lang=\"{lang_code}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
<style>body{{font:11pt 'PT Serif',Georgia,serif;margin:2cm}}h1{{font-size:14pt;text-align:center}}\
.draft{{text-align:center;font-style:italic}}table{{border-collapse:collapse;width:100%;margin:1em 0}}\
.items th,.items td{{border:1px solid #000;padding:4px;vertical-align:top}}.header th{{text-align:left;padding-right:1em}}\
.sign{{margin-top:1.5em}}.footer{{font-size:8pt;color:#444}}@page{{size:A4 landscape;margin:1.5cm}}</style></head>\
<body><h1>{title}</h1><p class=\"draft\">{draft}</p><table class=\"header\">{header}</table>{table}{signatures}\
<p class=\"footer\">{footer}</p></body></html>\n",
            title = e(&self.title),
            draft = e(&self.draft),
            footer = e(&self.footer),
        )
    }
}
