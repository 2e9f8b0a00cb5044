//! Does the secret or parameter a reference names exist where ECS will look for it?

use super::Context;
use super::reference::{Reference, SecretRef};
use crate::codes::Code;
use crate::facts::{ParameterLookup, Readable, SecretMetadata, SecretReferenceFacts};
use crate::judge::unreadable_finding;
use crate::report::{Finding, Severity, Status};

/// The existence checks of one parsed reference.
pub(super) fn check(
    r: &SecretReferenceFacts,
    who: &str,
    parsed: &Reference,
    ctx: &Context,
) -> Vec<Finding> {
    if let Some(mut s) = parsed.referenced_secret() {
        if s.region.is_empty() {
            s.region = ctx.region.clone();
        }
        return secret(r, who, &s);
    }
    match parsed {
        Reference::Secret(s) => secret(r, who, s),
        Reference::ParameterArn { region, name, .. } => parameter(r, who, name, Some(region), ctx),
        Reference::ParameterName { name } => parameter(r, who, name, None, ctx),
    }
}

fn with_ref(f: Finding, r: &SecretReferenceFacts, who: &str) -> Finding {
    f.evidence("valueFrom", r.value_from.as_str())
        .evidence("containers", who)
}

fn secret(r: &SecretReferenceFacts, who: &str, s: &SecretRef) -> Vec<Finding> {
    let v = &r.value_from;
    match &r.secret {
        None => vec![],
        Some(Readable::Unreadable(u)) => vec![with_ref(
            unreadable_finding(
                Code::SecretNotFound,
                Severity::High,
                &format!("The secret {}", s.secret_id),
                u,
                "Whether it exists and is not scheduled for deletion is not known.",
            ),
            r,
            who,
        )],
        Some(Readable::Read {
            value: SecretMetadata::NotFound,
        }) => {
            let hint = if s.partial {
                " It is a partial ARN (no 6-character suffix): check the name's spelling and that it is not the full name of a secret whose own name ends in '-' and 6 characters."
            } else {
                ""
            };
            vec![with_ref(
                Finding::new(
                    Code::SecretNotFound,
                    Status::Fail,
                    Severity::Critical,
                    format!("The secret {} referenced by container(s) {who} does not exist in {}{}.{hint}", s.secret_id, s.region, if s.account.is_empty() { String::new() } else { format!(" (account {})", s.account) }),
                )
                .evidence("secretId", s.secret_id.as_str())
                .evidence("region", s.region.as_str())
                .remediation(format!(
                    "Create the secret (aws secretsmanager create-secret --region {} --name {} --secret-string ...) or correct valueFrom '{v}' to an existing secret's ARN (aws secretsmanager list-secrets --region {} --query 'SecretList[].ARN'), then register a new task definition revision.",
                    s.region, strip_suffix(&s.name), s.region
                )),
                r,
                who,
            )]
        }
        Some(Readable::Read {
            value:
                SecretMetadata::Found {
                    arn,
                    name,
                    deleted_date,
                    ..
                },
        }) => {
            let mut out = vec![with_ref(
                Finding::new(
                    Code::SecretNotFound,
                    Status::Pass,
                    Severity::Info,
                    format!("The secret {name} exists ({arn})."),
                )
                .evidence("secretArn", arn.as_str()),
                r,
                who,
            )];
            out.push(with_ref(
                match deleted_date {
                    Some(d) => Finding::new(
                        Code::SecretPendingDeletion,
                        Status::Fail,
                        Severity::Critical,
                        format!("The secret {name} referenced by container(s) {who} is scheduled for deletion (since {d}); Secrets Manager refuses to return its value."),
                    )
                    .evidence("secretArn", arn.as_str())
                    .evidence("deletedDate", d.as_str())
                    .remediation(format!(
                        "Restore it before the recovery window ends: aws secretsmanager restore-secret --region {} --secret-id {arn}",
                        s.region
                    )),
                    None => Finding::new(
                        Code::SecretPendingDeletion,
                        Status::Pass,
                        Severity::Info,
                        format!("The secret {name} is not scheduled for deletion."),
                    )
                    .evidence("secretArn", arn.as_str()),
                },
                r,
                who,
            ));
            out
        }
    }
}

