//! The long story behind every finding code, printed by `ecs-task-doctor explain CODE`.
//!
//! A report line such as `NET_SG_EGRESS_S3_PREFIX_LIST_MISSING` is short by design: it is what
//! automation branches on and what dashboards count. The operator reading it in an outage needs more:
//! what the code names in AWS terms, why that condition stops an ECS task from starting (with the
//! `stoppedReason` text AWS prints for it, where it is known), how to see the condition for themselves
//! with the AWS CLI before changing anything, and how to fix it, with an AWS CLI command to start from
//! and the path to the same change in the AWS Management Console. Like `rustc --explain`, that text
//! lives here, one entry per [`Code`] (one file per stage), reached through an exhaustive `match`:
//! adding a code without its explanation does not compile.
//!
//! The texts follow the project's research notes (`research/runbook.md`) and DESIGN §3. What those notes
//! mark as unconfirmed is not stated as fact here, and every documentation link is one the research
//! read: an AWS documentation page or an AWS re:Post Knowledge Center article.

use super::Code;
use serde_json::Value;
use std::collections::BTreeMap;

/// The long story of one finding code, printed by `ecs-task-doctor explain CODE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation {
    /// One line, sentence case, no trailing period, at most 90 characters. Used as the finding title in reports.
    pub title: &'static str,
    /// The full text: four sections headed `What it means`, `Why the task cannot start`,
    /// `How to confirm by hand` and `How to fix`, separated by one blank line, prose wrapped at 100
    /// columns (indented lines are commands or policy documents, to be copied as they are). The
    /// confirming section lets an operator check the tool's claim with read-only AWS CLI calls before
    /// changing anything.
    pub text: &'static str,
    /// Where the fix is made in the AWS Management Console, for operators who work there rather than
    /// in a shell: `Console > page > ... > action`. `{evidenceKey|fallback}` placeholders take the
    /// finding's own evidence (resource IDs), so a report can say `sg-0abc` where this text says
    /// `the task's security group`; [`Explanation::console_for`] fills them.
    pub console: &'static str,
    /// Documentation links (AWS docs / AWS re:Post Knowledge Center URLs taken from the research files; never invented).
    pub docs: &'static [&'static str],
}

mod console;
mod iam;
mod image;
mod links;
mod logging;
mod network;
mod placement;
mod secrets;
mod task;

impl Explanation {
    /// The console path with this finding's evidence in place of the generic words, so the report
    /// names the very security group or role to open.
    pub fn console_for(&self, evidence: &BTreeMap<String, Value>) -> String {
        console::fill(self.console, evidence)
    }
}

