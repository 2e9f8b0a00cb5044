//! The cluster query language of `memberOf` constraints, for the forms tasks commonly use.
//!
//! Supported: `attribute:<name>` (with `ecs.instance-type`, `ecs.availability-zone`, custom
//! attributes), `ec2InstanceId` and `agentConnected` as subjects; `==`/`equals`,
//! `!=`/`not_equals`, `in [...]`, `not_in [...]`, `exists`; `and`/`&&`, `or`/`||` and
//! parentheses. Anything else (regular expressions `=~`, comparisons, `task:group`,
//! `registeredAt`, `not(...)`) is a parse error, so the caller says UNKNOWN instead of
//! guessing. Parsing never panics on any input.

use crate::facts::ContainerInstanceFacts;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Both sides must hold.
    And(Box<Expr>, Box<Expr>),
    /// Either side must hold.
    Or(Box<Expr>, Box<Expr>),
    /// One comparison.
    Cmp {
        /// What is compared.
        subject: Subject,
        /// How.
        op: Op,
        /// The values (one for `==`/`!=`, a list for `in`, none for `exists`).
        values: Vec<String>,
    },
}

/// The left side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// `attribute:<name>`.
    Attribute(String),
    /// `ec2InstanceId`.
    Ec2InstanceId,
    /// `agentConnected`.
    AgentConnected,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `==`, `equals`.
    Eq,
    /// `!=`, `not_equals`.
    Ne,
    /// `in [...]`.
    In,
    /// `not_in [...]`.
    NotIn,
    /// `exists`.
    Exists,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Open,
    Close,
    LBracket,
    RBracket,
    Comma,
}

