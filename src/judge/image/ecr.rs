//! Private ECR in the task's Region: the repository, the tag, the digest, and the repository
//! policy for the principal that pulls.

use crate::codes::Code;
use crate::facts::{
    Facts, ImageLookup, ImageLookupFacts, Readable, RepositoryLookup, RepositoryPolicy, TaskFacts,
};
use crate::image_ref::{EcrRegistry, ImageRef};
use crate::judge::policy::{self, Decision};
use crate::judge::unreadable_finding;
use crate::report::{Finding, Severity, Status};

/// The pull actions a repository policy must allow a principal of another account.
pub(super) const PULL_ACTIONS: [&str; 2] = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/// Who pulls the image: the task execution role when there is one, else (EC2 launch type) the
/// container instance role, whose ARN the image facts do not name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Puller {
    /// The principal's ARN, when known.
    pub arn: Option<String>,
    /// The principal's account, when known.
    pub account: Option<String>,
    /// How to name it in a sentence.
    pub label: String,
}

impl Puller {
    /// The pulling principal of this task.
    pub fn of(facts: &Facts, task: Option<&TaskFacts>) -> Puller {
        let td = facts.task_definition.as_ref().and_then(Readable::value);
        let role = task
            .and_then(|t| t.overrides.as_ref())
            .and_then(|o| o.execution_role_arn.clone())
            .or_else(|| td.and_then(|t| t.execution_role_arn.clone()))
            .filter(|r| !r.is_empty());
        if let Some(arn) = role {
            let account = account_of(&arn);
            return Puller {
                label: format!("the task execution role {arn}"),
                arn: Some(arn),
                account,
            };
        }
        let launch = task.and_then(|t| t.launch_type.as_deref());
        let task_account = task.and_then(|t| account_of(&t.task_arn));
        match launch {
            Some("EC2") | Some("EXTERNAL") => Puller {
                arn: None,
                account: task_account,
                label: "the container instance role".into(),
            },
            _ => Puller {
                arn: None,
                account: None,
                label: "the task (it has no execution role)".into(),
            },
        }
    }
}

fn account_of(arn: &str) -> Option<String> {
    arn.split(':')
        .nth(4)
        .filter(|a| a.len() == 12 && a.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
}

/// The checks of one private ECR image in the task's Region.
pub(super) fn same_region(
    lookup: &ImageLookupFacts,
    r: &ImageRef,
    e: &EcrRegistry,
    region: &str,
    puller: &Puller,
) -> Vec<Finding> {
    let mut out = vec![
        Finding::new(
            Code::ImgCrossRegionRegistry,
            Status::Pass,
            Severity::Info,
            format!("'{}' is in the task's Region ({region}).", lookup.image),
        )
        .evidence("image", lookup.image.as_str())
        .evidence("registryRegion", e.region.as_str()),
    ];
    let cx = Cx {
        lookup,
        r,
        e,
        region,
    };
    let repo = match &lookup.repository {
        None => {
            out.push(cx.finding(
                Code::ImgRepositoryNotFound,
                Status::Unknown,
                Severity::Medium,
                "The repository was not looked up.".into(),
            ));
            return out;
        }
        Some(Readable::Unreadable(u)) => {
            out.push(cx.unreadable(Code::ImgRepositoryNotFound, "The repository", u));
            None
        }
        Some(Readable::Read { value }) => Some(value),
    };
    match repo {
        Some(RepositoryLookup::NotFound { message }) => {
            out.push(
                cx.finding(
                    Code::ImgRepositoryNotFound,
                    Status::Fail,
                    Severity::Critical,
                    format!(
                        "Registry {} ({}) has no repository '{}'{}.",
                        e.account,
                        e.region,
                        r.repository,
                        if message.is_empty() { String::new() } else { format!(" ({message})") }
                    ),
                )
                .remediation(format!(
                    "Check the account, Region and repository path of the image: aws ecr describe-repositories --registry-id {a} --region {g} --query 'repositories[].repositoryName'. Then correct the image in a new task definition revision, or create the repository and push the image: aws ecr create-repository --repository-name {n} --region {g}",
                    a = e.account,
                    g = e.region,
                    n = r.repository
                )),
            );
            // Tag, digest and policy checks are moot without the repository.
            return out;
        }
        Some(RepositoryLookup::Exists { arn, .. }) => out.push(
            cx.finding(
                Code::ImgRepositoryNotFound,
                Status::Pass,
                Severity::Info,
                format!(
                    "Repository '{}' exists in registry {}.",
                    r.repository, e.account
                ),
            )
            .evidence("repositoryArn", arn.clone()),
        ),
        None => {}
    }
    let digest_found = matches!(
        &lookup.digest_lookup,
        Some(Readable::Read {
            value: ImageLookup::Found { .. }
        })
    );
    if let (Some(tag), Some(l)) = (r.effective_tag(), &lookup.tag_lookup) {
        out.push(cx.tag(tag, l, digest_found));
    }
    if let (Some(digest), Some(l)) = (r.digest.as_deref(), &lookup.digest_lookup) {
        out.push(cx.digest(digest, l));
    }
    out.push(cx.policy(&lookup.repository_policy, repo, puller));
    out
}

struct Cx<'a> {
    lookup: &'a ImageLookupFacts,
    r: &'a ImageRef,
    e: &'a EcrRegistry,
    region: &'a str,
}

