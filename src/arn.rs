//! ECS ARNs and IDs, parsed strictly enough to give a clear error before any AWS call.
//!
//! A wrong ARN is the most common bad input (a task ARN pasted as the cluster, an ARN
//! from another Region or partition, a truncated ID). Parsing here lets the error name
//! the exact problem instead of surfacing an opaque `InvalidParameterException`.

use std::fmt;

/// The parts of an ARN that matter to us: `arn:<partition>:<service>:<region>:<account>:<resource>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: String,
    /// The service namespace, such as `ecs`.
    pub service: String,
    /// The Region, such as `us-east-1`. Always present for ECS resources.
    pub region: String,
    /// The 12-digit account ID.
    pub account: String,
    /// Everything after the account, such as `task/prod/0123...`.
    pub resource: String,
}

/// Why a string is not the ARN or ID we asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArnError {
    /// The string starts like an ARN but does not have six `:`-separated parts.
    #[error(
        "'{0}' is not a valid ARN: expected arn:<partition>:<service>:<region>:<account>:<resource>"
    )]
    Shape(String),
    /// A part of the ARN is present but malformed.
    #[error("'{arn}' is not a valid ARN: {problem}")]
    Part {
        /// The ARN as given.
        arn: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A valid ARN of the wrong resource type (for example a task ARN where a cluster was expected).
    #[error("'{arn}' is {found}, not {expected}")]
    WrongKind {
        /// The ARN as given.
        arn: String,
        /// What it is.
        found: String,
        /// What was wanted.
        expected: &'static str,
    },
    /// A plain name or ID with characters AWS never uses there.
    #[error("'{value}' is not a valid {what}: {problem}")]
    BadName {
        /// The value as given.
        value: String,
        /// What it should have been.
        what: &'static str,
        /// The problem.
        problem: String,
    },
}

impl Arn {
    /// Parses any ARN, checking the fixed parts (partition, Region, account) strictly.
    pub fn parse(s: &str) -> Result<Arn, ArnError> {
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" {
            return Err(ArnError::Shape(s.to_string()));
        }
        let part = |problem: String| ArnError::Part {
            arn: s.to_string(),
            problem,
        };
        let (partition, service, region, account, resource) =
            (parts[1], parts[2], parts[3], parts[4], parts[5]);
        if !matches!(
            partition,
            "aws"
                | "aws-cn"
                | "aws-us-gov"
                | "aws-iso"
                | "aws-iso-b"
                | "aws-iso-e"
                | "aws-iso-f"
                | "aws-eusc"
        ) {
            return Err(part(format!("unknown partition '{partition}'")));
        }
        if service.is_empty()
            || !service
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(part(format!("bad service '{service}'")));
        }
        if !region.is_empty() && !is_region(region) {
            return Err(part(format!("bad Region '{region}'")));
        }
        if !account.is_empty()
            && !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(part(format!(
                "bad account ID '{account}' (expected 12 digits)"
            )));
        }
        if resource.is_empty() {
            return Err(part("the resource part is empty".into()));
        }
        Ok(Arn {
            partition: partition.into(),
            service: service.into(),
            region: region.into(),
            account: account.into(),
            resource: resource.into(),
        })
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// Whether `s` looks like an AWS Region code (`us-east-1`, `us-gov-west-1`, `eu-isoe-west-1`).
pub fn is_region(s: &str) -> bool {
    let mut pieces = s.split('-');
    let Some(first) = pieces.next() else {
        return false;
    };
    let rest: Vec<&str> = pieces.collect();
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && rest.len() >= 2
        && rest
            .last()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && rest[..rest.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

fn check_ecs(arn: &Arn, s: &str, expected: &'static str) -> Result<(), ArnError> {
    if arn.service != "ecs" {
        return Err(ArnError::WrongKind {
            arn: s.into(),
            found: format!("an ARN of service '{}'", arn.service),
            expected,
        });
    }
    if arn.region.is_empty() || arn.account.is_empty() {
        return Err(ArnError::Part {
            arn: s.into(),
            problem: "an ECS ARN needs a Region and an account".into(),
        });
    }
    Ok(())
}

fn resource_kind(resource: &str) -> &str {
    resource.split('/').next().unwrap_or(resource)
}

/// A cluster named by the caller: a name, or an ARN (which also fixes the Region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterRef {
    /// The cluster name (the last part of the ARN when an ARN was given).
    pub name: String,
    /// The ARN, when the caller gave one.
    pub arn: Option<Arn>,
}

impl ClusterRef {
    /// Accepts `my-cluster` or `arn:aws:ecs:<region>:<account>:cluster/my-cluster`.
    pub fn parse(s: &str) -> Result<ClusterRef, ArnError> {
        let s = s.trim();
        if s.starts_with("arn:") {
            let arn = Arn::parse(s)?;
            check_ecs(
                &arn,
                s,
                "a cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>)",
            )?;
            let Some(name) = arn.resource.strip_prefix("cluster/") else {
                return Err(ArnError::WrongKind {
                    arn: s.into(),
                    found: format!("an ECS {} ARN", resource_kind(&arn.resource)),
                    expected: "a cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>)",
                });
            };
            check_cluster_name(name)?;
            return Ok(ClusterRef {
                name: name.into(),
                arn: Some(arn.clone()),
            });
        }
        check_cluster_name(s)?;
        Ok(ClusterRef {
            name: s.into(),
            arn: None,
        })
    }

    /// What to send as `cluster` to ECS: the ARN when known, else the name.
    pub fn for_api(&self) -> String {
        self.arn
            .as_ref()
            .map(|a| a.to_string())
            .unwrap_or_else(|| self.name.clone())
    }
}

fn check_cluster_name(name: &str) -> Result<(), ArnError> {
    let bad = |problem: &str| ArnError::BadName {
        value: name.into(),
        what: "cluster name",
        problem: problem.into(),
    };
    if name.is_empty() {
        return Err(bad("it is empty"));
    }
    if name.len() > 255 {
        return Err(bad("it is longer than 255 characters"));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(bad(
            "only letters, digits, hyphens and underscores are allowed",
        ));
    }
    Ok(())
}

/// A task named by the caller: an ID, or an ARN (old `task/<id>` or new `task/<cluster>/<id>` form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRef {
    /// The task ID (the last part of the ARN).
    pub id: String,
    /// The cluster name embedded in a new-format task ARN.
    pub cluster_in_arn: Option<String>,
    /// The ARN, when the caller gave one.
    pub arn: Option<Arn>,
}

