//! The policy checks of an assessment: which rules apply to which material and end use, and
//! the findings per stage.

use super::*;

/// The rule's own material id for catalogue id `id`: `id` itself, or an alias of it the rule
/// names (`graphite_natural` for `graphite`).
pub(super) fn rule_material<'r>(rule: &'r PolicyRule, id: &'r str) -> Option<&'r str> {
    if rule.covers_material(id) {
        return Some(id);
    }
    // Same as `canonical_material_id(m) == Some(id)` for each of the rule's ids, but looks at
    // the aliases of `id` only (most materials have none), which keeps a 90-material
    // portfolio's policy checks fast.
    let aliases = material_aliases().iter().filter(|(_, c)| *c == id);
    aliases.clone().next()?;
    rule.material_ids
        .iter()
        .find(|m| {
            aliases
                .clone()
                .any(|(alias, _)| alias.eq_ignore_ascii_case(m.trim()))
        })
        .map(String::as_str)
}

/// The lines of one material with one end use, as the policy checks see them.
pub(super) struct EndUseGroup<'m> {
    end_use: Option<EndUse>,
    stages: Cow<'m, [StageResult]>,
    /// Stages where a line's own mix counts facilities.
    counted: Vec<Stage>,
}

/// The lines of material `id` grouped by end use, in order of first appearance, each with its
/// stage mixes (the material's own when all its lines share one end use, else those of the
/// group's lines, weighted by spend as the material's are) and the stages where a line's own mix
/// counts facilities rather than volumes.
pub(super) fn end_use_groups<'m>(
    material: &'m MaterialResult,
    resolved: &[Resolved<'_>],
    reference: &ReferenceData,
    groups: &Groups<'_>,
) -> Vec<EndUseGroup<'m>> {
    let mine: Vec<&Resolved<'_>> = resolved
        .iter()
        .filter(|r| r.line.material == material.material)
        .collect();
    let mut uses: Vec<Option<EndUse>> = Vec::new();
    for r in &mine {
        if !uses.contains(&r.line.end_use) {
            uses.push(r.line.end_use);
        }
    }
    let counted = |stages: &[StageResult]| -> Vec<Stage> {
        stages
            .iter()
            .filter(|s| s.facility_count)
            .map(|s| s.stage)
            .collect()
    };
    if uses.len() <= 1 {
        return vec![EndUseGroup {
            end_use: uses.first().copied().flatten(),
            stages: Cow::Borrowed(material.stages.as_slice()),
            counted: counted(&material.stages),
        }];
    }
    uses.into_iter()
        .map(|end_use| {
            let set: Vec<&Resolved<'_>> = mine
                .iter()
                .copied()
                .filter(|r| r.line.end_use == end_use)
                .collect();
            let stages = aggregate(&set, spend_weight, reference, groups);
            EndUseGroup {
                end_use,
                counted: counted(&stages),
                stages: Cow::Owned(stages),
            }
        })
        .collect()
}

/// Runs the policy checks for every material, end use and stage with a mix, fills
/// [`MaterialResult::policy`] and returns the portfolio summary (see the module notes).
pub(super) fn check_policy(
    materials: &mut [MaterialResult],
    (resolved, portfolio): (&[Resolved<'_>], &Portfolio),
    (rules, researched): (&[PolicyRule], Option<&Researched>),
    date: Option<Date>,
    (reference, groups, owned_groups): (&ReferenceData, &Groups<'_>, &[CountryGroup]),
) -> PolicySummary {
    let mut errors = Vec::new();
    let mut rule_ids: Vec<&str> = Vec::new();
    for material in materials.iter_mut() {
        let mut findings = Vec::new();
        for group in end_use_groups(material, resolved, reference, groups) {
            let EndUseGroup {
                end_use,
                stages,
                counted,
            } = group;
            let context = PolicyContext {
                end_use,
                jurisdiction: portfolio.jurisdiction,
                customer: portfolio.customer,
            };
            let mixes: Vec<(Stage, &CountryMix)> = stages
                .iter()
                .filter_map(|s| Some((s.stage, s.mix.as_ref()?)))
                .collect();
            for rule in rules.iter().filter(|r| r.check.is_some()) {
                let Some(rule_material) = rule_material(rule, &material.material) else {
                    continue;
                };
                let combined = rule.applicability.stage_logic == StageLogic::Any;
                let mut judged_combined = false;
                for &(stage, mix) in &mixes {
                    // A rule whose stages combine is judged once, on its first covered stage
                    // with a mix, with the others beside it.
                    if combined && (judged_combined || !rule.covered_stages().contains(&stage)) {
                        continue;
                    }
                    judged_combined = combined;
                    let input = CheckInput {
                        material: rule_material,
                        stage,
                        mix,
                        date: date.unwrap_or(Date::MIN),
                        groups: owned_groups,
                        context,
                        other_stages: &mixes,
                        facility_counts: &counted,
                    };
                    let finding = match date {
                        Some(_) => check_rule(rule, &input),
                        None => check_rule_as_written(rule, &input),
                    };
                    match finding {
                        Ok(finding) => {
                            if !rule_ids.contains(&rule.rule_id.as_str()) {
                                rule_ids.push(&rule.rule_id);
                            }
                            let mut owned = PolicyFinding::new(
                                &finding,
                                &material.material,
                                stage,
                                date.is_some(),
                            );
                            owned.end_use = end_use;
                            findings.push(match (date, researched) {
                                (Some(date), Some(r)) => {
                                    owned.with_research_date(rule, date, r.date)
                                }
                                _ => owned,
                            });
                        }
                        Err(e) => {
                            errors.push(format!("{}, {}: {e}", material.material, stage.id()))
                        }
                    }
                }
            }
        }
        material.policy = findings;
    }
    PolicySummary {
        date,
        researched: researched.cloned(),
        findings: materials.iter().map(|m| m.policy.len()).sum(),
        rules: rule_ids.len(),
        failing: findings_where(materials, |f| f.fails()),
        context: findings_where(materials, |f| f.outcome == Outcome::Context),
        errors,
    }
}

/// The findings of every material that satisfy `keep`, in material order (one copy of the code
/// for both lists of the summary).
pub(super) fn findings_where(
    materials: &[MaterialResult],
    keep: fn(&PolicyFinding) -> bool,
) -> Vec<PolicyFinding> {
    materials
        .iter()
        .flat_map(|m| m.policy.iter().filter(|f| keep(f)).cloned())
        .collect()
}
