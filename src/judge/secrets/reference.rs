//! Parsing a `valueFrom` the way ECS resolves it: a Secrets Manager ARN (with the optional
//! `:json-key:version-stage:version-id` fields, full or partial), an SSM parameter ARN, or an
//! SSM parameter name. Pure and total: any string gives a reference or a problem, never a panic.

/// What a `valueFrom` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// A Secrets Manager secret.
    Secret(SecretRef),
    /// An SSM parameter given by full ARN (works from any Region).
    ParameterArn {
        /// The ARN's Region.
        region: String,
        /// The ARN's account.
        account: String,
        /// The parameter's name as DescribeParameters knows it.
        name: String,
    },
    /// An SSM parameter given by name: ECS looks it up in the task's Region only.
    ParameterName {
        /// The name.
        name: String,
    },
}

/// A Secrets Manager reference, split into the parts ECS uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    /// The ARN's Region.
    pub region: String,
    /// The ARN's account.
    pub account: String,
    /// The secret's ARN without the json-key and version fields: what DescribeSecret takes.
    pub secret_id: String,
    /// The name part of the ARN (with the 6-character suffix when present).
    pub name: String,
    /// Whether the ARN lacks the 6-character random suffix (a partial ARN).
    pub partial: bool,
    /// The JSON key, when one is given.
    pub json_key: Option<String>,
    /// The version stage, when one is given.
    pub version_stage: Option<String>,
    /// The version ID, when one is given.
    pub version_id: Option<String>,
}

impl SecretRef {
    /// Whether a field that needs Fargate platform version 1.4.0 or later is used.
    pub fn uses_extended_fields(&self) -> bool {
        self.json_key.is_some() || self.version_stage.is_some() || self.version_id.is_some()
    }
}

impl Reference {
    /// Parses a `valueFrom`; the error says what is wrong in words a person can act on.
    pub fn parse(value_from: &str) -> Result<Reference, String> {
        let v = value_from;
        if v.is_empty() {
            return Err("it is empty".into());
        }
        if v.trim() != v {
            return Err("it has leading or trailing whitespace".into());
        }
        if !v.starts_with("arn:") {
            return parameter_name(v).map(|name| Reference::ParameterName { name });
        }
        let fields: Vec<&str> = v.split(':').collect();
        if fields.len() < 6 {
            return Err(format!(
                "it is an ARN with {} colon-separated fields; an ARN has at least 6 (arn:partition:service:region:account:resource)",
                fields.len()
            ));
        }
        let (partition, service, region, account) = (fields[1], fields[2], fields[3], fields[4]);
        if !partition.starts_with("aws") {
            return Err(format!("'{partition}' is not an AWS partition"));
        }
        if !is_region(region) {
            return Err(format!("'{region}' is not a Region"));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("'{account}' is not a 12-digit account ID"));
        }
        match service {
            "secretsmanager" => secret(&fields),
            "ssm" => {
                let resource = fields[5..].join(":");
                let Some(rest) = resource.strip_prefix("parameter") else {
                    return Err(format!(
                        "the SSM ARN's resource '{resource}' does not start with 'parameter/'"
                    ));
                };
                if !rest.starts_with('/') {
                    return Err(format!(
                        "the SSM ARN's resource '{resource}' does not start with 'parameter/'"
                    ));
                }
                // arn:...:parameter/name names "name"; arn:...:parameter/a/b names "/a/b".
                let name = if rest[1..].contains('/') {
                    rest.to_string()
                } else {
                    rest[1..].to_string()
                };
                let name = parameter_name(&name)?;
                Ok(Reference::ParameterArn {
                    region: region.into(),
                    account: account.into(),
                    name,
                })
            }
            other => Err(format!(
                "it is an ARN of '{other}'; only Secrets Manager (secretsmanager) and SSM Parameter Store (ssm) can hold a secret"
            )),
        }
    }

    /// The Secrets Manager secret a parameter reference names through Parameter Store's
    /// `/aws/reference/secretsmanager/<secret>` path: DescribeParameters never lists these,
    /// so the secret itself must be checked instead.
    pub fn referenced_secret(&self) -> Option<SecretRef> {
        const PREFIX: &str = "/aws/reference/secretsmanager/";
        let (name, region, account) = match self {
            Reference::ParameterArn {
                name,
                region,
                account,
            } => (name, Some(region.clone()), Some(account.clone())),
            Reference::ParameterName { name } => (name, None, None),
            Reference::Secret(_) => return None,
        };
        let secret = name.strip_prefix(PREFIX).filter(|s| !s.is_empty())?;
        Some(SecretRef {
            region: region.unwrap_or_default(),
            account: account.unwrap_or_default(),
            secret_id: secret.to_string(),
            name: secret.to_string(),
            partial: !has_suffix(secret),
            json_key: None,
            version_stage: None,
            version_id: None,
        })
    }

    /// The Region the reference names, when it is an ARN.
    pub fn region(&self) -> Option<&str> {
        match self {
            Reference::Secret(s) => Some(&s.region),
            Reference::ParameterArn { region, .. } => Some(region),
            Reference::ParameterName { .. } => None,
        }
    }
}

