//! IAM reads for the iam stage: the execution role (and, on EC2, the container instance's
//! role) with its trust policy, inline and attached policies and permissions boundary.
//!
//! IAM returns policy documents URL-encoded (RFC 3986); they are decoded here, so Facts and
//! snapshots hold the JSON as written. Every error is a fact; `NoSuchEntity` on GetRole is
//! kept apart as "role not found", which is a finding, not a failure to read.

use aws_sdk_iam::types::Role;

use super::error::unreadable;
use super::secrets::Metadata;
use super::{Cache, Clients, PolicyVersions};
use crate::facts::{
    IamFacts, InlinePolicyFacts, InstanceRoleFacts, ManagedPolicyFacts, ParameterLookup, Readable,
    RoleFacts, RoleLookup, SecretKeyFacts, SecretMetadata, TaskDefinitionFacts, TaskFacts,
    Unreadable,
};
use crate::judge::secrets::reference::Reference;

/// Reads what the iam stage needs.
pub(super) async fn iam(
    clients: &Clients,
    cache: &Cache,
    region: &str,
    task: &TaskFacts,
    td: Option<&TaskDefinitionFacts>,
) -> IamFacts {
    let execution_role_arn = execution_role_arn(task, td);
    let task_account = account_of(&task.task_arn);
    let execution = async {
        match &execution_role_arn {
            // IAM reads roles of the caller's own account only: GetRole on another account's
            // role name would find (or miss) a different role, so say it cannot be read.
            Some(arn) if account_of(arn).is_some_and(|a| Some(a) != task_account) => {
                Some(Readable::Read {
                    value: RoleLookup::Missing {
                        why: format!(
                            "The execution role {arn} is in another account than the task ({}); its policies cannot be read from here, so whether it exists, trusts ECS and allows the start is not known.",
                            task_account.unwrap_or("unknown")
                        ),
                    },
                })
            }
            // Once per sweep: the groups of a sweep often share their execution role.
            Some(arn) => {
                let name = role_name(arn);
                Some(
                    cache
                        .get_or_read(format!("iam:role/{name}"), || {
                            read_role(clients, cache, &name)
                        })
                        .await,
                )
            }
            None => None,
        }
    };
    let instance = async {
        match &task.container_instance_arn {
            Some(ci) => Some(instance_role(clients, cache, task, ci).await),
            None => None,
        }
    };
    let keys = secret_keys(clients, cache, region, td);
    let (execution_role, instance_role, secret_keys) = tokio::join!(execution, instance, keys);
    IamFacts {
        execution_role_arn,
        execution_role,
        instance_role,
        secret_keys,
    }
}

