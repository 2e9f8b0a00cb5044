//! The explanations of the placement stage: EC2 capacity, agents, constraints and EFS mounts.

use super::Explanation;
use super::links::*;

/// `EC2_INSUFFICIENT_RESOURCES`.
pub(super) const EC2_INSUFFICIENT_RESOURCES: Explanation = Explanation {
    title: "No container instance has the CPU or memory the task asks for",
    text: r#"What it means
EC2 launch type: no registered container instance has enough unreserved CPU or memory for the task
(the task-level or container-level `cpu` and `memory` of the task definition). What counts is what
the instance registered minus what running tasks reserve, and an instance registers less memory than
its instance type has, because the agent and the operating system keep some.

Why the task cannot start
ECS cannot place the task anywhere, so it never starts. The failure reason reads `RESOURCE:CPU` or
`RESOURCE:MEMORY`; the ECS documentation says the task definition typically asks for more than the
instance type of the capacity provider's Auto Scaling group offers.

How to confirm by hand
Compare what the task asks for (evidence `taskCpu`, `taskMemory`: CPU units and MiB) with what each
ACTIVE instance has left (evidence `instances`, `largestInstance`, `shortCpu`, `shortMemory`):
    aws ecs describe-task-definition --task-definition <family>:<revision> --query 'taskDefinition.{cpu:cpu,memory:memory,containers:containerDefinitions[].{name:name,cpu:cpu,memory:memory,reservation:memoryReservation}}'
    aws ecs list-container-instances --cluster <cluster> --status ACTIVE
    aws ecs describe-container-instances --cluster <cluster> --container-instances <container-instance-id> --query 'containerInstances[].{id:ec2InstanceId,agent:agentConnected,cpu:remainingResources[?name==`CPU`].integerValue|[0],memory:remainingResources[?name==`MEMORY`].integerValue|[0]}'
The finding holds when no instance shows both `cpu` and `memory` at least what the task asks for.
The tool reads the instances when it runs, not when the placement failed: capacity freed since
then makes a retry work.

How to fix
Compare what the task asks for with what each instance registered in total (an instance type that is
too small for the task even when empty needs a larger type):
    aws ecs describe-container-instances --cluster <cluster> --container-instances <container-instance-id> --query 'containerInstances[].{registered:registeredResources,remaining:remainingResources}'
Then scale the cluster out, use a larger instance type in the Auto Scaling group, or lower the
task's `cpu` and `memory` in a new task definition revision."#,
    console: "Amazon EC2 console > Auto Scaling groups > the cluster's Auto Scaling group > Details > Group details > Edit > raise Desired capacity > Update (or Amazon ECS console > Task definitions > the task's family > Create new revision: a Task size that fits {largestInstance|the largest instance})",
    docs: &[API_FAILURES, KC_TASK_STOPPED],
};

/// `EC2_AGENT_DISCONNECTED`.
pub(super) const EC2_AGENT_DISCONNECTED: Explanation = Explanation {
    title: "The container instance's ECS agent is disconnected",
    text: r#"What it means
EC2 launch type: the container instance chosen for the task (or every instance of the cluster)
reports `agentConnected: false`: its ECS agent is not connected to the ECS service.

Why the task cannot start
ECS cannot hand a task to an instance whose agent it cannot reach; the failure reason reads `AGENT`.
Common causes are an agent that stopped or crashed, an instance that cannot reach the ECS endpoints
(no NAT route, or in a private VPC the `ecs-agent`, `ecs-telemetry` and `ecs` interface endpoints
missing), or an instance role without the permissions the agent needs.

How to confirm by hand
Ask ECS for the instances the evidence names (`disconnectedInstances`, `containerInstanceArns`),
then EC2 whether the instance itself is running and healthy:
    aws ecs describe-container-instances --cluster <cluster> --container-instances <container-instance-arn> --query 'containerInstances[].{ec2:ec2InstanceId,status:status,connected:agentConnected,agent:versionInfo.agentVersion}'
    aws ec2 describe-instance-status --instance-ids <instance-id> --include-all-instances --query 'InstanceStatuses[].{state:InstanceState.Name,system:SystemStatus.Status,instance:InstanceStatus.Status}'
`connected: false` with `status: ACTIVE` confirms the finding. A running instance with passing
status checks points at the agent, its network path or its role; a stopped or impaired one at the
instance.

How to fix
On the instance (ECS-optimized Amazon Linux), look at the agent's log `/var/log/ecs/ecs-agent.log`
and restart it:
    sudo systemctl restart ecs
Or replace the instance. The AWS runbook AWSSupport-TroubleshootECSContainerInstance checks the
instance's user data, instance profile and network."#,
    console: "Amazon EC2 console > Instances > {disconnectedInstances|the container instance} > Connect > Session Manager > Connect: sudo systemctl restart ecs (or terminate it from the Instance state menu, so that its Auto Scaling group replaces it)",
    docs: &[API_FAILURES, CONTAINER_INSTANCE_RUNBOOK, ECS_ENDPOINTS],
};

