//! The `ecs-task-doctor` binary: the README's commands, the report contract, and bad input.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::scenario::{self, PULL_TIMEOUT, SECRET_ENV_VALUE};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the CLI against moto.
fn doctor(args: &[&str]) -> Output {
    let mut cmd = support::cli();
    support::cli_env(&mut cmd).args(args).output().unwrap()
}

/// Runs the CLI with no AWS endpoint at all: nothing may try to reach AWS.
fn offline(args: &[&str]) -> Output {
    support::cli()
        .args(args)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(repo())
        .output()
        .unwrap()
}

/// The report keys of DESIGN §4, at every level.
fn assert_report_contract(r: &Value) {
    for k in [
        "schemaVersion",
        "task",
        "verdict",
        "rootCause",
        "summary",
        "stages",
    ] {
        assert!(r.get(k).is_some(), "report lacks '{k}': {r}");
    }
    assert_eq!(r["schemaVersion"], "1");
    for k in [
        "arn",
        "cluster",
        "launchType",
        "stopCode",
        "stoppedReason",
        "stoppedAt",
        "failureClass",
    ] {
        assert!(r["task"].get(k).is_some(), "task lacks '{k}'");
    }
    let statuses = ["PASS", "FAIL", "WARN", "UNKNOWN", "SKIPPED"];
    assert!(statuses.contains(&r["verdict"].as_str().unwrap()));
    let stages = r["stages"].as_array().unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "task",
            "image",
            "iam",
            "network",
            "secrets",
            "logging",
            "placement"
        ]
    );
    for s in stages {
        assert!(statuses.contains(&s["status"].as_str().unwrap()));
        for f in s["findings"].as_array().unwrap() {
            for k in [
                "code",
                "status",
                "severity",
                "title",
                "detail",
                "evidence",
                "remediation",
                "docs",
            ] {
                assert!(f.get(k).is_some(), "finding lacks '{k}': {f}");
            }
            assert!(f["evidence"].is_object() && f["docs"].is_array());
        }
    }
}

#[test]
fn readme_first_command_diagnoses_the_shipped_example_offline() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains("diagnose --snapshot examples/fargate-cannot-pull.json"),
        "README's first command changed"
    );
    let o = offline(&[
        "diagnose",
        "--snapshot",
        "examples/fargate-cannot-pull.json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("verdict: FAIL"), "{text}");
    assert!(text.contains("failure class: image-pull-network"), "{text}");
    assert!(
        text.contains("root cause: NET_SG_EGRESS_S3_PREFIX_LIST_MISSING"),
        "{text}"
    );
    let blocked = text
        .lines()
        .find(|l| l.contains("<-- blocked here"))
        .expect("the blocking hop is marked");
    assert!(blocked.contains("sg-egress"), "{blocked}");
    assert!(
        text.contains("PrefixListIds=[{PrefixListId=pl-63a5400a}]"),
        "{text}"
    );
}

#[test]
fn the_readme_excerpt_is_what_the_example_prints() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let start = readme
        .find("<!-- example-output -->")
        .expect("README has the example output");
    let end = readme.find("<!-- /example-output -->").unwrap();
    let block = &readme[start..end];
    let o = offline(&[
        "diagnose",
        "--snapshot",
        "examples/fargate-cannot-pull.json",
    ]);
    let text = stdout(&o);
    let lines: Vec<&str> = block
        .lines()
        .skip(2)
        .filter(|l| !l.starts_with("```"))
        .collect();
    assert!(lines.len() >= 5, "{block}");
    // One block, as printed: a line dropped or reordered in the README fails too.
    let excerpt = lines.join("\n");
    assert!(
        text.contains(&excerpt),
        "the README excerpt is not a block of the real output:\n{excerpt}\n--- real output:\n{text}"
    );
    // What a reader who never heard of prefix lists needs: the sentence, the command, the console.
    for needed in [
        "FIX",
        "aws ec2 authorize-security-group-egress",
        "IN THE CONSOLE",
        "Edit outbound rules",
    ] {
        assert!(
            excerpt.contains(needed),
            "the README excerpt lacks {needed:?}"
        );
    }
}

