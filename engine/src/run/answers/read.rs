//! Reading answers in one pass, driven by the questions: serde seeds that validate while they
//! read, from JSON text or from a `serde_json::Value`, into the typed tree [`Answer`].
//!
//! The problems come in the order of the answers as a `serde_json::Value` holds them — the keys
//! of each object in byte order, the last of a duplicated key counting — so text and `Value`
//! give the same list. Only an object that has problems is reordered.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::plain::{drain_map, drain_seq, Item, KeySeed, Skip};
use super::{Answer, AnswerProblem};
use crate::compiled::shape::Shape;
use crate::dates;
use crate::format::model::{Question, QuestionType};

/// Answers read against a rule set's questions: the top-level answers (one per question, in
/// the questions' order) and every problem found.
#[derive(Debug)]
pub(crate) struct ReadAnswers<'de> {
    pub top: Vec<Answer<'de>>,
    pub problems: Vec<AnswerProblem>,
}

/// Reads answers held as a `Value`.
pub(crate) fn read<'de>(questions: &[Question], shape: &Shape, answers: &'de Value) -> ReadAnswers<'de> {
    let mut reader = Reader::default();
    // A `Value` deserialises without errors; the seeds raise none of their own.
    let top = Want::Fields { questions, shape, nullable: false }.seed(&mut reader).deserialize(answers);
    finish(questions, top.unwrap_or(Answer::Other), reader)
}

/// Reads answers written as JSON text (one object, nothing after it but whitespace).
pub(crate) fn read_json<'de>(
    questions: &[Question],
    shape: &Shape,
    text: &'de str,
) -> Result<ReadAnswers<'de>, serde_json::Error> {
    let mut reader = Reader::default();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let top = Want::Fields { questions, shape, nullable: false }
        .seed(&mut reader)
        .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(finish(questions, top, reader))
}

fn finish<'de>(questions: &[Question], top: Answer<'de>, reader: Reader<'_>) -> ReadAnswers<'de> {
    let top = match top {
        Answer::Fields(fields) => fields,
        _ => questions.iter().map(|_| Answer::Absent).collect(),
    };
    ReadAnswers { top, problems: reader.problems }
}

/// Where in the answers the reading is, and the problems found so far.
#[derive(Default)]
struct Reader<'q> {
    path: Vec<Seg<'q>>,
    problems: Vec<AnswerProblem>,
}

#[derive(Clone, Copy)]
enum Seg<'q> {
    Key(&'q str),
    Index(usize),
}

impl Reader<'_> {
    /// The JSON Pointer of the current place (`/` for the whole document), with `extra` (an
    /// unknown key) appended; built only when a problem is reported.
    fn pointer(&self, extra: Option<&str>) -> String {
        if self.path.is_empty() && extra.is_none() {
            return "/".to_owned();
        }
        let mut pointer = String::new();
        for seg in &self.path {
            pointer.push('/');
            match seg {
                Seg::Key(key) => pointer.push_str(&escape(key)),
                Seg::Index(index) => pointer.push_str(&index.to_string()),
            }
        }
        if let Some(key) = extra {
            pointer.push('/');
            pointer.push_str(&escape(key));
        }
        pointer
    }

    fn problem(&mut self, code: &str, message: impl Into<String>) {
        let path = self.pointer(None);
        self.problems.push(AnswerProblem { path, code: code.to_owned(), message: message.into() });
    }
}

/// JSON Pointer escaping of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// What the value at the current place should be.
#[derive(Clone, Copy)]
enum Want<'q> {
    /// An object of answers to `questions` (the top, a section or a record); `nullable` when
    /// `null` means "not answered" (a section) rather than a wrong type (a record).
    Fields { questions: &'q [Question], shape: &'q Shape, nullable: bool },
    /// The answer to one question that is not a section (sections are always `Fields`).
    Answer { q: &'q Question, shape: &'q Shape },
}

impl<'q> Want<'q> {
    fn seed<'r>(self, reader: &'r mut Reader<'q>) -> Seed<'r, 'q> {
        Seed { want: self, reader }
    }
}

