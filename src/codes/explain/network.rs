//! The explanations of the network stage: routes, endpoints, DNS, security groups, NACLs and endpoint policies.

use super::Explanation;
use super::links::*;

/// `NET_NO_PATH_TO_SERVICE`.
pub(super) const NET_NO_PATH_TO_SERVICE: Explanation = Explanation {
    title: "No route, endpoint or gateway carries traffic to a service the start needs",
    text: r#"What it means
For a destination the start needs (the ECR API `api.ecr.<region>.amazonaws.com`, the registry
`<account-id>.dkr.ecr.<region>.amazonaws.com`, the S3 layer bucket
`prod-<region>-starport-layer-bucket`, CloudWatch Logs, Secrets Manager, SSM Parameter Store, or a
registry outside ECR) neither way in works. There is no usable VPC endpoint for it (an interface
endpoint with private DNS, or for S3 a gateway endpoint on the route table), and the subnet's route
table (its explicit association, else the VPC's main route table) has no usable route to the
internet: to an `available` NAT gateway, or to an internet gateway with a public IP on the ENI. The
evidence names the route table and destination, and which of the two paths is closer to working; a
more specific finding (`NET_ENDPOINT_MISSING`, `NET_PUBLIC_IP_MISSING`, ...) names the missing
piece.
For Fargate (platform version 1.4.0 and later) this is the task's own network interface: the image
pull, the secrets and the log traffic go through it. For the EC2 launch type it is the task's ENI
(awsvpc) or the container instance's (bridge, host); the evidence's `eniId` names the one evaluated.

Why the task cannot start
The connection times out and the task stops. Typical stop reasons: `CannotPullContainerError: ...
net/http: request canceled while waiting for connection`, `... dial tcp <ip>:443: i/o timeout`, `...
There is a connection issue between the task and Amazon ECR. Check your task network
configuration.`, or on Fargate `DockerTimeoutError: Could not transition to started; timed out after
waiting 3m0s`.

How to confirm by hand
The report's evidence names the subnet (`subnetId`), the ENI (`eniId`) and the route table
(`routeTableId`). From the task (the attachment details stay after the stop) and the subnet:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --query 'tasks[0].attachments[?type==`ElasticNetworkInterface`].details[]'
    aws ec2 describe-subnets --subnet-ids <subnet-id> --query 'Subnets[].{vpc:VpcId,cidr:CidrBlock}'
The subnet's route table is the one explicitly associated with it; when the first command returns
nothing, the VPC's main route table applies (the second):
    aws ec2 describe-route-tables --filters Name=association.subnet-id,Values=<subnet-id> --query 'RouteTables[].RouteTableId'
    aws ec2 describe-route-tables --filters Name=vpc-id,Values=<vpc-id> Name=association.main,Values=true --query 'RouteTables[].RouteTableId'
Then its routes, and the VPC's endpoints:
    aws ec2 describe-route-tables --route-table-ids <rtb-id> --query 'RouteTables[].Routes[].{dest:DestinationCidrBlock,prefixList:DestinationPrefixListId,gateway:GatewayId,nat:NatGatewayId,state:State}' --output table
    aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=<vpc-id> --query 'VpcEndpoints[].{service:ServiceName,type:VpcEndpointType,state:State,privateDns:PrivateDnsEnabled}' --output table
The condition holds when no `0.0.0.0/0` route leads to a NAT gateway (`nat`) or an internet
gateway (`igw-...`), and no endpoint in the list serves the destination: for the registry, no
`ecr.dkr` endpoint of type `Interface` with `privateDns` true; for the image layers, no `s3`
endpoint of type `Gateway` with its `pl-...` route in this table.

How to fix
Internet access and VPC endpoints are alternatives; complete one of them:
- Private subnet with a NAT gateway (the gateway sits in a public subnet):
    aws ec2 create-route --route-table-id <rtb-id> --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-gateway-id>
- Fargate only: a public subnet (default route to an internet gateway) with `assignPublicIp=ENABLED`
  (see `NET_PUBLIC_IP_MISSING`).
- No internet: interface endpoints for `ecr.api` and `ecr.dkr` with private DNS, an S3 gateway
  endpoint on this route table, and endpoints for `logs`, `secretsmanager` and `ssm` as the task
  needs them (see `NET_ENDPOINT_MISSING`).
A registry outside ECR needs the internet path (or a route to a self-hosted registry)."#,
    console: "Amazon VPC console > Route tables > {routeTableId|the task subnet's route table} > Actions > Edit routes > Add route: Destination 0.0.0.0/0, Target NAT Gateway (one in a public subnet) > Save changes; or, without internet, Endpoints > Create endpoint for each service the task needs",
    docs: &[
        FARGATE,
        ECR_ENDPOINTS,
        ECS_ENDPOINTS,
        KC_FARGATE_PULL,
        KC_DOCKER_TIMEOUT,
        VERIFY_CONNECTIVITY,
    ],
};

/// `NET_PUBLIC_IP_MISSING`.
pub(super) const NET_PUBLIC_IP_MISSING: Explanation = Explanation {
    title: "The subnet routes to an internet gateway but the ENI has no public IP",
    text: r#"What it means
The route that matches the destination targets an internet gateway (`igw-...`), but the network
interface the traffic leaves from has no public IPv4 address. For a Fargate task that is the task
ENI, whose public IP is decided at launch by `assignPublicIp` in `awsvpcConfiguration` (default
`DISABLED`). For the EC2 launch type with bridge or host networking it is the container instance's
interface.

Why the task cannot start
An internet gateway only carries traffic for interfaces that have a public IP; packets from a
private-only address get no answer, so the pull times out (`CannotPullContainerError: ... request
canceled while waiting for connection`). The ECS documentation: "For a Fargate task in a public
subnet to pull container images, a public IP address needs to be assigned to the task's elastic
network interface, with a route to the internet or a NAT gateway".

How to confirm by hand
The default route of the subnet's route table (the report's `routeTableId`) goes to the internet
gateway the report names (`internetGatewayId`, a `GatewayId` starting with `igw-`):
    aws ec2 describe-route-tables --route-table-ids <rtb-id> --query 'RouteTables[].Routes[?DestinationCidrBlock==`0.0.0.0/0`].{gateway:GatewayId,nat:NatGatewayId,state:State}'
While the task's ENI exists (ECS deletes it soon after the stop), `null` here means no public IP:
    aws ec2 describe-network-interfaces --network-interface-ids <eni-id> --query 'NetworkInterfaces[0].Association.PublicIp'
After the stop, what a service gives its tasks is in its network configuration; `DISABLED` (or no
value, the default) means no public IP:
    aws ecs describe-services --cluster <cluster> --services <service> --query 'services[0].networkConfiguration.awsvpcConfiguration.assignPublicIp'
For bridge or host networking, look at the container instance instead (`null` means none):
    aws ec2 describe-instances --instance-ids <instance-id> --query 'Reservations[0].Instances[0].PublicIpAddress'

How to fix
An existing task cannot be changed; start new tasks with a public IP. For a service (this starts a
new deployment):
    aws ecs update-service --cluster <cluster> --service <service> --network-configuration 'awsvpcConfiguration={subnets=[<subnet-id>],securityGroups=[<task-sg-id>],assignPublicIp=ENABLED}'
`aws ecs run-task` takes the same `--network-configuration`. Alternatively run the tasks in private
subnets with a NAT gateway, or give them VPC endpoints. EC2-launch-type awsvpc tasks can never get a
public IP (see `NET_AWSVPC_EC2_PUBLIC_SUBNET`); for bridge or host networking, give the container
instance a public IP or an Elastic IP:
    aws ec2 associate-address --instance-id <instance-id> --allocation-id <eipalloc-id>"#,
    console: "Amazon ECS console > Clusters > the task's cluster > Services > the service > Update > Networking > Public IP: Turned on > Update (if the console offers no Networking section, use aws ecs update-service as shown); a standalone task: Tasks > Run new task > Networking > Public IP: Turned on",
    docs: &[FARGATE, KC_FARGATE_PULL, KC_PENDING],
};

