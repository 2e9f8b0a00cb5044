//! Snapshots: saved Facts, replayed offline to the identical report.
//!
//! A snapshot is what a user attaches to a ticket instead of account access, and what
//! the EventBridge path keeps as the record of a failure. Loading is defensive: size
//! limit first, then a parse whose errors name the JSON path, then a version check.

use std::path::Path;

use crate::facts::{FACTS_VERSION, Facts, Readable};

/// The largest snapshot we read: far above any real one, small enough to refuse junk fast.
pub const MAX_SNAPSHOT_BYTES: u64 = 16 * 1024 * 1024;

/// Why a snapshot could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is too large to be a snapshot: it has more than [`MAX_SNAPSHOT_BYTES`] bytes
    /// (how many more is not read to find out: `/dev/zero` has no end).
    #[error("{path}: over the {MAX_SNAPSHOT_BYTES}-byte snapshot limit")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// The file is not a valid snapshot.
    #[error("{path} is not an ecs-task-doctor snapshot: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, with the JSON path.
        message: String,
    },
    /// The snapshot was written by a newer version.
    #[error(
        "{path} has facts version {found}; this build reads up to {FACTS_VERSION}: upgrade ecs-task-doctor"
    )]
    TooNew {
        /// The file.
        path: String,
        /// Its version.
        found: u32,
    },
}

/// Parses a snapshot from bytes; `path` only names it in errors.
pub fn from_slice(bytes: &[u8], path: &str) -> Result<Facts, SnapshotError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let facts: Facts = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let p = e.path().to_string();
        let inner = e.into_inner();
        SnapshotError::Invalid {
            path: path.to_string(),
            message: if p == "." {
                inner.to_string()
            } else {
                format!("at '{p}': {inner}")
            },
        }
    })?;
    de.end().map_err(|e| SnapshotError::Invalid {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    if facts.facts_version > FACTS_VERSION {
        return Err(SnapshotError::TooNew {
            path: path.to_string(),
            found: facts.facts_version,
        });
    }
    // A snapshot is untrusted input, possibly written before redaction existed or by hand:
    // its task texts are redacted as collected ones are (DESIGN §7).
    let mut facts = facts;
    if let Readable::Read { value } = &mut facts.task {
        crate::redact::redact_lookup(value);
    }
    Ok(facts)
}

/// Reads a snapshot file, or a device, pipe or FIFO (`/dev/stdin`): through
/// [`crate::input::read_file`], so that the size limit holds for inputs whose metadata
/// length is 0. A FIFO with no writer blocks here; the CLI runs this within its deadline.
pub fn load(path: &Path) -> Result<Facts, SnapshotError> {
    let name = path.display().to_string();
    let bytes = crate::input::read_file(path, MAX_SNAPSHOT_BYTES).map_err(|e| match e {
        crate::input::ReadError::Io(source) => SnapshotError::Io {
            path: name.clone(),
            source,
        },
        crate::input::ReadError::TooLarge { .. } => SnapshotError::TooLarge { path: name.clone() },
    })?;
    from_slice(&bytes, &name)
}

/// The snapshot text: pretty JSON with a final newline, stable for the same Facts. Written
/// by [`crate::render::json_pretty`], so that the account's text in it (stop reasons,
/// descriptions) carries no raw C1, bidi or zero-width character when someone `cat`s it.
pub fn to_string(facts: &Facts) -> String {
    crate::render::json_pretty(facts)
}

/// Writes a snapshot file.
pub fn save(path: &Path, facts: &Facts) -> Result<(), SnapshotError> {
    std::fs::write(path, to_string(facts)).map_err(|source| SnapshotError::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_path_and_the_problem() {
        let e = from_slice(b"{\"factsVersion\": 1, \"region\": 5}", "x.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("x.json is not an ecs-task-doctor snapshot") && e.contains("region"),
            "{e}"
        );
        let e = from_slice(b"[]", "y.json").unwrap_err().to_string();
        assert!(e.contains("y.json"), "{e}");
        let e = from_slice(b"", "z.json").unwrap_err().to_string();
        assert!(e.contains("EOF"), "{e}");
    }

    #[test]
    fn an_input_with_no_length_is_refused_at_the_limit() {
        // /dev/zero's metadata length is 0; it is refused after MAX_SNAPSHOT_BYTES + 1 bytes.
        let e = load(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(e, SnapshotError::TooLarge { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "/dev/zero: over the 16777216-byte snapshot limit"
        );
        let e = load(Path::new("/nonexistent/s.json")).unwrap_err();
        assert!(matches!(e, SnapshotError::Io { .. }), "{e}");
    }

    #[test]
    fn newer_versions_are_refused() {
        let text = include_str!("../examples/fargate-cannot-pull.json")
            .replace("\"factsVersion\": 1", "\"factsVersion\": 99");
        assert!(matches!(
            from_slice(text.as_bytes(), "n"),
            Err(SnapshotError::TooNew { found: 99, .. })
        ));
    }

    #[test]
    fn a_loaded_snapshot_has_its_task_texts_redacted() {
        let text = include_str!("../examples/fargate-cannot-pull.json");
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        let task = &mut v["task"]["value"]["task"];
        assert!(task.is_object(), "the example's task moved: {v:#}");
        let url = "https://prod-us-east-1-starport-layer-bucket.s3.amazonaws.com/x?X-Amz-Credential=AKIAFAKECREDENTIAL01%2F1&X-Amz-Signature=fakesig0123";
        task["stoppedReason"] =
            serde_json::json!(format!("CannotPullContainerError: Get {url}: i/o timeout"));
        task["containers"][0]["reason"] = serde_json::json!(format!("Get {url}"));
        let facts = from_slice(serde_json::to_string(&v).unwrap().as_bytes(), "s").unwrap();
        let saved = to_string(&facts);
        assert!(
            !saved.contains("AKIAFAKECREDENTIAL01") && !saved.contains("fakesig0123"),
            "{saved}"
        );
        assert!(saved.contains("X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED"));
    }

    #[test]
    fn the_shipped_example_round_trips() {
        let text = include_str!("../examples/fargate-cannot-pull.json");
        let facts = from_slice(text.as_bytes(), "example").unwrap();
        assert_eq!(
            to_string(&facts),
            text,
            "the example is not in canonical form; regenerate it"
        );
    }
}