impl TaskRef {
    /// Accepts a task ID or a task ARN.
    pub fn parse(s: &str) -> Result<TaskRef, ArnError> {
        let s = s.trim();
        if s.starts_with("arn:") {
            let arn = Arn::parse(s)?;
            let expected = "a task ARN (arn:aws:ecs:<region>:<account>:task/<cluster>/<id>)";
            check_ecs(&arn, s, expected)?;
            let parts: Vec<&str> = arn.resource.split('/').collect();
            let (cluster, id) = match parts.as_slice() {
                ["task", id] => (None, *id),
                ["task", cluster, id] => {
                    check_cluster_name(cluster)?;
                    (Some(cluster.to_string()), *id)
                }
                [kind, ..] if *kind != "task" => {
                    return Err(ArnError::WrongKind {
                        arn: s.into(),
                        found: format!("an ECS {kind} ARN"),
                        expected,
                    });
                }
                _ => {
                    return Err(ArnError::Part {
                        arn: s.into(),
                        problem: "expected task/<cluster>/<id>".into(),
                    });
                }
            };
            check_task_id(id)?;
            return Ok(TaskRef {
                id: id.into(),
                cluster_in_arn: cluster,
                arn: Some(arn.clone()),
            });
        }
        check_task_id(s)?;
        Ok(TaskRef {
            id: s.into(),
            cluster_in_arn: None,
            arn: None,
        })
    }

    /// What to send in `tasks` to ECS: the ARN when known, else the ID.
    pub fn for_api(&self) -> String {
        self.arn
            .as_ref()
            .map(|a| a.to_string())
            .unwrap_or_else(|| self.id.clone())
    }

    /// Whether `arn` (as returned by DescribeTasks) is this task. ECS (and moto, by substring)
    /// can return other tasks, so the answer is checked, not trusted.
    pub fn matches_arn(&self, arn: &str) -> bool {
        match &self.arn {
            Some(mine) => mine.to_string() == arn,
            None => arn.rsplit('/').next() == Some(self.id.as_str()),
        }
    }
}

