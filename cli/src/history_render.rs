//! A family's history for people: text for the terminal and a self-contained HTML page with
//! the level over time as an SVG step chart (reviews and post-accompaniment checks marked).

use std::fmt::Write as _;

use sopro_engine::history::{Changes, CheckStatus, ReviewStatus};
use sopro_engine::{Lang, RuleLibrary};

use crate::diff::escape;
use crate::history::FamilyHistory;

/// Russian or English, by the output's language.
fn t(lang: Lang, ru: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ru => ru,
        Lang::En => en,
    }
}

fn names(list: &[sopro_engine::history::Named], lang: Lang) -> String {
    list.iter().map(|n| n.label.get(lang)).collect::<Vec<_>>().join("; ")
}

fn review_words(status: ReviewStatus, lang: Lang) -> &'static str {
    match status {
        ReviewStatus::OnTime => t(lang, "пересмотрено в срок", "reviewed on time"),
        ReviewStatus::Late => t(lang, "пересмотрено с опозданием", "reviewed late"),
        ReviewStatus::Overdue => t(lang, "ПРОСРОЧЕН", "OVERDUE"),
        ReviewStatus::Upcoming => t(lang, "предстоит", "upcoming"),
    }
}

fn check_words(status: CheckStatus, lang: Lang) -> &'static str {
    match status {
        CheckStatus::Done => t(lang, "проведён", "done"),
        CheckStatus::DoneLate => t(lang, "проведён с опозданием", "done late"),
        CheckStatus::Overdue => t(lang, "ПРОСРОЧЕН", "OVERDUE"),
        CheckStatus::Upcoming => t(lang, "предстоит", "upcoming"),
    }
}

fn case_title(family: &FamilyHistory, lang: Lang) -> String {
    let case = family.case_id.as_deref().unwrap_or(t(lang, "без номера", "no case id"));
    format!(
        "{} {case} {} {}; {}: {}",
        t(lang, "История семьи", "History of family"),
        t(lang, "на", "on"),
        family.history.on,
        t(lang, "оценок", "assessments"),
        family.history.timeline.len(),
    )
}

/// The lines of what changed in one list (criteria or programme items).
fn change_lines(out: &mut String, what: &str, changes: &Changes, lang: Lang) {
    let parts = [(t(lang, "новые", "new"), &changes.new), (t(lang, "завершены", "closed"), &changes.closed)];
    let mut line = format!("    {what}:");
    let mut any = false;
    for (word, list) in parts {
        if !list.is_empty() {
            let _ = write!(line, " {word} ({}): {}.", list.len(), names(list, lang));
            any = true;
        }
    }
    if !changes.continued.is_empty() {
        let _ = write!(line, " {} {}.", t(lang, "продолжаются:", "continued:"), changes.continued.len());
        any = true;
    }
    if !any {
        line.push_str(t(lang, " нет", " none"));
    }
    out.push_str(&line);
    out.push('\n');
}

/// The history as text for the terminal.
pub fn human(family: &FamilyHistory, lang: Lang) -> String {
    let h = &family.history;
    let mut out = format!("{}\n\n", case_title(family, lang));
    for (i, s) in h.timeline.iter().enumerate() {
        let moved = match &s.level_before {
            Some(before) => format!(" ({} {})", t(lang, "было:", "was:"), before.label.get(lang)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{}  {} {}  {}{moved}",
            s.as_of,
            s.ruleset.id,
            s.ruleset.version,
            s.level.label.get(lang)
        );
        change_lines(&mut out, t(lang, "критерии", "criteria"), &s.criteria, lang);
        match &s.programme {
            // The first programme in full is the draft itself (`sopro programme`): counted here.
            Some(items) if i == 0 => {
                let _ = writeln!(
                    out,
                    "    {}: {}",
                    t(lang, "мероприятия ИПСС", "programme items"),
                    items.new.len()
                );
            }
            Some(items) => {
                change_lines(&mut out, t(lang, "мероприятия ИПСС", "programme items"), items, lang)
            }
            None => {}
        }
    }
    if !h.reviews.is_empty() {
        let _ = writeln!(out, "\n{}", t(lang, "Пересмотры:", "Reviews:"));
        for r in &h.reviews {
            let late = r.days_late.map(|d| format!(", {d} {}", t(lang, "дн.", "days"))).unwrap_or_default();
            let on = r.reviewed_on.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} → {} {}: {}{on}{late}",
                r.set_by,
                t(lang, "пересмотр до", "review by"),
                r.review_on,
                review_words(r.status, lang)
            );
        }
    }
    if let Some(p) = &h.post_accompaniment {
        let _ = writeln!(
            out,
            "\n{} {} {} ({}); {}: {}",
            p.label.get(lang),
            t(lang, "с", "since"),
            p.since,
            p.every.get(lang),
            t(lang, "ответственный", "responsible"),
            p.responsible.name.get(lang)
        );
        for c in &p.checks {
            let done = c.done_on.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
            let late = c.days_late.map(|d| format!(", {d} {}", t(lang, "дн.", "days"))).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {}: {}{done}{late}",
                t(lang, "контроль", "check"),
                c.due,
                check_words(c.status, lang)
            );
        }
        if p.truncated {
            let _ = writeln!(out, "  {}", t(lang, "… список сокращён", "… the list is cut short"));
        }
    }
    if !h.left_out.is_empty() {
        let _ = writeln!(
            out,
            "\n{} {}",
            t(lang, "Не учтены оценки позже даты истории:", "Left out, dated after the history's date:"),
            h.left_out.join(", ")
        );
    }
    if !family.errors.is_empty() {
        let _ = writeln!(out, "\n{}", t(lang, "Не оценены:", "Not assessed:"));
        for e in &family.errors {
            let _ = writeln!(out, "  {}: {}", e.source, e.error.text(lang).trim_end());
        }
    }
    out
}

