//! Container image references: `[registry[:port]/]namespace/repo[:tag][@digest]`.
//!
//! The image stage has to know, from the reference alone, where an image lives (private ECR
//! in which account, Region and partition; ECR Public; Docker Hub; another registry) and
//! whether the container runtime would even accept the reference. This parser follows the
//! Docker reference grammar (github.com/distribution/reference, `reference.go` and
//! `normalize.go`):
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [domain '/'] path-component ['/' path-component]*      (at most 255 characters)
//! domain     := host [':' port-number]
//! host       := domain-component ['.' domain-component]* | '[' IPv6 ']'
//! domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//! path-component   := [a-z0-9]+ (separator [a-z0-9]+)*
//! separator  := '.' | '_' | '__' | '-'+
//! tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! digest     := algorithm ':' hex   (algorithm components [A-Za-z][A-Za-z0-9]* joined by [+._-];
//!               hex [0-9a-fA-F]{32,}; sha256 needs exactly 64 and sha512 128 lower-case hex digits)
//! ```
//!
//! The first path segment is a registry only when it contains `.` or `:`, is `localhost`, or
//! has upper-case letters (the runtime's rule); otherwise the image is on Docker Hub, and a
//! single-segment Docker Hub path gets `library/`. `docker.io` and `index.docker.io` are
//! Docker Hub too. Nothing here panics, whatever the input.

use std::fmt;

/// The registry host Docker Hub pulls really go to; the network stage names it the same way.
pub const DOCKER_HUB_REGISTRY: &str = "registry-1.docker.io";

/// ECR Public's registry host.
pub const ECR_PUBLIC_REGISTRY: &str = "public.ecr.aws";

/// The longest name (registry and repository) the runtime accepts.
pub const NAME_MAX_LEN: usize = 255;

/// The longest tag the runtime accepts.
pub const TAG_MAX_LEN: usize = 128;

/// A parsed image reference: where the image lives and which version of it is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (with port), `registry-1.docker.io` for Docker Hub.
    pub registry: String,
    /// Repository path (`library/nginx`, `team/app`).
    pub repository: String,
    /// Tag, if any (`latest` is not implied here; see [`ImageRef::effective_tag`]).
    pub tag: Option<String>,
    /// Digest (`sha256:...`), if any.
    pub digest: Option<String>,
}

/// A private ECR registry's coordinates: what the repository ARN and the ECR calls need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrRegistry {
    /// The registry's account.
    pub account: String,
    /// The registry's Region.
    pub region: String,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
}

/// What kind of registry a reference names: it decides which checks and paths apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryKind {
    /// A private ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com`).
    Ecr(EcrRegistry),
    /// ECR Public (`public.ecr.aws`).
    EcrPublic,
    /// Docker Hub (implicit, `docker.io`, `index.docker.io`, `registry-1.docker.io`).
    DockerHub,
    /// Any other registry (ghcr.io, quay.io, a self-hosted one).
    Other,
}

/// Why a reference does not parse: shown to the operator as the evidence of IMG_REFERENCE_INVALID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{reference}' is not a valid image reference: {problem}")]
pub struct ImageRefError {
    /// The reference as given.
    pub reference: String,
    /// What is wrong.
    pub problem: String,
}