impl Cx<'_> {
    fn finding(&self, code: Code, status: Status, severity: Severity, detail: String) -> Finding {
        Finding::new(code, status, severity, detail)
            .evidence("image", self.lookup.image.as_str())
            .evidence("containers", self.lookup.containers.clone())
            .evidence("registryId", self.e.account.as_str())
            .evidence("repositoryName", self.r.repository.as_str())
    }

    fn unreadable(&self, code: Code, what: &str, u: &crate::facts::Unreadable) -> Finding {
        unreadable_finding(
            code,
            Severity::Medium,
            what,
            u,
            "This check cannot be decided.",
        )
        .evidence("image", self.lookup.image.as_str())
        .evidence("registryId", self.e.account.as_str())
        .evidence("repositoryName", self.r.repository.as_str())
    }

    fn describe_images(&self, id: &str) -> String {
        format!(
            "aws ecr describe-images --registry-id {} --region {} --repository-name {} --image-ids {id}",
            self.e.account, self.e.region, self.r.repository
        )
    }

    fn tag(&self, tag: &str, l: &Readable<ImageLookup>, digest_found: bool) -> Finding {
        let implicit = self.r.tag.is_none();
        let shown = if implicit {
            format!("'{tag}' (implied: the reference names no tag)")
        } else {
            format!("'{tag}'")
        };
        match l {
            Readable::Unreadable(u) => {
                self.unreadable(Code::ImgTagNotFound, &format!("Tag {shown}"), u)
            }
            Readable::Read {
                value: ImageLookup::Found { digest, .. },
            } => {
                let mut detail = format!("Tag {shown} exists in '{}'", self.r.repository);
                if let (Some(want), Some(got)) = (self.r.digest.as_deref(), digest.as_deref()) {
                    if want != got {
                        detail.push_str(&format!(
                            "; it now points at {got}, not at the reference's digest (the pull uses the digest)"
                        ));
                    }
                }
                detail.push('.');
                self.finding(Code::ImgTagNotFound, Status::Pass, Severity::Info, detail)
                    .evidence("imageTag", tag)
                    .evidence("imageDigest", digest.clone())
            }
            Readable::Read {
                value: ImageLookup::NotFound { message },
            } => {
                // With a digest the runtime pulls by digest and ignores the tag.
                let (status, severity, tail) = if digest_found {
                    (
                        Status::Warn,
                        Severity::Low,
                        " The reference also pins a digest that exists, and the pull uses the digest, so this alone does not stop the task.",
                    )
                } else {
                    (Status::Fail, Severity::Critical, "")
                };
                self.finding(
                    Code::ImgTagNotFound,
                    status,
                    severity,
                    format!(
                        "Repository '{}' has no image tagged {shown}{}.{tail}",
                        self.r.repository,
                        if message.is_empty() { String::new() } else { format!(" ({message})") }
                    ),
                )
                .evidence("imageTag", tag)
                .remediation(format!(
                    "Check the tag: {}. See which tags exist: aws ecr describe-images --registry-id {} --region {} --repository-name {} --query 'sort_by(imageDetails,&imagePushedAt)[-5:].imageTags'. Push the tag, or point the task definition at a tag or digest that exists.",
                    self.describe_images(&format!("imageTag={tag}")),
                    self.e.account,
                    self.e.region,
                    self.r.repository
                ))
            }
        }
    }

    fn digest(&self, digest: &str, l: &Readable<ImageLookup>) -> Finding {
        match l {
            Readable::Unreadable(u) => {
                self.unreadable(Code::ImgDigestNotFound, &format!("Digest {digest}"), u)
            }
            Readable::Read {
                value: ImageLookup::Found { tags, .. },
            } => self
                .finding(
                    Code::ImgDigestNotFound,
                    Status::Pass,
                    Severity::Info,
                    format!("Digest {digest} exists in '{}'.", self.r.repository),
                )
                .evidence("imageDigest", digest)
                .evidence("imageTags", tags.clone()),
            Readable::Read {
                value: ImageLookup::NotFound { message },
            } => self
                .finding(
                    Code::ImgDigestNotFound,
                    Status::Fail,
                    Severity::Critical,
                    format!(
                        "Repository '{}' has no image with digest {digest}{}.",
                        self.r.repository,
                        if message.is_empty() { String::new() } else { format!(" ({message})") }
                    ),
                )
                .evidence("imageDigest", digest)
                .remediation(format!(
                    "Check the digest: {}. List the digests that exist: aws ecr describe-images --registry-id {} --region {} --repository-name {} --query 'imageDetails[].{{digest:imageDigest,tags:imageTags,pushed:imagePushedAt}}'. Use a digest the registry reports in a new task definition revision, or push the image again.",
                    self.describe_images(&format!("imageDigest={digest}")),
                    self.e.account,
                    self.e.region,
                    self.r.repository
                )),
        }
    }

    fn policy(
        &self,
        policy: &Option<Readable<RepositoryPolicy>>,
        repo: Option<&RepositoryLookup>,
        puller: &Puller,
    ) -> Finding {
        let arn = match repo {
            Some(RepositoryLookup::Exists { arn: Some(a), .. }) => a.clone(),
            _ => self.r.repository_arn().unwrap_or_default(),
        };
        let cross = puller.account.as_ref().map(|a| a != &self.e.account);
        let base = |status, severity, detail: String| {
            self.finding(Code::ImgRepoPolicyDenies, status, severity, detail)
                .evidence("repositoryArn", arn.as_str())
                .evidence("principal", puller.arn.clone())
                .evidence("principalAccount", puller.account.clone())
        };
        let text = match policy {
            None => {
                return base(
                    Status::Unknown,
                    Severity::Medium,
                    "The repository policy was not read.".into(),
                );
            }
            Some(Readable::Unreadable(u)) => {
                return self
                    .unreadable(Code::ImgRepoPolicyDenies, "The repository policy", u)
                    .evidence("repositoryArn", arn.as_str())
                    .evidence("principal", puller.arn.clone());
            }
            Some(Readable::Read {
                value: RepositoryPolicy::None,
            }) => None,
            Some(Readable::Read {
                value: RepositoryPolicy::Text { text },
            }) => Some(text.as_str()),
        };
        let who = &puller.label;
        let Some(text) = text else {
            return match cross {
                Some(false) => base(
                    Status::Pass,
                    Severity::Info,
                    format!(
                        "The repository has no policy and {who} is in the repository's account: the role's own policies decide (iam stage)."
                    ),
                ),
                Some(true) => base(
                    Status::Fail,
                    Severity::Critical,
                    format!(
                        "The repository is in account {} and {who} is in account {}: a cross-account pull needs the repository policy to allow it, and the repository has no policy.",
                        self.e.account,
                        puller.account.as_deref().unwrap_or("?")
                    ),
                )
                .remediation(self.fix_no_policy(puller)),
                None => base(
                    Status::Unknown,
                    Severity::Medium,
                    format!("The repository has no policy; whether {who} is in the repository's account is not known."),
                ),
            };
        };
        let decisions: Vec<(&str, Decision)> = PULL_ACTIONS
            .iter()
            .map(|a| {
                (
                    *a,
                    policy::evaluate(
                        text,
                        policy::Request {
                            principal: puller.arn.as_deref(),
                            action: a,
                            resource: &arn,
                        },
                    ),
                )
            })
            .collect();
        let base =
            |status, severity, detail| base(status, severity, detail).evidence("policyText", text);
        if let Some((action, Decision::Denied { statement })) = decisions
            .iter()
            .find(|(_, d)| matches!(d, Decision::Denied { .. }))
        {
            return base(
                Status::Fail,
                Severity::Critical,
                format!("The repository policy denies {action} to {who} (statement {statement}). An explicit Deny wins over every Allow."),
            )
            .evidence("action", *action)
            .evidence("statement", statement.as_str())
            .remediation(format!(
                "Remove or narrow statement {statement} so it no longer matches {who}: {}",
                self.fix_edit(puller, false)
            ));
        }
        if let Some((action, Decision::Unknown { why })) = decisions
            .iter()
            .find(|(_, d)| matches!(d, Decision::Unknown { .. }))
        {
            return base(
                Status::Unknown,
                Severity::Medium,
                format!("Whether the repository policy allows {action} to {who} cannot be decided from the policy alone: {why}."),
            )
            .evidence("action", *action);
        }
        match cross {
            Some(false) => base(
                Status::Pass,
                Severity::Info,
                format!(
                    "{who} is in the repository's account and the repository policy denies none of {}: the role's own policies decide (iam stage).",
                    PULL_ACTIONS.join(", ")
                ),
            ),
            Some(true) => {
                let missing: Vec<&str> = decisions
                    .iter()
                    .filter(|(_, d)| !matches!(d, Decision::Allowed { .. }))
                    .map(|(a, _)| *a)
                    .collect();
                if missing.is_empty() {
                    let sids: Vec<String> = decisions
                        .iter()
                        .filter_map(|(_, d)| match d {
                            Decision::Allowed { statement } => Some(statement.clone()),
                            _ => None,
                        })
                        .collect();
                    base(
                        Status::Pass,
                        Severity::Info,
                        format!(
                            "The repository policy allows {} to {who} (statement {}).",
                            PULL_ACTIONS.join(" and "),
                            sids.join(", ")
                        ),
                    )
                } else {
                    base(
                        Status::Fail,
                        Severity::Critical,
                        format!(
                            "The repository is in account {} and {who} is in account {}: a cross-account pull needs the repository policy to allow it, and no statement allows {}.",
                            self.e.account,
                            puller.account.as_deref().unwrap_or("?"),
                            missing.join(" or ")
                        ),
                    )
                    .evidence("actions", missing.clone())
                    .remediation(format!("Add a statement that allows the pull: {}", self.fix_edit(puller, true)))
                }
            }
            None => base(
                Status::Unknown,
                Severity::Medium,
                format!(
                    "The repository policy denies nothing to {who}, but whether the pull is cross-account (and then needs an Allow) is not known."
                ),
            ),
        }
    }

    fn statement(&self, puller: &Puller) -> String {
        let principal = puller.arn.clone().unwrap_or_else(|| {
            format!(
                "arn:aws:iam::{}:role/<role-that-pulls>",
                puller.account.as_deref().unwrap_or("<account-id>")
            )
        });
        format!(
            r#"{{"Sid":"AllowTaskPull","Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]}}"#
        )
    }

    fn fix_no_policy(&self, puller: &Puller) -> String {
        format!(
            "In account {a}, set a repository policy that allows the pull (the role's own policies in its account must allow the same actions on {arn}): aws ecr set-repository-policy --repository-name {n} --region {g} --policy-text '{{\"Version\":\"2012-10-17\",\"Statement\":[{st}]}}'",
            a = self.e.account,
            arn = self.r.repository_arn().unwrap_or_default(),
            n = self.r.repository,
            g = self.e.region,
            st = self.statement(puller)
        )
    }

    fn fix_edit(&self, puller: &Puller, add: bool) -> String {
        let change = if add {
            format!(
                "add this statement to its Statement list: {}",
                self.statement(puller)
            )
        } else {
            "remove the Deny statement, or add a condition or NotPrincipal that excludes the role (an added Allow never overrides a Deny)".to_string()
        };
        format!(
            "in account {a}, set-repository-policy replaces the whole policy, so start from the current one: aws ecr get-repository-policy --repository-name {n} --region {g} --query policyText --output text > policy.json; {change}; then aws ecr set-repository-policy --repository-name {n} --region {g} --policy-text file://policy.json",
            a = self.e.account,
            n = self.r.repository,
            g = self.region,
        )
    }
}