/// Days from the first date to the second (both ISO).
fn days(from: &str, to: &str) -> i64 {
    sopro_engine::days_between(from, to).unwrap_or(0)
}

/// The histories as one self-contained HTML page (no script, no external file).
pub fn html(families: &[FamilyHistory], library: &RuleLibrary, lang: Lang) -> String {
    let mut body = String::new();
    for family in families {
        body.push_str(&family_html(family, library, lang));
    }
    let lang_code = t(lang, "ru", "en");
    format!(
        "<!doctype html>\n<html lang=\"{lang_code}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
<style>body{{font:14px system-ui,sans-serif;margin:24px;color:#101828}}h2{{margin-top:32px}}\
table{{border-collapse:collapse;margin:8px 0}}td,th{{border:1px solid #d0d5dd;padding:4px 8px;text-align:left;vertical-align:top}}\
.t{{font-size:12px;fill:#344054}}.overdue{{color:#d92d20;font-weight:600}}.muted{{color:#667085}}</style></head>\
<body><h1>{title}</h1>{body}</body></html>\n",
        title = t(lang, "История семей: уровень сопровождения во времени", "Family history: the support level over time"),
    )
}

fn family_html(family: &FamilyHistory, library: &RuleLibrary, lang: Lang) -> String {
    let h = &family.history;
    let mut out = format!("<h2>{}</h2>", escape(&case_title(family, lang)));
    out.push_str(&chart(family, library, lang));
    let _ = write!(
        out,
        "<p class=\"muted\">{}</p>",
        t(
            lang,
            "● оценка · ┆ дата пересмотра (красная — просрочен) · ○ контроль пост-сопровождения (красный — просрочен)",
            "● assessment · ┆ review date (red: overdue) · ○ post-accompaniment check (red: overdue)"
        )
    );
    // The timeline as a table.
    let _ = write!(
        out,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t(lang, "Дата", "Date"),
        t(lang, "Версия правил", "Rule set"),
        t(lang, "Уровень", "Level"),
        t(lang, "Критерии", "Criteria"),
        t(lang, "Мероприятия ИПСС", "Programme items"),
    );
    let cell = |c: &Changes| {
        let mut text = String::new();
        for (word, list) in [(t(lang, "новые", "new"), &c.new), (t(lang, "завершены", "closed"), &c.closed)]
        {
            match list.len() {
                0 => {}
                // Long lists (a first programme) fold away.
                9.. => {
                    let _ = write!(
                        text,
                        "<details><summary><b>{word}:</b> {}</summary>{}</details>",
                        list.len(),
                        escape(&names(list, lang))
                    );
                }
                _ => {
                    let _ = write!(text, "<div><b>{word}:</b> {}</div>", escape(&names(list, lang)));
                }
            }
        }
        if !c.continued.is_empty() {
            let _ = write!(
                text,
                "<div class=\"muted\">{} {}</div>",
                t(lang, "продолжаются:", "continued:"),
                c.continued.len()
            );
        }
        text
    };
    for s in &h.timeline {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            s.as_of,
            escape(&s.ruleset.id),
            escape(&s.ruleset.version),
            escape(s.level.label.get(lang)),
            cell(&s.criteria),
            s.programme.as_ref().map(cell).unwrap_or_default(),
        );
    }
    out.push_str("</table>");
    if !h.reviews.is_empty() {
        let _ = write!(out, "<h3>{}</h3><table>", t(lang, "Пересмотры", "Reviews"));
        for r in &h.reviews {
            let class = if r.status == ReviewStatus::Overdue { " class=\"overdue\"" } else { "" };
            let late = r.days_late.map(|d| format!(", {d} {}", t(lang, "дн.", "days"))).unwrap_or_default();
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td{class}>{}{}{late}</td></tr>",
                r.set_by,
                r.review_on,
                review_words(r.status, lang),
                r.reviewed_on.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
            );
        }
        out.push_str("</table>");
    }
    if let Some(p) = &h.post_accompaniment {
        let _ = write!(
            out,
            "<h3>{} ({} {}, {})</h3><p>{}: {}</p><table>",
            escape(p.label.get(lang)),
            t(lang, "с", "since"),
            p.since,
            escape(p.every.get(lang)),
            t(lang, "Ответственный", "Responsible"),
            escape(p.responsible.name.get(lang))
        );
        for c in &p.checks {
            let class = if c.status == CheckStatus::Overdue { " class=\"overdue\"" } else { "" };
            let _ = write!(
                out,
                "<tr><td>{}</td><td{class}>{}{}{}</td></tr>",
                c.due,
                check_words(c.status, lang),
                c.done_on.as_deref().map(|d| format!(" ({d})")).unwrap_or_default(),
                c.days_late.map(|d| format!(", {d} {}", t(lang, "дн.", "days"))).unwrap_or_default()
            );
        }
        out.push_str("</table>");
    }
    if !family.errors.is_empty() {
        let _ = write!(out, "<h3>{}</h3><ul>", t(lang, "Не оценены", "Not assessed"));
        for e in &family.errors {
            let why = e.error.text(lang);
            let _ = write!(out, "<li>{}: {}</li>", escape(&e.source), escape(why.trim_end()));
        }
        out.push_str("</ul>");
    }
    out
}

/// The level over time: a step line across the rule set's levels (the first, most intensive,
/// on top), a dot per assessment, review dates as ticks and post-accompaniment checks as rings.
fn chart(family: &FamilyHistory, library: &RuleLibrary, lang: Lang) -> String {
    let h = &family.history;
    let (Some(first), Some(last)) = (h.timeline.first(), h.timeline.last()) else { return String::new() };
    let newest = library.versions().iter().find(|v| v.digest() == last.ruleset.digest);
    let mut levels: Vec<String> =
        newest.map(|v| v.level_ids().into_iter().map(str::to_owned).collect()).unwrap_or_default();
    for s in &h.timeline {
        if !levels.contains(&s.level.id.to_string()) {
            levels.push(s.level.id.to_string());
        }
    }
    let label = |id: &str| {
        h.timeline.iter().find(|s| &*s.level.id == id).map_or_else(
            || newest.and_then(|v| v.label_of(id)).map_or(id.to_owned(), |l| l.get(lang).to_owned()),
            |s| s.level.label.get(lang).to_owned(),
        )
    };
    let mut end = h.on.clone();
    let marks = h.reviews.iter().map(|r| r.review_on.clone());
    let checks = h.post_accompaniment.iter().flat_map(|p| p.checks.iter().map(|c| c.due.clone()));
    for date in marks.chain(checks).chain([last.as_of.clone()]) {
        if date > end {
            end = date;
        }
    }
    let span = days(&first.as_of, &end).max(1) as f64;
    let (left, width, row) = (220.0, 640.0, 34.0);
    let x = |date: &str| left + days(&first.as_of, date) as f64 / span * width;
    let y = |id: &str| 20.0 + levels.iter().position(|l| l == id).unwrap_or(0) as f64 * row;
    let height = 40.0 + levels.len() as f64 * row;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        t(lang, "Уровень сопровождения во времени", "Support level over time"),
        w = left + width + 40.0,
    );
    for l in &levels {
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{:.0}\" class=\"t\">{}</text><line x1=\"{left}\" x2=\"{:.0}\" y1=\"{:.0}\" y2=\"{:.0}\" stroke=\"#eaecf0\"/>",
            y(l) + 4.0,
            escape(&label(l)),
            left + width,
            y(l),
            y(l)
        );
    }
    let mut path = String::new();
    for (i, s) in h.timeline.iter().enumerate() {
        let (px, py) = (x(&s.as_of), y(&s.level.id));
        if i == 0 {
            let _ = write!(path, "M{px:.1},{py:.1}");
        } else {
            let _ = write!(path, " H{px:.1} V{py:.1}");
        }
    }
    let _ = write!(path, " H{:.1}", x(&h.on).max(x(&last.as_of)));
    let _ = write!(svg, "<path d=\"{path}\" fill=\"none\" stroke=\"#2e90fa\" stroke-width=\"2.5\"/>");
    for s in &h.timeline {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"#2e90fa\"><title>{} — {}</title></circle>",
            x(&s.as_of),
            y(&s.level.id),
            s.as_of,
            escape(s.level.label.get(lang))
        );
    }
    let bottom = height - 14.0;
    for r in &h.reviews {
        let color = if r.status == ReviewStatus::Overdue { "#d92d20" } else { "#98a2b3" };
        let _ = write!(
            svg,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"{color}\" stroke-dasharray=\"3 3\"><title>{3} {4}: {5}</title></line>",
            x(&r.review_on),
            bottom - 10.0,
            bottom,
            t(lang, "пересмотр", "review"),
            r.review_on,
            review_words(r.status, lang)
        );
    }
    for c in h.post_accompaniment.iter().flat_map(|p| &p.checks) {
        let color = if c.status == CheckStatus::Overdue { "#d92d20" } else { "#12b76a" };
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"><title>{} {}: {}</title></circle>",
            x(&c.due),
            bottom - 5.0,
            t(lang, "контроль", "check"),
            c.due,
            check_words(c.status, lang)
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{left}\" y=\"{height:.0}\" class=\"t\">{}</text><text x=\"{:.0}\" y=\"{height:.0}\" class=\"t\" text-anchor=\"end\">{}</text></svg>",
        first.as_of,
        left + width,
        end
    );
    svg
}
