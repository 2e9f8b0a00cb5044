use super::Code;
/// stub
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation { pub title: &'static str, pub text: &'static str, pub docs: &'static [&'static str] }
pub(super) fn explanation(_code: Code) -> Explanation { Explanation { title: "stub", text: "stub", docs: &[] } }
