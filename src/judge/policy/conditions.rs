//! The `Condition` element: operators, `...IfExists`, `ForAnyValue`/`ForAllValues`, `Null`
//! and policy variables, each answering yes, no or unknown.
//!
//! Semantics follow the IAM User Guide ("Condition operators", "Single-valued vs.
//! multivalued context keys", "Policy variables"): operators and keys are ANDed, the
//! values of one key are ORed; a key missing from the request makes a positive operator
//! false and a negated one (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`...) true;
//! `IfExists` makes a missing key true; `ForAllValues` is true on a missing key and
//! `ForAnyValue` false. A key whose value is not known, or an operator not implemented
//! here, is unknown.

use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use super::context::{Context, Lookup};
use super::matching::{Tri, arn_match, string_list, wildcard_match};

/// Evaluates a statement's whole `Condition` block.
pub fn evaluate(condition: &Value, ctx: &Context, variables: bool) -> Tri {
    let Some(ops) = condition.as_object() else {
        return Tri::Unknown("the Condition element is not an object".into());
    };
    let mut result = Tri::Yes;
    for (op, keys) in ops {
        let Some(keys) = keys.as_object() else {
            return Tri::Unknown(format!("condition operator {op} has no key block"));
        };
        for (key, values) in keys {
            let Some(values) = string_list(values) else {
                result = result.and(Tri::Unknown(format!(
                    "condition {op} on {key} has values of an unexpected shape"
                )));
                continue;
            };
            result = result.and(one(op, key, &values, ctx, variables));
            if result == Tri::No {
                return Tri::No;
            }
        }
    }
    result
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Single,
    AnyValue,
    AllValues,
}