/// The name without Secrets Manager's `-XXXXXX` suffix, for a create-secret command.
fn strip_suffix(name: &str) -> &str {
    let b = name.as_bytes();
    if b.len() > 7
        && b[b.len() - 7] == b'-'
        && b[b.len() - 6..].iter().all(u8::is_ascii_alphanumeric)
    {
        &name[..name.len() - 7]
    } else {
        name
    }
}

fn parameter(
    r: &SecretReferenceFacts,
    who: &str,
    name: &str,
    arn_region: Option<&String>,
    ctx: &Context,
) -> Vec<Finding> {
    let v = &r.value_from;
    let region = arn_region.map(String::as_str).unwrap_or(&ctx.region);
    match &r.parameter {
        None => vec![],
        Some(Readable::Unreadable(u)) => vec![with_ref(
            unreadable_finding(
                Code::SsmParameterNotFound,
                Severity::High,
                &format!("The parameter {name} in {region}"),
                u,
                "Whether it exists is not known.",
            ),
            r,
            who,
        )],
        Some(Readable::Read {
            value: ParameterLookup::NotFound { .. },
        }) if arn_region.is_none() && !r.found_in_other_regions.is_empty() => {
            let other = &r.found_in_other_regions[0];
            let account = ctx.account.as_deref().unwrap_or("<account>");
            let arn = format!(
                "arn:aws:ssm:{other}:{account}:parameter/{}",
                name.trim_start_matches('/')
            );
            vec![with_ref(
                Finding::new(
                    Code::SsmParameterOtherRegionNeedsArn,
                    Status::Fail,
                    Severity::Critical,
                    format!("The parameter '{name}' of container(s) {who} is referenced by name, which ECS resolves in the task's Region ({}) only; it exists in {} instead.", ctx.region, r.found_in_other_regions.join(", ")),
                )
                .evidence("parameterName", name)
                .evidence("taskRegion", ctx.region.as_str())
                .evidence("foundInRegions", r.found_in_other_regions.clone())
                .remediation(format!(
                    "Reference the parameter by its full ARN, which works across Regions: set valueFrom to {arn} (check the partition) and register a new task definition revision; or create the parameter in {}: aws ssm put-parameter --region {} --name {name} --type SecureString --value ...",
                    ctx.region, ctx.region
                )),
                r,
                who,
            )]
        }
        Some(Readable::Read {
            value: ParameterLookup::NotFound { region: looked },
        }) => vec![with_ref(
            Finding::new(
                Code::SsmParameterNotFound,
                Status::Fail,
                Severity::Critical,
                format!("The SSM parameter '{name}' referenced by container(s) {who} does not exist in {looked}."),
            )
            .evidence("parameterName", name)
            .evidence("region", looked.as_str())
            .remediation(format!(
                "Create it (aws ssm put-parameter --region {looked} --name {name} --type SecureString --value ...) or correct valueFrom '{v}' to an existing parameter (aws ssm describe-parameters --region {looked}), then register a new task definition revision."
            )),
            r,
            who,
        )],
        Some(Readable::Read {
            value:
                ParameterLookup::Found {
                    name: found,
                    r#type,
                    region: looked,
                    ..
                },
        }) => {
            let mut out = vec![with_ref(
                Finding::new(
                    Code::SsmParameterNotFound,
                    Status::Pass,
                    Severity::Info,
                    format!(
                        "The SSM parameter {found} exists in {looked} ({}).",
                        r#type.as_deref().unwrap_or("type unknown")
                    ),
                )
                .evidence("parameterName", found.as_str())
                .evidence("region", looked.as_str()),
                r,
                who,
            )];
            if arn_region.is_none() {
                out.push(with_ref(
                    Finding::new(
                        Code::SsmParameterOtherRegionNeedsArn,
                        Status::Pass,
                        Severity::Info,
                        format!("The parameter {found} is referenced by name and exists in the task's Region ({looked})."),
                    ),
                    r,
                    who,
                ));
            }
            out
        }
    }
}
