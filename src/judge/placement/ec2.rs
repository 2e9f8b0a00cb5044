//! The EC2 checks: are there instances, are their agents connected, does any have the CPU and
//! memory the task needs, and does any satisfy the task definition's `memberOf` constraints.
//!
//! The instances are read when the diagnosis runs, not when the placement failed: a PASS
//! says the capacity is there *now*, which still tells the operator to retry.

use super::query;
use crate::codes::Code;
use crate::facts::{ContainerInstanceFacts, TaskDefinitionFacts, TaskFacts};
use crate::report::{Finding, Severity, Status};

/// What the task asks for: CPU units and memory MiB, when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    /// CPU units.
    pub cpu: Option<i64>,
    /// Memory (MiB).
    pub memory: Option<i64>,
}

/// Parses a task-level size: `1024`, `1 vCPU`, `0.5 vcpu` (CPU) or `2048`, `2 GB` (memory).
fn size(s: &str, unit_words: &[&str], per_unit: f64) -> Option<i64> {
    let t = s.trim().to_ascii_lowercase();
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    for w in unit_words {
        if let Some(num) = t.strip_suffix(w) {
            let n: f64 = num.trim().parse().ok()?;
            if (0.0..1e9).contains(&n) {
                return Some((n * per_unit).round() as i64);
            }
        }
    }
    None
}

/// The task's needs: the task's own values, else the task definition's, else the sum of the
/// containers' (hard memory limit, else the soft one), because that is what ECS reserves. A
/// task-level `0` (what an EC2 task without task-level values may report) counts as absent.
pub fn needs(task: Option<&TaskFacts>, td: Option<&TaskDefinitionFacts>) -> Needs {
    let cpu = task
        .and_then(|t| t.cpu.as_deref())
        .or(td.and_then(|t| t.cpu.as_deref()))
        .and_then(|s| size(s, &["vcpu"], 1024.0))
        .filter(|n| *n > 0);
    let memory = task
        .and_then(|t| t.memory.as_deref())
        .or(td.and_then(|t| t.memory.as_deref()))
        .and_then(|s| size(s, &["gb"], 1024.0))
        .filter(|n| *n > 0);
    let containers = td
        .map(|t| t.container_definitions.as_slice())
        .unwrap_or(&[]);
    let sum = |f: &dyn Fn(&crate::facts::ContainerDefinitionFacts) -> Option<i32>| {
        let v: Vec<i64> = containers.iter().filter_map(f).map(i64::from).collect();
        (!v.is_empty()).then(|| v.iter().sum())
    };
    Needs {
        cpu: cpu.or_else(|| sum(&|c| c.cpu)),
        memory: memory.or_else(|| sum(&|c| c.memory.or(c.memory_reservation))),
    }
}

/// The instances placement can use: ACTIVE (DRAINING ones take no new tasks).
pub fn active(instances: &[ContainerInstanceFacts]) -> Vec<&ContainerInstanceFacts> {
    instances
        .iter()
        .filter(|i| i.status.as_deref().is_none_or(|s| s == "ACTIVE"))
        .collect()
}

/// A short name for an instance in messages: its EC2 ID, else its ARN's ID.
pub fn name(i: &ContainerInstanceFacts) -> String {
    i.ec2_instance_id.clone().unwrap_or_else(|| {
        i.container_instance_arn
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string()
    })
}

/// EC2_NO_CONTAINER_INSTANCES.
pub fn no_instances(
    cluster: &str,
    instances: &[ContainerInstanceFacts],
    capacity_providers: &[String],
) -> Finding {
    let act = active(instances);
    if !act.is_empty() {
        return Finding::new(
            Code::Ec2NoContainerInstances,
            Status::Pass,
            Severity::Info,
            format!(
                "The cluster has {} ACTIVE container instance(s).",
                act.len()
            ),
        )
        .evidence("cluster", cluster)
        .evidence(
            "activeInstances",
            act.iter().map(|i| name(i)).collect::<Vec<_>>(),
        );
    }
    let draining: Vec<String> = instances.iter().map(name).collect();
    let mut f = Finding::new(
        Code::Ec2NoContainerInstances,
        Status::Fail,
        Severity::Critical,
        if draining.is_empty() {
            format!("The cluster {cluster} has no registered container instances, so an EC2 task has nowhere to run.")
        } else {
            format!(
                "The cluster {cluster} has no ACTIVE container instances (only DRAINING: {}), so an EC2 task has nowhere to run.",
                draining.join(", ")
            )
        },
    )
    .evidence("cluster", cluster)
    .evidence("drainingInstances", draining)
    .evidence("capacityProviders", capacity_providers.to_vec());
    f = if capacity_providers.is_empty() {
        f.remediation(format!(
            "Launch EC2 instances with the ECS-optimized AMI and ECS_CLUSTER={cluster} in /etc/ecs/ecs.config (an Auto Scaling group with desired capacity ≥ 1), or run the task with --launch-type FARGATE. Check with: aws ecs list-container-instances --cluster {cluster}"
        ))
    } else {
        f.remediation(format!(
            "The cluster's capacity providers ({}) have launched no instance: check the Auto Scaling group's desired capacity and activity history (aws autoscaling describe-scaling-activities --auto-scaling-group-name <asg>), and that its launch template sets ECS_CLUSTER={cluster} in user data.",
            capacity_providers.join(", ")
        ))
    };
    f
}