/// One operator on one key.
fn one(op_full: &str, key: &str, policy_values: &[String], ctx: &Context, variables: bool) -> Tri {
    let (set, rest) = if let Some(r) = strip_prefix_ci(op_full, "ForAnyValue:") {
        (SetOp::AnyValue, r)
    } else if let Some(r) = strip_prefix_ci(op_full, "ForAllValues:") {
        (SetOp::AllValues, r)
    } else {
        (SetOp::Single, op_full)
    };
    let (if_exists, base) = match rest.len().checked_sub("IfExists".len()) {
        Some(i) if rest.is_char_boundary(i) && rest[i..].eq_ignore_ascii_case("IfExists") => {
            (true, &rest[..i])
        }
        _ => (false, rest),
    };
    let lookup = ctx.lookup(key);

    if base.eq_ignore_ascii_case("Null") {
        return null(key, policy_values, &lookup);
    }
    let Some((cmp, negated)) = comparator(base) else {
        return Tri::Unknown(format!(
            "condition operator {op_full} is not supported by this evaluator"
        ));
    };
    let request_values = match lookup {
        Lookup::Unknown => {
            return Tri::Unknown(format!(
                "condition key {key} ({op_full}) has a value that is not known for this request"
            ));
        }
        Lookup::Absent => &[][..],
        Lookup::Values(v) => v,
    };
    if request_values.is_empty() {
        return match set {
            SetOp::AnyValue => Tri::No,
            SetOp::AllValues => Tri::Yes,
            SetOp::Single if if_exists || negated => Tri::Yes,
            SetOp::Single => Tri::No,
        };
    }
    // Does one request value match any policy value (before negation)?
    let matches_any = |r: &str| -> Tri {
        let mut acc = Tri::No;
        for p in policy_values {
            let p = match substitute(p, ctx, variables) {
                Ok(Some(p)) => p,
                Ok(None) => continue,
                Err(why) => {
                    acc = acc.or(Tri::Unknown(why));
                    continue;
                }
            };
            acc = acc.or(Tri::from_bool(cmp(&p, r)));
            if acc == Tri::Yes {
                break;
            }
        }
        acc
    };
    let per_value = |r: &String| {
        let m = matches_any(r);
        if negated { m.negate() } else { m }
    };
    match set {
        SetOp::AnyValue => request_values.iter().map(per_value).fold(Tri::No, Tri::or),
        SetOp::AllValues => request_values
            .iter()
            .map(per_value)
            .fold(Tri::Yes, Tri::and),
        // A single-valued operator on several values: positive operators need one match,
        // negated ones need none.
        SetOp::Single if negated => request_values
            .iter()
            .map(per_value)
            .fold(Tri::Yes, Tri::and),
        SetOp::Single => request_values.iter().map(per_value).fold(Tri::No, Tri::or),
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

fn null(key: &str, policy_values: &[String], lookup: &Lookup<'_>) -> Tri {
    let absent = match lookup {
        Lookup::Unknown => {
            return Tri::Unknown(format!(
                "Null condition on {key}: whether the request has the key is not known"
            ));
        }
        Lookup::Absent => true,
        Lookup::Values(v) => v.is_empty(),
    };
    let mut acc = Tri::No;
    for p in policy_values {
        let want_absent = match p.to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => return Tri::Unknown(format!("Null condition on {key} with value '{p}'")),
        };
        acc = acc.or(Tri::from_bool(want_absent == absent));
    }
    acc
}

type Cmp = fn(&str, &str) -> bool;

/// The comparison of a base operator (policy value, request value) and whether it is negated.
fn comparator(base: &str) -> Option<(Cmp, bool)> {
    let b = base.to_ascii_lowercase();
    Some(match b.as_str() {
        "stringequals" => (|p, r| p == r, false),
        "stringnotequals" => (|p, r| p == r, true),
        "stringequalsignorecase" => (|p, r| p.to_lowercase() == r.to_lowercase(), false),
        "stringnotequalsignorecase" => (|p, r| p.to_lowercase() == r.to_lowercase(), true),
        "stringlike" => (|p, r| wildcard_match(p, r, false), false),
        "stringnotlike" => (|p, r| wildcard_match(p, r, false), true),
        "arnequals" | "arnlike" => (arn_match, false),
        "arnnotequals" | "arnnotlike" => (arn_match, true),
        "bool" => (|p, r| p.eq_ignore_ascii_case(r), false),
        "binaryequals" => (|p, r| p == r, false),
        "ipaddress" => (ip_in, false),
        "notipaddress" => (ip_in, true),
        "numericequals" => (|p, r| num(p, r, |o| o.is_eq()), false),
        "numericnotequals" => (|p, r| num(p, r, |o| o.is_eq()), true),
        "numericlessthan" => (|p, r| num(p, r, |o| o.is_lt()), false),
        "numericlessthanequals" => (|p, r| num(p, r, |o| o.is_le()), false),
        "numericgreaterthan" => (|p, r| num(p, r, |o| o.is_gt()), false),
        "numericgreaterthanequals" => (|p, r| num(p, r, |o| o.is_ge()), false),
        "dateequals" => (|p, r| date(p, r, |o| o.is_eq()), false),
        "datenotequals" => (|p, r| date(p, r, |o| o.is_eq()), true),
        "datelessthan" => (|p, r| date(p, r, |o| o.is_lt()), false),
        "datelessthanequals" => (|p, r| date(p, r, |o| o.is_le()), false),
        "dategreaterthan" => (|p, r| date(p, r, |o| o.is_gt()), false),
        "dategreaterthanequals" => (|p, r| date(p, r, |o| o.is_ge()), false),
        _ => return None,
    })
}

fn ip_in(policy: &str, request: &str) -> bool {
    let Ok(addr) = request.trim().parse::<IpAddr>() else {
        return false;
    };
    if let Ok(net) = policy.trim().parse::<IpNet>() {
        return net.contains(&addr);
    }
    policy.trim().parse::<IpAddr>().is_ok_and(|p| p == addr)
}

/// `request <op> policy`: the request's value is compared against the policy's.
fn num(policy: &str, request: &str, ok: fn(std::cmp::Ordering) -> bool) -> bool {
    match (request.trim().parse::<f64>(), policy.trim().parse::<f64>()) {
        (Ok(r), Ok(p)) => r.partial_cmp(&p).is_some_and(ok),
        _ => false,
    }
}

fn date(policy: &str, request: &str, ok: fn(std::cmp::Ordering) -> bool) -> bool {
    fn parse(s: &str) -> Option<i64> {
        let s = s.trim();
        if let Ok(n) = s.parse::<i64>() {
            return Some(n);
        }
        if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
            return Some(d.timestamp());
        }
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp())
    }
    match (parse(request), parse(policy)) {
        (Some(r), Some(p)) => ok(r.cmp(&p)),
        _ => false,
    }
}

