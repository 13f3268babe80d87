//! The planner's sanctions and weak-governance rules (issue #20) on the real reference data and
//! the demo portfolio: the issue's cases (magnet rare-earth mining to Myanmar, gallium refining
//! to Russia, cobalt mining to Cuba) and the lists' sources.

use super::analysis::fixtures::{c, demo_portfolio};
use chokepoint::analysis::planner::{
    Binding, Objective, Plan, PlanParams, SanctionsCheck, SanctionsList, WORLD_MEAN_WGI,
    member_source, plan_portfolio, plan_stage,
};
use chokepoint::model::Stage;
use chokepoint::model::context::Jurisdiction;
use chokepoint::portfolio::Portfolio;
use chokepoint::reference::{ReferenceData, embedded};

fn demo() -> Portfolio {
    demo_portfolio(embedded())
}

fn with_jurisdiction(jurisdiction: Option<Jurisdiction>) -> Portfolio {
    Portfolio {
        jurisdiction,
        ..demo()
    }
}

fn change(plan: &Plan, country: &str) -> f64 {
    plan.allocations
        .iter()
        .find(|a| a.country == c(country))
        .map_or(0.0, |a| a.change)
}

fn planned(plan: &Plan, country: &str) -> f64 {
    plan.mix.share_of(c(country))
}

/// Every rule of issue #20 off: what the planner did before.
fn rules_off(objective: Objective) -> PlanParams {
    PlanParams {
        objective,
        restricted: None,
        sanctions: SanctionsList::Off,
        weak_governance: None,
        upstream: true,
        ..PlanParams::default()
    }
}

/// The issue's cases, (material, stage, country).
const CASES: [(&str, Stage, &str); 3] = [
    ("rare_earths_magnet", Stage::Mining, "MMR"),
    ("gallium", Stage::Refining, "RUS"),
    ("cobalt", Stage::Mining, "CUB"),
];

fn plan_of<'a>(
    plans: &'a [chokepoint::analysis::planner::PlanOutcome],
    m: &str,
    s: Stage,
) -> &'a Plan {
    plans
        .iter()
        .find(|o| o.material == m && o.stage == Some(s))
        .and_then(|o| o.plan.as_ref())
        .unwrap_or_else(|| panic!("no plan of {m} at {s:?}"))
}

#[test]
fn upstream_plans_never_raise_the_issues_weak_producers() {
    let reference = embedded();
    // The rules matter: with them off, the plain HHI moved supply to each of the three.
    let before = plan_portfolio(&demo(), reference, &rules_off(Objective::Hhi));
    for (material, stage, country) in CASES {
        let plan = plan_of(&before, material, stage);
        assert!(
            change(plan, country) > 1e-3,
            "{material} {country}: {:?}",
            plan.allocations
        );
    }
    // With the defaults and upstream planning asked for, none of them gains, whatever the
    // jurisdiction (Cuba is under no EU list: the weak-governance rule holds it).
    for jurisdiction in [Some(Jurisdiction::Eu), Some(Jurisdiction::Us), None] {
        let params = PlanParams {
            upstream: true,
            ..PlanParams::default()
        };
        let plans = plan_portfolio(&with_jurisdiction(jurisdiction), reference, &params);
        for (material, stage, country) in CASES {
            let plan = plan_of(&plans, material, stage);
            assert!(
                change(plan, country) <= 1e-12,
                "{jurisdiction:?} {material} {country}: {:?}",
                plan.allocations
            );
        }
        // No plan raises any country below the world average governance or without a score.
        for plan in plans.iter().filter_map(|o| o.plan.as_ref()) {
            for a in &plan.allocations {
                let weak = !a.country.is_rest_of_world()
                    && reference
                        .country(a.country)
                        .and_then(|k| k.wgi_mean)
                        .is_none_or(|m| m < WORLD_MEAN_WGI);
                assert!(
                    !weak || a.change <= 1e-12,
                    "{} {:?}: {} +{}",
                    plan.material,
                    plan.stage,
                    a.country,
                    a.change
                );
            }
        }
    }
}