/// Every secret and parameter reference of the task definition (secrets, log-driver secret
/// options, registry credentials), each once.
fn secret_references(td: &TaskDefinitionFacts) -> Vec<String> {
    let mut refs: Vec<String> = td
        .container_definitions
        .iter()
        .flat_map(|c| {
            c.secrets
                .iter()
                .chain(
                    c.log_configuration
                        .iter()
                        .flat_map(|l| l.secret_options.iter()),
                )
                .map(|s| s.value_from.clone())
                .chain(c.repository_credentials.clone())
        })
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

/// Reads which KMS key encrypts each referenced secret (DescribeSecret) or SecureString
/// parameter (DescribeParameters): metadata only, never a value. The reads are the secrets
/// stage's own, shared through the run's cache.
async fn secret_keys(
    clients: &Clients,
    cache: &Cache,
    region: &str,
    td: Option<&TaskDefinitionFacts>,
) -> Vec<SecretKeyFacts> {
    let Some(td) = td else { return vec![] };
    let reads = secret_references(td)
        .into_iter()
        .map(|reference| async move {
            let key = match Reference::parse(&reference) {
                Ok(parsed) => match super::secrets::metadata(clients, cache, region, &parsed).await
                {
                    Metadata::Secret { lookup, .. } => match lookup {
                        Readable::Read {
                            value: SecretMetadata::Found { kms_key_id, .. },
                        } => Readable::Read {
                            // Secrets Manager omits KmsKeyId for the AWS managed key.
                            value: kms_key_id.filter(|k| !is_aws_managed_alias(k)),
                        },
                        Readable::Read {
                            value: SecretMetadata::NotFound,
                        } => Readable::Unreadable(Unreadable {
                            api: "secretsmanager:DescribeSecret".into(),
                            error_code: "ResourceNotFoundException".into(),
                            message: format!("Secrets Manager can't find the secret {reference}"),
                        }),
                        Readable::Unreadable(u) => Readable::Unreadable(u),
                    },
                    Metadata::Parameter { lookup, .. } => match lookup {
                        Readable::Read {
                            value:
                                ParameterLookup::Found {
                                    r#type: Some(t),
                                    key_id,
                                    ..
                                },
                        } if t == "SecureString" => Readable::Read {
                            value: key_id.filter(|k| !is_aws_managed_alias(k)),
                        },
                        Readable::Read { .. } => Readable::Read { value: None },
                        Readable::Unreadable(u) => Readable::Unreadable(u),
                    },
                },
                // Not a reference ECS could resolve: the secrets stage says so; no key to check.
                Err(_) => Readable::Read { value: None },
            };
            SecretKeyFacts { reference, key }
        });
    futures_util::future::join_all(reads).await
}

/// `alias/aws/...`: an AWS managed key, usable by the service on the role's behalf without kms:Decrypt.
fn is_aws_managed_alias(key: &str) -> bool {
    key.starts_with("alias/aws/") || key.contains(":alias/aws/")
}

/// The account of an ARN (`arn:aws:iam::111122223333:role/x` → `111122223333`).
fn account_of(arn: &str) -> Option<&str> {
    arn.split(':')
        .nth(4)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
}

/// The execution role the task ran with: RunTask's override wins over the task definition.
pub fn execution_role_arn(task: &TaskFacts, td: Option<&TaskDefinitionFacts>) -> Option<String> {
    task.overrides
        .as_ref()
        .and_then(|o| o.execution_role_arn.clone())
        .filter(|s| !s.is_empty())
        .or_else(|| td.and_then(|t| t.execution_role_arn.clone()))
        .filter(|s| !s.is_empty())
}

/// The role name of a role ARN (`arn:aws:iam::1:role/path/name` → `name`), or the text
/// itself when it is already a name.
pub fn role_name(arn_or_name: &str) -> String {
    match arn_or_name.split_once(":role/") {
        Some((_, rest)) => rest.rsplit('/').next().unwrap_or(rest).to_string(),
        None => arn_or_name
            .rsplit('/')
            .next()
            .unwrap_or(arn_or_name)
            .to_string(),
    }
}

/// Decodes a policy document as IAM returns it (RFC 3986 percent-encoding). Text that is
/// already JSON (some emulators return it as-is) is kept unchanged.
pub fn decode_document(text: &str) -> String {
    if text.trim_start().starts_with('{') {
        return text.to_string();
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Reads one role and all of its policies. The policy lists need only the role's name, so
/// they go out with GetRole instead of after it (when the role does not exist, their answers
/// are dropped); only the permissions boundary waits for GetRole, which names it.
async fn read_role(clients: &Clients, cache: &Cache, name: &str) -> Readable<RoleLookup> {
    let iam = clients.iam();
    let role = async {
        let role = match iam.get_role().role_name(name).send().await {
            Ok(out) => match out.role() {
                Some(r) => r.clone(),
                None => {
                    return Err(Readable::Unreadable(Unreadable {
                        api: "iam:GetRole".into(),
                        error_code: "EmptyResponse".into(),
                        message: "the answer had no Role".into(),
                    }));
                }
            },
            Err(e) => {
                if e.as_service_error()
                    .is_some_and(|se| se.is_no_such_entity_exception())
                {
                    return Err(Readable::Read {
                        value: RoleLookup::NotFound {
                            name: name.to_string(),
                        },
                    });
                }
                return Err(Readable::Unreadable(unreadable("iam:GetRole", &e)));
            }
        };
        let boundary = match role
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
        {
            Some(arn) => Some(cached_policy(iam, clients.policy_versions(), cache, arn).await),
            None => None,
        };
        Ok((role, boundary))
    };
    let (role, inline_policies, attached_policies) = tokio::join!(
        role,
        inline_policies(iam, name),
        attached_policies(iam, clients.policy_versions(), cache, name),
    );
    let (role, permissions_boundary) = match role {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let mut facts = role_facts(&role);
    facts.inline_policies = inline_policies;
    facts.attached_policies = attached_policies;
    facts.permissions_boundary = permissions_boundary;
    Readable::Read {
        value: RoleLookup::Found {
            role: Box::new(facts),
        },
    }
}

/// The role's own fields (its policies are read separately).
pub fn role_facts(role: &Role) -> RoleFacts {
    RoleFacts {
        arn: role.arn().to_string(),
        name: role.role_name().to_string(),
        trust_policy: role.assume_role_policy_document().map(decode_document),
        ..RoleFacts::default()
    }
}

async fn inline_policies(
    iam: &aws_sdk_iam::Client,
    role: &str,
) -> Readable<Vec<InlinePolicyFacts>> {
    let mut names = Vec::new();
    let mut pages = iam
        .list_role_policies()
        .role_name(role)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => names.extend(p.policy_names().iter().cloned()),
            Err(e) => return Readable::Unreadable(unreadable("iam:ListRolePolicies", &e)),
        }
    }
    // The documents are independent: read them concurrently.
    let out = futures_util::future::join_all(names.into_iter().map(|name| async move {
        let document = match iam
            .get_role_policy()
            .role_name(role)
            .policy_name(&name)
            .send()
            .await
        {
            Ok(p) => Readable::Read {
                value: decode_document(p.policy_document()),
            },
            Err(e) => Readable::Unreadable(unreadable("iam:GetRolePolicy", &e)),
        };
        InlinePolicyFacts { name, document }
    }))
    .await;
    Readable::Read { value: out }
}

async fn attached_policies(
    iam: &aws_sdk_iam::Client,
    versions: &PolicyVersions,
    cache: &Cache,
    role: &str,
) -> Readable<Vec<ManagedPolicyFacts>> {
    let mut arns = Vec::new();
    let mut pages = iam
        .list_attached_role_policies()
        .role_name(role)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => arns.extend(attached_arns(&p)),
            Err(e) => {
                return Readable::Unreadable(unreadable("iam:ListAttachedRolePolicies", &e));
            }
        }
    }
    let out = futures_util::future::join_all(
        arns.iter()
            .map(|arn| cached_policy(iam, versions, cache, arn)),
    )
    .await;
    Readable::Read { value: out }
}