/// `NET_AWSVPC_EC2_PUBLIC_SUBNET`.
pub(super) const NET_AWSVPC_EC2_PUBLIC_SUBNET: Explanation = Explanation {
    title: "An EC2-launch-type awsvpc task is in a public subnet, where its ENI gets no public IP",
    text: r#"What it means
The task uses the EC2 launch type with the `awsvpc` network mode, and its ENI is in a subnet whose
route to the internet is an internet gateway. The ECS documentation: on the EC2 launch type, "task
ENIs aren't given public IP addresses. To access the internet, tasks must be launched in a private
subnet that's configured to use a NAT gateway".

Why the task cannot start
An internet gateway needs a public IP on the interface, and this task's ENI can never have one, so
traffic that leaves through the task ENI has no way to the internet: "Tasks that are launched within
public subnets do not have access to the internet." On the EC2 launch type some start-up work (the
image pull, possibly the secrets) may be done by the ECS agent through the container instance's own
network rather than the task ENI; the documentation this tool follows does not confirm which, so
compare with the stop reason: a network timeout in it points here.

How to confirm by hand
The launch type, the task definition and the ENI's subnet, then the task definition's network mode:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --query 'tasks[0].{launchType:launchType,taskDefinition:taskDefinitionArn,eni:attachments[?type==`ElasticNetworkInterface`].details[]}'
    aws ecs describe-task-definition --task-definition <task-definition-arn> --query 'taskDefinition.networkMode'
`EC2` with `awsvpc` is the combination this code is about. The subnet's default route (the
report's `routeTableId`) goes to an internet gateway (`igw-...`, the report's `internetGatewayId`)
rather than a NAT gateway:
    aws ec2 describe-route-tables --route-table-ids <rtb-id> --query 'RouteTables[].Routes[?DestinationCidrBlock==`0.0.0.0/0`].{gateway:GatewayId,nat:NatGatewayId,state:State}'

How to fix
Run the tasks in private subnets whose route table sends `0.0.0.0/0` to a NAT gateway (or give those
subnets the VPC endpoints the task needs). `assignPublicIp=ENABLED` is not supported for the EC2
launch type, so keep it `DISABLED`:
    aws ecs update-service --cluster <cluster> --service <service> --network-configuration 'awsvpcConfiguration={subnets=[<private-subnet-id>],securityGroups=[<task-sg-id>],assignPublicIp=DISABLED}'"#,
    console: "Amazon ECS console > Clusters > the task's cluster > Services > the service > Update > Networking > Subnets: private subnets whose route table sends 0.0.0.0/0 to a NAT gateway > Update (if the console offers no Networking section, use aws ecs update-service as shown)",
    docs: &[AWSVPC, FARGATE],
};

/// `NET_ROUTE_BLACKHOLE`.
pub(super) const NET_ROUTE_BLACKHOLE: Explanation = Explanation {
    title: "The matching route is a blackhole",
    text: r#"What it means
The most specific route for the destination in the subnet's route table has the state `blackhole`:
its target no longer exists (a deleted NAT gateway, a detached internet gateway, a deleted network
interface or instance, a deleted peering connection or transit gateway attachment). The route is
still the match, so a less specific route does not take over.

Why the task cannot start
Traffic to that destination is dropped. The start fails with connection timeouts, as described under
`NET_NO_PATH_TO_SERVICE`.

How to confirm by hand
List the blackhole routes of the table the report names (`routeTableId`), with their targets:
    aws ec2 describe-route-tables --route-table-ids <rtb-id> --query 'RouteTables[].Routes[?State==`blackhole`]'
An entry whose destination is the report's `route` value confirms it. Its target ID says what is
gone; looking the target up returns a not-found error or a deleted state, for example:
    aws ec2 describe-nat-gateways --nat-gateway-ids <nat-gateway-id> --query 'NatGateways[].State'
Check also that this table is the one the task's subnet uses (see `NET_NO_PATH_TO_SERVICE`).

How to fix
Point the route at a working target or delete it:
    aws ec2 replace-route --route-table-id <rtb-id> --destination-cidr-block <cidr> --nat-gateway-id <nat-gateway-id>
    aws ec2 delete-route --route-table-id <rtb-id> --destination-cidr-block <cidr>
For a route whose destination is a prefix list, use `--destination-prefix-list-id <pl-id>` instead
of `--destination-cidr-block`."#,
    console: "Amazon VPC console > Route tables > {routeTableId|the task subnet's route table} > Actions > Edit routes > the route to {route|the blackhole destination}: choose a working Target (for example an available NAT gateway), or Remove > Save changes",
    docs: &[FARGATE, KC_FARGATE_PULL],
};

/// `NET_NAT_GATEWAY_UNAVAILABLE`.
pub(super) const NET_NAT_GATEWAY_UNAVAILABLE: Explanation = Explanation {
    title: "The matching route targets a NAT gateway that is not available",
    text: r#"What it means
The route that carries the traffic targets a NAT gateway whose state is not `available`: it is
`pending`, `failed`, `deleting` or `deleted`.

Why the task cannot start
Only an available NAT gateway forwards traffic; through any other the connections time out and the
start fails as described under `NET_NO_PATH_TO_SERVICE`.

How to confirm by hand
The routes of the table the report names (`routeTableId`) that target a NAT gateway, then the
state of the gateway the report names (`natGatewayId`), with its failure message:
    aws ec2 describe-route-tables --route-table-ids <rtb-id> --query 'RouteTables[].Routes[?NatGatewayId].{dest:DestinationCidrBlock,nat:NatGatewayId,state:State}'
    aws ec2 describe-nat-gateways --nat-gateway-ids <nat-gateway-id> --query 'NatGateways[].{state:State,code:FailureCode,message:FailureMessage,subnet:SubnetId}'
A state other than `available`, or a not-found error (deleted gateways disappear from the list
after a while), confirms it.

How to fix
If the gateway is `pending`, wait and try again. Otherwise create a new NAT gateway in a public
subnet, with an Elastic IP, and point the route at it:
    aws ec2 create-nat-gateway --subnet-id <public-subnet-id> --allocation-id <eipalloc-id>
    aws ec2 replace-route --route-table-id <rtb-id> --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <new-nat-gateway-id>
For internet access the NAT gateway's own subnet must route `0.0.0.0/0` to an internet gateway."#,
    console: "Amazon VPC console > NAT gateways > Create NAT gateway (in a public subnet, Connectivity type Public, with an Elastic IP) > then Route tables > {routeTableId|the task subnet's route table} > Actions > Edit routes > 0.0.0.0/0: Target the new NAT gateway > Save changes",
    docs: &[FARGATE, KC_FARGATE_PULL],
};

