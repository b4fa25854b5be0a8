//! Urgent services and consultations: each recommended by a clause, its condition, or both
//! (every reason given).

use super::*;

impl<'a> Run<'a> {
    /// An urgent service or consultation, if a clause or its condition holds (`services`: the
    /// urgent services already recommended, for clauses that depend on them).
    pub(super) fn recommend(
        &mut self,
        rule: &'a ServiceRule,
        level: usize,
        services: &[bool],
        with_condition: bool,
    ) -> Result<Option<Finding>, AssessError> {
        let by_clause = self.any_clause(&rule.if_any, Some(level), services);
        // The condition is evaluated even when a clause holds, so every reason is given.
        let held = match rule.when.as_ref().filter(|_| with_condition) {
            Some(when) => self.condition(when)?,
            None => None,
        };
        Ok(match (by_clause, held) {
            (None, None) => None,
            (Some(because), None) => {
                Some(finding(self.rules, &rule.outcome, dedup(because), Vec::new(), Vec::new()))
            }
            (because, Some(held)) => {
                let mut ids = because.unwrap_or_default();
                ids.extend(held.because);
                let reads = self.rules.paths(&held.reads);
                Some(finding(self.rules, &rule.outcome, dedup(ids), vec![held.reason], reads))
            }
        })
    }

    /// The urgent services, and which of them are recommended (by index). Services that follow
    /// from other services (`any_urgent_service`) come second.
    pub(super) fn urgent_services(
        &mut self,
        level_index: usize,
    ) -> Result<(Vec<Finding>, Vec<bool>), AssessError> {
        let rules = self.rules;
        let mut services_on = vec![false; rules.services.len()];
        let mut service_findings: Vec<Option<Finding>> = vec![None; rules.services.len()];
        for second_pass in [false, true] {
            let others = services_on.clone();
            for (i, s) in rules.services.iter().enumerate() {
                let needs_others = s.if_any.iter().any(|c| c.any_service);
                if services_on.get(i).copied().unwrap_or(false) || (second_pass && !needs_others) {
                    continue;
                }
                let context: &[bool] = if second_pass { &others } else { &[] };
                if let Some(found) = self.recommend(s, level_index, context, !second_pass)? {
                    set(&mut services_on, i, true);
                    set(&mut service_findings, i, Some(found));
                }
            }
        }
        Ok((service_findings.into_iter().flatten().collect(), services_on))
    }
}
