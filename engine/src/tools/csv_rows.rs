//! Families from a CSV file (e.g. an export from Excel): for `sopro batch` and the rule studio's
//! Compare over a registry chosen from disk.
//!
//! Header convention: each column is an answer path with dots — `as_of`, `case.id`,
//! `members.0.role`, `members.1.birth_date`, `survey_act.food_present`,
//! `questionnaire.requested_help`. A cell is typed by its question: yes/no accepts
//! `true`/`false`/`да`/`нет`/`1`/`0`; numbers accept a decimal comma; a list of values is
//! separated by `;`; an empty cell is not answered. A cell that does not convert is passed on as
//! text, so the engine reports it at its path (never with its value).

use serde_json::{Map, Number, Value};

use crate::format::model::{Question, QuestionType};

/// How one column maps into the answers.
struct Column {
    keys: Vec<String>,
    kind: Option<QuestionType>,
}

/// The columns of a CSV header, mapped to answer paths and typed by the rule set's questions.
pub struct CsvColumns(Vec<Column>);

impl CsvColumns {
    /// Maps the header's columns to answer paths and question types.
    pub fn new<'a>(header: impl IntoIterator<Item = &'a str>, questions: &[Question]) -> CsvColumns {
        CsvColumns(
            header
                .into_iter()
                .map(|name| {
                    let keys: Vec<String> = name.trim().split('.').map(str::to_owned).collect();
                    Column { kind: kind_of(&keys, questions), keys }
                })
                .collect(),
        )
    }

    /// One row as the answers object.
    pub fn answers<'a>(&self, row: impl IntoIterator<Item = &'a str>) -> Value {
        answers(row, &self.0)
    }
}

/// Every row of a CSV text as answers (`None` for a row the CSV reader cannot read), by the
/// header convention above.
pub fn csv_families(text: &str, questions: &[Question]) -> Result<Vec<Option<Value>>, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| format!("the CSV header cannot be read: {e}"))?.clone();
    let columns = CsvColumns::new(header.iter(), questions);
    Ok(reader.records().map(|row| row.ok().map(|row| columns.answers(row.iter()))).collect())
}

fn kind_of(keys: &[String], questions: &[Question]) -> Option<QuestionType> {
    let top = questions.iter().find(|q| Some(&q.id) == keys.first())?;
    let field = match top.kind {
        QuestionType::Section => keys.get(1),
        QuestionType::Records => keys.get(2),
        _ => return Some(top.kind),
    }?;
    top.questions.iter().find(|q| &q.id == field).map(|q| q.kind)
}

fn cell_value(text: &str, kind: Option<QuestionType>) -> Value {
    let text = text.trim();
    let as_text = || Value::String(text.to_owned());
    match kind {
        Some(QuestionType::Bool) => match text.to_lowercase().as_str() {
            "true" | "да" | "1" | "yes" => Value::Bool(true),
            "false" | "нет" | "0" | "no" => Value::Bool(false),
            _ => as_text(),
        },
        Some(QuestionType::Integer | QuestionType::Number | QuestionType::Money) => {
            let number = text.replace(',', ".").replace(' ', "");
            number.parse::<f64>().ok().and_then(Number::from_f64).map_or_else(as_text, Value::Number)
        }
        Some(QuestionType::EnumList) => Value::Array(
            text.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        _ => as_text(),
    }
}

fn answers<'a>(row: impl IntoIterator<Item = &'a str>, columns: &[Column]) -> Value {
    let mut root = Value::Object(Map::new());
    for (cell, column) in row.into_iter().zip(columns) {
        if cell.trim().is_empty() {
            continue;
        }
        let mut node = &mut root;
        for (i, key) in column.keys.iter().enumerate() {
            let last = i + 1 == column.keys.len();
            let next_is_index = column.keys.get(i + 1).is_some_and(|k| k.parse::<usize>().is_ok());
            node = match (node, key.parse::<usize>()) {
                (Value::Array(items), Ok(index)) => {
                    while items.len() <= index {
                        items.push(Value::Object(Map::new()));
                    }
                    match items.get_mut(index) {
                        Some(item) => item,
                        None => break,
                    }
                }
                (Value::Object(map), _) => {
                    let empty =
                        if next_is_index { Value::Array(Vec::new()) } else { Value::Object(Map::new()) };
                    map.entry(key.clone()).or_insert(empty)
                }
                _ => break,
            };
            if last {
                *node = cell_value(cell, column.kind);
            }
        }
    }
    root
}
