mod analysis;
mod cli;
mod core_guard;
mod expected_loss;
mod firm_score;
mod flow;
mod forward;
mod fuzz_replay;
mod golden;
mod import;
mod limits;
mod montecarlo_shocks;
mod planner;
mod planner_policy;
mod policy_scope;
mod reference;
mod scenario;
mod self_contained;
mod share;
mod supply_risk;
mod templates;
mod trade;
mod vintages;
mod world_map;

/// Runs `python3 scripts/data/SCRIPT --check` from the project root and fails with the script's
/// output when the embedded file it builds is stale.
pub(crate) fn assert_fresh_build(script: &str) {
    let output = std::process::Command::new("python3")
        .arg(format!("scripts/data/{script}"))
        .arg("--check")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{script} --check failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