struct Seed<'r, 'q> {
    want: Want<'q>,
    reader: &'r mut Reader<'q>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = Answer<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Seed<'_, '_> {
    fn kind(&self) -> Option<QuestionType> {
        match self.want {
            Want::Fields { .. } => None,
            Want::Answer { q, .. } => Some(q.kind),
        }
    }

    /// Reports a value of the wrong type for what is wanted.
    fn wrong(self) -> Answer<'static> {
        let (code, message) = match self.want {
            Want::Fields { .. } => ("wrong_type", "must be an object of answers".to_owned()),
            Want::Answer { q, .. } => match q.kind {
                QuestionType::Bool => ("wrong_type", "must be true or false".to_owned()),
                QuestionType::Integer => ("wrong_type", "must be a whole number".to_owned()),
                QuestionType::Number | QuestionType::Money => ("wrong_type", "must be a number".to_owned()),
                QuestionType::Date => ("bad_date", "must be a date written YYYY-MM-DD".to_owned()),
                QuestionType::Text => ("wrong_type", "must be text".to_owned()),
                QuestionType::Enum => ("not_allowed", format!("must be one of: {}", values_of(q))),
                QuestionType::EnumList => ("wrong_type", "must be a list".to_owned()),
                QuestionType::Records => ("wrong_type", "must be a list of records".to_owned()),
                QuestionType::Section => ("wrong_type", "must be an object of answers".to_owned()),
            },
        };
        self.reader.problem(code, message);
        Answer::Other
    }

    fn number<'de>(self, n: f64) -> Answer<'de> {
        let Want::Answer { q, .. } = self.want else { return self.wrong() };
        match q.kind {
            QuestionType::Integer if n.fract() != 0.0 => self.wrong(),
            QuestionType::Integer | QuestionType::Number | QuestionType::Money => {
                check_range(q, n, self.reader);
                Answer::Number(n)
            }
            _ => self.wrong(),
        }
    }

    fn text<'de>(self, text: Cow<'de, str>) -> Answer<'de> {
        let Want::Answer { q, .. } = self.want else { return self.wrong() };
        match q.kind {
            QuestionType::Date if dates::parse(&text).is_none() => {
                self.reader.problem("bad_date", "must be a date written YYYY-MM-DD");
            }
            QuestionType::Text => {
                if let Some(max) = q.max_length {
                    if text.chars().count() > max as usize {
                        self.reader.problem("too_long", format!("must be at most {max} characters"));
                    }
                }
            }
            QuestionType::Enum if !allowed(q, &text) => {
                self.reader.problem("not_allowed", format!("must be one of: {}", values_of(q)));
            }
            QuestionType::Date | QuestionType::Enum => {}
            _ => return self.wrong(),
        }
        Answer::Text(text)
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = Answer<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("answers")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        Ok(if self.kind() == Some(QuestionType::Bool) { Answer::Bool(b) } else { self.wrong() })
    }

    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        Ok(self.number(n as f64))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        Ok(self.number(n as f64))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Self::Value, E> {
        Ok(self.number(n))
    }

    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(self.text(Cow::Borrowed(text)))
    }

    fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
        Ok(self.text(Cow::Owned(text.to_owned())))
    }

    fn visit_string<E>(self, text: String) -> Result<Self::Value, E> {
        Ok(self.text(Cow::Owned(text)))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(match self.want {
            Want::Fields { nullable: false, .. } => self.wrong(),
            _ => Answer::Null,
        })
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        match self.want {
            Want::Answer { q, shape } if q.kind == QuestionType::Records => {
                records(q, shape, self.reader, seq)
            }
            Want::Answer { q, .. } if q.kind == QuestionType::EnumList => list(q, self.reader, seq),
            _ => {
                drain_seq(seq)?;
                Ok(self.wrong())
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        match self.want {
            Want::Fields { questions, shape, .. } => fields(questions, shape, self.reader, map),
            Want::Answer { .. } => {
                drain_map(map)?;
                Ok(self.wrong())
            }
        }
    }
}

/// An entry of an object that has problems: its key and its problems (a range of the list).
struct Troubled {
    key: String,
    problems: Range<usize>,
    /// A later entry has the same key: this one does not count.
    replaced: bool,
}

/// An object of answers: each key checked and read in turn; then the required questions with
/// no key; the object's problems put in the order of its keys. Only the reading is generic
/// over the input; the checks are in [`Object`] (one copy in the module for all inputs).
fn fields<'de, 'q, A: MapAccess<'de>>(
    questions: &'q [Question],
    shape: &'q Shape,
    reader: &mut Reader<'q>,
    mut map: A,
) -> Result<Answer<'de>, A::Error> {
    let mut object = Object::new(questions, reader);
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match object.enter(shape, reader, &key) {
            Some((index, want)) => {
                let answer = map.next_value_seed(want.seed(reader))?;
                object.answered(reader, index, answer);
            }
            None => {
                map.next_value::<Skip>()?;
                object.unknown(reader, &key);
            }
        }
        object.leave(reader, key);
    }
    Ok(object.finish(reader))
}