/// EC2_AGENT_DISCONNECTED: FAIL naming every ACTIVE instance whose agent is disconnected.
pub fn agents(instances: &[ContainerInstanceFacts], reason_is_agent: bool) -> Option<Finding> {
    let act = active(instances);
    if act.is_empty() {
        return None;
    }
    let down: Vec<&ContainerInstanceFacts> = act
        .iter()
        .copied()
        .filter(|i| i.agent_connected == Some(false))
        .collect();
    if down.is_empty() {
        return Some(
            Finding::new(
                Code::Ec2AgentDisconnected,
                Status::Pass,
                Severity::Info,
                format!(
                    "The ECS agent is connected on all {} ACTIVE instance(s).",
                    act.len()
                ),
            )
            .evidence("instances", act.iter().map(|i| name(i)).collect::<Vec<_>>()),
        );
    }
    let names: Vec<String> = down.iter().map(|i| name(i)).collect();
    let all = down.len() == act.len();
    let ids: Vec<&str> = down
        .iter()
        .filter_map(|i| i.ec2_instance_id.as_deref())
        .collect();
    Some(
        Finding::new(
            Code::Ec2AgentDisconnected,
            Status::Fail,
            if all || reason_is_agent { Severity::Critical } else { Severity::High },
            format!(
                "The ECS agent is disconnected on {} of {} ACTIVE instance(s): {}.",
                down.len(),
                act.len(),
                names.join(", ")
            ),
        )
        .evidence("disconnectedInstances", names.clone())
        .evidence(
            "containerInstanceArns",
            down.iter().map(|i| i.container_instance_arn.clone()).collect::<Vec<_>>(),
        )
        .remediation(format!(
            "On {}: restart the agent (sudo systemctl restart ecs) and read /var/log/ecs/ecs-agent.log; the instance needs outbound HTTPS to ecs.<region>.amazonaws.com (or the ecs, ecs-agent and ecs-telemetry VPC endpoints) and its instance role needs AmazonEC2ContainerServiceforEC2Role. Run it from Systems Manager: aws ssm send-command --document-name AWS-RunShellScript --parameters 'commands=[\"sudo systemctl restart ecs\"]' --instance-ids {}",
            names.join(", "),
            if ids.is_empty() { "<instance-id>".to_string() } else { ids.join(" ") }
        )),
    )
}