impl ImageRef {
    /// Parses a reference with the container runtime's rules (see the module documentation).
    pub fn parse(s: &str) -> Result<ImageRef, ImageRefError> {
        let bad = |p: String| ImageRefError {
            reference: s.to_string(),
            problem: p,
        };
        if s.is_empty() {
            return Err(bad("it is empty".into()));
        }
        if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(format!(
                "it contains the character {c:?} (white space or a control character)"
            )));
        }
        if !s.is_ascii() {
            return Err(bad("it contains characters outside ASCII".into()));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                check_digest(d).map_err(&bad)?;
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        if rest.is_empty() {
            return Err(bad("the name before '@' is empty".into()));
        }
        // The tag is after the last ':' that has no '/' after it (a ':' before a '/' is a port).
        let (name, tag) = match rest.rfind(':') {
            Some(i) if !rest[i + 1..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
            _ => (rest, None),
        };
        if let Some(t) = tag {
            check_tag(t).map_err(&bad)?;
        }
        if name.is_empty() {
            return Err(bad("the repository name is empty".into()));
        }
        // Cheap bound before any work; the exact limit applies to the full name below.
        if name.len() > NAME_MAX_LEN + 1 {
            return Err(bad(too_long(name.len())));
        }
        let (domain, path) = split_domain(name);
        let registry = match domain {
            Some(d) => {
                check_domain(d).map_err(&bad)?;
                d
            }
            None => DOCKER_HUB_REGISTRY,
        };
        check_path(path).map_err(&bad)?;
        let hub_alias = matches!(
            registry.to_ascii_lowercase().as_str(),
            "docker.io" | "index.docker.io"
        );
        let (registry, repository) = if domain.is_none() || hub_alias {
            let repo = if path.contains('/') {
                path.to_string()
            } else {
                format!("library/{path}")
            };
            (DOCKER_HUB_REGISTRY.to_string(), repo)
        } else {
            (registry.to_string(), path.to_string())
        };
        // The runtime checks the length of the fully qualified name (`docker.io/library/x`).
        let full = shown_registry(&registry, &repository).len() + 1 + repository.len();
        if full > NAME_MAX_LEN {
            return Err(bad(too_long(full)));
        }
        Ok(ImageRef {
            registry,
            repository,
            tag: tag.map(str::to_string),
            digest,
        })
    }

    /// The registry host without its port, lower-cased: how DNS, the network stage's path
    /// destinations and the registry checks name it.
    pub fn host(&self) -> String {
        host_of(&self.registry).to_ascii_lowercase()
    }

    /// The registry port, when the reference gives one.
    pub fn port(&self) -> Option<u16> {
        let r = self.registry.as_str();
        let after_host = if r.starts_with('[') {
            &r[r.find(']').map_or(r.len(), |i| i + 1)..]
        } else {
            &r[r.find(':').unwrap_or(r.len())..]
        };
        after_host.strip_prefix(':').and_then(|p| p.parse().ok())
    }

    /// What kind of registry this is.
    pub fn registry_kind(&self) -> RegistryKind {
        if let Some(e) = self.ecr() {
            return RegistryKind::Ecr(e);
        }
        if self.is_ecr_public() {
            RegistryKind::EcrPublic
        } else if self.is_docker_hub() {
            RegistryKind::DockerHub
        } else {
            RegistryKind::Other
        }
    }

    /// Docker Hub, however the reference spelled it: rate limits and internet access apply.
    pub fn is_docker_hub(&self) -> bool {
        self.port().is_none()
            && matches!(
                self.host().as_str(),
                DOCKER_HUB_REGISTRY | "docker.io" | "index.docker.io"
            )
    }

    /// ECR Public: no VPC endpoint serves it, so it needs an internet path.
    pub fn is_ecr_public(&self) -> bool {
        self.port().is_none() && self.host() == ECR_PUBLIC_REGISTRY
    }

    /// The ECR registry, for a private ECR reference (`<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`,
    /// and the dual-stack `<account>.dkr-ecr[-fips].<region>.on.aws`).
    pub fn ecr(&self) -> Option<EcrRegistry> {
        if self.port().is_some_and(|p| p != 443) {
            return None;
        }
        ecr_host(&self.host())
    }

    /// The repository ARN, for a private ECR reference: the resource of the pull actions.
    pub fn repository_arn(&self) -> Option<String> {
        let e = self.ecr()?;
        Some(format!(
            "arn:{}:ecr:{}:{}:repository/{}",
            e.partition, e.region, e.account, self.repository
        ))
    }

    /// The tag the runtime pulls when the reference names neither tag nor digest: `latest`.
    /// With a digest, the digest decides and the tag (if any) is ignored by the pull.
    pub fn effective_tag(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(t), _) => Some(t.as_str()),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }
}