fn is_region(r: &str) -> bool {
    !r.is_empty()
        && r.contains('-')
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn secret(fields: &[&str]) -> Result<Reference, String> {
    if fields[5] != "secret" {
        return Err(format!(
            "the Secrets Manager ARN's resource type is '{}', not 'secret'",
            fields[5]
        ));
    }
    let n = fields.len();
    if n != 7 && n != 10 {
        return Err(format!(
            "it has {n} colon-separated fields; a Secrets Manager valueFrom has 7 (the secret's ARN) or 10 (ARN:json-key:version-stage:version-id, empty fields allowed but every colon required)"
        ));
    }
    let name = fields[6];
    if name.is_empty() {
        return Err("the secret name is empty".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "/_+=.@-".contains(*c)))
    {
        return Err(format!(
            "the secret name '{name}' contains '{c}', which secret names cannot contain"
        ));
    }
    let opt = |i: usize| {
        fields
            .get(i)
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
    };
    let version_id = opt(9);
    if let Some(id) = &version_id
        && (id.len() < 32 || id.len() > 64)
    {
        return Err(format!(
            "the version-id '{id}' is {} characters long; Secrets Manager version IDs are 32 to 64 characters (GetSecretValue rejects it: 'minimum field size of 32, GetSecretValueInput.VersionId')",
            id.len()
        ));
    }
    let secret_id = fields[..7].join(":");
    Ok(Reference::Secret(SecretRef {
        region: fields[3].into(),
        account: fields[4].into(),
        partial: !has_suffix(name),
        name: name.into(),
        secret_id,
        json_key: opt(7),
        version_stage: opt(8),
        version_id,
    }))
}

/// Whether a secret name ends with Secrets Manager's `-` + 6 random characters.
fn has_suffix(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 7 && b[b.len() - 7] == b'-' && b[b.len() - 6..].iter().all(u8::is_ascii_alphanumeric)
}

/// Checks an SSM parameter name against Parameter Store's rules.
fn parameter_name(name: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err("the parameter name is empty".into());
    }
    if name.len() > 2048 {
        return Err("the parameter name is longer than 2048 characters".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_.-/".contains(*c)))
    {
        return Err(format!(
            "'{name}' contains '{c}'; a parameter name may only contain letters, digits, '_', '.', '-' and '/' (or give a full arn:...:secretsmanager:... or arn:...:ssm:... ARN)"
        ));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";

    #[test]
    fn full_and_partial_secret_arns() {
        let Reference::Secret(s) = Reference::parse(ARN).unwrap() else {
            panic!()
        };
        assert!(!s.partial);
        assert_eq!(s.secret_id, ARN);
        let Reference::Secret(s) =
            Reference::parse("arn:aws:secretsmanager:us-east-1:123456789012:secret:db").unwrap()
        else {
            panic!()
        };
        assert!(s.partial);
    }

    #[test]
    fn extended_fields() {
        let id = "a".repeat(32);
        let Reference::Secret(s) =
            Reference::parse(&format!("{ARN}:password:AWSCURRENT:{id}")).unwrap()
        else {
            panic!()
        };
        assert_eq!(s.json_key.as_deref(), Some("password"));
        assert_eq!(s.version_stage.as_deref(), Some("AWSCURRENT"));
        assert_eq!(s.secret_id, ARN);
        let Reference::Secret(s) = Reference::parse(&format!("{ARN}:password::")).unwrap() else {
            panic!()
        };
        assert!(s.uses_extended_fields() && s.version_id.is_none());
    }

    #[test]
    fn malformed() {
        assert!(
            Reference::parse(&format!("{ARN}:password:AWSCURRENT:abc"))
                .unwrap_err()
                .contains("32")
        );
        assert!(
            Reference::parse(&format!("{ARN}:password"))
                .unwrap_err()
                .contains("8 colon")
        );
        assert!(Reference::parse("").is_err());
        assert!(Reference::parse("arn:aws:s3:::bucket").is_err());
        assert!(Reference::parse("my secret").is_err());
        assert!(Reference::parse("arn:aws:secretsmanager:us-east-1:12345:secret:x").is_err());
    }

    #[test]
    fn parameter_store_references_to_secrets() {
        let r = Reference::parse("/aws/reference/secretsmanager/db").unwrap();
        assert_eq!(r.referenced_secret().unwrap().secret_id, "db");
        assert!(
            Reference::parse("/app/db")
                .unwrap()
                .referenced_secret()
                .is_none()
        );
    }

    #[test]
    fn parameters() {
        assert_eq!(
            Reference::parse("/app/db").unwrap(),
            Reference::ParameterName {
                name: "/app/db".into()
            }
        );
        assert_eq!(
            Reference::parse("arn:aws:ssm:eu-west-1:123456789012:parameter/app/db").unwrap(),
            Reference::ParameterArn {
                region: "eu-west-1".into(),
                account: "123456789012".into(),
                name: "/app/db".into()
            }
        );
        assert_eq!(
            Reference::parse("arn:aws:ssm:eu-west-1:123456789012:parameter/db").unwrap(),
            Reference::ParameterArn {
                region: "eu-west-1".into(),
                account: "123456789012".into(),
                name: "db".into()
            }
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let _ = Reference::parse(&s);
        }

        /// ARN-shaped input: an error always says what is wrong; a secret's ID is the start
        /// of what was written (the fuzz target `value_from`'s invariants).
        #[test]
        fn arn_shaped_input_parses_or_says_why(s in "arn:(aws)?:(secretsmanager|ssm|s3)?:[a-z0-9-]{0,12}:[0-9]{0,12}:(secret:|parameter/?)?[A-Za-z0-9/_+=.@:-]{0,40}") {
            match Reference::parse(&s) {
                Ok(Reference::Secret(secret)) => {
                    prop_assert!(s.starts_with(&secret.secret_id));
                    prop_assert!(!secret.name.is_empty());
                }
                Ok(_) => {}
                Err(why) => prop_assert!(why.len() > 5, "{why}"),
            }
        }

        #[test]
        fn a_valid_secret_arn_round_trips(
            name in "[a-zA-Z0-9/_+=.@-]{1,40}",
            key in "[a-z]{0,8}",
            id in proptest::option::of("[a-f0-9-]{32,64}"),
        ) {
            let arn = format!("arn:aws:secretsmanager:eu-west-1:123456789012:secret:{name}");
            let v = format!("{arn}:{key}::{}", id.clone().unwrap_or_default());
            let Ok(Reference::Secret(s)) = Reference::parse(&v) else {
                panic!("{v} did not parse");
            };
            prop_assert_eq!(s.secret_id, arn);
            prop_assert_eq!(s.name, name);
            prop_assert_eq!(s.version_id, id);
        }

        #[test]
        fn never_panics_on_arn_like(s in "arn(:[a-z0-9/_+=.@-]{0,12}){0,11}") {
            let _ = Reference::parse(&s);
        }
    }
}
