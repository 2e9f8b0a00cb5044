//! Fuzzes `valueFrom` parsing (Secrets Manager ARNs with their optional fields, SSM
//! parameter ARNs and names): never a panic, an error always says what is wrong, and a
//! secret's ID is the start of what was written.

#![no_main]

use ecs_task_doctor_fuzz::reference::Reference;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match Reference::parse(s) {
        Ok(r) => {
            let _ = r.region();
            if let Some(secret) = r.referenced_secret() {
                let _ = secret.uses_extended_fields();
                assert!(!secret.name.is_empty(), "{s:?}");
            }
            if let Reference::Secret(secret) = &r {
                assert!(s.starts_with(&secret.secret_id), "{s:?} -> {secret:?}");
            }
        }
        Err(why) => assert!(!why.is_empty(), "{s:?}"),
    }
});