impl fmt::Display for ImageRef {
    /// The fully qualified form (`registry/repository[:tag][@digest]`); Docker Hub shows as
    /// `docker.io/...`, as `docker` itself prints it. Parsing it gives the same `ImageRef`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let registry = shown_registry(&self.registry, &self.repository);
        write!(f, "{registry}/{}", self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// How a registry is printed: Docker Hub as `docker.io`, except a one-segment repository on an
/// explicit `registry-1.docker.io`, which `docker.io` would turn into `library/<name>`.
fn shown_registry<'a>(registry: &'a str, repository: &str) -> &'a str {
    if registry == DOCKER_HUB_REGISTRY && repository.contains('/') {
        "docker.io"
    } else {
        registry
    }
}

fn too_long(len: usize) -> String {
    format!("the fully qualified name is {len} characters long; at most {NAME_MAX_LEN} are allowed")
}

/// The first segment is a registry when it has '.' or ':', is `localhost`, or has upper case
/// (or opens an IPv6 literal).
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.starts_with('[')
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn host_of(registry: &str) -> &str {
    if registry.starts_with('[') {
        return registry.find(']').map_or(registry, |i| &registry[..=i]);
    }
    registry.split(':').next().unwrap_or(registry)
}

fn check_domain(d: &str) -> Result<(), String> {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err(format!("the registry '{d}' opens '[' without closing it"));
        };
        let ip = &rest[..end];
        if ip.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("the registry '{d}' is not a valid IPv6 address"));
        }
        let after = &rest[end + 1..];
        match after {
            "" => (None, None),
            p if p.starts_with(':') => (None, Some(&p[1..])),
            _ => return Err(format!("the registry '{d}' has text after ']'")),
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(d), None),
        }
    };
    if let Some(host) = host {
        if host.is_empty() {
            return Err(format!("the registry '{d}' has an empty host name"));
        }
        for label in host.split('.') {
            let ok = !label.is_empty()
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !ok {
                return Err(format!(
                    "the registry host '{host}' has an invalid label '{label}' (letters, digits and inner '-' only)"
                ));
            }
        }
    }
    if let Some(p) = port {
        let valid = !p.is_empty()
            && p.len() <= 5
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
        if !valid {
            return Err(format!(
                "the registry port '{p}' is not a number from 1 to 65535"
            ));
        }
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the repository name is empty".into());
    }
    for component in path.split('/') {
        check_path_component(component)?;
    }
    Ok(())
}

fn check_path_component(c: &str) -> Result<(), String> {
    if c.is_empty() {
        return Err("the repository path has an empty segment ('//' or a trailing '/')".into());
    }
    if let Some(u) = c.chars().find(|ch| ch.is_ascii_uppercase()) {
        return Err(format!(
            "the repository segment '{c}' has the upper-case letter '{u}'; repository names are lower case"
        ));
    }
    if let Some(bad) = c
        .chars()
        .find(|ch| !(ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-".contains(*ch)))
    {
        return Err(format!(
            "the repository segment '{c}' has the character '{bad}'; only a-z, 0-9 and the separators '.', '_', '__', '-' are allowed"
        ));
    }
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return Err(format!(
            "the repository segment '{c}' must start and end with a letter or digit"
        ));
    }
    // Separators between alphanumeric runs: '.', '_', '__', or any run of '-'.
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = matches!(sep, "." | "_" | "__") || sep.chars().all(|ch| ch == '-');
        if !ok {
            return Err(format!(
                "the repository segment '{c}' has the separator '{sep}'; only '.', '_', '__' or dashes may join letters and digits"
            ));
        }
    }
    Ok(())
}

fn check_tag(t: &str) -> Result<(), String> {
    if t.is_empty() {
        return Err(
            "the tag after ':' is empty (a template variable that was not filled in?)".into(),
        );
    }
    if t.len() > TAG_MAX_LEN {
        return Err(format!(
            "the tag is {} characters long; at most {TAG_MAX_LEN} are allowed",
            t.len()
        ));
    }
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = t.chars();
    if !chars.next().is_some_and(word) {
        return Err(format!(
            "the tag '{t}' must start with a letter, digit or '_'"
        ));
    }
    if let Some(c) = chars.find(|c| !(word(*c) || *c == '.' || *c == '-')) {
        return Err(format!(
            "the tag '{t}' has the character '{c}'; only letters, digits, '_', '.' and '-' are allowed"
        ));
    }
    Ok(())
}

