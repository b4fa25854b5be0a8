//! The questions indexed for reading answers in one pass.

use crate::format::model::Question;

/// The questions of one level (the top, a section or a record) indexed by id, so that an
/// answer object is read in one pass over its entries; `nested` holds the same for each
/// question's own questions (empty for a question that has none).
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    pub index: super::FastMap<String, usize>,
    pub nested: Vec<Shape>,
}

impl Shape {
    pub fn new(questions: &[Question]) -> Self {
        Shape {
            index: questions.iter().enumerate().map(|(i, q)| (q.id.clone(), i)).collect(),
            nested: questions.iter().map(|q| Shape::new(&q.questions)).collect(),
        }
    }
}