/// A managed policy's default version (GetPolicy for the version ID, then GetPolicyVersion).
/// [`managed_policy`] once per sweep: AWS managed policies (AmazonECSTaskExecutionRolePolicy)
/// are attached to many roles.
async fn cached_policy(
    iam: &aws_sdk_iam::Client,
    versions: &PolicyVersions,
    cache: &Cache,
    arn: &str,
) -> ManagedPolicyFacts {
    cache
        .get_or_read(format!("iam:policy/{arn}"), || {
            managed_policy(iam, versions, arn)
        })
        .await
}

async fn managed_policy(
    iam: &aws_sdk_iam::Client,
    versions: &PolicyVersions,
    arn: &str,
) -> ManagedPolicyFacts {
    let document = async {
        let version = match iam.get_policy().policy_arn(arn).send().await {
            Ok(p) => p
                .policy()
                .and_then(|p| p.default_version_id())
                .map(str::to_string),
            Err(e) => return Readable::Unreadable(unreadable("iam:GetPolicy", &e)),
        };
        let Some(version) = version else {
            return Readable::Unreadable(Unreadable {
                api: "iam:GetPolicy".into(),
                error_code: "EmptyResponse".into(),
                message: "the policy has no default version".into(),
            });
        };
        if let Some(document) = versions.get(arn, &version) {
            return Readable::Read { value: document };
        }
        match iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(&version)
            .send()
            .await
        {
            Ok(v) => match v.policy_version().and_then(|v| v.document()) {
                Some(d) => {
                    let document = decode_document(d);
                    versions.put(arn, &version, &document);
                    Readable::Read { value: document }
                }
                None => Readable::Unreadable(Unreadable {
                    api: "iam:GetPolicyVersion".into(),
                    error_code: "EmptyResponse".into(),
                    message: "the version has no Document".into(),
                }),
            },
            Err(e) => Readable::Unreadable(unreadable("iam:GetPolicyVersion", &e)),
        }
    }
    .await;
    ManagedPolicyFacts {
        arn: arn.to_string(),
        document,
    }
}

