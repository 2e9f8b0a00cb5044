//! Parsing a policy document into statements, tolerating every shape IAM accepts: a
//! `Statement` that is one object or an array, and string-or-array elements. Nothing here
//! panics on bad input; a malformed part is kept as an error so that the statement
//! evaluates as unknown rather than vanishing.

use serde_json::Value;

use super::matching::string_list;

/// A parsed policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Whether policy variables are substituted (`Version` is `2012-10-17`); in older
    /// documents `${...}` is literal text.
    pub variables: bool,
    /// The statements, in document order.
    pub statements: Vec<Statement>,
}

/// `Allow`, `Deny`, or something IAM would have rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Denies explicitly.
    Deny,
    /// Not a valid effect (kept so the statement is reported, not ignored).
    Other(String),
}

/// A list element (`Action`, `Resource`...) or why it could not be read.
pub type Element = Result<Vec<String>, String>;

/// One statement.
#[derive(Debug, Clone)]
pub struct Statement {
    /// The `Sid`, or `statement <index>` when there is none.
    pub sid: String,
    /// The effect.
    pub effect: Effect,
    /// `Action` (absent: `None`).
    pub action: Option<Element>,
    /// `NotAction`.
    pub not_action: Option<Element>,
    /// `Resource`.
    pub resource: Option<Element>,
    /// `NotResource`.
    pub not_resource: Option<Element>,
    /// `Principal` as written (resource and trust policies).
    pub principal: Option<Value>,
    /// `NotPrincipal` as written.
    pub not_principal: Option<Value>,
    /// `Condition` as written.
    pub condition: Option<Value>,
}

impl Policy {
    /// Parses a policy document (JSON text).
    pub fn parse(document: &str) -> Result<Policy, String> {
        let doc: Value = serde_json::from_str(document)
            .map_err(|e| format!("the policy is not valid JSON: {e}"))?;
        Policy::from_value(&doc)
    }

    /// Parses an already-decoded policy document.
    pub fn from_value(doc: &Value) -> Result<Policy, String> {
        let variables = doc.get("Version").and_then(Value::as_str) == Some("2012-10-17");
        let list: Vec<&Value> = match doc.get("Statement") {
            Some(Value::Array(list)) => list.iter().collect(),
            Some(obj @ Value::Object(_)) => vec![obj],
            _ => return Err("the policy has no Statement".into()),
        };
        let statements = list
            .into_iter()
            .enumerate()
            .map(|(i, st)| Statement::from_value(i, st))
            .collect();
        Ok(Policy {
            variables,
            statements,
        })
    }
}

impl Statement {
    fn from_value(index: usize, st: &Value) -> Statement {
        let sid = st
            .get("Sid")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("statement {index}"));
        let effect = match st.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            Some(other) => Effect::Other(other.to_string()),
            None => Effect::Other(String::new()),
        };
        let element = |name: &str| -> Option<Element> {
            st.get(name).map(|v| {
                string_list(v).ok_or_else(|| {
                    format!("{name} of {sid} is neither a string nor a list of strings")
                })
            })
        };
        Statement {
            effect,
            action: element("Action"),
            not_action: element("NotAction"),
            resource: element("Resource"),
            not_resource: element("NotResource"),
            principal: st.get("Principal").cloned(),
            not_principal: st.get("NotPrincipal").cloned(),
            condition: st
                .get("Condition")
                .filter(|c| !c.as_object().is_some_and(|o| o.is_empty()))
                .cloned(),
            sid,
        }
    }
}
