//! A large VPC around the shipped example, shared by tests/hostile_input.rs (the report stays
//! right and within its limits) and benches/judge.rs (judge stays fast).

use serde_json::{Value, json};

const EXAMPLE: &str = include_str!("../../examples/fargate-cannot-pull.json");

/// The example VPC with 2,000 more rules on the task's security group (none of them HTTPS
/// to S3), 500 more routes (none of them for S3), 50 more interface endpoints and 20 more
/// NACLs of 25 entries each on other subnets: the largest VPC a real account plausibly has
/// around one task. The diagnosis must stay the example's.
pub fn large_vpc() -> Value {
    let mut v: Value = serde_json::from_str(EXAMPLE).expect("the shipped example");
    let n = &mut v["network"];
    let groups = n["securityGroups"]["value"].as_array_mut().unwrap();
    let task_sg = &mut groups[0]["rules"];
    for i in 0..2000u32 {
        let port = 1000 + i; // never 443
        let rule = match i % 4 {
            0 => {
                json!({"ruleId": format!("sgr-{i:017x}"), "egress": true, "protocol": "tcp", "fromPort": port, "toPort": port, "cidr": "10.20.0.0/16", "description": format!("rule {i}")})
            }
            1 => {
                json!({"ruleId": format!("sgr-{i:017x}"), "egress": true, "protocol": "udp", "fromPort": port, "toPort": port, "cidr": "0.0.0.0/0", "description": format!("rule {i}")})
            }
            2 => {
                json!({"ruleId": format!("sgr-{i:017x}"), "egress": true, "protocol": "tcp", "fromPort": port, "toPort": port, "referencedGroupId": "sg-07d3e5b9c1a2f4e68"})
            }
            _ => {
                json!({"ruleId": format!("sgr-{i:017x}"), "egress": false, "protocol": "tcp", "fromPort": port, "toPort": port, "ipv6Cidr": "::/0"})
            }
        };
        task_sg.as_array_mut().unwrap().push(rule);
    }
    let tables = n["routeTables"]["value"].as_array_mut().unwrap();
    let routes = tables[1]["routes"].as_array_mut().unwrap();
    for i in 0..500u32 {
        routes.push(json!({
            "destinationCidr": format!("172.{}.{}.0/24", 16 + i / 256, i % 256),
            "target": {"kind": if i % 2 == 0 { "transitGateway" } else { "vpcPeering" }, "id": format!("{}-{i:017x}", if i % 2 == 0 { "tgw" } else { "pcx" })},
            "state": if i % 7 == 0 { "blackhole" } else { "active" }
        }));
    }
    let template_eni = n["endpointEnis"]["value"][0].clone();
    for i in 0..50u32 {
        let eni_id = format!("eni-{i:017x}");
        let mut eni = template_eni.clone();
        eni["id"] = json!(eni_id);
        eni["privateIp"] = json!(format!("10.20.9.{}", i + 10));
        n["endpointEnis"]["value"].as_array_mut().unwrap().push(eni);
        n["vpcEndpoints"]["value"].as_array_mut().unwrap().push(json!({
            "id": format!("vpce-{i:017x}"), "serviceName": format!("com.amazonaws.us-east-1.service{i}"),
            "endpointType": "Interface", "state": "available", "privateDnsEnabled": true,
            "subnetIds": ["subnet-0a1b2c3d4e5f60718"], "networkInterfaceIds": [eni_id],
            "securityGroupIds": ["sg-07d3e5b9c1a2f4e68"], "routeTableIds": [],
            "policyDocument": "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"*\"}]}"
        }));
    }
    let nacls = n["networkAcls"]["value"].as_array_mut().unwrap();
    for i in 0..20u32 {
        let entries: Vec<Value> = (0..25u32)
            .map(|k| {
                json!({
                    "ruleNumber": 100 + k * 10, "egress": k % 2 == 0, "protocol": "6",
                    "action": if k % 3 == 0 { "deny" } else { "allow" },
                    "cidr": format!("10.{}.{k}.0/24", 100 + i), "ipv6Cidr": null,
                    "fromPort": 1024 + k, "toPort": 2048 + k
                })
            })
            .collect();
        nacls.push(json!({
            "id": format!("acl-{i:017x}"), "isDefault": false,
            "subnetIds": [format!("subnet-{i:017x}")], "entries": entries
        }));
    }
    v
}