fn tokens(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Tok::Open);
            }
            ')' => {
                chars.next();
                out.push(Tok::Close);
            }
            '[' => {
                chars.next();
                out.push(Tok::LBracket);
            }
            ']' => {
                chars.next();
                out.push(Tok::RBracket);
            }
            ',' => {
                chars.next();
                out.push(Tok::Comma);
            }
            '"' | '\'' => {
                chars.next();
                let mut w = String::new();
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some(x) => w.push(x),
                        None => return Err("an unterminated quoted value".to_string()),
                    }
                }
                out.push(Tok::Word(w));
            }
            _ => {
                let mut w = String::new();
                while let Some(&x) = chars.peek() {
                    if x.is_whitespace() || "()[],\"'".contains(x) {
                        break;
                    }
                    w.push(x);
                    chars.next();
                }
                out.push(Tok::Word(w));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn peek_word(&self, words: &[&str]) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if words.iter().any(|x| x.eq_ignore_ascii_case(w)))
    }
    fn or(&mut self, depth: usize) -> Result<Expr, String> {
        let mut left = self.and(depth)?;
        while self.peek_word(&["or", "||"]) {
            self.next();
            let right = self.and(depth)?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    fn and(&mut self, depth: usize) -> Result<Expr, String> {
        let mut left = self.factor(depth)?;
        while self.peek_word(&["and", "&&"]) {
            self.next();
            let right = self.factor(depth)?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    fn factor(&mut self, depth: usize) -> Result<Expr, String> {
        if depth > 32 {
            return Err("parentheses nested too deeply".to_string());
        }
        if self.peek() == Some(&Tok::Open) {
            self.next();
            let e = self.or(depth + 1)?;
            return match self.next() {
                Some(Tok::Close) => Ok(e),
                _ => Err("a missing ')'".to_string()),
            };
        }
        let subject = match self.next() {
            Some(Tok::Word(w)) => subject(&w)?,
            _ => return Err("a missing subject (attribute:<name>, ec2InstanceId...)".to_string()),
        };
        let op = match self.next() {
            Some(Tok::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "==" | "equals" => Op::Eq,
                "!=" | "not_equals" => Op::Ne,
                "in" => Op::In,
                "not_in" => Op::NotIn,
                "exists" => Op::Exists,
                other => {
                    return Err(format!(
                        "the operator '{other}', which this tool does not evaluate"
                    ));
                }
            },
            _ => return Err("a missing operator".to_string()),
        };
        let values = match op {
            Op::Exists => Vec::new(),
            Op::Eq | Op::Ne => match self.next() {
                Some(Tok::Word(w)) => vec![w],
                _ => return Err("a missing value".to_string()),
            },
            Op::In | Op::NotIn => self.list()?,
        };
        Ok(Expr::Cmp {
            subject,
            op,
            values,
        })
    }
    fn list(&mut self) -> Result<Vec<String>, String> {
        if self.next() != Some(Tok::LBracket) {
            return Err("a missing '[' after in".to_string());
        }
        let mut values = Vec::new();
        loop {
            match self.next() {
                Some(Tok::Word(w)) => values.push(w),
                Some(Tok::RBracket) if values.is_empty() => return Ok(values),
                _ => return Err("a malformed list".to_string()),
            }
            match self.next() {
                Some(Tok::Comma) => continue,
                Some(Tok::RBracket) => return Ok(values),
                _ => return Err("a malformed list".to_string()),
            }
        }
    }
}

fn subject(w: &str) -> Result<Subject, String> {
    if let Some(name) = w.strip_prefix("attribute:") {
        if name.is_empty() {
            return Err("an empty attribute name".to_string());
        }
        return Ok(Subject::Attribute(name.to_string()));
    }
    match w {
        "ec2InstanceId" => Ok(Subject::Ec2InstanceId),
        "agentConnected" => Ok(Subject::AgentConnected),
        other => Err(format!(
            "the subject '{other}', which this tool does not evaluate"
        )),
    }
}

/// Parses an expression, or says which part this tool does not understand.
pub fn parse(s: &str) -> Result<Expr, String> {
    let toks = tokens(s)?;
    if toks.is_empty() {
        return Err("an empty expression".to_string());
    }
    let mut p = Parser { toks, pos: 0 };
    let e = p.or(0)?;
    if p.pos < p.toks.len() {
        return Err("trailing text after the expression".to_string());
    }
    Ok(e)
}

/// Whether an instance satisfies the expression; `None` when the facts cannot tell (an
/// unknown agent state).
pub fn satisfies(e: &Expr, i: &ContainerInstanceFacts) -> Option<bool> {
    match e {
        Expr::And(a, b) => match (satisfies(a, i), satisfies(b, i)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        Expr::Or(a, b) => match (satisfies(a, i), satisfies(b, i)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        Expr::Cmp {
            subject,
            op,
            values,
        } => {
            let actual: Option<String> = match subject {
                Subject::Attribute(name) => i.attributes.get(name).cloned(),
                Subject::Ec2InstanceId => i.ec2_instance_id.clone(),
                Subject::AgentConnected => match i.agent_connected {
                    Some(b) => Some(b.to_string()),
                    None => return None,
                },
            };
            let hit = |v: &String| actual.as_deref().is_some_and(|a| a == v);
            Some(match op {
                Op::Exists => actual.is_some(),
                Op::Eq | Op::In => values.iter().any(hit),
                Op::Ne | Op::NotIn => !values.iter().any(hit),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn inst(kind: &str, az: &str) -> ContainerInstanceFacts {
        let mut i = ContainerInstanceFacts {
            ec2_instance_id: Some("i-1".into()),
            agent_connected: Some(true),
            ..ContainerInstanceFacts::default()
        };
        i.attributes.insert("ecs.instance-type".into(), kind.into());
        i.attributes
            .insert("ecs.availability-zone".into(), az.into());
        i
    }

    fn check(expr: &str, i: &ContainerInstanceFacts) -> Option<bool> {
        satisfies(&parse(expr).expect(expr), i)
    }

    #[test]
    fn evaluates_the_common_forms() {
        let i = inst("t3.small", "us-east-1a");
        assert_eq!(
            check("attribute:ecs.instance-type == t3.small", &i),
            Some(true)
        );
        assert_eq!(
            check("attribute:ecs.instance-type != t3.small", &i),
            Some(false)
        );
        assert_eq!(
            check("attribute:ecs.instance-type equals m5.large", &i),
            Some(false)
        );
        assert_eq!(
            check(
                "attribute:ecs.availability-zone in [us-east-1b, us-east-1a]",
                &i
            ),
            Some(true)
        );
        assert_eq!(
            check("attribute:ecs.availability-zone not_in [us-east-1a]", &i),
            Some(false)
        );
        assert_eq!(
            check(
                "attribute:ecs.instance-type == m5.large or attribute:ecs.availability-zone == us-east-1a",
                &i
            ),
            Some(true)
        );
        assert_eq!(
            check(
                "(attribute:ecs.instance-type == t3.small) and attribute:stack == prod",
                &i
            ),
            Some(false)
        );
        assert_eq!(check("attribute:stack exists", &i), Some(false));
        assert_eq!(check("ec2InstanceId in ['i-1', 'i-2']", &i), Some(true));
        assert_eq!(check("agentConnected == true", &i), Some(true));
    }

    #[test]
    fn rejects_what_it_does_not_evaluate() {
        for e in [
            "attribute:ecs.instance-type =~ t2.*",
            "task:group == service:web",
            "runningTasksCount > 1",
            "attribute:a == b and",
            "attribute:a in [b",
            "",
            "((attribute:a == b)",
        ] {
            assert!(parse(e).is_err(), "{e}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            if let Ok(e) = parse(&s) {
                let _ = satisfies(&e, &inst("t3.small", "us-east-1a"));
            }
        }

        #[test]
        fn never_panics_on_query_like_text(s in "[a-z:.()\\[\\], =!&|'\"_-]{0,60}") {
            if let Ok(e) = parse(&s) {
                let _ = satisfies(&e, &inst("t3.small", "us-east-1a"));
            }
        }
    }
}
