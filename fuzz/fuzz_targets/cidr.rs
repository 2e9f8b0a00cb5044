//! Fuzzes CIDR, address and port parsing as the network rules use it: never a panic,
//! a parsed range prints back to itself, and a range covers and overlaps itself.

#![no_main]

use ecs_task_doctor_fuzz::cidr::{contains, covered_by_union, ip, net, overlaps, port_range};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first 8 bytes are two port numbers as AWS might report them (any i32).
    if data.len() >= 8 {
        let from = i32::from_le_bytes(data[0..4].try_into().unwrap());
        let to = i32::from_le_bytes(data[4..8].try_into().unwrap());
        for protocol in ["tcp", "6", "-1", "udp", "icmp"] {
            if let Some((lo, hi)) = port_range(protocol, Some(from), Some(to)) {
                assert!(lo <= hi, "{protocol} {from} {to} -> {lo}..{hi}");
            }
        }
    }
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = port_range(s, None, None);
    if let Some(n) = net(s) {
        assert_eq!(net(&n.to_string()), Some(n), "{s:?}");
        assert!(contains(&n, &n) && overlaps(&n, &n));
        assert!(covered_by_union(&n, &[n]));
        assert!(covered_by_union(&n, &[n, n]));
    }
    if let Some(a) = ip(s) {
        assert!(net(s).is_some_and(|n| n.contains(&a)), "{s:?}");
    }
    // Two ranges from one input: the halves either side of the first ';'.
    if let Some((a, b)) = s.split_once(';')
        && let (Some(a), Some(b)) = (net(a), net(b))
    {
        assert_eq!(overlaps(&a, &b), overlaps(&b, &a));
        if contains(&a, &b) {
            assert!(overlaps(&a, &b) && covered_by_union(&b, &[a]));
        }
    }
});
