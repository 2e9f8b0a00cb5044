//! Golden files of every rendering (issue 9): for the shipped example and the four standard
//! scenarios of tests/support/standard.rs, the text report (collapsed and verbose), the
//! Markdown, the JSON contract and the Automation step's answer, each compared with its file in
//! tests/snapshots/.
//!
//! The scenarios' facts are fixtures in tests/golden/ (snapshots saved from moto with
//! `diagnose --save-snapshot`), so the reports are replayed offline and are the same on every
//! run. When a rendering changes on purpose:
//!
//! ```sh
//! INSTA_UPDATE=always cargo test --test golden     # rewrite the golden files
//! git diff tests/snapshots/                        # review every changed line
//! ```
//!
//! To rebuild the fixtures themselves from moto (new IDs everywhere, so every golden file
//! changes): `cargo test --test golden -- --ignored`, then the two commands above.

mod support;

use std::path::Path;

use ecs_task_doctor::handler::automation_response;
use ecs_task_doctor::render;
use ecs_task_doctor::stage::StageSelection;

/// (name, facts file): the shipped example and the standard scenarios.
const CASES: &[(&str, &str)] = &[
    ("example", "examples/fargate-cannot-pull.json"),
    ("seed", "tests/golden/seed.json"),
    ("nat", "tests/golden/nat.json"),
    ("ec2-bridge", "tests/golden/ec2-bridge.json"),
    (
        "ec2-secrets-logs-efs",
        "tests/golden/ec2-secrets-logs-efs.json",
    ),
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_rendering_matches_its_golden_file() {
    for (name, path) in CASES {
        let facts = ecs_task_doctor::snapshot::load(&repo().join(path))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let report = ecs_task_doctor::engine::replay(&facts, StageSelection::All);
        insta::assert_snapshot!(format!("{name}.text"), render::text(&report));
        insta::assert_snapshot!(
            format!("{name}.verbose"),
            render::text_with(
                &report,
                render::TextOptions {
                    color: false,
                    verbose: true
                }
            )
        );
        insta::assert_snapshot!(format!("{name}.md"), render::markdown(&report));
        insta::assert_snapshot!(
            format!("{name}.json"),
            render::render(&report, render::Format::Json)
        );
        insta::assert_snapshot!(
            format!("{name}.automation"),
            serde_json::to_string_pretty(&automation_response(&report, StageSelection::All))
                .unwrap()
        );
    }
}

/// Rebuilds the scenario fixtures from moto (see the module doc). Ignored: it rewrites files.
#[test]
#[ignore]
fn rebuild_the_scenario_fixtures_from_moto() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conf = rt.block_on(support::sdk_config());
    let built = rt.block_on(support::standard::cases(&conf));
    for ((name, path), case) in CASES[1..].iter().zip(&built) {
        let mut cmd = support::cli();
        let out = support::cli_env(&mut cmd)
            .args([
                "diagnose",
                "--cluster",
                &case.cluster,
                "--task",
                &case.task_id,
                "--format",
                "json",
                "--save-snapshot",
            ])
            .arg(repo().join(path))
            .output()
            .unwrap();
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
