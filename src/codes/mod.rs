//! The finding codes: one stable name per condition, like rustc's error codes.
//!
//! A code is a contract. Automation documents branch on it, dashboards count it,
//! people search for it. So codes are only ever added here: never renamed, never
//! reused for another condition. Every code has a long explanation
//! (`ecs-task-doctor explain CODE`) in [`explain`], and the compiler checks that
//! none is missing, because that table is an exhaustive `match`.

mod explain;

use serde::{Deserialize, Serialize};
use std::fmt;

pub use explain::Explanation;

use crate::stage::StageName;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal in $stage:ident; )*) => {
        /// One condition a stage can report. Serialised as its SCREAMING_SNAKE name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Code {
            $( $(#[$doc])* #[serde(rename = $name)] $variant, )*
        }

        impl Code {
            /// Every code, in the order of DESIGN §4 (stage by stage), so `codes` lists them stably.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable name, as it appears in reports and in `explain`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The stage whose checks report this code.
            pub fn stage(self) -> StageName {
                match self { $( Code::$variant => StageName::$stage, )* }
            }
        }
    };
}

codes! {
    /// DescribeTasks does not know the task (stopped tasks stay visible for about an hour).
    TaskNotFound = "TASK_NOT_FOUND" in Task;
    /// The task is PENDING or RUNNING: it has not failed to start (yet).
    TaskNotStopped = "TASK_NOT_STOPPED" in Task;
    /// The task stopped, but not because it failed to start (for example its essential container exited).
    TaskStoppedForOtherReason = "TASK_STOPPED_FOR_OTHER_REASON" in Task;
    /// The stop reason matched the catalogue; the failure class decides which stages run.
    TaskStopReasonClassified = "TASK_STOP_REASON_CLASSIFIED" in Task;
    /// The task (or its task definition) could not be read: the API and error code are in the evidence.
    TaskNotReadable = "TASK_NOT_READABLE" in Task;
    /// CloudTrail recorded write events on the resources the start depended on since the task
    /// was created (WARN, listed; PASS when none; UNKNOWN when the history could not be read).
    TaskChangedSinceFailure = "TASK_CHANGED_SINCE_FAILURE" in Task;

    /// An image reference does not parse.
    ImgReferenceInvalid = "IMG_REFERENCE_INVALID" in Image;
    /// The ECR repository does not exist.
    ImgRepositoryNotFound = "IMG_REPOSITORY_NOT_FOUND" in Image;
    /// The tag does not exist in the repository.
    ImgTagNotFound = "IMG_TAG_NOT_FOUND" in Image;
    /// The digest does not exist in the repository.
    ImgDigestNotFound = "IMG_DIGEST_NOT_FOUND" in Image;
    /// The repository policy does not allow the pulling principal (cross-account pulls).
    ImgRepoPolicyDenies = "IMG_REPO_POLICY_DENIES" in Image;
    /// The image is in an ECR registry of another Region.
    ImgCrossRegionRegistry = "IMG_CROSS_REGION_REGISTRY" in Image;
    /// The image is on a public or third-party registry, which needs an internet path.
    ImgPublicRegistryNeedsInternet = "IMG_PUBLIC_REGISTRY_NEEDS_INTERNET" in Image;
    /// `repositoryCredentials` names a secret that cannot be read.
    ImgRegistryCredentialsMissing = "IMG_REGISTRY_CREDENTIALS_MISSING" in Image;

    /// The task needs an execution role and has none.
    IamExecutionRoleMissing = "IAM_EXECUTION_ROLE_MISSING" in Iam;
    /// The execution role ARN names a role that does not exist.
    IamExecutionRoleNotFound = "IAM_EXECUTION_ROLE_NOT_FOUND" in Iam;
    /// The execution role does not trust `ecs-tasks.amazonaws.com`.
    IamExecutionRoleTrust = "IAM_EXECUTION_ROLE_TRUST" in Iam;
    /// The execution role's policies do not allow an action the start needs.
    IamActionDenied = "IAM_ACTION_DENIED" in Iam;
    /// The local evaluator could not decide an action (condition keys, SCPs, cross-account).
    IamDecisionUnknown = "IAM_DECISION_UNKNOWN" in Iam;
    /// EC2 launch type: the container instance role may not do what the agent needs.
    IamInstanceRoleActionDenied = "IAM_INSTANCE_ROLE_ACTION_DENIED" in Iam;

    /// No route, endpoint or gateway carries traffic to a service the start needs.
    NetNoPathToService = "NET_NO_PATH_TO_SERVICE" in Network;
    /// The route to the internet is an internet gateway but the ENI has no public IP.
    NetPublicIpMissing = "NET_PUBLIC_IP_MISSING" in Network;
    /// An EC2-launch-type awsvpc task is in a public subnet, where its ENI never gets a public IP.
    NetAwsvpcEc2PublicSubnet = "NET_AWSVPC_EC2_PUBLIC_SUBNET" in Network;
    /// The matching route is a blackhole.
    NetRouteBlackhole = "NET_ROUTE_BLACKHOLE" in Network;
    /// The matching route targets a NAT gateway that is not `available`.
    NetNatGatewayUnavailable = "NET_NAT_GATEWAY_UNAVAILABLE" in Network;
    /// Without internet, a needed VPC endpoint is missing.
    NetEndpointMissing = "NET_ENDPOINT_MISSING" in Network;
    /// The S3 gateway endpoint exists but not on the task subnet's route table.
    NetS3GatewayNotOnRouteTable = "NET_S3_GATEWAY_NOT_ON_ROUTE_TABLE" in Network;
    /// Only an S3 interface endpoint exists; ECR layer downloads cannot use it.
    NetS3InterfaceEndpointOnly = "NET_S3_INTERFACE_ENDPOINT_ONLY" in Network;
    /// An interface endpoint has private DNS off, so the service name still resolves publicly.
    NetEndpointPrivateDnsDisabled = "NET_ENDPOINT_PRIVATE_DNS_DISABLED" in Network;
    /// `enableDnsSupport` or `enableDnsHostnames` is off on the VPC.
    NetVpcDnsDisabled = "NET_VPC_DNS_DISABLED" in Network;
    /// DHCP options name custom DNS servers, which must resolve AWS names (and be reachable).
    NetCustomDnsServers = "NET_CUSTOM_DNS_SERVERS" in Network;
    /// The task security group's egress rules do not allow the traffic.
    NetSgEgressBlocked = "NET_SG_EGRESS_BLOCKED" in Network;
    /// The task SG lacks egress 443 to the S3 prefix list that the gateway endpoint route uses.
    NetSgEgressS3PrefixListMissing = "NET_SG_EGRESS_S3_PREFIX_LIST_MISSING" in Network;
    /// The endpoint's security group does not allow ingress 443 from the task.
    NetEndpointSgIngressBlocked = "NET_ENDPOINT_SG_INGRESS_BLOCKED" in Network;
    /// A network ACL denies the request on its way out.
    NetNaclOutboundBlocked = "NET_NACL_OUTBOUND_BLOCKED" in Network;
    /// A network ACL denies the request or its return traffic on its way in.
    NetNaclInboundBlocked = "NET_NACL_INBOUND_BLOCKED" in Network;
    /// A VPC endpoint policy does not allow the action or resource the start needs.
    NetEndpointPolicyDenies = "NET_ENDPOINT_POLICY_DENIES" in Network;
    /// A VPC endpoint on the path is not in the `available` state.
    NetEndpointNotAvailable = "NET_ENDPOINT_NOT_AVAILABLE" in Network;
    /// The route leads to a hop the tool cannot see past (transit gateway, peering, firewall, ENI).
    NetHopNotVerifiable = "NET_HOP_NOT_VERIFIABLE" in Network;
    /// A stopped task's ENI is gone and its security groups and public-IP setting could not be
    /// recovered (or only from the service's current configuration, which may have changed).
    NetTaskConfigUnknown = "NET_TASK_CONFIG_UNKNOWN" in Network;

    /// A Secrets Manager secret referenced by the task does not exist.
    SecretNotFound = "SECRET_NOT_FOUND" in Secrets;
    /// A `valueFrom` reference is not a well-formed name or ARN.
    SecretReferenceMalformed = "SECRET_REFERENCE_MALFORMED" in Secrets;
    /// The secret is scheduled for deletion and cannot be read.
    SecretPendingDeletion = "SECRET_PENDING_DELETION" in Secrets;
    /// An SSM parameter referenced by the task does not exist.
    SsmParameterNotFound = "SSM_PARAMETER_NOT_FOUND" in Secrets;
    /// An SSM parameter in another Region is referenced by name instead of full ARN.
    SsmParameterOtherRegionNeedsArn = "SSM_PARAMETER_OTHER_REGION_NEEDS_ARN" in Secrets;
    /// The KMS key that encrypts a secret or parameter is disabled, pending deletion or missing.
    KmsKeyNotUsable = "KMS_KEY_NOT_USABLE" in Secrets;

    /// The awslogs log group does not exist in `awslogs-region` and is not created.
    LogGroupMissing = "LOG_GROUP_MISSING" in Logging;
    /// `awslogs-create-group` is set but the role may not call `logs:CreateLogGroup`.
    LogGroupCreateNotPermitted = "LOG_GROUP_CREATE_NOT_PERMITTED" in Logging;

    /// No container instance has the CPU or memory the task asks for.
    Ec2InsufficientResources = "EC2_INSUFFICIENT_RESOURCES" in Placement;
    /// The container instance's agent is disconnected.
    Ec2AgentDisconnected = "EC2_AGENT_DISCONNECTED" in Placement;
    /// The cluster has no registered container instances.
    Ec2NoContainerInstances = "EC2_NO_CONTAINER_INSTANCES" in Placement;
    /// No container instance satisfies the placement constraints.
    Ec2PlacementConstraintUnsatisfied = "EC2_PLACEMENT_CONSTRAINT_UNSATISFIED" in Placement;
    /// An EFS volume's file system has no mount target in the task's Availability Zone.
    EfsMountTargetMissing = "EFS_MOUNT_TARGET_MISSING" in Placement;
    /// NFS (TCP 2049) between the task and the EFS mount target is blocked.
    EfsNfsBlocked = "EFS_NFS_BLOCKED" in Placement;
    /// The EFS file system policy denies the task's mount (TLS, access point or IAM conditions).
    EfsPolicyDeniesMount = "EFS_POLICY_DENIES_MOUNT" in Placement;
}

impl Code {
    /// Finds a code by its stable name, case-insensitively, so `explain net_route_blackhole` works too.
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// The long text behind `ecs-task-doctor explain CODE`.
    pub fn explanation(self) -> Explanation {
        explain::explanation(self)
    }

    /// The one-line title used in reports.
    pub fn title(self) -> &'static str {
        self.explanation().title
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
