//! What the task's start needs its execution role to be allowed, computed from the task
//! definition: the exact actions on the exact resources, with the reason for each.

use crate::facts::{Readable, SecretKeyFacts, TaskDefinitionFacts, TaskFacts};
use crate::image_ref::ImageRef;
use crate::judge::policy::{account_of, partition_of};

/// Which resource policy, if any, can also decide the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceSide {
    /// The action has no resource policy (ecr:GetAuthorizationToken, CloudWatch Logs, SSM).
    None,
    /// The resource may have a policy that the iam stage does not read (ECR repository
    /// policies are the image stage's; secrets' policies are the secrets stage's).
    NotRead(&'static str),
}

/// One permission the start needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// `service:Action`.
    pub action: String,
    /// The resource ARN (or `*`).
    pub resource: String,
    /// Other resource ARNs that AWS might evaluate instead (tried when the first is denied).
    pub alternatives: Vec<String>,
    /// Why the start needs it, for the report.
    pub why: String,
    /// The resource policy's part.
    pub resource_side: ResourceSide,
    /// When the exact resource is not known (an awslogs stream without a prefix is named
    /// after the container ID), why: then a policy that grants only some resources of the
    /// pattern gives unknown, not denied.
    pub inexact: Option<&'static str>,
}

/// Where the task runs: partition, Region, account and task ID, from its ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// The task's Region.
    pub region: String,
    /// The task's account.
    pub account: String,
    /// The task ID (last part of its ARN).
    pub task_id: String,
}

impl Place {
    /// From the task ARN (`arn:aws:ecs:us-east-1:123456789012:task/cluster/id`), with the
    /// facts' Region as the fallback.
    pub fn of(task: &TaskFacts, region: &str) -> Option<Place> {
        let arn = &task.task_arn;
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        Some(Place {
            partition: partition_of(arn)?.to_string(),
            region: parts
                .get(3)
                .filter(|r| !r.is_empty())
                .map(|r| r.to_string())
                .unwrap_or_else(|| region.to_string()),
            account: account_of(arn)?.to_string(),
            task_id: arn.rsplit('/').next().unwrap_or("").to_string(),
        })
    }
}

/// Whether the task needs an execution role at all, and for what (empty: it does not).
/// On the EC2 launch type the container instance role pulls from ECR and writes to awslogs, so
/// only secrets and registry credentials need an execution role there; on Fargate, ECS Managed
/// Instances and external instances every one of these does (AWS, task_execution_IAM_role).
pub fn reasons_for_execution_role(
    td: &TaskDefinitionFacts,
    on_ec2_launch_type: bool,
) -> Vec<String> {
    let mut why = Vec::new();
    for c in &td.container_definitions {
        if let Some(img) = &c.image
            && !on_ec2_launch_type
            && ImageRef::parse(img)
                .ok()
                .and_then(|r| r.repository_arn())
                .is_some()
        {
            why.push(format!(
                "container '{}' pulls {img} from private Amazon ECR",
                c.name
            ));
        }
        if let Some(l) = &c.log_configuration {
            if l.log_driver == "awslogs" && !on_ec2_launch_type {
                why.push(format!("container '{}' logs with awslogs", c.name));
            }
            if !l.secret_options.is_empty() {
                why.push(format!(
                    "container '{}' passes secrets to its log driver",
                    c.name
                ));
            }
        }
        if !c.secrets.is_empty() {
            why.push(format!("container '{}' injects secrets", c.name));
        }
        if c.repository_credentials.is_some() {
            why.push(format!(
                "container '{}' uses private registry credentials",
                c.name
            ));
        }
    }
    why
}

