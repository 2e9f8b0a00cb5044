//! Fuzzes the image reference parser: it must never panic, and every reference it accepts
//! must print to a form that parses back to the same value.

#![no_main]

use ecs_task_doctor_fuzz::image_ref::ImageRef;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(r) = ImageRef::parse(s) {
        let _ = (
            r.ecr(),
            r.repository_arn(),
            r.port(),
            r.host(),
            r.registry_kind(),
        );
        let printed = r.to_string();
        assert_eq!(
            ImageRef::parse(&printed).as_ref(),
            Ok(&r),
            "{s:?} printed as {printed:?}"
        );
    }
});