/// `NET_ENDPOINT_MISSING`.
pub(super) const NET_ENDPOINT_MISSING: Explanation = Explanation {
    title: "Without internet access, a needed VPC endpoint is missing",
    text: r#"What it means
The task has no internet path, and the VPC lacks an endpoint for a service the start needs. The
endpoints, by need:
- `com.amazonaws.<region>.ecr.dkr` (interface, private DNS on): any image from private ECR.
- `com.amazonaws.<region>.ecr.api` (interface, private DNS on): private ECR on Fargate Linux
  platform version 1.4.0 and later, Fargate Windows, and EC2.
- `com.amazonaws.<region>.s3` (gateway, on the task subnet's route table): any image from private
  ECR, because the layers are stored in S3.
- `com.amazonaws.<region>.logs` (interface): the `awslogs` driver.
- `com.amazonaws.<region>.secretsmanager` (interface): Secrets Manager secrets, including private
  registry credentials.
- `com.amazonaws.<region>.ssm` (interface): SSM parameters.
- `com.amazonaws.<region>.ecs-agent`, `.ecs-telemetry` and `.ecs` (interface): container instances
  of the EC2 launch type (Fargate does not need them).
Whether a KMS endpoint is ever needed for the secrets is not confirmed, so it is not demanded.

Why the task cannot start
Without the endpoint the service's name resolves to its public addresses, and without internet
access nothing routes there: the call times out and the task stops (for ECR:
`CannotPullContainerError` or `unable to retrieve ecr registry auth ... i/o timeout`; for logs:
`failed to validate logger args: ... There is a connection issue between the task and Amazon
CloudWatch`; for secrets: `unable to retrieve secret from asm: There is a connection issue between
the task and AWS Secrets Manager`).

How to confirm by hand
Look for endpoints of the service the report names (`serviceName`; `ecr.dkr` in this example) in
the task's VPC:
    aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=<vpc-id> Name=service-name,Values=com.amazonaws.<region>.ecr.dkr --query 'VpcEndpoints[].{id:VpcEndpointId,type:VpcEndpointType,state:State}'
An empty list confirms the endpoint is missing (for S3, an entry of type `Gateway` is the one that
counts). That the task has no internet path either shows in the subnet's route table (the report's
`subnetId`; see `NET_NO_PATH_TO_SERVICE` when the subnet uses the main route table): no
`0.0.0.0/0` route to a NAT gateway, or to an internet gateway with a public IP on the ENI:
    aws ec2 describe-route-tables --filters Name=association.subnet-id,Values=<subnet-id> --query 'RouteTables[].Routes[?DestinationCidrBlock==`0.0.0.0/0`]'

How to fix
Create the missing endpoint, in the Availability Zones your tasks use; for interface endpoints give
them a security group that allows TCP 443 from the tasks:
    aws ec2 create-vpc-endpoint --vpc-id <vpc-id> --vpc-endpoint-type Interface --service-name com.amazonaws.<region>.ecr.dkr --subnet-ids <subnet-id> --security-group-ids <endpoint-sg-id> --private-dns-enabled
    aws ec2 create-vpc-endpoint --vpc-id <vpc-id> --vpc-endpoint-type Gateway --service-name com.amazonaws.<region>.s3 --route-table-ids <rtb-id>
Then the task's security group must allow egress TCP 443 to the interface endpoints and to the S3
prefix list (see `NET_SG_EGRESS_S3_PREFIX_LIST_MISSING`). A NAT gateway instead of endpoints is the
other complete solution."#,
    console: "Amazon VPC console > Endpoints > Create endpoint > AWS services > {serviceName|the missing com.amazonaws.<region> service} > the task's VPC > interface: the tasks' subnets, Enable DNS name, a security group allowing HTTPS from the tasks; S3 gateway: the task subnet's route table > Create endpoint",
    docs: &[
        ECR_ENDPOINTS,
        ECS_ENDPOINTS,
        FARGATE_PLATFORM,
        GATEWAY_ENDPOINTS,
    ],
};

