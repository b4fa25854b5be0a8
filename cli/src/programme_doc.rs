//! The draft individual programme (ИПСС) as files: DOCX for editing in Word (docx-rs), HTML for
//! printing. What they say is the engine's [`ProgrammeSheet`] (the intake page prints the same);
//! no answer is written but the family's case id.

use std::io::Cursor;

use docx_rs::{AlignmentType, BreakType, Docx, Paragraph, Run, Table, TableCell, TableRow, WidthType};
use sopro_engine::ProgrammeSheet;

/// The programme as a self-contained HTML page for printing (the engine's, as the intake page's).
pub fn html(s: &ProgrammeSheet) -> String {
    s.html()
}

/// The programme as a Word document.
pub fn docx(s: &ProgrammeSheet) -> Result<Vec<u8>, String> {
    let text = |t: &str| Paragraph::new().add_run(Run::new().add_text(t));
    let bold = |t: &str| Paragraph::new().add_run(Run::new().add_text(t).bold());
    let mut doc = Docx::new()
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(&s.title).bold().size(28)),
        )
        .add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_text(&s.draft).italic()),
        );
    for [k, v] in &s.header {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(format!("{k}: ")).bold())
                .add_run(Run::new().add_text(v)),
        );
    }
    if s.rows.is_empty() {
        doc = doc.add_paragraph(text(&s.no_activities));
    } else {
        let widths = [500, 4200, 3600, 1300, 1400];
        let cell = |t: &str, width: usize, header: bool| {
            let paragraph = if header { bold(t) } else { text(t) };
            TableCell::new().add_paragraph(paragraph).width(width, WidthType::Dxa)
        };
        let head = TableRow::new(s.columns.iter().zip(widths).map(|(c, wd)| cell(c, wd, true)).collect());
        let rows = s
            .rows
            .iter()
            .map(|r| TableRow::new(r.iter().zip(widths).map(|(c, wd)| cell(c, wd, false)).collect()));
        doc = doc.add_table(Table::new(std::iter::once(head).chain(rows).collect()));
    }
    let blank = &s.blank;
    for signature in &s.signatures {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::TextWrapping)));
        doc = doc.add_paragraph(text(&format!("{signature}: {blank} / {blank}")));
    }
    doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(&s.footer).size(16)));
    let mut out = Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| format!("the DOCX could not be written: {e}"))?;
    Ok(out.into_inner())
}