/// The EC2 instance ID of the first container instance DescribeContainerInstances returned.
pub fn ec2_instance_id(
    out: &aws_sdk_ecs::operation::describe_container_instances::DescribeContainerInstancesOutput,
) -> Option<String> {
    out.container_instances()
        .iter()
        .find_map(|c| c.ec2_instance_id().map(str::to_string))
}

/// The instance profile ARN of the instance DescribeInstances returned.
#[cfg(test)]
pub fn instance_profile_arn(
    out: &aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput,
) -> Option<String> {
    profile_arn_of(out.reservations())
}

fn profile_arn_of(reservations: &[aws_sdk_ec2::types::Reservation]) -> Option<String> {
    reservations
        .iter()
        .flat_map(|r| r.instances())
        .find_map(|i| {
            i.iam_instance_profile()
                .and_then(|p| p.arn())
                .map(str::to_string)
        })
}

/// The role of an instance profile (a profile holds at most one role).
pub fn instance_profile_role(
    out: &aws_sdk_iam::operation::get_instance_profile::GetInstanceProfileOutput,
) -> Option<String> {
    out.instance_profile()
        .and_then(|p| p.roles().first())
        .map(|r| r.role_name().to_string())
}

/// The policy ARNs of one ListAttachedRolePolicies page.
pub fn attached_arns(
    out: &aws_sdk_iam::operation::list_attached_role_policies::ListAttachedRolePoliciesOutput,
) -> Vec<String> {
    out.attached_policies()
        .iter()
        .filter_map(|a| a.policy_arn().map(str::to_string))
        .collect()
}

