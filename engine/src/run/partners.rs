//! Partners: every trigger that holds, its urgency, and consent decided per reason — what a
//! reporting duty obliges goes without consent, the rest waits (held back, or pending).

use super::*;

impl<'a> Run<'a> {
    /// The partners to involve, and those waiting for the family's consent.
    pub(super) fn partners(
        &mut self,
        level_index: usize,
        services_on: &[bool],
    ) -> Result<(Vec<PartnerFinding>, Vec<PartnerFinding>), AssessError> {
        let rules = self.rules;
        let consent = self.consent();
        let mut partners = Vec::new();
        let mut pending = Vec::new();
        for p in &rules.partners {
            // The reasons passed on (obliged by a duty, or consented to), and those held back.
            let mut passed = PartnerReasons::default();
            let mut held_back = PartnerReasons::default();
            for t in &p.triggers {
                let (ids, reason) = match &t.trigger {
                    Trigger::Clause(c) => match self.clause(c, Some(level_index), services_on) {
                        Some(ids) => (ids, None),
                        None => continue,
                    },
                    Trigger::When(w) => match self.condition(w)? {
                        Some(held) => (held.because, Some(held.reason)),
                        None => continue,
                    },
                };
                let mut u = t.urgency;
                for id in &ids {
                    if let Some(severity) = self.severity_of(id) {
                        for (s, least) in &rules.minimum_partner_urgency {
                            if *s == severity {
                                u = u.max(*least);
                            }
                        }
                    }
                }
                let obliged = p.without_consent || t.duty.is_some();
                let reasons = if obliged || consent { &mut passed } else { &mut held_back };
                reasons.obliged |= obliged;
                reasons.add(u, ids, reason, t.duty);
            }
            let (shown, withheld, list) = match (passed.urgency, held_back.urgency) {
                (Some(_), _) => (passed, held_back, &mut partners),
                (None, Some(_)) => (held_back, PartnerReasons::default(), &mut pending),
                (None, None) => continue,
            };
            let because = dedup(shown.because);
            let duties = dedup_duties(shown.duties)
                .into_iter()
                .filter_map(|d| rules.duties.get(d))
                .map(|d| DutyRef { id: d.id.clone(), label: d.label.clone(), basis: d.basis.clone() })
                .collect();
            list.push(PartnerFinding {
                id: p.outcome.id.clone(),
                label: p.outcome.label.clone(),
                urgency: shown.urgency.unwrap_or(Urgency::Routine),
                without_consent: shown.obliged,
                duties,
                held_back: dedup(withheld.because).into_iter().filter(|id| !because.contains(id)).collect(),
                held_back_reasons: withheld.reasons,
                because,
                reasons: shown.reasons,
                basis: p.outcome.basis.clone(),
                rule: rules.rule_ref(&p.outcome.at),
            });
        }
        Ok((partners, pending))
    }

    fn severity_of(&self, id: &str) -> Option<Severity> {
        let index = *self.rules.criterion_index.get(id)?;
        self.criteria.get(index)?.as_ref().map(|h| h.severity)
    }

    /// Whether the family consents to involving partners (unrecorded consent is no consent).
    pub(super) fn consent(&mut self) -> bool {
        let Some(pointer) = &self.rules.partner_consent else { return true };
        match answers::answer_at_pointer(&self.rules.shape, self.answers, pointer) {
            Some(Answer::Bool(given)) => *given,
            _ => {
                self.warn(
                    "consent_not_recorded",
                    Some(pointer.clone()),
                    "согласие семьи на межведомственное взаимодействие не отмечено: партнёры, которым нужно согласие, отложены",
                    "the family's consent to involve other agencies is not recorded: partners that need it are held back",
                );
                false
            }
        }
    }
}

/// The reasons that call for a partner, gathered trigger by trigger.
#[derive(Default)]
struct PartnerReasons {
    urgency: Option<Urgency>,
    because: Vec<Text>,
    reasons: Vec<Reason>,
    duties: Vec<usize>,
    /// A reason among them obliges the report.
    obliged: bool,
}

impl PartnerReasons {
    fn add(&mut self, urgency: Urgency, ids: Vec<Text>, reason: Option<Reason>, duty: Option<usize>) {
        self.urgency = Some(self.urgency.map_or(urgency, |u| u.max(urgency)));
        self.because.extend(ids);
        self.reasons.extend(reason);
        self.duties.extend(duty);
    }
}

fn dedup_duties(mut duties: Vec<usize>) -> Vec<usize> {
    duties.sort_unstable();
    duties.dedup();
    duties
}