/// The state of [`fields`] while an object is read.
struct Object<'de, 'q> {
    questions: &'q [Question],
    fields: Vec<Answer<'de>>,
    /// Where the object's problems start, and where the current entry's start.
    start: usize,
    before: usize,
    troubled: Vec<Troubled>,
}

impl<'de, 'q> Object<'de, 'q> {
    fn new(questions: &'q [Question], reader: &Reader<'q>) -> Self {
        let start = reader.problems.len();
        let fields = questions.iter().map(|_| Answer::Absent).collect();
        Object { questions, fields, start, before: start, troubled: Vec::new() }
    }

    /// A key: what its value should be (or `None` for an unknown key); a key seen before
    /// makes the earlier entry's problems not count.
    fn enter(&mut self, shape: &'q Shape, reader: &mut Reader<'q>, key: &str) -> Option<(usize, Want<'q>)> {
        self.before = reader.problems.len();
        let known = shape.index.get(key).copied().and_then(|i| Some((i, self.questions.get(i)?)));
        let replaces = match known {
            Some((index, _)) => self.fields.get(index).is_some_and(|a| !matches!(a, Answer::Absent)),
            None => self.troubled.iter().any(|t| !t.replaced && t.key == key),
        };
        if replaces {
            for earlier in self.troubled.iter_mut().filter(|t| t.key == key) {
                earlier.replaced = true;
            }
        }
        let (index, q) = known?;
        let nested = shape.nested.get(index).unwrap_or(shape);
        reader.path.push(Seg::Key(&q.id));
        let want = if q.kind == QuestionType::Section {
            Want::Fields { questions: &q.questions, shape: nested, nullable: true }
        } else {
            Want::Answer { q, shape: nested }
        };
        Some((index, want))
    }

    /// The value of a known key, read.
    fn answered(&mut self, reader: &mut Reader<'q>, index: usize, answer: Answer<'de>) {
        if matches!(answer, Answer::Null) && self.questions.get(index).is_some_and(|q| q.required) {
            reader.problem("required", "this answer is required");
        }
        reader.path.pop();
        if let Some(place) = self.fields.get_mut(index) {
            *place = answer;
        }
    }

    fn unknown(&mut self, reader: &mut Reader<'q>, key: &str) {
        let known: Vec<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
        let path = reader.pointer(Some(key));
        reader.problems.push(AnswerProblem {
            path,
            code: "unknown_field".to_owned(),
            message: format!("no such question here; the questions are: {}", known.join(", ")),
        });
    }

    /// After an entry: remember it if it had problems.
    fn leave(&mut self, reader: &Reader<'q>, key: Cow<'_, str>) {
        if reader.problems.len() > self.before {
            let problems = self.before..reader.problems.len();
            self.troubled.push(Troubled { key: key.into_owned(), problems, replaced: false });
        }
    }

    fn finish(self, reader: &mut Reader<'q>) -> Answer<'de> {
        if !self.troubled.is_empty() {
            order_by_key(&mut reader.problems, self.start, self.troubled);
        }
        for (q, answer) in self.questions.iter().zip(&self.fields) {
            if q.required && matches!(answer, Answer::Absent) {
                reader.path.push(Seg::Key(&q.id));
                reader.problem("required", "this answer is required");
                reader.path.pop();
            }
        }
        Answer::Fields(self.fields)
    }
}

/// Puts the problems from `start` on in the byte order of the keys they belong to, leaving out
/// those of entries a later duplicate replaced.
fn order_by_key(problems: &mut Vec<AnswerProblem>, start: usize, mut troubled: Vec<Troubled>) {
    troubled.retain(|t| !t.replaced);
    troubled.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    let mut taken: Vec<Option<AnswerProblem>> = problems.drain(start..).map(Some).collect();
    for t in &troubled {
        let range = (t.problems.start - start)..(t.problems.end - start);
        problems.extend(taken.get_mut(range).into_iter().flatten().filter_map(Option::take));
    }
}

/// A `records` answer: each record an object of answers, `unique` checked, the count checked
/// (its problems first, as the count is known before the records).
fn records<'de, 'q, A: SeqAccess<'de>>(
    q: &'q Question,
    shape: &'q Shape,
    reader: &mut Reader<'q>,
    mut seq: A,
) -> Result<Answer<'de>, A::Error> {
    let mut list = RecordList::new(q, shape, reader);
    loop {
        reader.path.push(Seg::Index(list.records.len()));
        let want = Want::Fields { questions: &q.questions, shape, nullable: false };
        let Some(record) = seq.next_element_seed(want.seed(reader))? else {
            reader.path.pop();
            break;
        };
        list.push(reader, record);
    }
    Ok(list.finish(reader))
}