/// EC2_INSUFFICIENT_RESOURCES: does any ACTIVE, connected instance have the task's CPU and
/// memory remaining?
pub fn resources(instances: &[ContainerInstanceFacts], needs: Needs) -> Option<Finding> {
    let usable: Vec<&ContainerInstanceFacts> = active(instances)
        .into_iter()
        .filter(|i| i.agent_connected != Some(false))
        .collect();
    if usable.is_empty() {
        return None;
    }
    if needs.cpu.is_none() && needs.memory.is_none() {
        return Some(Finding::new(
            Code::Ec2InsufficientResources,
            Status::Unknown,
            Severity::Medium,
            "The task's CPU and memory are unknown (no task-level values, no container values), so the instances' remaining resources cannot be compared.",
        ));
    }
    let short = |i: &ContainerInstanceFacts| -> (i64, i64) {
        let c = match (needs.cpu, i.remaining_cpu) {
            (Some(n), Some(r)) => (n - r).max(0),
            _ => 0,
        };
        let m = match (needs.memory, i.remaining_memory) {
            (Some(n), Some(r)) => (n - r).max(0),
            _ => 0,
        };
        (c, m)
    };
    let fits: Vec<&&ContainerInstanceFacts> =
        usable.iter().filter(|i| short(i) == (0, 0)).collect();
    let table: Vec<serde_json::Value> = usable
        .iter()
        .map(|i| {
            serde_json::json!({
                "instance": name(i),
                "remainingCpu": i.remaining_cpu,
                "remainingMemory": i.remaining_memory,
                "registeredCpu": i.registered_cpu,
                "registeredMemory": i.registered_memory,
                "instanceType": i.attributes.get("ecs.instance-type"),
            })
        })
        .collect();
    let need_text = format!(
        "{} CPU units and {} MiB",
        needs.cpu.map_or("?".to_string(), |c| c.to_string()),
        needs.memory.map_or("?".to_string(), |m| m.to_string())
    );
    if !fits.is_empty() {
        return Some(
            Finding::new(
                Code::Ec2InsufficientResources,
                Status::Pass,
                Severity::Info,
                format!(
                    "{} of {} instance(s) now have the {need_text} the task needs ({}); if the task failed with RESOURCE:*, capacity was freed since, so retry.",
                    fits.len(),
                    usable.len(),
                    fits.iter().map(|i| name(i)).collect::<Vec<_>>().join(", ")
                ),
            )
            .evidence("taskCpu", needs.cpu)
            .evidence("taskMemory", needs.memory)
            .evidence("instances", table),
        );
    }
    // The largest instance: the one closest to fitting (smallest total shortfall, then the most memory).
    let best = usable.iter().min_by_key(|i| {
        let (c, m) = short(i);
        (
            c + m,
            -i.remaining_memory.unwrap_or(0),
            -i.remaining_cpu.unwrap_or(0),
        )
    })?;
    let (sc, sm) = short(best);
    let mut missing = Vec::new();
    if sc > 0 {
        missing.push(format!("{sc} CPU units"));
    }
    if sm > 0 {
        missing.push(format!("{sm} MiB of memory"));
    }
    let resource = match (sc > 0, sm > 0) {
        (true, true) => "CPU and memory",
        (true, false) => "CPU",
        _ => "memory",
    };
    Some(
        Finding::new(
            Code::Ec2InsufficientResources,
            Status::Fail,
            Severity::Critical,
            format!(
                "No container instance has the {need_text} the task needs: the largest, {} ({}), has {} CPU units and {} MiB remaining, {} short.",
                name(best),
                best.attributes.get("ecs.instance-type").map_or("type unknown", String::as_str),
                best.remaining_cpu.map_or("?".to_string(), |c| c.to_string()),
                best.remaining_memory.map_or("?".to_string(), |m| m.to_string()),
                missing.join(" and ")
            ),
        )
        .evidence("taskCpu", needs.cpu)
        .evidence("taskMemory", needs.memory)
        .evidence("largestInstance", name(best))
        .evidence("shortCpu", sc)
        .evidence("shortMemory", sm)
        .evidence("instances", table)
        .remediation(format!(
            "Free or add {resource}: scale out the cluster's Auto Scaling group (or capacity provider), use a larger instance type, or lower the task's {resource} in a new task definition revision (aws ecs register-task-definition --cli-input-json file://<task-definition>.json). Instances' remaining resources: aws ecs describe-container-instances --cluster <cluster> --container-instances {}",
            best.container_instance_arn
        )),
    )
}

