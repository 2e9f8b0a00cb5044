//! judge alone, no I/O (issue 8): the shipped example, and the same example in a large VPC
//! (2,000 security group rules, 500 routes, 50 interface endpoints, 20 more NACLs; built by
//! tests/support/large_vpc.rs). Target: under 5 ms for the large VPC. Rendering is measured
//! beside it, since a report is always rendered after it is judged.
//!
//! Run: `cargo bench --bench judge` (release; criterion's report is in target/criterion).

#[path = "../tests/support/large_vpc.rs"]
mod large_vpc;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ecs_task_doctor::facts::Facts;
use ecs_task_doctor::stage::StageSelection;

const EXAMPLE: &str = include_str!("../examples/fargate-cannot-pull.json");

fn facts(json: &[u8]) -> Facts {
    ecs_task_doctor::snapshot::from_slice(json, "bench").expect("valid facts")
}

fn judge(c: &mut Criterion) {
    let example = facts(EXAMPLE.as_bytes());
    let large = facts(&serde_json::to_vec(&large_vpc::large_vpc()).unwrap());
    // The same diagnosis either way, or the comparison means nothing.
    let small_report = ecs_task_doctor::judge::judge(&example, StageSelection::All);
    let large_report = ecs_task_doctor::judge::judge(&large, StageSelection::All);
    assert_eq!(small_report.root_cause, large_report.root_cause);

    c.bench_function("judge: shipped example", |b| {
        b.iter(|| ecs_task_doctor::judge::judge(black_box(&example), StageSelection::All))
    });
    c.bench_function("judge: large VPC", |b| {
        b.iter(|| ecs_task_doctor::judge::judge(black_box(&large), StageSelection::All))
    });
    c.bench_function("render text + markdown: large VPC", |b| {
        b.iter(|| {
            let r = black_box(&large_report);
            (
                ecs_task_doctor::render::text(r),
                ecs_task_doctor::render::markdown(r),
            )
        })
    });
    c.bench_function("parse snapshot: large VPC", |b| {
        let bytes = serde_json::to_vec(&large_vpc::large_vpc()).unwrap();
        b.iter(|| facts(black_box(&bytes)))
    });
}

criterion_group!(benches, judge);
criterion_main!(benches);