/// The state of [`records`] while a list of records is read.
struct RecordList<'de, 'q> {
    q: &'q Question,
    /// The `unique` field and its index among the record's questions.
    unique: Option<(&'q str, usize)>,
    keys: Vec<Cow<'de, str>>,
    records: Vec<Answer<'de>>,
    start: usize,
}

impl<'de, 'q> RecordList<'de, 'q> {
    fn new(q: &'q Question, shape: &'q Shape, reader: &Reader<'q>) -> Self {
        let unique = q.unique.as_deref().and_then(|u| Some((u, *shape.index.get(u)?)));
        RecordList { q, unique, keys: Vec::new(), records: Vec::new(), start: reader.problems.len() }
    }

    /// A record read (the path still ends in its index).
    fn push(&mut self, reader: &mut Reader<'q>, record: Answer<'de>) {
        if let Some((field, index)) = self.unique {
            if let Some(Answer::Text(key)) = record.fields().get(index) {
                if self.keys.contains(key) {
                    reader.path.push(Seg::Key(field));
                    reader.problem("duplicate", format!("`{field}` must differ from every other record's"));
                    reader.path.pop();
                } else {
                    self.keys.push(key.clone());
                }
            }
        }
        reader.path.pop();
        self.records.push(record);
    }

    fn finish(self, reader: &mut Reader<'q>) -> Answer<'de> {
        let (q, count) = (self.q, self.records.len());
        let mut wrong_count = Vec::new();
        if let Some(min) = q.min_items.filter(|&min| count < min as usize) {
            wrong_count.push(("too_few", format!("needs at least {min} record(s)")));
        }
        if let Some(max) = q.max_items.filter(|&max| count > max as usize) {
            wrong_count.push(("too_many", format!("holds at most {max} records")));
        }
        if !wrong_count.is_empty() {
            let path = reader.pointer(None);
            let problems = wrong_count.into_iter().map(|(code, message)| AnswerProblem {
                path: path.clone(),
                code: code.to_owned(),
                message,
            });
            reader.problems.splice(self.start..self.start, problems);
        }
        Answer::Records(self.records)
    }
}

/// An `enum_list` answer: allowed values, each once.
fn list<'de, 'q, A: SeqAccess<'de>>(
    q: &'q Question,
    reader: &mut Reader<'q>,
    mut seq: A,
) -> Result<Answer<'de>, A::Error> {
    let mut items: Vec<Cow<'de, str>> = Vec::new();
    let mut index = 0;
    while let Some(item) = seq.next_element::<Item<'de>>()? {
        reader.path.push(Seg::Index(index));
        match item.0 {
            Some(text) if allowed(q, &text) => {
                if items.contains(&text) {
                    reader.problem("duplicate", "each value may appear once");
                } else {
                    items.push(text);
                }
            }
            _ => reader.problem("not_allowed", format!("must be one of: {}", values_of(q))),
        }
        reader.path.pop();
        index += 1;
    }
    Ok(Answer::List(items))
}

fn check_range(q: &Question, n: f64, reader: &mut Reader<'_>) {
    let below = q.min.is_some_and(|min| n < min);
    let above = q.max.is_some_and(|max| n > max);
    if below || above {
        let range = match (q.min, q.max) {
            (Some(min), Some(max)) => format!("from {min} to {max}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => String::new(),
        };
        reader.problem("out_of_range", format!("must be {range}"));
    }
}

fn allowed(q: &Question, text: &str) -> bool {
    q.values.iter().any(|v| v.id == text)
}

fn values_of(q: &Question) -> String {
    q.values.iter().map(|v| v.id.as_str()).collect::<Vec<_>>().join(", ")
}