fn check_digest(d: &str) -> Result<(), String> {
    let Some((algo, hex)) = d.split_once(':') else {
        return Err(format!(
            "the digest '{d}' is not 'algorithm:hex' (for example sha256: and 64 hex digits)"
        ));
    };
    let algo_ok = !algo.is_empty()
        && algo.split(['+', '.', '_', '-']).all(|part| {
            let mut cs = part.chars();
            cs.next().is_some_and(|c| c.is_ascii_alphabetic())
                && cs.all(|c| c.is_ascii_alphanumeric())
        });
    if !algo_ok {
        return Err(format!("the digest algorithm '{algo}' is not valid"));
    }
    let expected = match algo {
        "sha256" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    };
    match expected {
        Some(n) => {
            if hex.len() != n
                || !hex
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
            {
                return Err(format!(
                    "a {algo} digest is {n} lower-case hex digits; '{hex}' is not"
                ));
            }
        }
        None => {
            if hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(format!(
                    "the digest value '{hex}' is not at least 32 hex digits"
                ));
            }
        }
    }
    Ok(())
}

/// `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` or `<account>.dkr-ecr[-fips].<region>.on.aws`.
fn ecr_host(host: &str) -> Option<EcrRegistry> {
    let labels: Vec<&str> = host.split('.').collect();
    let (account, region, suffix) = match labels.as_slice() {
        [account, "dkr", "ecr" | "ecr-fips", region, rest @ ..] => (account, region, rest),
        [account, "dkr-ecr" | "dkr-ecr-fips", region, rest @ ..] => (account, region, rest),
        _ => return None,
    };
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !is_region(region) {
        return None;
    }
    let partition = match suffix {
        ["amazonaws", "com"] | ["on", "aws"] if region.starts_with("us-gov-") => "aws-us-gov",
        ["amazonaws", "com"] | ["on", "aws"] if region.starts_with("cn-") => return None,
        ["amazonaws", "com"] | ["on", "aws"] => "aws",
        ["amazonaws", "com", "cn"] | ["on", "amazonwebservices", "com", "cn"]
            if region.starts_with("cn-") =>
        {
            "aws-cn"
        }
        _ => return None,
    };
    Some(EcrRegistry {
        account: account.to_string(),
        region: region.to_string(),
        partition: partition.to_string(),
    })
}