/// `NET_S3_GATEWAY_NOT_ON_ROUTE_TABLE`.
pub(super) const NET_S3_GATEWAY_NOT_ON_ROUTE_TABLE: Explanation = Explanation {
    title: "The S3 gateway endpoint is not on the task subnet's route table",
    text: r#"What it means
The VPC has a gateway endpoint for `com.amazonaws.<region>.s3`, but the route table the task's
subnet actually uses (its explicit association, else the VPC's main route table) has no route to the
S3 prefix list (`pl-...`) through it. A gateway endpoint works only through the route tables it is
associated with. A frequent cause is a subnet without an explicit association that silently uses the
main route table, while the endpoint was associated with the others.

Why the task cannot start
ECR stores image layers in S3 (`prod-<region>-starport-layer-bucket`). Without the endpoint's route,
layer downloads follow the subnet's other routes; with no internet path they time out, typically
after the manifest was fetched through the `ecr.dkr` endpoint (a reported form: `error pulling image
configuration: Get https://prod-<region>-starport-layer-bucket.s3.amazonaws.com/...`). Note also
that a more specific route to S3's addresses beats the endpoint's prefix-list route.

How to confirm by hand
The route tables the gateway endpoint (the report's `vpcEndpointId`) is associated with:
    aws ec2 describe-vpc-endpoints --vpc-endpoint-ids <vpce-id> --query 'VpcEndpoints[].RouteTableIds'
The route table of the task's subnet (the report's `routeTableId`); if the first command returns
nothing, the subnet uses the main route table (the second):
    aws ec2 describe-route-tables --filters Name=association.subnet-id,Values=<subnet-id> --query 'RouteTables[].RouteTableId'
    aws ec2 describe-route-tables --filters Name=vpc-id,Values=<vpc-id> Name=association.main,Values=true --query 'RouteTables[].RouteTableId'
The condition holds when that table is not in the endpoint's list; its routes then show no entry
with the S3 prefix list (`pl-...`) as destination and the endpoint as target:
    aws ec2 describe-route-tables --route-table-ids <rtb-id> --query 'RouteTables[].Routes[?DestinationPrefixListId].{prefixList:DestinationPrefixListId,target:GatewayId}'

How to fix
Associate the endpoint with the route table the subnet uses:
    aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpce-id> --add-route-table-ids <rtb-id>
Then make sure the task's security group allows egress TCP 443 to the S3 prefix list
(`NET_SG_EGRESS_S3_PREFIX_LIST_MISSING`)."#,
    console: "Amazon VPC console > Endpoints > {vpcEndpointId|the S3 gateway endpoint} > Actions > Manage route tables > select {routeTableId|the task subnet's route table} > Modify route tables",
    docs: &[ECR_ENDPOINTS, GATEWAY_ENDPOINTS, MANAGED_PREFIX_LISTS],
};

/// `NET_S3_INTERFACE_ENDPOINT_ONLY`.
pub(super) const NET_S3_INTERFACE_ENDPOINT_ONLY: Explanation = Explanation {
    title: "Only an S3 interface endpoint exists, and ECR layer downloads cannot use it",
    text: r#"What it means
The VPC has an interface endpoint for S3, but no S3 gateway endpoint on the task subnet's route
table, and the task has no internet path. The ECR documentation is explicit: "The interface
endpoints for Amazon S3 can't be used with Amazon ECR."

Why the task cannot start
Image layers are downloaded from S3, and for ECR that path works without internet only through an S3
gateway endpoint. With only the interface endpoint, layer downloads have no path and the pull fails,
usually after the manifest was already fetched.

How to confirm by hand
Both kinds of S3 endpoint have the same service name; list the VPC's with their types:
    aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=<vpc-id> Name=service-name,Values=com.amazonaws.<region>.s3 --query 'VpcEndpoints[].{id:VpcEndpointId,type:VpcEndpointType,state:State,routeTables:RouteTableIds}'
Entries of type `Interface` only (the report's `vpcEndpointId` among them), and none of type
`Gateway`, confirm it. The missing internet path shows in the subnet's route table as no
`0.0.0.0/0` route to a NAT gateway or internet gateway (see `NET_NO_PATH_TO_SERVICE`).

How to fix
Create an S3 gateway endpoint on the task subnet's route table; the interface endpoint can stay, the
two kinds can exist side by side:
    aws ec2 create-vpc-endpoint --vpc-id <vpc-id> --vpc-endpoint-type Gateway --service-name com.amazonaws.<region>.s3 --route-table-ids <rtb-id>
Then allow egress TCP 443 to the S3 prefix list in the task's security group
(`NET_SG_EGRESS_S3_PREFIX_LIST_MISSING`)."#,
    console: "Amazon VPC console > Endpoints > Create endpoint > AWS services > com.amazonaws.<region>.s3 of type Gateway > the task's VPC > Route tables: the route table of {subnetId|the task's subnet} > Create endpoint",
    docs: &[ECR_ENDPOINTS, ECS_ENDPOINTS, GATEWAY_ENDPOINTS],
};

/// `NET_ENDPOINT_PRIVATE_DNS_DISABLED`.
pub(super) const NET_ENDPOINT_PRIVATE_DNS_DISABLED: Explanation = Explanation {
    title: "An interface endpoint has private DNS turned off",
    text: r#"What it means
An interface endpoint for a service the start needs (for example `ecr.dkr`, `ecr.api`, `logs`,
`secretsmanager`, `ssm`) exists, but its private DNS is off (`PrivateDnsEnabled` false). The
service's default name (such as `api.ecr.<region>.amazonaws.com`) then still resolves to the
service's public addresses; only the endpoint's own `vpce-...` names lead to the endpoint. For
`ecr.dkr` the ECR documentation requires private DNS.

Why the task cannot start
ECS calls the services by their default names, so with private DNS off the traffic goes to public
addresses. Without an internet path it times out and the task stops, as if the endpoint did not
exist.

How to confirm by hand
Look at the endpoint the report names (`vpcEndpointId`):
    aws ec2 describe-vpc-endpoints --vpc-endpoint-ids <vpce-id> --query 'VpcEndpoints[].{service:ServiceName,type:VpcEndpointType,state:State,privateDns:PrivateDnsEnabled}'
`privateDns` false confirms it. From inside the VPC (an instance in the task's subnets), the
service's default name then resolves to public addresses rather than the endpoint's private IPs,
for example with `nslookup api.ecr.<region>.amazonaws.com`.

How to fix
Turn private DNS on (it needs `enableDnsSupport` and `enableDnsHostnames` on the VPC, see
`NET_VPC_DNS_DISABLED`):
    aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpce-id> --private-dns-enabled"#,
    console: "Amazon VPC console > Endpoints > {vpcEndpointId|the interface endpoint} > Actions > Modify private DNS name > Enable private DNS names > Save changes",
    docs: &[ECR_ENDPOINTS, VPC_DNS, ECS_ENDPOINTS],
};

/// `NET_VPC_DNS_DISABLED`.
pub(super) const NET_VPC_DNS_DISABLED: Explanation = Explanation {
    title: "DNS support or DNS hostnames is turned off on the VPC",
    text: r#"What it means
The VPC attribute `enableDnsSupport` or `enableDnsHostnames` is false. With `enableDnsSupport` off,
the Amazon-provided resolver does not answer for the VPC. Private DNS for interface endpoints
requires both attributes to be true. Defaults: `enableDnsSupport` is true; `enableDnsHostnames` is
false except in a default VPC.

Why the task cannot start
The agent cannot resolve the ECR, S3, Logs or Secrets Manager names, or they resolve to public
addresses because endpoint private DNS cannot take effect; either way the start fails. The ECS
documentation on `ResourceInitializationError`: "A common cause for this error is using a VPC that
doesn't have DNS resolution enabled."

How to confirm by hand
Read the two attributes of the VPC (the report's `vpcId`), one per call:
    aws ec2 describe-vpc-attribute --vpc-id <vpc-id> --attribute enableDnsSupport --query 'EnableDnsSupport.Value'
    aws ec2 describe-vpc-attribute --vpc-id <vpc-id> --attribute enableDnsHostnames --query 'EnableDnsHostnames.Value'
`false` for either confirms it. The interface endpoints whose private DNS (`privateDns` true)
cannot take effect until both are true:
    aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=<vpc-id> Name=vpc-endpoint-type,Values=Interface --query 'VpcEndpoints[].{id:VpcEndpointId,service:ServiceName,privateDns:PrivateDnsEnabled}'

How to fix
Turn both on, one attribute per call, DNS support first:
    aws ec2 modify-vpc-attribute --vpc-id <vpc-id> --enable-dns-support '{"Value":true}'
    aws ec2 modify-vpc-attribute --vpc-id <vpc-id> --enable-dns-hostnames '{"Value":true}'
Then check that the interface endpoints have private DNS on (`NET_ENDPOINT_PRIVATE_DNS_DISABLED`)."#,
    console: "Amazon VPC console > Your VPCs > {vpcId|the task's VPC} > Actions > Edit VPC settings > DNS settings: select Enable DNS resolution and Enable DNS hostnames > Save changes",
    docs: &[VPC_DNS, STOPPED_TASK_ERRORS, RESOURCE_INIT, GUARDDUTY_ECS],
};

/// `NET_CUSTOM_DNS_SERVERS`.
pub(super) const NET_CUSTOM_DNS_SERVERS: Explanation = Explanation {
    title: "The VPC's DHCP options name custom DNS servers",
    text: r#"What it means
The DHCP option set of the VPC lists `domain-name-servers` other than `AmazonProvidedDNS`, so tasks
resolve names through those servers. The tool cannot see what those servers answer; it reports what
they must do.

Why the task cannot start
Two things must hold, or names fail to resolve or resolve to the wrong addresses and the start times
out:
- The servers must be reachable. Security groups and network ACLs never filter the Amazon-provided
  resolver, but traffic to your own DNS servers is filtered like any other: the task's security
  group needs egress UDP and TCP 53 to them, both subnets' network ACLs must pass the queries and
  answers, and a route must lead there.
- They must resolve AWS names correctly. Interface endpoints with private DNS answer only through
  the Amazon-provided resolver; the ECR documentation: "VPC endpoints only support AWS provided DNS
  through Amazon Route 53. If you want to use your own DNS, you can use conditional DNS forwarding."
  Without forwarding, the service names resolve to public addresses that the task may not reach.

How to confirm by hand
The VPC's DHCP option set and its DNS servers (the report's `dhcpOptionsId` and `dnsServers`):
    aws ec2 describe-vpcs --vpc-ids <vpc-id> --query 'Vpcs[].DhcpOptionsId'
    aws ec2 describe-dhcp-options --dhcp-options-ids <dopt-id> --query 'DhcpOptions[].DhcpConfigurations[?Key==`domain-name-servers`].Values[][].Value'
Addresses other than `AmazonProvidedDNS` confirm custom servers. Whether the task may reach them
shows in the outbound rules of its security groups: a `udp` and a `tcp` rule covering port 53 (or
protocol `-1`) toward the servers' addresses:
    aws ec2 describe-security-group-rules --filters Name=group-id,Values=<task-sg-id> --query 'SecurityGroupRules[?IsEgress].{proto:IpProtocol,from:FromPort,to:ToPort,cidr:CidrIpv4,toGroup:ReferencedGroupInfo.GroupId}' --output table
What the servers answer can only be seen from inside the VPC, for example with
`nslookup api.ecr.<region>.amazonaws.com <dns-server-ip>`: with interface endpoints in use, the
answer should be the endpoints' private IPs.

How to fix
Forward `amazonaws.com` (at least the service names the task uses) from your DNS servers to the
VPC's Amazon-provided resolver (the VPC CIDR base address plus two, or 169.254.169.253 from inside
the VPC). Allow DNS in the task's security group:
    aws ec2 authorize-security-group-egress --group-id <task-sg-id> --ip-permissions 'IpProtocol=udp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=<dns-server-ip>/32}]' 'IpProtocol=tcp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=<dns-server-ip>/32}]'
Or return the VPC to the Amazon-provided resolver:
    aws ec2 create-dhcp-options --dhcp-configurations 'Key=domain-name-servers,Values=AmazonProvidedDNS'
    aws ec2 associate-dhcp-options --dhcp-options-id <new-dopt-id> --vpc-id <vpc-id>"#,
    console: "Amazon VPC console > DHCP option sets > Create DHCP options set (Domain name servers: AmazonProvidedDNS) > then Your VPCs > {vpcId|the task's VPC} > Actions > Edit VPC settings > DHCP options set: the new set > Save changes; or keep {dnsServers|the custom servers} and forward AWS names from them",
    docs: &[VPC_DNS, ECR_ENDPOINTS, GATEWAY_ENDPOINTS],
};

/// `NET_SG_EGRESS_BLOCKED`.
pub(super) const NET_SG_EGRESS_BLOCKED: Explanation = Explanation {
    title: "The task security group does not allow the outbound traffic",
    text: r#"What it means
None of the security groups on the task's network interface has an egress rule that allows TCP 443
to the destination: the private IPs of an interface endpoint (its security group or a CIDR that
contains them), or the internet (`0.0.0.0/0`, or the destination's CIDR) through a NAT or internet
gateway. The rules of all the groups on an interface add up; one allowing rule is enough. A group
with no outbound rules allows no outbound traffic. The S3 gateway endpoint case has its own code,
`NET_SG_EGRESS_S3_PREFIX_LIST_MISSING`. DNS to the Amazon-provided resolver needs no rule: security
groups cannot filter it.

Why the task cannot start
The connection is dropped as it leaves the task, so the pull, the secret fetch or the log setup
times out. A private IP in the stop reason, for example `dial tcp 10.0.3.17:443: i/o timeout`, means
the name resolved to an interface endpoint and the connection to it was blocked. The AWS runbook
words it as "The IP's [...] resolved from domain name [...] is not allowed in the egress of Security
Group/s [...]".

How to confirm by hand
The report's `securityGroupIds` names the task's groups. AWS shows them on the ENI while it exists
and, for a service's task, in the service's network configuration:
    aws ecs describe-services --cluster <cluster> --services <service> --query 'services[0].networkConfiguration.awsvpcConfiguration.securityGroups'
The outbound rules of each group:
    aws ec2 describe-security-group-rules --filters Name=group-id,Values=<task-sg-id> --query 'SecurityGroupRules[?IsEgress].{group:GroupId,proto:IpProtocol,from:FromPort,to:ToPort,cidr:CidrIpv4,toGroup:ReferencedGroupInfo.GroupId,prefixList:PrefixListId}' --output table
The condition holds when no rule of any of the groups has protocol `tcp` with 443 in its port range
(or protocol `-1`) toward the destination: a `cidr` containing its address, or, for an interface
endpoint, a `toGroup` that is one of the endpoint's groups. An endpoint's groups and ENIs, and the
ENIs' private IPs:
    aws ec2 describe-vpc-endpoints --vpc-endpoint-ids <vpce-id> --query 'VpcEndpoints[].{groups:Groups[].GroupId,enis:NetworkInterfaceIds}'
    aws ec2 describe-network-interfaces --network-interface-ids <endpoint-eni-id> --query 'NetworkInterfaces[].PrivateIpAddress'

How to fix
Allow HTTPS out of the task's security group, to the endpoint's security group:
    aws ec2 authorize-security-group-egress --group-id <task-sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,UserIdGroupPairs=[{GroupId=<endpoint-sg-id>}]'
or to a CIDR: `IpRanges=[{CidrIp=<vpc-cidr>}]` for interface endpoints,
`IpRanges=[{CidrIp=0.0.0.0/0}]` through a NAT or internet gateway. Security groups are stateful: the
replies need no inbound rule on the task's group. For the S3 layer downloads through a gateway
endpoint, add the S3 prefix-list rule as well."#,
    console: "Amazon VPC console > Security groups > {securityGroupIds|the task's security group} > Outbound rules > Edit outbound rules > Add rule: Type HTTPS, Destination the endpoint's security group or CIDR (0.0.0.0/0 through a NAT or internet gateway) > Save rules",
    docs: &[SG_RULES, FARGATE_PLATFORM, VERIFY_CONNECTIVITY],
};

/// `NET_SG_EGRESS_S3_PREFIX_LIST_MISSING`.
pub(super) const NET_SG_EGRESS_S3_PREFIX_LIST_MISSING: Explanation = Explanation {
    title: "The task security group does not allow HTTPS to the S3 prefix list",
    text: r#"What it means
Image layers reach the task through the S3 gateway endpoint, the task's security group restricts
egress, and none of its rules allows TCP 443 to the S3 prefix list (`pl-...`, named
`com.amazonaws.<region>.s3`) or to S3's CIDRs. A rule to the VPC CIDR or to an endpoint's security
group does not count: a gateway endpoint puts no interface in the VPC, the packets keep S3's public
IPs as their destination and only the prefix-list route steers them, so such rules never match. The
AWS documentation: "For a gateway endpoint, if your security group's outbound rules are restricted,
you must add a rule that allows outbound traffic from your VPC to the service that's specified in
your endpoint. To do this, you can use the service's AWS prefix list ID as the destination in the
outbound rule."

Why the task cannot start
The manifest is fetched through the `ecr.dkr` interface endpoint, whose private IPs the VPC-CIDR
rule allows, but the layer downloads from `prod-<region>-starport-layer-bucket` are dropped by the
security group and time out, so the pull fails. Everything else looks right, which makes this cause
easy to miss; the other findings of the network stage can all pass.

How to confirm by hand
The Region's S3 prefix list (the report's `prefixListId`), then the outbound rules of each of the
task's groups (the report's `securityGroupIds`):
    aws ec2 describe-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.s3 --query 'PrefixLists[].PrefixListId'
    aws ec2 describe-security-group-rules --filters Name=group-id,Values=<task-sg-id> --query 'SecurityGroupRules[?IsEgress].{proto:IpProtocol,from:FromPort,to:ToPort,cidr:CidrIpv4,prefixList:PrefixListId}' --output table
No rule with that `prefixList` and protocol `tcp` covering 443 (or protocol `-1`), and no `cidr`
that contains S3's addresses (such as `0.0.0.0/0`), confirms it. S3's addresses, to compare the
CIDR rules with:
    aws ec2 get-managed-prefix-list-entries --prefix-list-id <s3-pl-id> --query 'Entries[].Cidr'

How to fix
Allow HTTPS to the S3 prefix list of the Region:
    aws ec2 authorize-security-group-egress --group-id <task-sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{PrefixListId=<s3-pl-id>}]'
Network ACLs cannot name prefix lists; if one restricts traffic, it needs S3's CIDRs instead
(listed by `get-managed-prefix-list-entries` above)."#,
    console: "Amazon VPC console > Security groups > {securityGroupIds|the task's security group} > Outbound rules > Edit outbound rules > Add rule: Type HTTPS, Destination {prefixListId|the com.amazonaws.<region>.s3 prefix list} > Save rules",
    docs: &[
        GATEWAY_ENDPOINTS,
        MANAGED_PREFIX_LISTS,
        GUARDDUTY_ECS,
        ECR_ENDPOINTS,
        SG_RULES,
    ],
};