fn check_task_id(id: &str) -> Result<(), ArnError> {
    let bad = |problem: &str| ArnError::BadName {
        value: id.into(),
        what: "task ID",
        problem: problem.into(),
    };
    if id.is_empty() {
        return Err(bad("it is empty"));
    }
    if id.len() > 64 {
        return Err(bad(
            "it is longer than 64 characters (an ID is 32 hexadecimal digits)",
        ));
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(bad(
            "only letters, digits and hyphens are allowed (an ID is 32 hexadecimal digits)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_name_and_arn() {
        let c = ClusterRef::parse("prod").unwrap();
        assert_eq!(c.name, "prod");
        assert!(c.arn.is_none());
        let c = ClusterRef::parse("arn:aws:ecs:eu-west-1:123456789012:cluster/prod-1").unwrap();
        assert_eq!(c.name, "prod-1");
        assert_eq!(c.arn.as_ref().unwrap().region, "eu-west-1");
        assert_eq!(
            c.for_api(),
            "arn:aws:ecs:eu-west-1:123456789012:cluster/prod-1"
        );
    }

    #[test]
    fn cluster_errors_name_the_problem() {
        let e = ClusterRef::parse("arn:aws:ecs:us-east-1:123456789012:task/prod/abc").unwrap_err();
        assert!(
            e.to_string().contains("an ECS task ARN, not a cluster ARN"),
            "{e}"
        );
        let e = ClusterRef::parse("arn:aws:ecs:us-east-1:1234:cluster/prod").unwrap_err();
        assert!(e.to_string().contains("bad account ID '1234'"), "{e}");
        let e = ClusterRef::parse("arn:aws:ecs:useast1:123456789012:cluster/prod").unwrap_err();
        assert!(e.to_string().contains("bad Region 'useast1'"), "{e}");
        let e = ClusterRef::parse("arn:aws:s3:::bucket").unwrap_err();
        assert!(e.to_string().contains("service 's3'"), "{e}");
        let e = ClusterRef::parse("my cluster").unwrap_err();
        assert!(e.to_string().contains("not a valid cluster name"), "{e}");
        assert!(ClusterRef::parse("").is_err());
        assert!(ClusterRef::parse("arn:aws:ecs").is_err());
    }

    #[test]
    fn task_id_and_both_arn_forms() {
        let t = TaskRef::parse("0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(t.id, "0123456789abcdef0123456789abcdef");
        let t = TaskRef::parse(
            "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef",
        )
        .unwrap();
        assert_eq!(t.cluster_in_arn.as_deref(), Some("prod"));
        assert!(t.matches_arn(
            "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef"
        ));
        assert!(!t.matches_arn(
            "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcde0"
        ));
        let t = TaskRef::parse(
            "arn:aws-cn:ecs:cn-north-1:123456789012:task/7c6f1d2e-1111-2222-3333-444455556666",
        )
        .unwrap();
        assert_eq!(t.cluster_in_arn, None);
        assert_eq!(t.id, "7c6f1d2e-1111-2222-3333-444455556666");
    }

    #[test]
    fn id_match_is_exact_not_substring() {
        let t = TaskRef::parse("abc").unwrap();
        assert!(t.matches_arn("arn:aws:ecs:us-east-1:123456789012:task/prod/abc"));
        assert!(!t.matches_arn("arn:aws:ecs:us-east-1:123456789012:task/prod/abcdef"));
    }

    #[test]
    fn task_errors() {
        let e = TaskRef::parse("arn:aws:ecs:us-east-1:123456789012:cluster/prod").unwrap_err();
        assert!(
            e.to_string().contains("an ECS cluster ARN, not a task ARN"),
            "{e}"
        );
        assert!(TaskRef::parse("arn:aws:ecs:us-east-1:123456789012:task/a/b/c").is_err());
        assert!(TaskRef::parse("abc/def").is_err());
        assert!(TaskRef::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "ap-southeast-3",
            "eu-isoe-west-1",
            "cn-northwest-1",
        ] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-x",
            "u-east-1",
            "us--1",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }

    proptest::proptest! {
        /// The fuzz target `arn`'s invariant, over ARN-shaped strings: whatever parses prints
        /// back to itself; whatever does not says why.
        #[test]
        fn what_parses_round_trips(s in "(arn:(aws|aws-cn|x)?:(ecs|iam|\\PC{0,4})?:[a-z0-9-]{0,14}:[0-9]{0,13}:)?(task/|cluster/|service/)?[A-Za-z0-9_/:-]{0,40}") {
            match Arn::parse(&s) {
                Ok(a) => proptest::prop_assert_eq!(Arn::parse(&a.to_string()), Ok(a)),
                Err(e) => proptest::prop_assert!(!e.to_string().is_empty()),
            }
            match ClusterRef::parse(&s) {
                Ok(c) => proptest::prop_assert_eq!(ClusterRef::parse(&c.for_api()), Ok(c)),
                Err(e) => proptest::prop_assert!(e.to_string().contains("not")),
            }
            match TaskRef::parse(&s) {
                Ok(t) => {
                    if let Some(a) = &t.arn {
                        proptest::prop_assert!(t.matches_arn(&a.to_string()));
                    }
                    proptest::prop_assert_eq!(TaskRef::parse(&t.for_api()), Ok(t));
                }
                Err(e) => proptest::prop_assert!(e.to_string().contains("not")),
            }
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,200}") {
            let _ = Arn::parse(&s);
            let _ = ClusterRef::parse(&s);
            let _ = TaskRef::parse(&s);
        }

        #[test]
        fn valid_task_arns_round_trip(region in "(us|eu|ap)-(east|west|south)-[1-9]",
                                      cluster in "[A-Za-z0-9_-]{1,40}", id in "[0-9a-f]{32}") {
            let s = format!("arn:aws:ecs:{region}:123456789012:task/{cluster}/{id}");
            let t = TaskRef::parse(&s).unwrap();
            proptest::prop_assert_eq!(t.arn.unwrap().to_string(), s);
            proptest::prop_assert_eq!(t.id, id);
        }
    }
}