/// Needs in the order they were first pushed, each (action, resource) once.
///
/// Why a set beside the list: a task definition from a snapshot can hold tens of thousands of
/// secret references, and looking each new need up in the list made computing them
/// quadratic (issue 16); the set makes it one hash lookup per need, with the same order.
#[derive(Default)]
pub(super) struct UniqueNeeds {
    list: Vec<Need>,
    seen: std::collections::HashSet<(String, String)>,
    /// Every need pushed, duplicates included (tests compare the list with a plain dedup).
    #[cfg(test)]
    pub(super) pushed: Vec<Need>,
}

impl UniqueNeeds {
    /// Keeps `n` unless a need with its action and resource is already kept.
    fn push(&mut self, n: Need) {
        #[cfg(test)]
        self.pushed.push(n.clone());
        if self.seen.insert((n.action.clone(), n.resource.clone())) {
            self.list.push(n);
        }
    }

    /// The needs kept, in first-pushed order.
    pub(super) fn into_list(self) -> Vec<Need> {
        self.list
    }
}

/// The permissions the execution role needs for this task definition.
pub fn execution_needs(td: &TaskDefinitionFacts, place: &Place) -> Vec<Need> {
    collect_execution_needs(td, place).into_list()
}

/// [`execution_needs`], with what was pushed (for the tests).
pub(super) fn collect_execution_needs(td: &TaskDefinitionFacts, place: &Place) -> UniqueNeeds {
    let mut needs = UniqueNeeds::default();
    let mut repos = Vec::new();
    for c in &td.container_definitions {
        if let Some(img) = &c.image
            && let Some(arn) = ImageRef::parse(img).ok().and_then(|r| r.repository_arn())
            && partition_of(&arn) == Some(place.partition.as_str())
        {
            repos.push((c.name.clone(), arn));
        }
    }
    if !repos.is_empty() {
        needs.push(Need {
            action: "ecr:GetAuthorizationToken".into(),
            resource: "*".into(),
            alternatives: vec![],
            why: "to log in to Amazon ECR before pulling".into(),
            resource_side: ResourceSide::None,
            inexact: None,
        });
    }
    for (container, repo) in &repos {
        for action in ecr_pull_actions() {
            needs.push(Need {
                action: action.to_string(),
                resource: repo.clone(),
                alternatives: vec![],
                why: format!("to pull container '{container}''s image"),
                resource_side: ResourceSide::NotRead(
                    "the repository policy is checked by the image stage",
                ),
                inexact: None,
            });
        }
    }
    for c in &td.container_definitions {
        if let Some(l) = c
            .log_configuration
            .as_ref()
            .filter(|l| l.log_driver == "awslogs")
        {
            let Some(group) = l.options.get("awslogs-group") else {
                continue;
            };
            let region = l
                .options
                .get("awslogs-region")
                .cloned()
                .unwrap_or_else(|| place.region.clone());
            let base = format!(
                "arn:{}:logs:{region}:{}:log-group:{group}",
                place.partition, place.account
            );
            // awslogs names the stream <prefix>/<container>/<task ID>; without a prefix
            // (EC2 only) the stream is the container ID, which no configuration knows.
            let (stream, stream_inexact) = match l.options.get("awslogs-stream-prefix") {
                Some(p) => (format!("{p}/{}/{}", c.name, place.task_id), None),
                None => (
                    "*".to_string(),
                    Some(
                        "without awslogs-stream-prefix the stream is named after the container ID, which is not known here",
                    ),
                ),
            };
            let stream_arn = format!("{base}:log-stream:{stream}");
            for action in ["logs:CreateLogStream", "logs:PutLogEvents"] {
                needs.push(Need {
                    action: action.into(),
                    resource: stream_arn.clone(),
                    alternatives: vec![],
                    why: format!(
                        "for container '{}''s awslogs log driver (log group {group})",
                        c.name
                    ),
                    resource_side: ResourceSide::None,
                    inexact: stream_inexact,
                });
            }
            if l.options
                .get("awslogs-create-group")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            {
                // The log group resource: IAM documents it as `...:log-group:<name>`, and
                // CloudWatch Logs shows group ARNs as `...:log-group:<name>:*`; either form
                // in a policy must count.
                needs.push(Need {
                    action: "logs:CreateLogGroup".into(),
                    resource: base.clone(),
                    alternatives: vec![format!("{base}:*")],
                    why: format!(
                        "because container '{}' sets awslogs-create-group to true",
                        c.name
                    ),
                    resource_side: ResourceSide::None,
                    inexact: None,
                });
            }
        }
        let secret_refs = c.secrets.iter().chain(
            c.log_configuration
                .iter()
                .flat_map(|l| l.secret_options.iter()),
        );
        for s in secret_refs {
            needs.push(secret_need(
                &s.value_from,
                &format!("for container '{}''s secret {}", c.name, s.name),
                place,
            ));
        }
        if let Some(cred) = &c.repository_credentials {
            needs.push(secret_need(
                cred,
                &format!("for container '{}''s private registry credentials", c.name),
                place,
            ));
        }
    }
    needs
}

