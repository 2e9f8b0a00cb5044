//! Fuzzes ARN, cluster and task reference parsing: never a panic, and whatever parses
//! prints back (Display / `for_api`) to a string that parses to the same value.

#![no_main]

use ecs_task_doctor_fuzz::arn::{Arn, ClusterRef, TaskRef};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match Arn::parse(s) {
        Ok(a) => assert_eq!(Arn::parse(&a.to_string()).as_ref(), Ok(&a), "{s:?}"),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    match ClusterRef::parse(s) {
        Ok(c) => {
            assert!(!c.name.is_empty());
            assert_eq!(ClusterRef::parse(&c.for_api()).as_ref(), Ok(&c), "{s:?}");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    match TaskRef::parse(s) {
        Ok(t) => {
            assert!(!t.id.is_empty());
            assert_eq!(TaskRef::parse(&t.for_api()).as_ref(), Ok(&t), "{s:?}");
            if let Some(a) = &t.arn {
                assert!(t.matches_arn(&a.to_string()));
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