/// `NET_ENDPOINT_SG_INGRESS_BLOCKED`.
pub(super) const NET_ENDPOINT_SG_INGRESS_BLOCKED: Explanation = Explanation {
    title: "The VPC endpoint's security group does not allow HTTPS from the task",
    text: r#"What it means
An interface endpoint the task uses (for example `ecr.dkr`, `ecr.api`, `logs`, `secretsmanager`,
`ssm`) has security groups, and none of them allows inbound TCP 443 from the task: from its security
group, its private IP or a CIDR that contains it. The ECR documentation says the endpoint's security
group "must allow incoming connections on port 443 from the private subnet of the VPC". An endpoint
created without a security group gets the VPC's default group, which allows inbound traffic only
from its own members.

Why the task cannot start
The name resolves to the endpoint, but the endpoint drops the connection, so the call times out with
the endpoint's private IP in the stop reason (for example `dial tcp 10.0.3.17:443: i/o timeout`).
The AWS runbook words it as "VPC Endpoint (ecr.dkr) Security Group (sg-...) is not allowing the
Inbound traffic".

How to confirm by hand
The endpoint's security groups (the report's `vpcEndpointId` and `securityGroupIds`), then the
inbound rules of each:
    aws ec2 describe-vpc-endpoints --vpc-endpoint-ids <vpce-id> --query 'VpcEndpoints[].Groups[].GroupId'
    aws ec2 describe-security-group-rules --filters Name=group-id,Values=<endpoint-sg-id> --query 'SecurityGroupRules[?!IsEgress].{proto:IpProtocol,from:FromPort,to:ToPort,cidr:CidrIpv4,fromGroup:ReferencedGroupInfo.GroupId,prefixList:PrefixListId}' --output table