/// kms:Decrypt on every customer managed key that encrypts a referenced secret or
/// SecureString parameter (the AWS managed keys need no grant on the role).
pub fn kms_needs(keys: &[SecretKeyFacts], place: &Place) -> Vec<Need> {
    let mut needs = UniqueNeeds::default();
    for k in keys {
        let Readable::Read { value: Some(key) } = &k.key else {
            continue;
        };
        let (resource, inexact) = key_resource(key, place);
        needs.push(Need {
            action: "kms:Decrypt".into(),
            resource,
            alternatives: vec![],
            why: format!(
                "to decrypt {} (encrypted with the customer managed key {key})",
                k.reference
            ),
            resource_side: ResourceSide::NotRead(
                "the key policy must allow it too, and the iam stage does not read key policies",
            ),
            inexact,
        });
    }
    needs.list
}

/// The key's ARN as IAM policies name it; an alias names no key ARN the policies can match.
fn key_resource(key: &str, place: &Place) -> (String, Option<&'static str>) {
    const ALIAS: &str = "the secret names its key by an alias; policies grant kms:Decrypt on key ARNs, which an alias does not reveal";
    if key.starts_with("arn:") {
        let inexact = key.contains(":alias/").then_some(ALIAS);
        return (key.to_string(), inexact);
    }
    if key.starts_with("alias/") {
        return (
            format!(
                "arn:{}:kms:{}:{}:{key}",
                place.partition, place.region, place.account
            ),
            Some(ALIAS),
        );
    }
    (
        format!(
            "arn:{}:kms:{}:{}:key/{key}",
            place.partition, place.region, place.account
        ),
        None,
    )
}

/// The ECR actions a pull needs on the repository.
pub fn ecr_pull_actions() -> [&'static str; 3] {
    [
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
    ]
}

