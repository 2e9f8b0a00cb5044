//! Reading untrusted input files: within a size limit and within the time budget.
//!
//! A file's metadata length says nothing about `/dev/zero`, a pipe or a FIFO (all 0), so a
//! size limit checked against it can be bypassed: `diagnose --snapshot /dev/zero` grew to
//! 22 GB before the kernel killed it (issue 16). Every input path (a snapshot, an event,
//! `/dev/stdin`) therefore reads through [`read_bounded`], which stops one byte past the limit.
//! And opening a FIFO with no writer blocks forever, inside `open` itself: [`within`] runs such
//! work (and a snapshot's judgement) on its own thread and stops waiting for it at the run's
//! deadline, so `--timeout` bounds the whole run, input included.

use std::io::Read;
use std::path::Path;
use std::time::Instant;

/// Why an input file could not be read within its limit.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The input has more than `limit` bytes (how many more is not read to find out).
    #[error("over the {limit}-byte limit")]
    TooLarge {
        /// The limit it passed.
        limit: u64,
    },
}

/// Reads `reader` to its end, refusing at `limit + 1` bytes: memory stays bounded by the
/// limit whatever the source claims or never says about its length.
pub fn read_bounded(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Opens `path` and reads it with [`read_bounded`], because an input path can name a device,
/// a pipe or a FIFO as well as a file.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_bounded(std::fs::File::open(path)?, limit)
}

/// Why [`within`] has no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unfinished {
    /// The deadline passed first: the caller says which timeout it was.
    #[error("the deadline passed first")]
    Deadline,
    /// The work ended without a result: it panicked (the panic message is already on
    /// stderr), or no thread could be started for it.
    #[error("the work stopped without a result")]
    Failed,
}

/// Runs `work` on a thread of its own and waits for its result until `deadline`. Input work
/// (an `open` blocked on a FIFO, a read, a judgement that takes too long) cannot be
/// cancelled, only left behind: the thread is detached and ends with the process.
///
/// Blocking: from async code, call it through `tokio::task::spawn_blocking`, which then
/// returns by the deadline (a runtime waits at shutdown for a blocking task that never ends;
/// this one always ends).
pub fn within<T: Send + 'static>(
    deadline: Instant,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Unfinished> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|_| Unfinished::Failed)?;
    rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .map_err(|e| match e {
            std::sync::mpsc::RecvTimeoutError::Timeout => Unfinished::Deadline,
            std::sync::mpsc::RecvTimeoutError::Disconnected => Unfinished::Failed,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A reader that never ends and never says how long it is, like `/dev/zero`.
    struct Endless;
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(b' ');
            Ok(buf.len())
        }
    }

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        let at = vec![b'x'; 1000];
        assert_eq!(read_bounded(&at[..], 1000).unwrap(), at);
        assert_eq!(read_bounded(&at[..999], 1000).unwrap(), &at[..999]);
        assert!(read_bounded(&b""[..], 0).unwrap().is_empty());
        let e = read_bounded(&at[..], 999).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { limit: 999 }), "{e}");
        assert_eq!(e.to_string(), "over the 999-byte limit");
        assert!(matches!(
            read_bounded(&b"x"[..], 0),
            Err(ReadError::TooLarge { limit: 0 })
        ));
    }

    #[test]
    fn an_endless_reader_is_cut_one_byte_past_the_limit() {
        let limit = 4 * 1024 * 1024;
        let mut counted = CountingReader(Endless, 0);
        assert!(matches!(
            read_bounded(&mut counted, limit),
            Err(ReadError::TooLarge { .. })
        ));
        assert_eq!(counted.1, limit + 1, "read past the limit");
    }

    struct CountingReader<R>(R, u64);
    impl<R: Read> Read for CountingReader<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1 += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn files_and_devices_are_read_through_the_limit() {
        let dir = std::env::temp_dir().join(format!("input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("small.json");
        std::fs::write(&f, b"{}").unwrap();
        assert_eq!(read_file(&f, 2).unwrap(), b"{}");
        assert!(matches!(
            read_file(&f, 1),
            Err(ReadError::TooLarge { limit: 1 })
        ));
        assert!(matches!(
            read_file(&dir.join("missing"), 10),
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound
        ));
        // Length 0 by its metadata, endless by reading.
        if Path::new("/dev/zero").exists() {
            assert!(matches!(
                read_file(Path::new("/dev/zero"), 1 << 20),
                Err(ReadError::TooLarge { .. })
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn within_returns_the_result_or_gives_up_at_the_deadline() {
        let soon = Instant::now() + Duration::from_secs(30);
        assert_eq!(within(soon, || 6 * 7), Ok(42));
        let started = Instant::now();
        let deadline = started + Duration::from_millis(200);
        let never = within(deadline, || {
            std::thread::sleep(Duration::from_secs(30));
            1
        });
        assert_eq!(never, Err(Unfinished::Deadline));
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(200) && waited < Duration::from_secs(20),
            "{waited:?}"
        );
        // A deadline already past: no wait for work that is still running.
        let past = Instant::now();
        assert_eq!(
            within(past, || std::thread::sleep(Duration::from_secs(30))),
            Err(Unfinished::Deadline)
        );
        // A panic is no result, and not a timeout.
        assert_eq!(
            within(soon, || -> u8 { panic!("a bug in the work") }),
            Err(Unfinished::Failed)
        );
    }
}