The condition holds when no rule has protocol `tcp` covering 443 (or protocol `-1`) from the task:
a `fromGroup` that is one of the task's security groups, or a `cidr` that contains the task's
private IP (`privateIPv4Address` in the task's attachment details, see `NET_NO_PATH_TO_SERVICE`).

How to fix
Allow HTTPS from the task's security group (or its subnet's CIDR) into the endpoint's group:
    aws ec2 authorize-security-group-ingress --group-id <endpoint-sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,UserIdGroupPairs=[{GroupId=<task-sg-id>}]'
Security groups are stateful: the endpoint's replies need no outbound rule."#,
    console: "Amazon VPC console > Security groups > {securityGroupIds|the endpoint's security group} > Inbound rules > Edit inbound rules > Add rule: Type HTTPS, Source the task's security group or its subnet's CIDR > Save rules",
    docs: &[ECR_ENDPOINTS, FARGATE_PLATFORM, SG_RULES],
};

/// `NET_NACL_OUTBOUND_BLOCKED`.
pub(super) const NET_NACL_OUTBOUND_BLOCKED: Explanation = Explanation {
    title: "A network ACL blocks the outbound traffic",
    text: r#"What it means
A network ACL on the path denies traffic leaving a subnet that the start needs: usually the request
leaving the task's subnet (TCP 443 to the destination's address); where an interface endpoint sits
in another subnet, possibly also the endpoint's reply leaving that subnet toward the task's
ephemeral port. Network ACLs are stateless and evaluate rules in rule-number order, lowest first:
the first rule that matches decides, and the final `*` rule denies. The evidence names the ACL, the
direction and the deciding rule. Network ACLs cannot name prefix lists, so traffic to S3 through a
gateway endpoint must be allowed by S3's CIDRs. They never filter the Amazon-provided DNS resolver.

Why the task cannot start
The packet is dropped at the subnet boundary and the pull, secret fetch or log setup times out, as
with a security group, but no security group change can fix it.

How to confirm by hand
The ACL of a subnet (the report's `networkAclId`; `subnetId` is the task's subnet, and an
endpoint's subnet has its own ACL), then its outbound entries in the order they are evaluated:
    aws ec2 describe-network-acls --filters Name=association.subnet-id,Values=<subnet-id> --query 'NetworkAcls[].NetworkAclId'
    aws ec2 describe-network-acls --network-acl-ids <acl-id> --query 'sort_by(NetworkAcls[0].Entries[?Egress],&RuleNumber)[].{rule:RuleNumber,action:RuleAction,proto:Protocol,from:PortRange.From,to:PortRange.To,cidr:CidrBlock}' --output table
Read from the top: the first entry whose protocol (`6` is TCP, `-1` all), port range and CIDR match
the traffic decides, and rule `32767` is the final `*`. The condition holds when that entry is a
`deny`: the report's `ruleNumber`, for the traffic to its `peer` (TCP 443 for a request, the
ephemeral ports for an endpoint's reply).

How to fix
Add an allow rule with a rule number lower than the rule that denies, for example for HTTPS out of
the task's subnet:
    aws ec2 create-network-acl-entry --network-acl-id <acl-id> --egress --rule-number <n> --protocol tcp --port-range From=443,To=443 --cidr-block <destination-cidr> --rule-action allow
For S3 through a gateway endpoint, add one rule per CIDR of the prefix list (`aws ec2
get-managed-prefix-list-entries --prefix-list-id <s3-pl-id>`), minding the ACL's rule quota. For
replies leaving an endpoint's subnet, allow the ephemeral ports toward the task's subnet (1024-65535
covers every client):
    aws ec2 create-network-acl-entry --network-acl-id <endpoint-subnet-acl-id> --egress --rule-number <n> --protocol tcp --port-range From=1024,To=65535 --cidr-block <task-subnet-cidr> --rule-action allow
Because ACLs are stateless, check the inbound side as well (`NET_NACL_INBOUND_BLOCKED`)."#,
    console: "Amazon VPC console > Network ACLs > {networkAclId|the subnet's network ACL} > Outbound rules > Edit outbound rules > Add new rule: Rule number below {ruleNumber|the denying rule}, Type HTTPS (Custom TCP 1024-65535 for replies), Destination {peer|the destination's CIDR}, Allow > Save changes",
    docs: &[NACLS, GATEWAY_ENDPOINTS, MANAGED_PREFIX_LISTS, KC_PENDING],
};