pub(super) fn explanation(code: Code) -> Explanation {
    match code {
        Code::TaskNotFound => task::TASK_NOT_FOUND,
        Code::TaskNotStopped => task::TASK_NOT_STOPPED,
        Code::TaskStoppedForOtherReason => task::TASK_STOPPED_FOR_OTHER_REASON,
        Code::TaskStopReasonClassified => task::TASK_STOP_REASON_CLASSIFIED,
        Code::TaskNotReadable => task::TASK_NOT_READABLE,
        Code::TaskChangedSinceFailure => task::TASK_CHANGED_SINCE_FAILURE,
        Code::ImgReferenceInvalid => image::IMG_REFERENCE_INVALID,
        Code::ImgRepositoryNotFound => image::IMG_REPOSITORY_NOT_FOUND,
        Code::ImgTagNotFound => image::IMG_TAG_NOT_FOUND,
        Code::ImgDigestNotFound => image::IMG_DIGEST_NOT_FOUND,
        Code::ImgRepoPolicyDenies => image::IMG_REPO_POLICY_DENIES,
        Code::ImgCrossRegionRegistry => image::IMG_CROSS_REGION_REGISTRY,
        Code::ImgPublicRegistryNeedsInternet => image::IMG_PUBLIC_REGISTRY_NEEDS_INTERNET,
        Code::ImgRegistryCredentialsMissing => image::IMG_REGISTRY_CREDENTIALS_MISSING,
        Code::IamExecutionRoleMissing => iam::IAM_EXECUTION_ROLE_MISSING,
        Code::IamExecutionRoleNotFound => iam::IAM_EXECUTION_ROLE_NOT_FOUND,
        Code::IamExecutionRoleTrust => iam::IAM_EXECUTION_ROLE_TRUST,
        Code::IamActionDenied => iam::IAM_ACTION_DENIED,
        Code::IamDecisionUnknown => iam::IAM_DECISION_UNKNOWN,
        Code::IamInstanceRoleActionDenied => iam::IAM_INSTANCE_ROLE_ACTION_DENIED,
        Code::NetNoPathToService => network::NET_NO_PATH_TO_SERVICE,
        Code::NetPublicIpMissing => network::NET_PUBLIC_IP_MISSING,
        Code::NetAwsvpcEc2PublicSubnet => network::NET_AWSVPC_EC2_PUBLIC_SUBNET,
        Code::NetRouteBlackhole => network::NET_ROUTE_BLACKHOLE,
        Code::NetNatGatewayUnavailable => network::NET_NAT_GATEWAY_UNAVAILABLE,
        Code::NetEndpointMissing => network::NET_ENDPOINT_MISSING,
        Code::NetS3GatewayNotOnRouteTable => network::NET_S3_GATEWAY_NOT_ON_ROUTE_TABLE,
        Code::NetS3InterfaceEndpointOnly => network::NET_S3_INTERFACE_ENDPOINT_ONLY,
        Code::NetEndpointPrivateDnsDisabled => network::NET_ENDPOINT_PRIVATE_DNS_DISABLED,
        Code::NetVpcDnsDisabled => network::NET_VPC_DNS_DISABLED,
        Code::NetCustomDnsServers => network::NET_CUSTOM_DNS_SERVERS,
        Code::NetSgEgressBlocked => network::NET_SG_EGRESS_BLOCKED,
        Code::NetSgEgressS3PrefixListMissing => network::NET_SG_EGRESS_S3_PREFIX_LIST_MISSING,
        Code::NetEndpointSgIngressBlocked => network::NET_ENDPOINT_SG_INGRESS_BLOCKED,
        Code::NetNaclOutboundBlocked => network::NET_NACL_OUTBOUND_BLOCKED,
        Code::NetNaclInboundBlocked => network::NET_NACL_INBOUND_BLOCKED,
        Code::NetEndpointPolicyDenies => network::NET_ENDPOINT_POLICY_DENIES,
        Code::NetEndpointNotAvailable => network::NET_ENDPOINT_NOT_AVAILABLE,
        Code::NetHopNotVerifiable => network::NET_HOP_NOT_VERIFIABLE,
        Code::NetTaskConfigUnknown => network::NET_TASK_CONFIG_UNKNOWN,
        Code::SecretNotFound => secrets::SECRET_NOT_FOUND,
        Code::SecretReferenceMalformed => secrets::SECRET_REFERENCE_MALFORMED,
        Code::SecretPendingDeletion => secrets::SECRET_PENDING_DELETION,
        Code::SsmParameterNotFound => secrets::SSM_PARAMETER_NOT_FOUND,
        Code::SsmParameterOtherRegionNeedsArn => secrets::SSM_PARAMETER_OTHER_REGION_NEEDS_ARN,
        Code::KmsKeyNotUsable => secrets::KMS_KEY_NOT_USABLE,
        Code::LogGroupMissing => logging::LOG_GROUP_MISSING,
        Code::LogGroupCreateNotPermitted => logging::LOG_GROUP_CREATE_NOT_PERMITTED,
        Code::Ec2InsufficientResources => placement::EC2_INSUFFICIENT_RESOURCES,
        Code::Ec2AgentDisconnected => placement::EC2_AGENT_DISCONNECTED,
        Code::Ec2NoContainerInstances => placement::EC2_NO_CONTAINER_INSTANCES,
        Code::Ec2PlacementConstraintUnsatisfied => placement::EC2_PLACEMENT_CONSTRAINT_UNSATISFIED,
        Code::EfsMountTargetMissing => placement::EFS_MOUNT_TARGET_MISSING,
        Code::EfsNfsBlocked => placement::EFS_NFS_BLOCKED,
        Code::EfsPolicyDeniesMount => placement::EFS_POLICY_DENIES_MOUNT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const HEADINGS: [&str; 4] = [
        "What it means",
        "Why the task cannot start",
        "How to confirm by hand",
        "How to fix",
    ];

    #[test]
    fn every_title_is_one_short_sentence_case_line() {
        for &code in Code::ALL {
            let title = explanation(code).title;
            let len = title.chars().count();
            assert!((1..=90).contains(&len), "{code}: title is {len} characters");
            assert!(!title.ends_with('.'), "{code}: title ends with a period");
            assert!(!title.contains('\n'), "{code}: title spans lines");
            assert_eq!(title.trim(), title, "{code}: title has outer whitespace");
            let first = title.chars().next().unwrap();
            assert!(
                first.is_uppercase(),
                "{code}: title does not start with a capital"
            );
        }
    }

    #[test]
    fn titles_are_unique() {
        let mut seen = HashSet::new();
        for &code in Code::ALL {
            let title = explanation(code).title;
            assert!(seen.insert(title), "{code}: title {title:?} is used twice");
        }
    }

    #[test]
    fn every_text_has_the_four_sections_in_order() {
        // Every problem is listed at once, so whoever edits one stage's file sees only their own.
        let mut problems = vec![];
        for &code in Code::ALL {
            let text = explanation(code).text;
            let sections: Vec<&str> = text.split("\n\n").collect();
            if sections.len() != HEADINGS.len() {
                problems.push(format!("{code}: {} sections, not 4", sections.len()));
                continue;
            }
            for (section, heading) in sections.iter().zip(HEADINGS) {
                let (first, body) = section.split_once('\n').unwrap_or((section, ""));
                if first != heading {
                    problems.push(format!("{code}: heading {first:?}, not {heading:?}"));
                } else if body.trim().is_empty() {
                    problems.push(format!("{code}: section {heading:?} is empty"));
                }
            }
            if text.ends_with('\n') {
                problems.push(format!("{code}: trailing newline"));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_confirming_section_runs_the_aws_cli_read_only() {
        // The section is for checking the tool's claim, so it must show a command, and no command
        // in it may change the account: only describe/get/list/simulate-style calls.
        let mut problems = vec![];
        for &code in Code::ALL {
            let text = explanation(code).text;
            let Some(section) = text
                .split("\n\n")
                .find(|s| s.starts_with("How to confirm by hand\n"))
            else {
                problems.push(format!("{code}: no confirming section"));
                continue;
            };
            let commands: Vec<&str> = section
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("aws "))
                .collect();
            if commands.is_empty() {
                problems.push(format!(
                    "{code}: the confirming section shows no `aws` command"
                ));
            }
            for command in commands {
                let operation = command.split_whitespace().nth(2).unwrap_or("");
                let read_only = [
                    "describe-",
                    "get-",
                    "list-",
                    "simulate-",
                    "lookup-",
                    "batch-get-",
                ]
                .iter()
                .any(|p| operation.starts_with(p));
                if !read_only {
                    problems.push(format!("{code}: `{command}` is not a read-only call"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_code_has_a_console_path_with_well_formed_placeholders() {
        let mut problems = vec![];
        for &code in Code::ALL {
            let console = explanation(code).console;
            if !console.contains(" > ") {
                problems.push(format!(
                    "{code}: console path {console:?} has no ` > ` steps"
                ));
            }
            if console.contains('\n') || console.chars().count() > 400 {
                problems.push(format!(
                    "{code}: console path is not one line of at most 400 characters"
                ));
            }
            if let Err(e) = console::check(console) {
                problems.push(format!("{code}: {e}"));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn prose_is_wrapped_at_100_columns() {
        let mut problems = vec![];
        for &code in Code::ALL {
            for line in explanation(code).text.lines() {
                if line.trim_end() != line {
                    problems.push(format!("{code}: trailing whitespace in {line:?}"));
                }
                if line.contains('\t') {
                    problems.push(format!("{code}: tab in {line:?}"));
                }
                let width = line.chars().count();
                if !line.starts_with("    ") && width > 100 {
                    problems.push(format!("{code}: {width} columns: {line:?}"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_code_links_only_aws_documentation() {
        for &code in Code::ALL {
            let docs = explanation(code).docs;
            assert!(!docs.is_empty(), "{code}: no docs link");
            let mut seen = HashSet::new();
            for &url in docs {
                assert!(
                    url.starts_with("https://docs.aws.amazon.com/")
                        || url.starts_with("https://repost.aws/"),
                    "{code}: {url} is not AWS documentation or re:Post"
                );
                assert!(
                    !url.contains(char::is_whitespace),
                    "{code}: whitespace in {url}"
                );
                assert!(seen.insert(url), "{code}: {url} listed twice");
            }
        }
    }

    #[test]
    fn the_text_names_no_other_code_that_does_not_exist() {
        // Cross-references such as `NET_ENDPOINT_MISSING` must name real codes.
        for &code in Code::ALL {
            let text = explanation(code).text;
            for word in
                text.split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            {
                let looks_like_code = word.len() > 6
                    && word.contains('_')
                    && [
                        "TASK_", "IMG_", "IAM_", "NET_", "SECRET_", "SSM_", "KMS_", "LOG_", "EC2_",
                        "EFS_",
                    ]
                    .iter()
                    .any(|p| word.starts_with(p));
                if looks_like_code {
                    assert!(
                        Code::parse(word).is_some(),
                        "{code}: mentions unknown code {word}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_texts_keep_the_promises_of_the_design() {
        // Compare with whitespace collapsed, so wrapping cannot hide a phrase.
        let text = |c: Code| {
            explanation(c)
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(text(Code::TaskNotFound).contains("ecs-task-doctor diagnose --event"));
        assert!(text(Code::IamDecisionUnknown).contains("not a denial"));
        let classes = [
            "image-pull-network",
            "image-not-found",
            "image-access-denied",
            "registry-rate-limit",
            "secrets-network",
            "secrets-access-denied",
            "secret-not-found",
            "ssm-parameter-invalid",
            "logging",
            "placement-resources",
            "placement-constraint",
            "agent",
            "efs",
            "disk-full",
            "timeout",
            "platform-mismatch",
            "other",
        ];
        for class in classes {
            let line = format!(" - {class}: ");
            assert!(
                text(Code::TaskStopReasonClassified).contains(&line),
                "failure class {class} is not explained"
            );
        }
        assert!(text(Code::NetSgEgressS3PrefixListMissing).contains("PrefixListIds"));
        assert!(text(Code::NetS3InterfaceEndpointOnly).contains("can't be used with Amazon ECR"));
    }
}