/// Replaces policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`,
/// `${aws:username, 'default'}`, `${$}`) in `text`.
///
/// `Ok(None)`: a variable's key is absent from the request and has no default, so the
/// value matches nothing. `Err`: a variable whose value is not known (unknown, not denied).
/// With `variables == false` (policy `Version` 2008-10-17, or none) the text is literal.
pub fn substitute(text: &str, ctx: &Context, variables: bool) -> Result<Option<String>, String> {
    if !variables || !text.contains("${") {
        return Ok(Some(text.to_string()));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(Some(out));
        };
        let inner = after[..end].trim();
        rest = &after[end + 1..];
        match inner {
            "$" => out.push('$'),
            "*" | "?" => {
                return Err(format!(
                    "the policy uses the literal-character variable ${{{inner}}}, which this evaluator does not support"
                ));
            }
            _ => {
                let (key, default) = match inner.split_once(',') {
                    Some((k, d)) => {
                        let d = d.trim();
                        let d = d
                            .strip_prefix('\'')
                            .and_then(|d| d.strip_suffix('\''))
                            .unwrap_or(d);
                        (k.trim(), Some(d))
                    }
                    None => (inner, None),
                };
                match ctx.lookup(key) {
                    Lookup::Values([one]) => out.push_str(one),
                    Lookup::Values([]) | Lookup::Absent => match default {
                        Some(d) => out.push_str(d),
                        None => return Ok(None),
                    },
                    Lookup::Values(_) => {
                        return Err(format!(
                            "the policy variable ${{{key}}} has several values in this request"
                        ));
                    }
                    Lookup::Unknown => {
                        return Err(format!(
                            "the policy variable ${{{key}}} has a value that is not known for this request"
                        ));
                    }
                }
            }
        }
    }
    out.push_str(rest);
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::super::context::{Caller, Context};
    use super::*;
    use serde_json::json;

    fn ctx() -> Context {
        let mut c = Context::for_role("arn:aws:iam::111122223333:role/r", "ecr:BatchGetImage", "*");
        c.set("aws:SourceIp", ["10.1.2.3"]);
        c.set("aws:TagKeys", ["a", "b"]);
        c.set("aws:PrincipalTag/team", ["blue"]);
        c.set_absent("aws:SourceVpce");
        c
    }

    #[test]
    fn operators() {
        let c = ctx();
        let t = |v: serde_json::Value| evaluate(&v, &c, true);
        assert_eq!(
            t(json!({"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})),
            Tri::Yes
        );
        assert_eq!(
            t(json!({"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8"]}})),
            Tri::No
        );
        assert_eq!(
            t(json!({"StringEquals":{"aws:SourceVpce":"vpce-1"}})),
            Tri::No
        );
        assert_eq!(
            t(json!({"StringNotEquals":{"aws:SourceVpce":"vpce-1"}})),
            Tri::Yes
        );
        assert_eq!(
            t(json!({"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}})),
            Tri::Yes
        );
        assert_eq!(t(json!({"Null":{"aws:SourceVpce":"true"}})), Tri::Yes);
        assert_eq!(
            t(json!({"ForAllValues:StringEquals":{"aws:TagKeys":["a","b","c"]}})),
            Tri::Yes
        );
        assert_eq!(
            t(json!({"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}})),
            Tri::No
        );
        assert_eq!(
            t(json!({"ForAnyValue:StringEquals":{"aws:TagKeys":["b"]}})),
            Tri::Yes
        );
        assert_eq!(
            t(json!({"ForAnyValue:StringEquals":{"aws:SourceVpce":["b"]}})),
            Tri::No
        );
        assert_eq!(
            t(json!({"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}})),
            Tri::Yes
        );
        assert_eq!(
            t(json!({"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}})),
            Tri::Yes
        );
        assert_eq!(
            t(json!({"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"BLUE"}})),
            Tri::Yes
        );
        assert!(matches!(
            t(json!({"StringEquals":{"aws:SourceVpc":"vpc-1"}})),
            Tri::Unknown(_)
        ));
        assert!(matches!(
            t(json!({"Frobnicate":{"aws:SourceIp":"x"}})),
            Tri::Unknown(_)
        ));
        // A definite "no" on one key decides even when another is unknown.
        assert_eq!(
            t(json!({"StringEquals":{"aws:SourceVpc":"vpc-1","aws:SourceVpce":"vpce-1"}})),
            Tri::No
        );
    }

    #[test]
    fn numbers_dates_bools() {
        let mut c = Context::bare(Caller::Unknown, "a:b", "*");
        c.set("aws:MultiFactorAuthAge", ["300"]);
        c.set("aws:CurrentTime", ["2026-01-01T00:00:00Z"]);
        c.set("aws:SecureTransport", ["true"]);
        let t = |v: serde_json::Value| evaluate(&v, &c, true);
        assert_eq!(
            t(json!({"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}})),
            Tri::Yes
        );
        assert_eq!(
            t(json!({"NumericGreaterThan":{"aws:MultiFactorAuthAge":3600}})),
            Tri::No
        );
        assert_eq!(
            t(json!({"DateGreaterThan":{"aws:CurrentTime":"2025-06-30T00:00:00Z"}})),
            Tri::Yes
        );
        assert_eq!(t(json!({"Bool":{"aws:SecureTransport":true}})), Tri::Yes);
        assert_eq!(t(json!({"Bool":{"aws:SecureTransport":"false"}})), Tri::No);
    }

    #[test]
    fn variables() {
        let c = ctx();
        assert_eq!(
            substitute("arn:aws:s3:::b/${aws:PrincipalTag/team}/*", &c, true),
            Ok(Some("arn:aws:s3:::b/blue/*".into()))
        );
        assert_eq!(substitute("home/${aws:username}", &c, true), Ok(None));
        assert_eq!(
            substitute("home/${aws:username, 'nobody'}", &c, true),
            Ok(Some("home/nobody".into()))
        );
        assert!(substitute("x/${aws:userid}", &c, true).is_err());
        assert_eq!(
            substitute("x/${aws:userid}", &c, false),
            Ok(Some("x/${aws:userid}".into()))
        );
        assert_eq!(substitute("${$}", &c, true), Ok(Some("$".into())));
    }
}