/// EC2 launch type: container instance → EC2 instance → instance profile → role.
async fn instance_role(
    clients: &Clients,
    cache: &Cache,
    task: &TaskFacts,
    ci: &str,
) -> InstanceRoleFacts {
    let mut facts = InstanceRoleFacts {
        container_instance_arn: ci.to_string(),
        ..InstanceRoleFacts::default()
    };
    let cluster = super::shared::task_cluster(task);
    let described =
        super::shared::container_instances(clients, cache, &cluster, &[ci.to_string()]).await;
    let instance_id = match described {
        Ok(out) => ec2_instance_id(&out),
        Err(u) => {
            facts.role = Some(Readable::Unreadable(u));
            return facts;
        }
    };
    let Some(instance_id) = instance_id else {
        facts.role = Some(Readable::Read {
            value: RoleLookup::Missing {
                why: format!(
                    "ECS did not return the container instance {ci} or its EC2 instance ID"
                ),
            },
        });
        return facts;
    };
    facts.ec2_instance_id = Some(instance_id.clone());
    let profile = match super::shared::instance(clients, cache, &instance_id).await {
        Ok(reservations) => profile_arn_of(&reservations),
        Err(u) => {
            facts.role = Some(Readable::Unreadable(u));
            return facts;
        }
    };
    let Some(profile) = profile else {
        facts.role = Some(Readable::Read {
            value: RoleLookup::Missing {
                why: format!("the EC2 instance {instance_id} has no instance profile"),
            },
        });
        return facts;
    };
    facts.instance_profile_arn = Some(profile.clone());
    let profile_name = profile.rsplit('/').next().unwrap_or(&profile).to_string();
    let role = match clients
        .iam()
        .get_instance_profile()
        .instance_profile_name(&profile_name)
        .send()
        .await
    {
        Ok(out) => instance_profile_role(&out),
        Err(e) => {
            facts.role = Some(Readable::Unreadable(unreadable(
                "iam:GetInstanceProfile",
                &e,
            )));
            return facts;
        }
    };
    facts.role = Some(match role {
        Some(name) => {
            cache
                .get_or_read(format!("iam:role/{name}"), || {
                    read_role(clients, cache, &name)
                })
                .await
        }
        None => Readable::Read {
            value: RoleLookup::Missing {
                why: format!("the instance profile {profile} has no role"),
            },
        },
    });
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::TaskOverrideFacts;

    #[test]
    fn decoding() {
        assert_eq!(
            decode_document("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(decode_document(r#" {"a":"%41"}"#), r#" {"a":"%41"}"#);
    }

    #[test]
    fn role_names() {
        assert_eq!(role_name("arn:aws:iam::1:role/exec"), "exec");
        assert_eq!(role_name("arn:aws:iam::1:role/service-role/exec"), "exec");
        assert_eq!(role_name("exec"), "exec");
    }

    #[test]
    fn overrides_win() {
        let td = TaskDefinitionFacts {
            execution_role_arn: Some("arn:aws:iam::1:role/td".into()),
            ..TaskDefinitionFacts::default()
        };
        let mut task = TaskFacts::default();
        assert_eq!(
            execution_role_arn(&task, Some(&td)).as_deref(),
            Some("arn:aws:iam::1:role/td")
        );
        task.overrides = Some(TaskOverrideFacts {
            execution_role_arn: Some("arn:aws:iam::1:role/ov".into()),
            ..TaskOverrideFacts::default()
        });
        assert_eq!(
            execution_role_arn(&task, Some(&td)).as_deref(),
            Some("arn:aws:iam::1:role/ov")
        );
        assert_eq!(execution_role_arn(&TaskFacts::default(), None), None);
    }

    #[test]
    fn the_instance_role_chain() {
        use aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput;
        use aws_sdk_ec2::types::{IamInstanceProfile, Instance, Reservation};
        use aws_sdk_ecs::operation::describe_container_instances::DescribeContainerInstancesOutput;
        use aws_sdk_ecs::types::ContainerInstance;
        use aws_sdk_iam::operation::get_instance_profile::GetInstanceProfileOutput;
        use aws_sdk_iam::operation::list_attached_role_policies::ListAttachedRolePoliciesOutput;
        use aws_sdk_iam::types::{AttachedPolicy, InstanceProfile};

        let ci = DescribeContainerInstancesOutput::builder()
            .container_instances(ContainerInstance::builder().ec2_instance_id("i-1").build())
            .build();
        assert_eq!(ec2_instance_id(&ci).as_deref(), Some("i-1"));
        assert_eq!(
            ec2_instance_id(&DescribeContainerInstancesOutput::builder().build()),
            None
        );

        let di = DescribeInstancesOutput::builder()
            .reservations(
                Reservation::builder()
                    .instances(
                        Instance::builder()
                            .iam_instance_profile(
                                IamInstanceProfile::builder()
                                    .arn("arn:aws:iam::1:instance-profile/ecs")
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build();
        assert_eq!(
            instance_profile_arn(&di).as_deref(),
            Some("arn:aws:iam::1:instance-profile/ecs")
        );
        assert_eq!(
            instance_profile_arn(&DescribeInstancesOutput::builder().build()),
            None
        );

        let role = Role::builder()
            .arn("arn:aws:iam::1:role/ecsInstanceRole")
            .role_name("ecsInstanceRole")
            .path("/")
            .role_id("AROAEXAMPLE")
            .create_date(aws_smithy_types::DateTime::from_secs(0))
            .build()
            .unwrap();
        let ip = GetInstanceProfileOutput::builder()
            .instance_profile(
                InstanceProfile::builder()
                    .path("/")
                    .instance_profile_name("ecs")
                    .instance_profile_id("AIPAEXAMPLE")
                    .arn("arn:aws:iam::1:instance-profile/ecs")
                    .create_date(aws_smithy_types::DateTime::from_secs(0))
                    .roles(role)
                    .build()
                    .unwrap(),
            )
            .build();
        assert_eq!(
            instance_profile_role(&ip).as_deref(),
            Some("ecsInstanceRole")
        );

        let att = ListAttachedRolePoliciesOutput::builder()
            .attached_policies(
                AttachedPolicy::builder()
                    .policy_arn(
                        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                    )
                    .build(),
            )
            .build();
        assert_eq!(attached_arns(&att).len(), 1);
    }

    #[test]
    fn role_conversion() {
        let role = Role::builder()
            .arn("arn:aws:iam::1:role/exec")
            .role_name("exec")
            .path("/")
            .role_id("AROAEXAMPLE")
            .create_date(aws_smithy_types::DateTime::from_secs(0))
            .assume_role_policy_document("%7B%22Statement%22%3A%5B%5D%7D")
            .build()
            .unwrap();
        let f = role_facts(&role);
        assert_eq!(f.name, "exec");
        assert_eq!(f.trust_policy.as_deref(), Some(r#"{"Statement":[]}"#));
    }
}