/// `us-east-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`, `eu-central-2`...
fn is_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const D64: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn p(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn parts(s: &str) -> (String, String, Option<String>, Option<String>) {
        let r = p(s);
        (r.registry, r.repository, r.tag, r.digest)
    }

    fn err(s: &str) -> String {
        match ImageRef::parse(s) {
            Ok(r) => panic!("{s} parsed as {r:?}"),
            Err(e) => e.problem,
        }
    }

    fn o(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn docker_hub_short_names_get_library() {
        assert_eq!(
            parts("nginx"),
            (
                DOCKER_HUB_REGISTRY.into(),
                "library/nginx".into(),
                None,
                None
            )
        );
        assert_eq!(
            parts("nginx:1.27-alpine"),
            (
                DOCKER_HUB_REGISTRY.into(),
                "library/nginx".into(),
                o("1.27-alpine"),
                None
            )
        );
        assert_eq!(
            parts("bitnami/redis:7"),
            (
                DOCKER_HUB_REGISTRY.into(),
                "bitnami/redis".into(),
                o("7"),
                None
            )
        );
        for s in [
            "docker.io/nginx",
            "index.docker.io/nginx",
            "docker.io/library/nginx",
        ] {
            let r = p(s);
            assert_eq!(r.registry, DOCKER_HUB_REGISTRY, "{s}");
            assert_eq!(r.repository, "library/nginx", "{s}");
            assert!(r.is_docker_hub());
            assert_eq!(r.registry_kind(), RegistryKind::DockerHub);
        }
        assert!(p("registry-1.docker.io/library/nginx").is_docker_hub());
        assert!(!p("docker.io.evil.com/nginx").is_docker_hub());
        assert_eq!(p("nginx").effective_tag(), Some("latest"));
        assert_eq!(p("nginx").host(), "registry-1.docker.io");
    }

    #[test]
    fn registries_with_ports_and_localhost() {
        assert_eq!(
            parts("localhost/app"),
            ("localhost".into(), "app".into(), None, None)
        );
        assert_eq!(
            parts("localhost:5000/team/app:v1"),
            ("localhost:5000".into(), "team/app".into(), o("v1"), None)
        );
        let r = p("registry.example.com:8443/a/b/c:1.0");
        assert_eq!(r.host(), "registry.example.com");
        assert_eq!(r.port(), Some(8443));
        assert_eq!(r.repository, "a/b/c");
        assert_eq!(r.registry_kind(), RegistryKind::Other);
        let v6 = p("[::1]:5000/app:1");
        assert_eq!(v6.registry, "[::1]:5000");
        assert_eq!(v6.host(), "[::1]");
        assert_eq!(v6.port(), Some(5000));
        assert_eq!(p("[fe80::1]/app").port(), None);
        // An upper-case first segment is a registry, as for the runtime.
        assert_eq!(p("Registry/app").registry, "Registry");
        // "localhost:5000" without a slash is Docker Hub's library/localhost, tag 5000.
        assert_eq!(
            parts("localhost:5000"),
            (
                DOCKER_HUB_REGISTRY.into(),
                "library/localhost".into(),
                o("5000"),
                None
            )
        );
        assert!(p("ghcr.io/org/app:sha-abc").registry_kind() == RegistryKind::Other);
    }

    #[test]
    fn ecr_private_hosts() {
        let r = p("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.2");
        assert_eq!(
            r.ecr(),
            Some(EcrRegistry {
                account: "123456789012".into(),
                region: "us-east-1".into(),
                partition: "aws".into()
            })
        );
        assert_eq!(
            r.repository_arn().as_deref(),
            Some("arn:aws:ecr:us-east-1:123456789012:repository/team/app")
        );
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        let other = p("999999999999.dkr.ecr.eu-west-3.amazonaws.com/app");
        assert_eq!(other.ecr().unwrap().account, "999999999999");
        assert_eq!(other.ecr().unwrap().region, "eu-west-3");
        let fips = p("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1");
        assert_eq!(fips.ecr().unwrap().partition, "aws-us-gov");
        let fips_com = p("123456789012.dkr.ecr-fips.us-east-2.amazonaws.com/app:1");
        assert_eq!(fips_com.ecr().unwrap().partition, "aws");
        let cn = p("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1");
        assert_eq!(cn.ecr().unwrap().partition, "aws-cn");
        assert_eq!(
            cn.repository_arn().as_deref(),
            Some("arn:aws-cn:ecr:cn-north-1:123456789012:repository/app")
        );
        let gov = p("123456789012.dkr.ecr.us-gov-east-1.amazonaws.com/app");
        assert_eq!(
            gov.repository_arn().as_deref(),
            Some("arn:aws-us-gov:ecr:us-gov-east-1:123456789012:repository/app")
        );
        let dual = p("123456789012.dkr-ecr.ap-southeast-2.on.aws/app:1");
        assert_eq!(dual.ecr().unwrap().region, "ap-southeast-2");
        // Upper-case host and an explicit 443 are still ECR.
        assert!(
            p("123456789012.DKR.ECR.us-east-1.AMAZONAWS.COM/app")
                .ecr()
                .is_some()
        );
        assert!(
            p("123456789012.dkr.ecr.us-east-1.amazonaws.com:443/app")
                .ecr()
                .is_some()
        );
    }

    #[test]
    fn not_ecr_private() {
        for s in [
            "12345678901.dkr.ecr.us-east-1.amazonaws.com/app", // 11 digits
            "12345678901a.dkr.ecr.us-east-1.amazonaws.com/app", // not digits
            "123456789012.dkr.ecr.useast1.amazonaws.com/app",  // not a Region
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/app",
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com/app", // China needs .com.cn
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.cn/app",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com:5000/app",
            "public.ecr.aws/nginx/nginx:latest",
            "nginx",
        ] {
            assert_eq!(p(s).ecr(), None, "{s}");
            assert_eq!(p(s).repository_arn(), None, "{s}");
        }
    }

    #[test]
    fn ecr_public() {
        let r = p("public.ecr.aws/nginx/nginx:1.27");
        assert!(r.is_ecr_public());
        assert_eq!(r.registry_kind(), RegistryKind::EcrPublic);
        assert_eq!(r.repository, "nginx/nginx");
        assert!(!r.is_docker_hub());
        assert!(p("PUBLIC.ECR.AWS/a/b").is_ecr_public());
    }

    #[test]
    fn digests_with_and_without_tags() {
        let s = format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.2@{D64}");
        let r = p(&s);
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert_eq!(r.digest.as_deref(), Some(D64));
        assert_eq!(r.effective_tag(), Some("1.2"));
        let only = p(&format!("app@{D64}"));
        assert_eq!(only.tag, None);
        assert_eq!(only.effective_tag(), None);
        assert_eq!(only.repository, "library/app");
        let port = p(&format!("localhost:5000/app@{D64}"));
        assert_eq!(port.registry, "localhost:5000");
        assert_eq!(port.tag, None);
        let sha512 = format!("sha512:{}", "ab".repeat(64));
        assert_eq!(p(&format!("app@{sha512}")).digest, Some(sha512));
        // An unknown algorithm needs at least 32 hex digits.
        assert!(ImageRef::parse(&format!("app@multihash+base58:{}", "a".repeat(32))).is_ok());
    }

    #[test]
    fn invalid_references() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("repo:", "tag after ':' is empty"),
            ("Team/App", "upper-case"),
            ("team/App:1", "upper-case"),
            ("nginx ", "white space"),
            ("nginx\n", "white space"),
            ("ngi nx", "white space"),
            ("app:-bad", "must start"),
            ("app:.bad", "must start"),
            ("app:bad/tag", "port"),
            ("app:b@d", "digest"),
            ("app@sha256:abc", "64 lower-case hex"),
            (
                "app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                "64 lower-case",
            ),
            ("app@sha256", "algorithm:hex"),
            ("app@:abc", "algorithm"),
            ("app@1sha:0123456789abcdef0123456789abcdef", "algorithm"),
            ("app@md5:0123", "32 hex"),
            (
                "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "before '@'",
            ),
            (":tag", "empty"),
            ("/app", "empty segment"),
            ("team//app", "empty segment"),
            ("team/app/", "empty segment"),
            ("-app", "start and end"),
            ("app-", "start and end"),
            ("a..b", "separator"),
            ("a___b", "separator"),
            ("a._b", "separator"),
            ("a+b", "character '+'"),
            ("example.com:/app", "port"),
            ("example.com:0/app", "port"),
            ("example.com:65536/app", "port"),
            ("example.com:http/app", "port"),
            ("exa_mple.com/app", "invalid label"),
            ("-example.com/app", "invalid label"),
            ("example..com/app", "invalid label"),
            ("[::1/app", "without closing"),
            ("[zz]/app", "IPv6"),
            ("[::1]x/app", "after ']'"),
            (
                "app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef@x",
                "64",
            ),
            ("ünïcode/app", "ASCII"),
        ];
        for (s, why) in cases {
            let problem = err(s);
            assert!(problem.contains(why), "{s:?}: {problem:?} lacks {why:?}");
        }
    }

    #[test]
    fn valid_separators_and_limits() {
        for s in [
            "a.b",
            "a_b",
            "a__b",
            "a-b",
            "a---b",
            "a1.b2_c3__d4-e5",
            "0",
            "a/b/c/d/e",
        ] {
            assert!(ImageRef::parse(s).is_ok(), "{s}");
        }
        let tag128 = format!("app:{}", "t".repeat(128));
        assert!(ImageRef::parse(&tag128).is_ok());
        let tag129 = format!("app:{}", "t".repeat(129));
        assert!(err(&tag129).contains("at most 128"));
        assert!(ImageRef::parse("app:_Under.Score-1").is_ok());
        let long = format!("example.com/{}", "a".repeat(NAME_MAX_LEN));
        assert!(err(&long).contains("at most 255"));
        let fits = format!("example.com/{}", "a".repeat(NAME_MAX_LEN - 12));
        assert!(ImageRef::parse(&fits).is_ok());
        // Docker Hub names count as `docker.io/library/<name>` (found by the fuzz target).
        let hub = "z".repeat(NAME_MAX_LEN - "docker.io/library/".len());
        assert!(ImageRef::parse(&hub).is_ok());
        assert!(err(&format!("{hub}z")).contains("at most 255"));
    }

    #[test]
    fn display_is_fully_qualified_and_round_trips() {
        assert_eq!(p("nginx").to_string(), "docker.io/library/nginx");
        assert_eq!(
            p(&format!("localhost:5000/a:1@{D64}")).to_string(),
            format!("localhost:5000/a:1@{D64}")
        );
        // Found by the fuzz target: an explicit registry-1.docker.io with a one-segment path.
        for s in [
            "nginx:1",
            "public.ecr.aws/a/b",
            "[::1]:5000/x",
            "registry-1.docker.io/7",
        ] {
            let r = p(s);
            assert_eq!(p(&r.to_string()), r, "{s}");
        }
    }

    #[test]
    fn error_message_names_the_reference() {
        let e = ImageRef::parse("repo:").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("'repo:' is not a valid image reference")
        );
    }

    fn component() -> impl Strategy<Value = String> {
        "[a-z0-9]{1,5}(([._]|__|-{1,3})[a-z0-9]{1,5}){0,2}"
    }

    fn registry() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            Just(Some("localhost".to_string())),
            "[a-z][a-z0-9-]{0,6}[a-z0-9](\\.[a-z0-9]{1,6}){1,3}".prop_map(Some),
            ("[a-z]{1,8}\\.[a-z]{2,3}", 1u16..=65535).prop_map(|(h, p)| Some(format!("{h}:{p}"))),
            (
                "[0-9]{12}",
                prop_oneof![
                    Just("us-east-1"),
                    Just("eu-west-3"),
                    Just("cn-north-1"),
                    Just("us-gov-west-1")
                ]
            )
                .prop_map(|(a, r)| {
                    let suffix = if r.starts_with("cn-") {
                        "amazonaws.com.cn"
                    } else {
                        "amazonaws.com"
                    };
                    Some(format!("{a}.dkr.ecr.{r}.{suffix}"))
                }),
            Just(Some("public.ecr.aws".to_string())),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let _ = ImageRef::parse(&s);
        }

        #[test]
        fn never_panics_on_reference_like_text(s in "[a-zA-Z0-9:/@._\\-\\[\\]]{0,60}") {
            if let Ok(r) = ImageRef::parse(&s) {
                let _ = (r.ecr(), r.repository_arn(), r.port(), r.host(), r.registry_kind());
                prop_assert_eq!(ImageRef::parse(&r.to_string()), Ok(r));
            }
        }

        #[test]
        fn generated_valid_references_round_trip(
            reg in registry(),
            comps in prop::collection::vec(component(), 1..4),
            tag in prop::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
            digest in prop::option::of("[0-9a-f]{64}"),
        ) {
            // Without a registry, a first segment with '.' is a registry to the runtime.
            prop_assume!(reg.is_some() || !(comps[0].contains('.') || comps[0] == "localhost"));
            let path = comps.join("/");
            let mut s = match &reg { Some(r) => format!("{r}/{path}"), None => path.clone() };
            if let Some(t) = &tag { s.push(':'); s.push_str(t); }
            if let Some(d) = &digest { s.push_str("@sha256:"); s.push_str(d); }
            let r = ImageRef::parse(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&r.tag, &tag);
            prop_assert_eq!(r.digest.clone(), digest.map(|d| format!("sha256:{d}")));
            match &reg {
                Some(g) => {
                    prop_assert_eq!(&r.registry, g);
                    prop_assert_eq!(&r.repository, &path);
                }
                None => {
                    prop_assert_eq!(r.registry.as_str(), DOCKER_HUB_REGISTRY);
                    let expected = if comps.len() == 1 { format!("library/{path}") } else { path.clone() };
                    prop_assert_eq!(&r.repository, &expected);
                }
            }
            if reg.as_deref().is_some_and(|g| g.contains(".dkr.ecr.")) {
                prop_assert!(r.ecr().is_some());
                let suffix = format!(":repository/{}", path);
                prop_assert!(r.repository_arn().unwrap().ends_with(&suffix));
            }
            prop_assert_eq!(ImageRef::parse(&r.to_string()), Ok(r));
        }
    }
}
