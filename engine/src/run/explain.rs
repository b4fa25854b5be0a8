//! Explanations: the answers a finding read, the rules it follows from, conditions in words
//! with the members they concern, what a form should hide and what is missing.

use super::*;

impl<'a> Run<'a> {
    /// Whether a condition holds — for the family, or for the members it is evaluated for — with
    /// the rules it used, its reason in words (naming the members) and the answers it read.
    pub(super) fn condition(&mut self, when: &'a When) -> Result<Option<Held<'a>>, AssessError> {
        let members = match when.scope {
            Scope::Family => {
                if !self.values.holds(&when.expr, None)? {
                    return Ok(None);
                }
                Vec::new()
            }
            Scope::Member => {
                let members = self.values.members_where(&when.expr)?;
                if members.is_empty() {
                    return Ok(None);
                }
                members
            }
        };
        let reads = if self.explain.reads {
            self.reads_with_outcomes(&when.expr.reads, &members)
        } else {
            Vec::new()
        };
        let member_ids = if self.explain.outcome_only {
            Vec::new()
        } else {
            members.iter().map(|&m| self.member_id(m)).collect()
        };
        Ok(Some(Held {
            because: self.because(&when.expr.reads),
            reason: Reason { label: when.reason.clone(), members: member_ids },
            reads,
        }))
    }

    /// A member's `id` as answered (a code such as `c1`, never a name).
    pub(super) fn member_id(&self, member: usize) -> Text {
        let id = self.member_field(member, "id");
        id.and_then(Answer::as_str).map_or_else(|| format!("#{}", member + 1).into(), Text::from)
    }

    /// The answers behind a set of reads, with member fields for the given members.
    pub(super) fn expand_reads(&self, reads: &'a Reads, members: &[usize], out: &mut Vec<Read<'a>>) {
        out.extend(reads.family.iter().map(Read::Answer));
        for &m in members {
            out.extend(reads.own_member_slots.iter().map(|&slot| Read::Member(m, slot)));
        }
        for m in 0..self.values.member_count() {
            out.extend(reads.every_member_slots.iter().map(|&slot| Read::Member(m, slot)));
        }
    }

    /// The answers read, including those read by the categories and criteria used that hold.
    pub(super) fn reads_with_outcomes(&self, reads: &'a Reads, members: &[usize]) -> Vec<Read<'a>> {
        let mut out = Vec::new();
        self.expand_reads(reads, members, &mut out);
        for &outcome in &reads.outcome_refs {
            if let Some(hit) = self.hit(outcome) {
                out.extend_from_slice(&hit.reads);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The hit of a category or criterion, if it holds.
    pub(super) fn hit(&self, outcome: OutcomeRef) -> Option<&Hit<'a>> {
        match outcome {
            OutcomeRef::Category(i) => self.categories.get(i)?.as_ref(),
            OutcomeRef::Criterion(i) => self.criteria.get(i)?.as_ref(),
        }
    }

    /// The derived facts used, and the categories and criteria used that hold.
    pub(super) fn because(&self, reads: &Reads) -> Vec<Text> {
        let rules = self.rules;
        let holding =
            reads.outcome_refs.iter().filter(|o| self.hit(**o).is_some()).filter_map(|o| match *o {
                OutcomeRef::Category(i) => rules.categories.get(i).map(|c| c.id.clone()),
                OutcomeRef::Criterion(i) => rules.criteria.get(i).map(|c| c.outcome.id.clone()),
            });
        reads.derived.iter().cloned().chain(holding).collect()
    }

    /// The questions whose relevance condition is false, for the family or for each member.
    pub(super) fn hidden(&mut self) -> Result<Vec<Text>, AssessError> {
        let rules = self.rules;
        let member_prefix = format!("/{MEMBERS}/*/");
        let mut hidden = Vec::new();
        for relevance in &rules.relevance {
            let per_member = relevance.patterns.iter().any(|p| p.starts_with(&member_prefix));
            if !per_member {
                if !self.values.holds(&relevance.expr, None)? {
                    hidden.extend(relevance.patterns.iter().map(|p| Text::from(p.as_str())));
                }
                continue;
            }
            for m in 0..self.values.member_count() {
                if !self.values.holds(&relevance.expr, Some(m))? {
                    for pattern in &relevance.patterns {
                        let field = pattern.strip_prefix(&member_prefix).unwrap_or(pattern);
                        hidden.push(format!("/{MEMBERS}/{m}/{field}").into());
                    }
                }
            }
        }
        Ok(hidden)
    }

    /// Relevant questions that rules read and that are not answered.
    pub(super) fn missing(&mut self) -> Result<Vec<Text>, AssessError> {
        let rules = self.rules;
        // Each relevance condition is evaluated at most once for the family and once per member.
        let rows = self.values.member_count() + 1;
        let mut known: Vec<Option<bool>> = vec![None; rules.relevance.len() * rows];
        let mut missing = Vec::new();
        for readable in &rules.readable_family {
            let answered = match readable.family_slot {
                Some(slot) => self.values.family_answered(slot),
                None => answers::is_answered(&rules.shape, self.answers, &readable.keys),
            };
            if !answered && self.relevant(&readable.relevance, None, &mut known)? {
                missing.push(readable.path.clone());
            }
        }
        for m in 0..self.values.member_count() {
            for readable in &rules.readable_member {
                if !self.values.member_slot_answered(m, readable.member_slot)
                    && self.relevant(&readable.relevance, Some(m), &mut known)?
                {
                    missing.push(rules.member_path(m, readable.member_slot));
                }
            }
        }
        Ok(missing)
    }

    pub(super) fn relevant(
        &mut self,
        conditions: &[usize],
        member: Option<usize>,
        known: &mut [Option<bool>],
    ) -> Result<bool, AssessError> {
        let rules = self.rules;
        let row = member.map_or(0, |m| m + 1);
        for &index in conditions {
            let cell = index * (self.values.member_count() + 1) + row;
            let holds = match known.get(cell).copied().flatten() {
                Some(holds) => holds,
                None => {
                    let Some(relevance) = rules.relevance.get(index) else { continue };
                    let holds = self.values.holds(&relevance.expr, member)?;
                    if let Some(slot) = known.get_mut(cell) {
                        *slot = Some(holds);
                    }
                    holds
                }
            };
            if !holds {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// A condition that holds: the rules it used, its reason in words, the answers it read.
pub(super) struct Held<'a> {
    pub(super) because: Vec<Text>,
    pub(super) reason: Reason,
    pub(super) reads: Vec<Read<'a>>,
}