/// The permission a `valueFrom` needs: GetSecretValue on the secret (its ARN without the
/// json-key/version suffix) or GetParameters on the parameter (a name becomes the ARN in the
/// task's Region and account).
pub fn secret_need(value_from: &str, why: &str, place: &Place) -> Need {
    let parts: Vec<&str> = value_from.split(':').collect();
    if parts.len() >= 7 && parts[0] == "arn" && parts[2] == "secretsmanager" {
        return Need {
            action: "secretsmanager:GetSecretValue".into(),
            resource: parts[..7].join(":"),
            alternatives: vec![],
            why: why.to_string(),
            resource_side: ResourceSide::NotRead(
                "the secret's resource policy is not read by the iam stage",
            ),
            inexact: None,
        };
    }
    if parts.len() >= 6 && parts[0] == "arn" && parts[2] == "ssm" {
        return Need {
            action: "ssm:GetParameters".into(),
            resource: value_from.to_string(),
            alternatives: vec![],
            why: why.to_string(),
            resource_side: ResourceSide::None,
            inexact: None,
        };
    }
    if value_from.starts_with("arn:") {
        // Another ARN (for example a secret name without the suffix in another form): keep it.
        return Need {
            action: "secretsmanager:GetSecretValue".into(),
            resource: value_from.to_string(),
            alternatives: vec![],
            why: why.to_string(),
            resource_side: ResourceSide::NotRead(
                "the secret's resource policy is not read by the iam stage",
            ),
            inexact: None,
        };
    }
    let name = value_from.trim_start_matches('/');
    Need {
        action: "ssm:GetParameters".into(),
        resource: format!(
            "arn:{}:ssm:{}:{}:parameter/{name}",
            place.partition, place.region, place.account
        ),
        alternatives: vec![],
        why: why.to_string(),
        resource_side: ResourceSide::None,
        inexact: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ContainerDefinitionFacts, LogConfigurationFacts, SecretRefFacts};

    fn place() -> Place {
        Place {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
            task_id: "abc".into(),
        }
    }

    #[test]
    fn secrets_and_parameters() {
        let n = secret_need(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::",
            "x",
            &place(),
        );
        assert_eq!(n.action, "secretsmanager:GetSecretValue");
        assert_eq!(
            n.resource,
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
        );
        let n = secret_need("/prod/db/url", "x", &place());
        assert_eq!(n.action, "ssm:GetParameters");
        assert_eq!(
            n.resource,
            "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/url"
        );
        let n = secret_need("plain", "x", &place());
        assert_eq!(
            n.resource,
            "arn:aws:ssm:us-east-1:123456789012:parameter/plain"
        );
    }

    #[test]
    fn a_task_definition_with_everything() {
        let td = TaskDefinitionFacts {
            container_definitions: vec![ContainerDefinitionFacts {
                name: "app".into(),
                image: Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1".into()),
                log_configuration: Some(LogConfigurationFacts::new(
                    "awslogs".into(),
                    [
                        ("awslogs-group".to_string(), "/ecs/app".to_string()),
                        ("awslogs-stream-prefix".to_string(), "ecs".to_string()),
                        ("awslogs-create-group".to_string(), "true".to_string()),
                    ],
                    vec![],
                )),
                secrets: vec![SecretRefFacts {
                    name: "DB".into(),
                    value_from: "db-url".into(),
                }],
                ..ContainerDefinitionFacts::default()
            }],
            ..TaskDefinitionFacts::default()
        };
        let needs = execution_needs(&td, &place());
        let pairs: Vec<(&str, &str)> = needs
            .iter()
            .map(|n| (n.action.as_str(), n.resource.as_str()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("ecr:GetAuthorizationToken", "*"),
                (
                    "ecr:BatchCheckLayerAvailability",
                    "arn:aws:ecr:us-east-1:123456789012:repository/team/app"
                ),
                (
                    "ecr:GetDownloadUrlForLayer",
                    "arn:aws:ecr:us-east-1:123456789012:repository/team/app"
                ),
                (
                    "ecr:BatchGetImage",
                    "arn:aws:ecr:us-east-1:123456789012:repository/team/app"
                ),
                (
                    "logs:CreateLogStream",
                    "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:log-stream:ecs/app/abc"
                ),
                (
                    "logs:PutLogEvents",
                    "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:log-stream:ecs/app/abc"
                ),
                (
                    "logs:CreateLogGroup",
                    "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app"
                ),
                (
                    "ssm:GetParameters",
                    "arn:aws:ssm:us-east-1:123456789012:parameter/db-url"
                ),
            ]
        );
        assert_eq!(reasons_for_execution_role(&td, false).len(), 3);
        // On EC2 the instance role pulls and logs: only the secret still needs the role.
        let on_ec2 = reasons_for_execution_role(&td, true);
        assert_eq!(on_ec2.len(), 1, "{on_ec2:?}");
        assert!(on_ec2[0].contains("injects secrets"), "{on_ec2:?}");
        assert!(reasons_for_execution_role(&TaskDefinitionFacts::default(), false).is_empty());
    }
}