/// `NET_NACL_INBOUND_BLOCKED`.
pub(super) const NET_NACL_INBOUND_BLOCKED: Explanation = Explanation {
    title: "A network ACL blocks the request or its reply on the way in",
    text: r#"What it means
A network ACL on the path denies traffic entering a subnet: the reply to the task's request entering
the task's subnet (from port 443 to the task's ephemeral port), or, for an interface endpoint in
another subnet, the request entering the endpoint's subnet on TCP 443. Network ACLs are stateless
("responses to allowed inbound traffic are subject to the rules for outbound traffic", and the
reverse), evaluate rules in rule-number order (first match decides, the final `*` rule denies) and
cannot name prefix lists. The evidence names the ACL and the deciding rule. They never filter the
Amazon-provided DNS resolver.

Why the task cannot start
Either the request never reaches the endpoint or the reply never reaches the task; both look like a
timeout, and the start fails.

How to confirm by hand
The ACL of a subnet (the report's `networkAclId`; `subnetId` is the task's subnet, and an
endpoint's subnet has its own ACL), then its inbound entries in the order they are evaluated:
    aws ec2 describe-network-acls --filters Name=association.subnet-id,Values=<subnet-id> --query 'NetworkAcls[].NetworkAclId'
    aws ec2 describe-network-acls --network-acl-ids <acl-id> --query 'sort_by(NetworkAcls[0].Entries[?!Egress],&RuleNumber)[].{rule:RuleNumber,action:RuleAction,proto:Protocol,from:PortRange.From,to:PortRange.To,cidr:CidrBlock}' --output table
Read from the top: the first entry whose protocol (`6` is TCP, `-1` all), port range and CIDR match
the traffic decides, and rule `32767` is the final `*`. The condition holds when that entry is a
`deny`: the report's `ruleNumber`, for the traffic from its `peer` (the reply to the task's
ephemeral ports, or a request to TCP 443 entering an endpoint's subnet).

How to fix
Add an allow rule with a rule number lower than the rule that denies. For replies into the task's
subnet, allow the ephemeral ports from the destination (1024-65535 covers every client; for S3
through a gateway endpoint, one rule per CIDR of the S3 prefix list):
    aws ec2 create-network-acl-entry --network-acl-id <acl-id> --ingress --rule-number <n> --protocol tcp --port-range From=1024,To=65535 --cidr-block <source-cidr> --rule-action allow
For requests into an endpoint's subnet:
    aws ec2 create-network-acl-entry --network-acl-id <endpoint-subnet-acl-id> --ingress --rule-number <n> --protocol tcp --port-range From=443,To=443 --cidr-block <task-subnet-cidr> --rule-action allow
Check the outbound side as well (`NET_NACL_OUTBOUND_BLOCKED`)."#,
    console: "Amazon VPC console > Network ACLs > {networkAclId|the subnet's network ACL} > Inbound rules > Edit inbound rules > Add new rule: Rule number below {ruleNumber|the denying rule}, Type Custom TCP, Port range 1024-65535 for replies (HTTPS for requests), Source {peer|the other side's CIDR}, Allow > Save changes",
    docs: &[NACLS, GATEWAY_ENDPOINTS, MANAGED_PREFIX_LISTS, KC_PENDING],
};

/// `NET_ENDPOINT_POLICY_DENIES`.
pub(super) const NET_ENDPOINT_POLICY_DENIES: Explanation = Explanation {
    title: "A VPC endpoint policy does not allow what the task start needs",
    text: r#"What it means
The policy of a VPC endpoint on the path does not allow (or denies) an action or resource the start
needs. The S3 gateway endpoint must allow `s3:GetObject` on
`arn:aws:s3:::prod-<region>-starport-layer-bucket/*`, the bucket that holds ECR's image layers; the
ECR endpoints must allow the pull actions (`ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`,
`ecr:GetAuthorizationToken`); the Logs, Secrets Manager and SSM endpoints must allow the calls the
agent makes through them. The default endpoint policy allows everything, so this only happens with a
custom policy. An endpoint policy grants nothing by itself: IAM and the endpoint policy must both
allow.

Why the task cannot start
The request reaches the endpoint and is refused as access denied, so the pull (or the secret or log
call) fails. For the S3 layer bucket the stop reason typically points at
`prod-<region>-starport-layer-bucket.s3.amazonaws.com`.

How to confirm by hand
Read the policy of the endpoint the report names (`vpcEndpointId`; `action` and `resource` name
the call it does not allow):
    aws ec2 describe-vpc-endpoints --vpc-endpoint-ids <vpce-id> --query 'VpcEndpoints[].PolicyDocument' --output text
The condition holds when no `Allow` statement covers that action on that resource, or a `Deny`
statement does; read the `Principal` and any `Condition` of each statement too. The default
policy, an `Allow` of `"Action":"*"` on `"Resource":"*"` for `"Principal":"*"`, allows everything.

How to fix
Add the missing statement or restore the default full-access policy:
    aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpce-id> --policy-document file://policy.json
    aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpce-id> --reset-policy
The minimum statement the ECR documentation gives for the S3 gateway endpoint (use your partition's
ARN prefix outside the standard partition):
    {"Sid":"Access-to-specific-bucket-only","Principal":"*","Action":["s3:GetObject"],"Effect":"Allow","Resource":["arn:aws:s3:::prod-<region>-starport-layer-bucket/*"]}"#,
    console: "Amazon VPC console > Endpoints > {vpcEndpointId|the endpoint} > Actions > Manage policy > Full access, or Custom with a statement allowing {action|the refused action} on {resource|the refused resource} > Save",
    docs: &[ECR_ENDPOINTS, GATEWAY_ENDPOINTS, ECS_ENDPOINTS],
};

