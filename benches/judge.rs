//! judge alone, no I/O (issue 8): the shipped example, and the same example in a large VPC
//! (2,000 security group rules, 500 routes, 50 interface endpoints, 20 more NACLs; built by
//! tests/support/large_vpc.rs). Target: under 5 ms for the large VPC. Rendering is measured
//! beside it, since a report is always rendered after it is judged.
//!
//! Hostile snapshots (issue 16, items 6 and 7; `src/judge/secrets/hostile.rs`, the inputs the
//! unit tests count the work on): judge time at doubling numbers of secret references and of
//! containers, and the pathological IAM wildcard (`*`, a long literal, `b`) at doubling
//! lengths, alone and inside a whole judgement. Each group's sizes double, so linear growth
//! shows as time doubling with them (criterion also reports the throughput per element).
//!
//! Run: `cargo bench --bench judge` (release; criterion's report is in target/criterion).
//! Only the hostile groups: `cargo bench --bench judge -- hostile`.

#[path = "../tests/support/large_vpc.rs"]
mod large_vpc;

/// The hostile inputs, the same file the unit tests use.
#[allow(dead_code)]
#[path = "../src/judge/secrets/hostile.rs"]
mod hostile;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
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

/// Judge time against the number of secret references (10 containers) and of containers (one
/// reference each): issue 16 measured 86-121 s for 40,000 references and 40 s for 10,000
/// containers before the quadratic steps went.
fn hostile_counts(c: &mut Criterion) {
    let mut g = c.benchmark_group("hostile: judge by secret references");
    g.sample_size(10);
    for n in [5_000usize, 10_000, 20_000, 40_000] {
        let f = facts(&serde_json::to_vec(&hostile::facts_json(10, n)).unwrap());
        let r = ecs_task_doctor::judge::judge(&f, StageSelection::All);
        assert!(r.root_cause.is_some(), "{}", r.summary);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &f, |b, f| {
            b.iter(|| ecs_task_doctor::judge::judge(black_box(f), StageSelection::All))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("hostile: judge by containers");
    g.sample_size(10);
    for n in [1_250usize, 2_500, 5_000, 10_000] {
        let f = facts(&serde_json::to_vec(&hostile::facts_json(n, n)).unwrap());
        let r = ecs_task_doctor::judge::judge(&f, StageSelection::All);
        assert!(r.root_cause.is_some(), "{}", r.summary);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &f, |b, f| {
            b.iter(|| ecs_task_doctor::judge::judge(black_box(f), StageSelection::All))
        });
    }
    g.finish();
}

/// The pathological wildcard of issue 16 item 6 (26-29 s from a 413 KB snapshot before):
/// the matcher alone on a literal of `len` characters against a text of `2 * len`, and the
/// whole judgement of the example whose role carries it as a policy resource.
fn hostile_wildcard(c: &mut Criterion) {
    use ecs_task_doctor::judge::policy::wildcard_match;
    let mut g = c.benchmark_group("hostile: wildcard_match *<literal>b");
    for len in [25_000usize, 50_000, 100_000, 200_000] {
        let (pattern, text) = hostile::pathological_wildcard(len);
        assert!(!wildcard_match(&pattern, &text, false));
        g.throughput(Throughput::Bytes((pattern.len() + text.len()) as u64));
        g.bench_with_input(
            BenchmarkId::from_parameter(len),
            &(pattern, text),
            |b, (p, t)| b.iter(|| wildcard_match(black_box(p), black_box(t), false)),
        );
    }
    g.finish();
    let mut g = c.benchmark_group("hostile: judge with the wildcard policy");
    g.sample_size(10);
    for len in [25_000usize, 50_000, 100_000, 200_000] {
        let f = facts(&serde_json::to_vec(&hostile::pathological_policy_json(len)).unwrap());
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::from_parameter(len), &f, |b, f| {
            b.iter(|| ecs_task_doctor::judge::judge(black_box(f), StageSelection::All))
        });
    }
    g.finish();
}

criterion_group!(benches, judge, hostile_counts, hostile_wildcard);
criterion_main!(benches);
