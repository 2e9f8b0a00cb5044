//! Fuzzes the event parser on arbitrary bytes (seeded with the four callers' real events in
//! `events/`): it must never panic, must refuse with a message that says something, and an
//! event it accepts must be usable by what comes next (Region check, the event's Facts).

#![no_main]

use ecs_task_doctor_fuzz::request::{Request, Target};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let from_bytes = Request::from_slice(data);
    match &from_bytes {
        Err(e) => assert!(!e.to_string().is_empty()),
        Ok(Request::Diagnose(d)) => {
            let _ = d.check_region("us-east-1");
            if let Target::Event(ev) = &d.target {
                let facts = ev.detail.to_facts();
                let _ = serde_json::to_string(&facts).expect("facts serialise");
            }
        }
        Ok(Request::Sweep(s)) => {
            assert!((1..=1440).contains(&s.lookback_minutes));
        }
    }
    // The Lambda runtime hands the handler a parsed value: both entry points must agree.
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let from_value = Request::from_value(value);
        assert_eq!(
            from_value.is_ok(),
            from_bytes.is_ok(),
            "{from_value:?} vs {from_bytes:?}"
        );
    }
});