/// EC2_PLACEMENT_CONSTRAINT_UNSATISFIED for each `memberOf` constraint of the task definition.
pub fn constraints(instances: &[ContainerInstanceFacts], td: &TaskDefinitionFacts) -> Vec<Finding> {
    let usable: Vec<&ContainerInstanceFacts> = active(instances)
        .into_iter()
        .filter(|i| i.agent_connected != Some(false))
        .collect();
    let mut out = Vec::new();
    for c in &td.placement_constraints {
        if !c
            .kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("memberOf"))
        {
            continue;
        }
        let expr_text = c.expression.clone().unwrap_or_default();
        let expr = match query::parse(&expr_text) {
            Ok(e) => e,
            Err(why) => {
                out.push(
                    Finding::new(
                        Code::Ec2PlacementConstraintUnsatisfied,
                        Status::Unknown,
                        Severity::Medium,
                        format!("The memberOf constraint '{expr_text}' was not evaluated: it has {why}."),
                    )
                    .evidence("constraint", expr_text.as_str())
                    .remediation(format!(
                        "Check by hand which instances match: aws ecs list-container-instances --cluster <cluster> --filter '{expr_text}'"
                    )),
                );
                continue;
            }
        };
        let mut pass = Vec::new();
        let mut fail = Vec::new();
        let mut unknown = Vec::new();
        for i in &usable {
            match query::satisfies(&expr, i) {
                Some(true) => pass.push(name(i)),
                Some(false) => fail.push(name(i)),
                None => unknown.push(name(i)),
            }
        }
        let f = if !pass.is_empty() {
            Finding::new(
                Code::Ec2PlacementConstraintUnsatisfied,
                Status::Pass,
                Severity::Info,
                format!(
                    "The memberOf constraint '{expr_text}' is satisfied by {}.",
                    pass.join(", ")
                ),
            )
        } else if !unknown.is_empty() || usable.is_empty() {
            Finding::new(
                Code::Ec2PlacementConstraintUnsatisfied,
                Status::Unknown,
                Severity::Medium,
                format!(
                    "Whether an instance satisfies the memberOf constraint '{expr_text}' cannot be decided from the facts."
                ),
            )
        } else {
            Finding::new(
                Code::Ec2PlacementConstraintUnsatisfied,
                Status::Fail,
                Severity::Critical,
                format!(
                    "No ACTIVE instance satisfies the memberOf constraint '{expr_text}': {} fail it.",
                    fail.join(", ")
                ),
            )
            .remediation(format!(
                "Either change the constraint in a new task definition revision, or give an instance what it asks for (for a custom attribute: aws ecs put-attributes --cluster <cluster> --attributes name=<name>,value=<value>,targetType=container-instance,targetId=<container-instance-arn>). Check the match with: aws ecs list-container-instances --cluster <cluster> --filter '{expr_text}'"
            ))
        };
        out.push(
            f.evidence("constraint", expr_text.as_str())
                .evidence("satisfying", pass)
                .evidence("failing", fail)
                .evidence("undecided", unknown),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ContainerDefinitionFacts, PlacementConstraintFacts};

    fn inst(id: &str, cpu: i64, mem: i64) -> ContainerInstanceFacts {
        ContainerInstanceFacts {
            container_instance_arn: format!("arn:aws:ecs:us-east-1:1:container-instance/c/{id}"),
            ec2_instance_id: Some(id.into()),
            status: Some("ACTIVE".into()),
            agent_connected: Some(true),
            remaining_cpu: Some(cpu),
            remaining_memory: Some(mem),
            ..Default::default()
        }
    }

    #[test]
    fn needs_fall_back_to_container_sums() {
        let td = TaskDefinitionFacts {
            container_definitions: vec![
                ContainerDefinitionFacts {
                    cpu: Some(256),
                    memory: Some(512),
                    ..Default::default()
                },
                ContainerDefinitionFacts {
                    memory_reservation: Some(256),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert_eq!(
            needs(None, Some(&td)),
            Needs {
                cpu: Some(256),
                memory: Some(768)
            }
        );
        let td2 = TaskDefinitionFacts {
            cpu: Some("1 vCPU".into()),
            memory: Some("2 GB".into()),
            ..td
        };
        assert_eq!(
            needs(None, Some(&td2)),
            Needs {
                cpu: Some(1024),
                memory: Some(2048)
            }
        );
    }

    #[test]
    fn names_the_largest_instance_and_the_shortfall() {
        let f = resources(
            &[inst("i-a", 2048, 1000), inst("i-b", 2048, 3000)],
            Needs {
                cpu: Some(256),
                memory: Some(4096),
            },
        )
        .unwrap();
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.evidence["largestInstance"], "i-b");
        assert_eq!(f.evidence["shortMemory"], 1096);
        let ok = resources(
            &[inst("i-a", 2048, 1000), inst("i-b", 2048, 5000)],
            Needs {
                cpu: Some(256),
                memory: Some(4096),
            },
        )
        .unwrap();
        assert_eq!(ok.status, Status::Pass);
    }

    #[test]
    fn disconnected_agents_and_empty_clusters_fail() {
        let mut down = inst("i-a", 1, 1);
        down.agent_connected = Some(false);
        assert_eq!(
            agents(&[down.clone(), inst("i-b", 1, 1)], true)
                .unwrap()
                .status,
            Status::Fail
        );
        assert_eq!(
            agents(&[inst("i-b", 1, 1)], false).unwrap().status,
            Status::Pass
        );
        assert_eq!(no_instances("c", &[], &[]).status, Status::Fail);
        assert_eq!(
            no_instances("c", &[inst("i-b", 1, 1)], &[]).status,
            Status::Pass
        );
    }

    #[test]
    fn unparsed_constraints_are_unknown_never_fail() {
        let td = TaskDefinitionFacts {
            placement_constraints: vec![
                PlacementConstraintFacts {
                    kind: Some("memberOf".into()),
                    expression: Some("attribute:ecs.instance-type =~ t3.*".into()),
                },
                PlacementConstraintFacts {
                    kind: Some("memberOf".into()),
                    expression: Some("attribute:ecs.instance-type == m5.large".into()),
                },
            ],
            ..Default::default()
        };
        let f = constraints(&[inst("i-a", 1, 1)], &td);
        assert_eq!(f[0].status, Status::Unknown);
        assert_eq!(f[1].status, Status::Fail);
    }
}