/// `EC2_NO_CONTAINER_INSTANCES`.
pub(super) const EC2_NO_CONTAINER_INSTANCES: Explanation = Explanation {
    title: "The cluster has no registered container instances",
    text: r#"What it means
EC2 launch type: the cluster has no registered container instances, so there is nowhere to place the
task.

Why the task cannot start
A task of the EC2 launch type runs on a container instance of its cluster; with none registered it
cannot be placed at all. Typical causes: the Auto Scaling group is scaled to zero, the instances'
user data names another cluster (or none, so they join `default`), the instance role lacks the
permissions to register, or the instances cannot reach the ECS endpoints.

How to confirm by hand
Ask the cluster what is registered (the evidence gives the `cluster`, its `capacityProviders` and
any `drainingInstances`):
    aws ecs describe-clusters --clusters <cluster> --query 'clusters[].{registered:registeredContainerInstancesCount,providers:capacityProviders}'
    aws ecs list-container-instances --cluster <cluster> --status ACTIVE
`registered: 0` (it counts DRAINING instances too, which take no new tasks), or an empty
`containerInstanceArns` list of ACTIVE instances, confirms the finding. Then see what the capacity
provider's Auto Scaling group has launched, and why not:
    aws ecs describe-capacity-providers --capacity-providers <capacity-provider> --query 'capacityProviders[].autoScalingGroupProvider.autoScalingGroupArn'
    aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names <asg-name> --query 'AutoScalingGroups[].{desired:DesiredCapacity,instances:Instances[].InstanceId}'
    aws autoscaling describe-scaling-activities --auto-scaling-group-name <asg-name> --max-items 5 --query 'Activities[].{status:StatusCode,why:StatusMessage}'

How to fix
Scale the Auto Scaling group up, or fix what keeps its instances from registering. Instances join
the cluster named in `/etc/ecs/ecs.config` (user data such as `echo ECS_CLUSTER=<cluster> >>
/etc/ecs/ecs.config`). The AWS runbook AWSSupport-TroubleshootECSContainerInstance diagnoses
instances that fail to register."#,
    console: "Amazon ECS console > Clusters > {cluster|the cluster} > Infrastructure > Capacity providers and Container instances; then Amazon EC2 console > Auto Scaling groups > the cluster's Auto Scaling group > Details > Group details > Edit > Desired capacity of at least 1 > Update",
    docs: &[CONTAINER_INSTANCE_RUNBOOK, API_FAILURES, ECS_ENDPOINTS],
};

/// `EC2_PLACEMENT_CONSTRAINT_UNSATISFIED`.
pub(super) const EC2_PLACEMENT_CONSTRAINT_UNSATISFIED: Explanation = Explanation {
    title: "No container instance satisfies the placement constraints",
    text: r#"What it means
EC2 launch type: every registered container instance fails at least one placement constraint of the
task or its service: a `memberOf` expression (on attributes such as `ecs.instance-type`,
`ecs.availability-zone`, `ecs.os-type` or custom attributes), `distinctInstance`, or an attribute
the task definition requires of the agent (`requiresAttributes`). The tool evaluates the task
definition's `memberOf` expressions against the ACTIVE instances whose agent is connected; the
evidence names the expression (`constraint`) and the instances that fail it (`failing`).

Why the task cannot start
ECS can place the task only on an instance that meets all constraints; with none, the task is not
placed. The failure reason reads for example `MemberOf placement constraint unsatisfied`.

How to confirm by hand
Read the constraints, then let ECS evaluate the expression itself with the cluster query language:
    aws ecs describe-task-definition --task-definition <family>:<revision> --query 'taskDefinition.{constraints:placementConstraints,requires:requiresAttributes}'
    aws ecs describe-services --cluster <cluster> --services <service> --query 'services[].placementConstraints'
    aws ecs list-container-instances --cluster <cluster> --status ACTIVE --filter '<constraint-expression>'
An empty `containerInstanceArns` list confirms that no ACTIVE instance satisfies the expression. To
see why, list the attributes the instances do have:
    aws ecs list-attributes --cluster <cluster> --target-type container-instance --attribute-name <attribute-name>
    aws ecs describe-container-instances --cluster <cluster> --container-instances <container-instance-id> --query 'containerInstances[].{id:ec2InstanceId,attributes:attributes[].[name,value]}'

How to fix
Relax the constraint, launch instances that satisfy it, or add a missing custom attribute:
    aws ecs put-attributes --cluster <cluster> --attributes name=<attribute-name>,value=<value>,targetId=<container-instance-arn>
A missing `ecs.capability.*` attribute usually means the agent is too old: update it or replace the
instance with a current ECS-optimized AMI."#,
    console: "Amazon ECS console > Task definitions > the task's family > Create new revision > Create new revision with JSON: change placementConstraints ({constraint|the memberOf expression}) > Create; or launch instances that satisfy it",
    docs: &[API_FAILURES, KC_TASK_STOPPED],
};

