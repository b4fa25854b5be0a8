//! The draft individual programme (ИПСС) as the service's staff print and sign it: a header
//! (institution, family by case id, level, period of accompaniment, curator — blanks to fill),
//! the table of activities (№, activity, responsible with contacts, due date, mark of
//! completion) and signatures. DOCX for editing in Word (docx-rs), HTML for printing. No answer
//! is written but the family's case id.

use std::io::Cursor;

use docx_rs::{AlignmentType, BreakType, Docx, Paragraph, Run, Table, TableCell, TableRow, WidthType};
use sopro_engine::programme::{Programme, ProgrammeItem};
use sopro_engine::{Assessment, Lang};

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

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Ru => &RU,
        Lang::En => &EN,
    }
}

const BLANK: &str = "____________________________";

/// What the document shows, in one language: the header's lines and the table's rows.
struct Sheet {
    header: Vec<(&'static str, String)>,
    rows: Vec<[String; 5]>,
    footer: String,
}

fn sheet(assessment: &Assessment, programme: &Programme, case_id: Option<&str>, lang: Lang) -> Sheet {
    let w = words(lang);
    let as_of = date(&assessment.as_of, lang);
    let period = match &assessment.level.review_on {
        Some(review) => format!("{as_of} — {} ({})", date(review, lang), w.until_review),
        None => as_of,
    };
    let header = vec![
        (w.institution, BLANK.to_owned()),
        (w.family, case_id.map_or_else(|| BLANK.to_owned(), str::to_owned)),
        (w.level, assessment.level.label.get(lang).to_owned()),
        (w.period, period),
        (w.curator, BLANK.to_owned()),
    ];
    let rows = programme.items.iter().enumerate().map(|(n, item)| row(n, item, w, lang)).collect();
    let r = &assessment.ruleset;
    let footer = format!("{} {} {} ({}), {}", w.made_by, r.id, r.version, r.digest, assessment.as_of);
    Sheet { header, rows, footer }
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

/// The programme as a self-contained HTML page for printing.
pub fn html(assessment: &Assessment, programme: &Programme, case_id: Option<&str>, lang: Lang) -> String {
    let w = words(lang);
    let s = sheet(assessment, programme, case_id, lang);
    let e = crate::diff::escape;
    let header: String =
        s.header.iter().map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", e(k), e(v))).collect();
    let head: String = w.columns.iter().map(|c| format!("<th>{}</th>", e(c))).collect();
    let rows: String = s
        .rows
        .iter()
        .map(|r| format!("<tr>{}</tr>", r.iter().map(|c| format!("<td>{}</td>", e(c))).collect::<String>()))
        .collect();
    let table = if s.rows.is_empty() {
        format!("<p>{}</p>", e(w.no_activities))
    } else {
        format!("<table class=\"items\"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    };
    let signatures: String =
        w.signatures.iter().map(|s| format!("<p class=\"sign\">{}: {BLANK} / {BLANK}</p>", e(s))).collect();
    let lang_code = match lang {
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
        title = e(w.title),
        draft = e(w.draft),
        footer = e(&s.footer),
    )
}

/// The programme as a Word document.
pub fn docx(
    assessment: &Assessment,
    programme: &Programme,
    case_id: Option<&str>,
    lang: Lang,
) -> Result<Vec<u8>, String> {
    let w = words(lang);
    let s = sheet(assessment, programme, case_id, lang);
    let text = |t: &str| Paragraph::new().add_run(Run::new().add_text(t));
    let bold = |t: &str| Paragraph::new().add_run(Run::new().add_text(t).bold());
    let mut doc = Docx::new()
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(w.title).bold().size(28)),
        )
        .add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_text(w.draft).italic()),
        );
    for (k, v) in &s.header {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(format!("{k}: ")).bold())
                .add_run(Run::new().add_text(v)),
        );
    }
    if s.rows.is_empty() {
        doc = doc.add_paragraph(text(w.no_activities));
    } else {
        let widths = [500, 4200, 3600, 1300, 1400];
        let cell = |t: &str, width: usize, header: bool| {
            let paragraph = if header { bold(t) } else { text(t) };
            TableCell::new().add_paragraph(paragraph).width(width, WidthType::Dxa)
        };
        let head = TableRow::new(w.columns.iter().zip(widths).map(|(c, wd)| cell(c, wd, true)).collect());
        let rows = s
            .rows
            .iter()
            .map(|r| TableRow::new(r.iter().zip(widths).map(|(c, wd)| cell(c, wd, false)).collect()));
        doc = doc.add_table(Table::new(std::iter::once(head).chain(rows).collect()));
    }
    for signature in w.signatures {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::TextWrapping)));
        doc = doc.add_paragraph(text(&format!("{signature}: {BLANK} / {BLANK}")));
    }
    doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(&s.footer).size(16)));
    let mut out = Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| format!("the DOCX could not be written: {e}"))?;
    Ok(out.into_inner())
}