#[test]
fn weak_producers_are_named_and_the_rule_is_overridable() {
    let reference = embedded();
    let params = PlanParams {
        upstream: true,
        ..PlanParams::default()
    };
    let plan = plan_stage(
        &demo(),
        reference,
        "rare_earths_magnet",
        Stage::Mining,
        &params,
    )
    .unwrap();
    let weak = plan.weak_governance.as_ref().unwrap();
    assert_eq!(weak.threshold, 0.0);
    assert!(weak.members.contains(&c("MMR")), "{weak:?}");
    // Australia (WGI mean 1.54) is not weak and may gain.
    assert!(!weak.members.contains(&c("AUS")));
    assert!(
        plan.recommendation
            .text
            .contains("governance below the world average"),
        "{}",
        plan.recommendation.text
    );
    // An explicit cap overrides the rule for that country: Myanmar may then gain.
    let capped = PlanParams {
        objective: Objective::Hhi,
        caps: [(c("MMR"), 0.5)].into_iter().collect(),
        ..params.clone()
    };
    let plan = plan_stage(
        &demo(),
        reference,
        "rare_earths_magnet",
        Stage::Mining,
        &capped,
    )
    .unwrap();
    assert!(!plan.weak_governance.unwrap().members.contains(&c("MMR")));
    assert!(
        change(
            &plan_stage(
                &demo(),
                reference,
                "rare_earths_magnet",
                Stage::Mining,
                &capped
            )
            .unwrap(),
            "MMR"
        ) > 0.0
    );
    // A threshold outside the WGI's range is an error, not a silent rule.
    let bad = PlanParams {
        weak_governance: Some(f64::NAN),
        ..params
    };
    assert!(plan_stage(&demo(), reference, "gallium", Stage::Refining, &bad).is_err());
}