/// `EFS_MOUNT_TARGET_MISSING`.
pub(super) const EFS_MOUNT_TARGET_MISSING: Explanation = Explanation {
    title: "The EFS file system has no mount target in the task's Availability Zone",
    text: r#"What it means
The task mounts an EFS volume, and the file system has no mount target in the Availability Zone of
the task (or of its subnet). A file system needs one mount target per Availability Zone in which it
is mounted.

Why the task cannot start
Without a mount target in its zone the volume cannot be mounted, so the task cannot start. On
Fargate platform version 1.4.0 and later, failures to create a volume mount are reported with the
`CannotCreateVolumeError` prefix.

How to confirm by hand
List the file system's mount targets and their zones, and compare with the task's zone (evidence
`taskAvailabilityZone`; the tool's list is `mountTargetZones`):
    aws efs describe-mount-targets --file-system-id <fs-id> --region <region> --query 'MountTargets[].{id:MountTargetId,az:AvailabilityZoneName,subnet:SubnetId,state:LifeCycleState}'
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --query 'tasks[].availabilityZone'
    aws ec2 describe-subnets --subnet-ids <task-subnet-id> --query 'Subnets[].{subnet:SubnetId,az:AvailabilityZone}'
The finding holds when no mount target lists the task's zone. A One Zone file system shows its
zone here; it can have only one mount target, in that zone:
    aws efs describe-file-systems --file-system-id <fs-id> --query 'FileSystems[].{id:FileSystemId,oneZone:AvailabilityZoneName}'

How to fix
List the mount targets and create one in the task's zone, in a subnet of that zone, with a security
group that allows NFS from the task:
    aws efs describe-mount-targets --file-system-id <fs-id> --query 'MountTargets[].{az:AvailabilityZoneName,subnet:SubnetId,state:LifeCycleState}'
    aws efs create-mount-target --file-system-id <fs-id> --subnet-id <subnet-id> --security-groups <efs-sg-id>
Or run the task only in subnets of zones that have a mount target (for a One Zone file system, the
file system's own zone)."#,
    console: "Amazon EFS console > File systems > {fileSystemId|the file system} > Network > Manage > Add mount target: Availability Zone {taskAvailabilityZone|of the task}, a subnet of that zone, a security group that allows NFS from the task > Save",
    docs: &[STOPPED_TASK_ERRORS, RUNBOOK],
};

/// `EFS_NFS_BLOCKED`.
pub(super) const EFS_NFS_BLOCKED: Explanation = Explanation {
    title: "NFS (TCP 2049) between the task and the EFS mount target is blocked",
    text: r#"What it means
The task mounts an EFS volume, and the traffic between the task and the mount target on TCP 2049
(NFS) is not allowed: the mount target's security groups allow no inbound 2049 from the task, the
task's security groups allow no outbound 2049 to the mount target, or a network ACL of either subnet
denies the request or its reply. The evidence names the rule or its absence.

Why the task cannot start
The NFS mount times out, the volume cannot be created, and the task fails to start.

How to confirm by hand
The evidence gives the `mountTargetId`, its `mountTargetIp`, the `mountTargetSecurityGroups`, the
`taskSecurityGroups` and what is `blocked`. Read the mount target's groups and their rules:
    aws efs describe-mount-target-security-groups --mount-target-id <mount-target-id> --region <region>
    aws ec2 describe-security-group-rules --filters Name=group-id,Values=<mount-target-sg-id> --query 'SecurityGroupRules[?!IsEgress].{proto:IpProtocol,from:FromPort,to:ToPort,cidr:CidrIpv4,group:ReferencedGroupInfo.GroupId,prefixList:PrefixListId}'
    aws ec2 describe-security-group-rules --filters Name=group-id,Values=<task-sg-id> --query 'SecurityGroupRules[?IsEgress].{proto:IpProtocol,from:FromPort,to:ToPort,cidr:CidrIpv4,group:ReferencedGroupInfo.GroupId,prefixList:PrefixListId}'
Ingress is blocked when no inbound rule of the mount target's groups covers TCP 2049 (protocol `tcp`
with a range holding 2049, or `-1` for all traffic) from the task's group or a CIDR holding the
task's address; egress likewise for the task's groups toward the mount target. When the task and
the mount target are in different subnets, read both subnets' network ACL entries:
    aws ec2 describe-network-acls --filters Name=association.subnet-id,Values=<subnet-id> --query 'NetworkAcls[].Entries[].{rule:RuleNumber,egress:Egress,proto:Protocol,action:RuleAction,cidr:CidrBlock,ports:PortRange}'
In each list the lowest-numbered matching entry decides. The task's subnet must allow outbound TCP
2049 and inbound 1024-65535 (the replies); the mount target's subnet inbound TCP 2049 and outbound
1024-65535.

How to fix
Allow NFS from the task's security group into the mount target's security group, and out of the
task's group if it restricts egress:
    aws efs describe-mount-target-security-groups --mount-target-id <fsmt-id>
    aws ec2 authorize-security-group-ingress --group-id <efs-sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=2049,ToPort=2049,UserIdGroupPairs=[{GroupId=<task-sg-id>}]'
    aws ec2 authorize-security-group-egress --group-id <task-sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=2049,ToPort=2049,UserIdGroupPairs=[{GroupId=<efs-sg-id>}]'
If a network ACL restricts traffic, allow TCP 2049 toward the mount target's subnet and the replies
back to the task's subnet; ACLs are stateless, so both directions need rules."#,
    console: "Amazon EC2 console > Security Groups > {mountTargetSecurityGroups|the mount target's security group} > Inbound rules > Edit inbound rules > Add rule: Type NFS, Source {taskSecurityGroups|the task's security group} > Save rules (and, if the task's group restricts egress, an outbound NFS rule to the mount target's group)",
    docs: &[SG_RULES, NACLS, STOPPED_TASK_ERRORS],
};

/// `EFS_POLICY_DENIES_MOUNT`.
pub(super) const EFS_POLICY_DENIES_MOUNT: Explanation = Explanation {
    title: "The EFS file system policy denies the task's mount",
    text: r#"What it means
The task mounts an EFS volume, and the file system's policy (its resource policy) has a Deny
statement that matches the task's mount, elasticfilesystem:ClientMount: most often a statement that
denies clients not using TLS (aws:SecureTransport false) while the volume's transitEncryption is
DISABLED, or one that only allows a given access point or an IAM-authorised principal. The evidence
names the statement and the request as the tool evaluated it (TLS on or off, the access point, the
principal).

Why the task cannot start
EFS evaluates the file system policy when the client mounts; a denied mount fails, the volume cannot
be created, and the task fails to start. Whether the task role's own policies allow the mount is
the iam stage's question; this code is about an explicit Deny in the file system policy.

How to confirm by hand
Read the policy and the volume's settings side by side (the evidence gives the `statement`, and
`secureTransport` and `accessPointId` as the tool assumed them):
    aws efs describe-file-system-policy --file-system-id <fs-id> --region <region> --query Policy --output text
    aws ecs describe-task-definition --task-definition <family>:<revision> --query 'taskDefinition.volumes[?efsVolumeConfiguration].{name:name,efs:efsVolumeConfiguration}'
The finding holds when a `"Effect": "Deny"` statement covers `elasticfilesystem:ClientMount` (or
`*`) and its condition matches the volume: for example `"aws:SecureTransport": "false"` while
`transitEncryption` is `DISABLED` or absent, or an `elasticfilesystem:AccessPointArn` condition the
volume's `accessPointId` does not meet. `PolicyNotFound` means the file system has no policy.

How to fix
Make the volume match the policy, or change the policy:
    aws efs describe-file-system-policy --file-system-id <fs-id>
Set "transitEncryption": "ENABLED" (and, where the policy requires it, the access point and
"authorizationConfig": {"iam": "ENABLED"} with a task role the policy allows) in the task
definition's efsVolumeConfiguration and register a new revision; or narrow the Deny and apply it:
    aws efs put-file-system-policy --file-system-id <fs-id> --policy file://policy.json"#,
    console: "Amazon EFS console > File systems > {fileSystemId|the file system} > File system policy > Edit: narrow the Deny statement {statement|that matches the mount} > Save (or Amazon ECS console > Task definitions > the task's family > Create new revision: turn on the EFS volume's transit encryption)",
    docs: &[EFS_IAM, STOPPED_TASK_ERRORS],
};