/// `NET_ENDPOINT_NOT_AVAILABLE`.
pub(super) const NET_ENDPOINT_NOT_AVAILABLE: Explanation = Explanation {
    title: "A VPC endpoint on the path is not available",
    text: r#"What it means
A VPC endpoint the task's traffic depends on is not in the `available` state: it is, for example,
`pending`, `pendingAcceptance`, `rejected`, `failed`, `expired`, `deleting` or `deleted`.

Why the task cannot start
An endpoint that is not available does not carry the traffic meant for it, so the calls to that
service fail or time out and the start fails as if the endpoint were missing.

How to confirm by hand
The state of the endpoint the report names (`vpcEndpointId`), with its last error:
    aws ec2 describe-vpc-endpoints --vpc-endpoint-ids <vpce-id> --query 'VpcEndpoints[].{state:State,service:ServiceName,type:VpcEndpointType,lastError:LastError}'
Any state other than `available` confirms it; `lastError` may say why it failed.

How to fix
If it is `pending`, wait and try again. If it failed, was rejected or is being deleted, create a new
endpoint (see `NET_ENDPOINT_MISSING`) and delete the broken one:
    aws ec2 delete-vpc-endpoints --vpc-endpoint-ids <vpce-id>"#,
    console: "Amazon VPC console > Endpoints > Create endpoint for the same service (as for a missing endpoint) > then select {vpcEndpointId|the broken endpoint} > Actions > Delete VPC endpoints",
    docs: &[ECR_ENDPOINTS, GATEWAY_ENDPOINTS],
};

/// `NET_HOP_NOT_VERIFIABLE`.
pub(super) const NET_HOP_NOT_VERIFIABLE: Explanation = Explanation {
    title: "The route leads to a hop the tool cannot see past",
    text: r#"What it means
The route that matches the destination targets something whose far side the tool cannot evaluate: a
transit gateway, a VPC peering connection, a firewall or Gateway Load Balancer endpoint, a network
interface or instance acting as an appliance, or a virtual private gateway. Routing and filtering
beyond that hop happen in another VPC, account or network. The result is `UNKNOWN`, neither a pass
nor a failure.

Why the task cannot start
It may or may not be the cause. If the far side (a central egress VPC's NAT gateway, a firewall's
rules, an on-premises proxy, a missing return route) drops the traffic, the start fails with
timeouts like any other missing path. Note that gateway endpoints cannot be used across a transit
gateway, peering or VPN: S3 layer downloads need either a gateway endpoint in the task's own VPC or
the internet path through the hop.

How to confirm by hand
The routes of the table the report names (`routeTableId`); the one whose target the report's
`target` names is the hop:
    aws ec2 describe-route-tables --route-table-ids <rtb-id> --query 'RouteTables[].Routes[].{dest:DestinationCidrBlock,prefixList:DestinationPrefixListId,gateway:GatewayId,tgw:TransitGatewayId,peering:VpcPeeringConnectionId,eni:NetworkInterfaceId,state:State}' --output table
The near side of the hop can be checked here: a transit gateway attachment of the VPC that is not
`available`, or a peering connection that is not `active`, would itself explain the failure:
    aws ec2 describe-transit-gateway-vpc-attachments --filters Name=vpc-id,Values=<vpc-id> --query 'TransitGatewayVpcAttachments[].{id:TransitGatewayAttachmentId,tgw:TransitGatewayId,state:State}'
    aws ec2 describe-vpc-peering-connections --vpc-peering-connection-ids <pcx-id> --query 'VpcPeeringConnections[].Status'
Whether flow logs already record the subnet's traffic (then they show rejected or unanswered
connections to port 443):
    aws ec2 describe-flow-logs --filter Name=resource-id,Values=<subnet-id>,<vpc-id>

How to fix
Verify the path beyond the hop where it is configured: the transit gateway's route tables, the
firewall's rules for the ECR, S3 and other AWS names the task needs, the peer VPC's routes back. For
example:
    aws ec2 search-transit-gateway-routes --transit-gateway-route-table-id <tgw-rtb-id> --filters Name=type,Values=static,propagated
VPC Flow Logs on the task's ENI show whether the connections leave and whether replies come back.
Reachability Analyzer can analyse the path from a running task's ENI from configuration; note that
it creates a resource in the account and is charged per analysis:
    aws ec2 create-network-insights-path --source <eni-id> --destination-ip <destination-ip> --protocol tcp --destination-port 443
    aws ec2 start-network-insights-analysis --network-insights-path-id <nip-id>"#,
    console: "Amazon VPC console > Route tables > {routeTableId|the task subnet's route table} > Routes: the target {target|of the matching route} > then Transit gateway route tables, Peering connections or the firewall's rules: allow TCP 443 onward and a route back to the task's subnet",
    docs: &[REACHABILITY, GATEWAY_ENDPOINTS, VERIFY_CONNECTIVITY],
};

/// `NET_TASK_CONFIG_UNKNOWN`.
pub(super) const NET_TASK_CONFIG_UNKNOWN: Explanation = Explanation {
    title: "The stopped task's security groups could not be recovered",
    text: r#"What it means
When a task stops, AWS deletes its elastic network interface (its attachment then says `DELETED`),
and with it the only live record of the task's security groups and of whether it had a public IP.
The tool recovers them, in this order: from the ENI if it still exists; for a service's task, from
the deployment (or task set) that started it, matched by the task's `startedBy` against the
service's `deployments[].id` and `taskSets[].id`, each of which keeps its own network configuration;
then from the service's current configuration, which may have changed since (WARN); for a standalone
task, from the `RunTask` or `StartTask` call in CloudTrail's event history whose response names the
task. `UNKNOWN` means none of them named the groups: the read failed (the evidence names the API,
the error and, for a denial, the permission the tool's role lacks), or nothing was found. `PASS`
names the source that was used.

Why the task cannot start
This is not itself a cause. Without the task's groups, no security-group rule on its path can be
judged: a rule of the task's group, or an endpoint's rule that allows the task's group, may or may
not apply. Those checks are then `UNKNOWN`, never `FAIL`, and the report's root cause may be the one
hop that could not be verified.

How to confirm by hand
For a service's task, the deployment that started it (its `startedBy`) and that deployment's groups:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --query 'tasks[].{startedBy:startedBy,group:group,attachments:attachments[].details}'
    aws ecs describe-services --cluster <cluster> --services <service> --query 'services[].deployments[].{id:id,createdAt:createdAt,groups:networkConfiguration.awsvpcConfiguration.securityGroups,publicIp:networkConfiguration.awsvpcConfiguration.assignPublicIp}'
For a standalone task, the call that started it (CloudTrail keeps 90 days of management events; the
response names the task ARN, the request its groups):
    aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=RunTask --start-time <createdAt minus 10 minutes> --end-time <createdAt plus 5 minutes> --query 'Events[].CloudTrailEvent'

How to fix
Nothing in the account needs fixing. Give the role running ecs-task-doctor the permission the
evidence names (`ecs:DescribeServices`, or `cloudtrail:LookupEvents`; template.yaml's role has
both), or diagnose the task from its `ECS Task State Change` event soon after it stops, or run
`ecs-task-doctor check` with the task definition, subnets and security groups you start it with."#,
    console: "Amazon ECS console > Clusters > {cluster|the cluster} > Services > the service > Deployments: the deployment that started the task, or CloudTrail console > Event history > Event name RunTask: the event whose response names the task",
    docs: &[AWSVPC, ECS_EVENTS],
};