#[test]
fn each_jurisdiction_excludes_its_own_sanctions_list_with_its_legal_acts() {
    let reference = embedded();
    let params = PlanParams::default();
    // EU: Russia is under Council Regulation (EU) No 833/2014; a buyer of cobalt mined 2 % in
    // Russia gets a plan without it.
    let buyer = Portfolio::from_json(
        r#"{"schema_version": 1, "jurisdiction": "eu", "lines": [{"material": "cobalt",
            "spend": 1000, "revenue_share_pct": 10,
            "sourcing": {"mining": {"COD": 68, "RUS": 2, "AUS": 30}}}]}"#,
        reference,
    )
    .unwrap();
    let eu = plan_stage(&buyer, reference, "cobalt", Stage::Mining, &params).unwrap();
    match &eu.sanctions {
        SanctionsCheck::Applied {
            group,
            source,
            members,
            as_of,
            held,
            ..
        } => {
            assert_eq!(group, "eu_sanctions");
            assert!(
                source.contains("RUS: Council Regulation (EU) No 833/2014"),
                "{source}"
            );
            assert!(members.contains(&c("RUS")));
            assert_eq!(as_of.as_deref(), Some("2026-12-06"));
            assert!(!held);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        eu.allocations
            .iter()
            .any(|a| a.country == c("RUS") && a.today > 0.0),
        "{:?}",
        eu.allocations
    );
    assert_eq!(planned(&eu, "RUS"), 0.0);
    assert!(
        eu.binding
            .iter()
            .any(|b| matches!(b, Binding::Excluded { country, .. } if *country == c("RUS"))),
        "{:?}",
        eu.binding
    );
    assert!(
        eu.recommendation
            .text
            .contains("Excluded under EU trade sanctions (restrictive measures): Russia"),
        "{}",
        eu.recommendation.text
    );
    // Gallium refining: China holds 99 % and is held at today's share (a covered nation); the
    // other countries' caps cannot take Russia's share, so Russia is held, not excluded, and
    // the plan says so rather than fail.
    let gallium = plan_stage(&demo(), reference, "gallium", Stage::Refining, &params).unwrap();
    assert!(
        matches!(&gallium.sanctions, SanctionsCheck::Applied { held: true, members, .. } if members.contains(&c("RUS")))
    );
    assert!(change(&gallium, "RUS") <= 1e-12);
    assert!(
        gallium
            .recommendation
            .text
            .contains("Russia cannot be excluded here"),
        "{}",
        gallium.recommendation.text
    );
    // U.S.: Cuba is under the Cuban Assets Control Regulations and supplies no cobalt mining.
    let us = with_jurisdiction(Some(Jurisdiction::Us));
    let plan = plan_stage(&us, reference, "cobalt", Stage::Mining, &params).unwrap();
    match &plan.sanctions {
        SanctionsCheck::Applied {
            group,
            source,
            members,
            ..
        } => {
            assert_eq!(group, "us_embargo");
            assert!(source.contains("CUB: Cuban Assets Control Regulations, 31 CFR part 515"));
            assert!(members.contains(&c("CUB")), "{members:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(planned(&plan, "CUB"), 0.0);
    // Elsewhere, or no jurisdiction: no list, and the plan says so.
    for (jurisdiction, id) in [(Some(Jurisdiction::Other), Some("other")), (None, None)] {
        let plan = plan_stage(
            &with_jurisdiction(jurisdiction),
            reference,
            "cobalt",
            Stage::Mining,
            &params,
        )
        .unwrap();
        assert_eq!(
            plan.sanctions,
            SanctionsCheck::NoList {
                jurisdiction: id.map(str::to_string)
            }
        );
        assert!(
            plan.recommendation
                .text
                .contains("No sanctions list for this jurisdiction"),
            "{}",
            plan.recommendation.text
        );
    }
    // Overridable: off, or an explicit cap for a member.
    let off = PlanParams {
        sanctions: SanctionsList::Off,
        ..PlanParams::default()
    };
    let plan = plan_stage(&us, reference, "cobalt", Stage::Mining, &off).unwrap();
    assert_eq!(plan.sanctions, SanctionsCheck::Off);
    let capped = PlanParams {
        caps: [(c("CUB"), 0.05)].into_iter().collect(),
        ..PlanParams::default()
    };
    let plan = plan_stage(&us, reference, "cobalt", Stage::Mining, &capped).unwrap();
    match &plan.sanctions {
        SanctionsCheck::Applied { members, .. } => assert!(!members.contains(&c("CUB"))),
        other => panic!("{other:?}"),
    }
    // An unknown list is an error.
    let unknown = PlanParams {
        sanctions: SanctionsList::Group("no_such_list".into()),
        ..PlanParams::default()
    };
    assert!(plan_stage(&us, reference, "cobalt", Stage::Mining, &unknown).is_err());
}

/// Every member of a sanctions list carries its own legal act.
#[test]
fn sanctions_lists_cite_a_legal_act_per_member() {
    let reference: &ReferenceData = embedded();
    for (id, act) in [
        ("eu_sanctions", "Regulation"),
        ("us_embargo", "31 CFR part"),
    ] {
        let group = reference.group(id).unwrap();
        assert!(!group.members.is_empty());
        for &member in &group.members {
            let own = member_source(&group.source, member).unwrap();
            assert!(own.contains(act), "{id} {member}: {own}");
            // Only its own act: no other member's code follows.
            assert!(
                group
                    .members
                    .iter()
                    .all(|m| !own.contains(&format!("; {m}: "))),
                "{own}"
            );
        }
    }
    let russia = member_source(&reference.group("eu_sanctions").unwrap().source, c("RUS")).unwrap();
    assert!(
        russia.starts_with("Council Regulation (EU) No 833/2014"),
        "{russia}"
    );
    assert!(russia.ends_with("renewed every six months"), "{russia}");
    let group = "BLR: act one; with a clause; RUS: act two";
    assert_eq!(
        member_source(group, c("BLR")),
        Some("act one; with a clause")
    );
    assert_eq!(member_source(group, c("RUS")), Some("act two"));
    assert_eq!(member_source(group, c("CUB")), None);
}

#[test]
fn cli_sanctions_and_weak_governance_options() {
    let path = format!(
        "{}/examples/portfolios/ev_motor_maker.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let run = |extra: &[&str]| {
        let mut args = vec![
            "plan",
            path.as_str(),
            "--material",
            "gallium",
            "--stage",
            "refining",
            "--frontier",
            "0",
        ];
        args.extend_from_slice(extra);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = chokepoint::cli::run(&args, embedded(), &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    };
    let (code, out, err) = run(&[]);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["plans"][0]["plan"]["sanctions"]["group"],
        "eu_sanctions"
    );
    let (code, out, err) = run(&["--sanctions", "none", "--weak-governance", "none"]);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["plans"][0]["plan"]["sanctions"]["kind"], "off");
    assert!(json["plans"][0]["plan"]["weak_governance"].is_null());
    let (code, _, err) = run(&["--weak-governance", "9"]);
    assert_ne!(code, std::process::ExitCode::SUCCESS);
    assert!(err.contains("weak_governance"), "{err}");
}
