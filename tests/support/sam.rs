//! `sam` (AWS SAM CLI) from its own pinned venv. Owned by the template tests.
