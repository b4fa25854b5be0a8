//! The questions indexed for reading answers in one pass.

use crate::format::model::Question;

/// The questions of one level (the top, a section or a record) indexed by id, so that an
/// answer object is checked in one pass over its entries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    pub index: super::FastMap<String, usize>,
    pub nested: Vec<Option<Shape>>,
}

impl Shape {
    pub fn new(questions: &[Question]) -> Self {
        Shape {
            index: questions.iter().enumerate().map(|(i, q)| (q.id.clone(), i)).collect(),
            nested: questions
                .iter()
                .map(|q| (!q.questions.is_empty()).then(|| Shape::new(&q.questions)))
                .collect(),
        }
    }
}