#[test]
fn the_example_as_json_follows_the_contract() {
    let o = offline(&[
        "diagnose",
        "--snapshot",
        "examples/fargate-cannot-pull.json",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_report_contract(&r);
    assert_eq!(r["task"]["stopCode"], "TaskFailedToStart");
    assert_eq!(r["task"]["failureClass"], "image-pull-network");
    // The seed case: endpoints fine, but the task SG has no egress to the S3 prefix list.
    assert_eq!(r["rootCause"], "NET_SG_EGRESS_S3_PREFIX_LIST_MISSING");
    let network = r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "network")
        .unwrap();
    assert_eq!(network["status"], "FAIL");
    let s3 = network["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["destination"] == "s3 (ECR layers)")
        .unwrap();
    assert_eq!(s3["status"], "FAIL");
    assert!(
        s3["hops"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["code"] == "NET_SG_EGRESS_S3_PREFIX_LIST_MISSING")
    );
}

#[test]
fn markdown_and_single_stage_from_a_snapshot() {
    let o = offline(&[
        "diagnose",
        "--snapshot",
        "examples/fargate-cannot-pull.json",
        "--format",
        "markdown",
        "--stage",
        "task",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = stdout(&o);
    // The task stage alone classifies the stop reason, which is not a failed check: WARN.
    assert!(md.starts_with("## ecs-task-doctor: WARN"), "{md}");
    assert!(
        md.contains("### task") && !md.contains("### network"),
        "{md}"
    );
}

#[test]
fn diagnose_a_stopped_task_in_moto_as_json() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = rt.block_on(async {
        scenario::fargate_task(&support::sdk_config().await, Some(PULL_TIMEOUT)).await
    });
    let snap = support::tmp_file(&format!("{}.json", support::unique("cli-snap")));
    let o = doctor(&[
        "diagnose",
        "--cluster",
        &t.cluster,
        "--task",
        &t.task_id,
        "--format",
        "json",
        "--save-snapshot",
        snap.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_report_contract(&r);
    assert_eq!(r["task"]["arn"], t.task_arn.as_str());
    assert_eq!(r["task"]["failureClass"], "image-pull-network");
    assert_eq!(r["verdict"], "FAIL");

    // The snapshot replays offline to the same bytes, and never holds an environment value.
    let saved = std::fs::read_to_string(&snap).unwrap();
    assert!(!saved.contains(SECRET_ENV_VALUE) && !stdout(&o).contains(SECRET_ENV_VALUE));
    let replay = offline(&[
        "diagnose",
        "--snapshot",
        snap.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(replay.status.success(), "{}", stderr(&replay));
    assert_eq!(stdout(&replay), stdout(&o));
}

#[test]
fn diagnose_from_an_event_file() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conf = rt.block_on(support::sdk_config());
    let td = rt.block_on(scenario::task_definition(&conf, &support::unique("evt")));
    let mut event: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("events/task-state-change.json")).unwrap(),
    )
    .unwrap();
    // Put the shipped event in moto's account so the task definition can be read.
    let text = event.to_string().replace("111122223333", support::ACCOUNT);
    event = serde_json::from_str(&text).unwrap();
    event["detail"]["taskDefinitionArn"] = Value::String(td.clone());
    let path = support::tmp_file(&format!("{}.json", support::unique("event")));
    std::fs::write(&path, event.to_string()).unwrap();
    let o = doctor(&[
        "diagnose",
        "--event",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_report_contract(&r);
    assert_eq!(r["task"]["stopCode"], "TaskFailedToStart");
    assert_eq!(r["task"]["taskDefinitionArn"], td.as_str());
}

#[test]
fn unknown_task_gives_a_report_and_exit_zero() {
    let o = doctor(&[
        "diagnose",
        "--cluster",
        "nowhere",
        "--task",
        "0123456789abcdef0123456789abcdef",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["stages"][0]["findings"][0]["code"], "TASK_NOT_FOUND");
    assert_eq!(r["verdict"], "UNKNOWN");
}

/// Bad input exits 2 with a message naming the problem, and never panics.
fn assert_bad_input(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "stdout: {} stderr: {err}",
        stdout(o)
    );
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(stdout(o).is_empty(), "no partial output on bad input");
}

#[test]
fn bad_input_is_named_and_exits_2() {
    assert_bad_input(
        &offline(&[
            "diagnose",
            "--cluster",
            "arn:aws:ecs:us-east-1:12345:cluster/x",
            "--task",
            "abc",
        ]),
        "bad account ID '12345'",
    );
    assert_bad_input(
        &offline(&[
            "diagnose",
            "--cluster",
            "arn:aws:ecs:eu-west-1:123456789012:cluster/prod",
            "--task",
            "abc",
        ]),
        "Region eu-west-1, but this run is in us-east-1",
    );
    assert_bad_input(
        &offline(&["diagnose", "--cluster", "prod", "--task", "a/b"]),
        "not a valid task ID",
    );
    assert_bad_input(
        &offline(&["diagnose", "--stage", "network"]),
        "say which task",
    );
    assert_bad_input(
        &offline(&[
            "diagnose",
            "--cluster",
            "prod",
            "--task",
            "abc",
            "--stage",
            "dns",
        ]),
        "unknown stage 'dns'",
    );
    assert_bad_input(
        &offline(&["explain", "NOT_A_CODE"]),
        "unknown code 'NOT_A_CODE'",
    );
    assert_bad_input(
        &offline(&["diagnose", "--snapshot", "/nonexistent/x.json"]),
        "/nonexistent/x.json",
    );
}

#[test]
fn bad_event_files_are_named() {
    let write = |name: &str, body: &[u8]| {
        let p = support::tmp_file(&format!("{}-{name}", support::unique("bad")));
        std::fs::write(&p, body).unwrap();
        p
    };
    let empty = write("empty.json", b"{}");
    assert_bad_input(
        &offline(&["diagnose", "--event", empty.to_str().unwrap()]),
        "empty JSON object",
    );
    let junk = write("junk.json", b"not json at all");
    assert_bad_input(
        &offline(&["diagnose", "--event", junk.to_str().unwrap()]),
        "not valid JSON",
    );
    let wrong = write("wrong.json", br#"{"ClusterName": "prod", "TaskId": "abc"}"#);
    assert_bad_input(
        &offline(&["diagnose", "--event", wrong.to_str().unwrap()]),
        "--event expects",
    );
    let huge = write("huge.json", &vec![b' '; 300 * 1024]);
    assert_bad_input(
        &offline(&["diagnose", "--event", huge.to_str().unwrap()]),
        "over the 262144-byte limit",
    );
    let snap = write("snap.json", br#"{"factsVersion": 1, "region": []}"#);
    assert_bad_input(
        &offline(&["diagnose", "--snapshot", snap.to_str().unwrap()]),
        "not an ecs-task-doctor snapshot",
    );
}

#[test]
fn explain_and_codes_cover_every_code() {
    let codes = offline(&["codes"]);
    assert!(codes.status.success());
    let listed: Vec<String> = stdout(&codes)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    assert_eq!(listed.len(), ecs_task_doctor::codes::Code::ALL.len());
    for code in &listed {
        let o = offline(&["explain", code]);
        assert!(o.status.success(), "{code}: {}", stderr(&o));
        let text = stdout(&o);
        // The order the issue asks for: meaning, why, confirm with the CLI, fix, console, links.
        let at = |heading: &str| {
            text.find(heading)
                .unwrap_or_else(|| panic!("{code}: no {heading:?}:\n{text}"))
        };
        assert!(text.starts_with(code.as_str()), "{text}");
        let order = [
            at("\nWhat it means\n"),
            at("\nWhy the task cannot start\n"),
            at("\nHow to confirm by hand\n"),
            at("\nHow to fix\n"),
            at("\nIn the console\n"),
            at("\nDocumentation\n  https://"),
        ];
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "{code}: sections out of order:\n{text}"
        );
        let console = &text[order[4]..order[5]];
        assert!(
            console.contains(" > ") && !console.contains(['{', '}']),
            "{code}: the console path is empty or a placeholder was left unfilled: {console}"
        );
    }
}

#[test]
fn sweep_groups_repeats_and_diagnoses_one_task_per_group() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conf = rt.block_on(support::sdk_config());
    // Two clusters: five pulls that failed the same way, two SSM-parameter failures, and two
    // tasks that started and exited (not failed starts).
    let ssm = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /payments/db-url";
    let (a, b) = rt.block_on(async {
        let a = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
        for _ in 0..4 {
            scenario::run_in(&conf, &a, Some(PULL_TIMEOUT)).await;
        }
        for _ in 0..2 {
            scenario::run_in(&conf, &a, Some("Essential container in task exited")).await;
        }
        let b = scenario::fargate_task(&conf, Some(ssm)).await;
        scenario::run_in(&conf, &b, Some(ssm)).await;
        (a, b)
    });
    let o = doctor(&[
        "sweep",
        "--cluster",
        &a.cluster,
        "--cluster",
        &b.cluster,
        "--since",
        "2h",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let groups = s["groups"].as_array().unwrap();
    let counts: Vec<u64> = groups
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [5, 2], "{s:#}");
    assert_eq!(groups[0]["failureClass"], "image-pull-network");
    assert_eq!(groups[1]["failureClass"], "ssm-parameter-invalid");
    // Each group's example was diagnosed in full: the scenario's VPC has no route out, so the
    // layer timeout is blamed on the network.
    assert_eq!(
        groups[0]["rootCause"], "NET_NO_PATH_TO_SERVICE",
        "{:#}",
        groups[0]
    );
    assert_eq!(groups[0]["verdict"], "FAIL");
    assert!(groups[1]["rootCause"].is_string(), "{:#}", groups[1]);
    assert_eq!(s["leftOut"]["stoppedForOtherReasons"], 2);
    // The harness stops every task as AWS does, with a stoppedAt: none is undated.
    assert_eq!(s["leftOut"]["undated"], 0);
    assert!(
        s["summary"]
            .as_str()
            .unwrap()
            .starts_with("7 failed starts in 2 groups across 2 clusters"),
        "{}",
        s["summary"]
    );

    let text = doctor(&["sweep", "--cluster", &a.cluster, "--since", "60m"]);
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(
        stdout(&text).contains("5 failed starts in 1 group"),
        "{}",
        stdout(&text)
    );
    let md = doctor(&[
        "sweep",
        "--cluster",
        &a.cluster,
        "--since",
        "60m",
        "--format",
        "markdown",
    ]);
    assert!(md.status.success(), "{}", stderr(&md));
    let md = stdout(&md);
    assert!(
        md.contains("| # | count | root cause | failure class | first seen | last seen | example task | cluster |"),
        "{md}"
    );
    assert!(
        md.contains("| 1 | 5 | `NET_NO_PATH_TO_SERVICE` | image-pull-network |"),
        "{md}"
    );
    assert_bad_input(
        &offline(&["sweep", "--since", "forever"]),
        "--since 'forever'",
    );
    assert_bad_input(
        &offline(&[
            "sweep",
            "--cluster",
            "arn:aws:ecs:eu-west-1:123456789012:cluster/x",
        ]),
        "Region eu-west-1",
    );
}

/// The example's text report run through `script`, which gives the CLI a pseudo-terminal as
/// standard output (as a person's terminal is), with `env` added to the environment.
fn on_a_terminal(extra: &[&str], env: &[(&str, &str)]) -> String {
    let cli = env!("CARGO_BIN_EXE_ecs-task-doctor");
    let mut command = format!("{cli} diagnose --snapshot examples/fargate-cannot-pull.json");
    for a in extra {
        command.push(' ');
        command.push_str(a);
    }
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &command, "/dev/null"])
        .current_dir(repo())
        .env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("script(1) from util-linux");
    stdout(&o)
}

#[test]
fn colour_on_a_terminal_unless_no_color_or_never() {
    const ESC: char = '\u{1b}';
    // A terminal: colours (the verdict and the root cause's title line).
    let tty = on_a_terminal(&[], &[]);
    assert!(tty.contains("ROOT CAUSE"), "{tty}");
    assert!(
        tty.contains(&format!("{ESC}[")),
        "no colour on a terminal:\n{tty}"
    );
    // NO_COLOR set (to anything but empty) turns them off, as no-color.org asks.
    let no_color = on_a_terminal(&[], &[("NO_COLOR", "1")]);
    assert!(no_color.contains("ROOT CAUSE"), "{no_color}");
    assert!(
        !no_color.contains(ESC),
        "colour despite NO_COLOR:\n{no_color}"
    );
    // So does --color never; an empty NO_COLOR does not.
    assert!(!on_a_terminal(&["--color", "never"], &[]).contains(ESC));
    assert!(on_a_terminal(&[], &[("NO_COLOR", "")]).contains(ESC));
    // A pipe gets none by default, and colours only when asked.
    let piped = stdout(&offline(&[
        "diagnose",
        "--snapshot",
        "examples/fargate-cannot-pull.json",
    ]));
    assert!(!piped.contains(ESC), "colour into a pipe:\n{piped}");
    let forced = stdout(&offline(&[
        "diagnose",
        "--snapshot",
        "examples/fargate-cannot-pull.json",
        "--color",
        "always",
    ]));
    assert!(
        forced.contains(&format!("{ESC}[1m{ESC}[31mFAIL")),
        "{forced}"
    );
    // Colour changes nothing but the escapes.
    let stripped: String = {
        let mut out = String::new();
        let mut rest = forced.as_str();
        while let Some(i) = rest.find(ESC) {
            out.push_str(&rest[..i]);
            let after = &rest[i..];
            let end = after.find('m').expect("an SGR sequence ends with m");
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    };
    assert_eq!(stripped, piped);
}

#[test]
fn verbose_shows_every_passing_check() {
    let args = [
        "diagnose",
        "--snapshot",
        "examples/fargate-cannot-pull.json",
    ];
    let short = stdout(&offline(&args));
    let long = stdout(&offline(&[&args[..], &["--verbose"]].concat()));
    // Collapsed: one `verified:` line per stage with passing checks, pointing at --verbose.
    assert!(
        short.contains("verified: IMG_CROSS_REGION_REGISTRY"),
        "{short}"
    );
    assert!(short.contains("(--verbose shows each)"), "{short}");
    assert!(!short.contains("PASS    IMG_TAG_NOT_FOUND"), "{short}");
    assert!(!short.contains("PASS    dns          ecr.api"), "{short}");
    // Verbose: each passing check with its detail, each passing path hop by hop.
    assert!(!long.contains("verified:"), "{long}");
    assert!(long.contains("PASS    IMG_TAG_NOT_FOUND"), "{long}");
    assert!(
        long.matches("PASS    sg-egress").count() >= 4,
        "every passing path hop by hop:\n{long}"
    );
    // The first lines are the same either way: what broke and the fix.
    let head = |s: &str| s.lines().take(12).collect::<Vec<_>>().join("\n");
    assert_eq!(head(&short), head(&long));
}
