"""Start a moto server for one test binary.

Binds 127.0.0.1 on a port the kernel picks (no race between choosing a port
and binding it), prints that port on the first line of stdout, and serves
until its standard input closes. The test process holds the other end of that
pipe, so the server ends with the test binary even when the tests panic.

moto keeps what AWS deletes and lacks what AWS always sets; a test that reads
moto's leftovers passes for a reason that does not exist in AWS. The patches
below bring moto's state to AWS's, server-side, so that no scenario can forget
them. tests/support/README.md lists every modelled difference with its source.

- Tasks stay where the scenario put them (`freeze_ecs_tasks`).
- Every task gets `createdAt`, the time moto received its RunTask (moto sets
  none; AWS always does).
- Every StopTask leaves AWS's state after a stop (`patch_stop_task`):
  * `stopCode`, `stoppingAt`, `stoppedAt` and `executionStoppedAt` are always
    set. A reason with the harness prefix
    `moto-stop:code=TaskFailedToStart;ago=7200;exit=1|<real reason>` sets
    `stopCode` (`code`), the stop times (now minus `ago` seconds), the
    containers' `reason` and `lastStatus` (and `exitCode` when `exit` is given),
    and stores only `<real reason>` as `stoppedReason`. This is how a scenario
    simulates ECS stopping a task itself (a failed start). A reason without the
    prefix is a user's StopTask call: AWS then sets `stopCode` `UserInitiated`,
    so does the harness (containers go to STOPPED, their reason untouched).
  * A backdated stop (`ago` > 0) moves the whole life of the task: `createdAt`
    and the CloudTrail events naming the task (its RunTask) move back by the
    same `ago`, so createdAt <= stoppedAt and the RunTask event stays inside
    [createdAt, stoppedAt]. The scenario's other events (its security group
    rules, routes...) keep the times moto received them.
  * The task's ENI is deleted from moto's EC2 backend (AWS deletes a task's ENI
    when the task stops; with it go its security groups and public IP) and the
    attachment's status becomes `DELETED`; its details (subnetId,
    networkInterfaceId, macAddress, privateIPv4Address...) stay, as in AWS.
  * Stopping an already stopped task changes nothing (as in AWS).
- Services deploy as AWS does (`patch_services`): UpdateService that changes the
  network configuration or the task definition (or forces a new deployment)
  adds a new PRIMARY deployment with the new configuration and keeps the old
  one listed as ACTIVE with its own `networkConfiguration` (moto changes only
  the service's top-level configuration and keeps one deployment). That is the
  state during a rollout; AWS drops the old deployment once it is drained.
- Task sets start their tasks as AWS does: `startedBy` is the task set's ID
  (`ecs-svc/...`) and `group` `service:<service name>` (moto: the account ID
  and `family:<family>`). CreateTaskSet without `scale` starts the service's
  desired count (AWS's default scale is 100 percent).
- CloudTrail `LookupEvents` (moto has none) is served from the requests moto
  really received (`CloudTrail`, below).

CloudTrail. Every request that is not the tool's (no `app/ecs-task-doctor` in
its user agent) is recorded with moto's response as a management event in the
documented record shape (eventVersion, userIdentity, eventTime, eventSource,
eventName, awsRegion, sourceIPAddress, userAgent, requestParameters,
responseElements, requestID, eventID, readOnly, eventType `AwsApiCall`,
managementEvent, recipientAccountId; errorCode/errorMessage for a refused
call). `LookupEvents` (JSON 1.1, `X-Amz-Target:
com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`, or
`CloudTrail_20131101.LookupEvents` as the Rust SDK sends it) answers
from those records: at most one of the eight LookupAttributes (EventId,
EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource,
AccessKeyId; more than one, or another key, is InvalidLookupAttributesException),
StartTime/EndTime as epoch seconds (inclusive; InvalidTimeRangeException when
StartTime is after EndTime), MaxResults 1-50 (default 50;
InvalidMaxResultsException otherwise), NextToken (valid only with the same
parameters, InvalidNextTokenException otherwise), newest first, EventCategory
`insight` returns nothing. Events carry EventId, EventName, ReadOnly (a string),
AccessKeyId, EventTime (epoch seconds), EventSource (`<signing name>.amazonaws.com`),
Username, Resources [{ResourceType, ResourceName}] and CloudTrailEvent (the
record as a JSON string). Documented: the request and Event shapes, the
attribute keys, one attribute per call, 50 results at most
(docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html,
API_Event.html, API_LookupAttribute.html, API_Resource.html), and the record
fields (awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).

What is approximate, our best reading:
- requestParameters / responseElements. For JSON-protocol services (ECS, ECR,
  Logs, Secrets Manager, SSM, KMS, CloudTrail) they are the request and response
  bodies, as in AWS (a RunTask event's responseElements.tasks[].taskArn names
  the task; requestParameters.networkConfiguration.awsvpcConfiguration holds
  subnets, securityGroups and assignPublicIp). For query-protocol services
  (EC2, IAM, STS, SNS) requestParameters are rebuilt from the form fields:
  each dotted key becomes a nested lowerCamel key, numbered members become
  lists (`{"items": [...]}` for EC2, as EC2's CloudTrail records show them;
  IAM's `member` level is dropped), ports, rule numbers and counts become
  numbers, "true"/"false" booleans. responseElements are the XML response made
  into the same shape (EC2: the whole response, `return` as `_return`; IAM:
  the `...Result` element). Read-only events have responseElements null, as
  AWS's Describe/List/Get records do. EFS is recorded for the operations named
  in EFS_OPERATIONS, with the JSON body; other REST services (S3: object
  operations are data events, not management events) are not recorded.
- Resources. AWS documents the Resource shape and that ResourceName is an ID or
  a name ("i-1234567"); the type names below follow CloudFormation's
  (`AWS::EC2::SecurityGroup`), as LookupEvents returns them. Derived per event
  from the request (and, for write events, the response): EC2 IDs by prefix
  (sg-, rtb-, acl-, vpce-, subnet-, vpc-, nat-, igw-, eni-, tgw-, dopt-, i-,
  eipalloc-, pl-) anywhere in the parameters, so AuthorizeSecurityGroupEgress,
  Revoke*, ModifySecurityGroupRules, CreateRoute/ReplaceRoute/DeleteRoute,
  AssociateRouteTable, CreateNetworkAclEntry/ReplaceNetworkAclEntry/
  DeleteNetworkAclEntry/ReplaceNetworkAclAssociation, ModifyVpcEndpoint...
  name what they change; IAM roleName (AWS::IAM::Role, the role's name),
  policyArn, instanceProfileName; ECR repositoryName; Secrets Manager SecretId
  or Name and the secret's ARN; SSM Name/Names; Logs logGroupName; KMS KeyId;
  EFS FileSystemId; ECS task ARNs of RunTask/StartTask/StopTask
  (AWS::ECS::Task), the task definition, the cluster and the service ARN.
- userIdentity is the IAM user `moto` of account 123456789012 (moto's own
  identity), with the request's access key.
- Not recorded, on purpose: the tool's own requests (AWS would record its reads;
  no test needs them and they would crowd the answers), LookupEvents calls,
  `/moto-api/` calls, and calls that only emulate what ECS does by itself: a
  StopTask whose reason carries `moto-stop:` with a code other than
  UserInitiated (ECS stopped the task; no user called StopTask), and a RunTask
  whose startedBy is `ecs-svc/...` (the service scheduler started the task; no
  user called RunTask).

Event time is when moto received the request. A test may set it explicitly
with an `X-Test-Event-Time` header (epoch seconds, or ISO 8601) on the request,
for a change that must happen "after the failure" in a test; nothing else moves
events, except a backdated stop moving its own task's events (above).
`POST /moto-api/reset` clears the records with moto's state.

Every request the tool under test sends carries `app/ecs-task-doctor` in its
user agent. Each one is named `service:Operation` (as IAM names the action) and
checked against tests/support/tool-operations.txt, the read-only allowlist. An
operation outside it is answered 403 and announced on stdout as
`FORBIDDEN <operation>`; the test harness aborts the test binary on that line,
so no test run can pass while the tool sends a write or a value read. The guard
runs before the CloudTrail middleware: the tool's LookupEvents needs
`cloudtrail:LookupEvents` in that allowlist.

moto's request recorder writes to a temporary file of this server (not to
`moto_recording` in the working directory, which is the crate's root), removed
when the server exits.
"""

import base64
import copy
import datetime
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import threading
import traceback
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

# Before moto is imported: the recorder reads its path when it is created.
_fd, RECORDING = tempfile.mkstemp(prefix="moto-recording-", suffix=".jsonl")
os.close(_fd)
os.environ.setdefault("MOTO_RECORDER_FILEPATH", RECORDING)

from werkzeug.serving import make_server

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

ACCOUNT = "123456789012"


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def freeze_ecs_tasks() -> None:
    """moto advances a task's lastStatus on every DescribeTasks call (RUNNING, then
    DEACTIVATING, ... STOPPED). Real tasks do not move because someone looked at them, so
    tasks stay where the scenario put them (StopTask still stops them)."""
    from moto.moto_api import state_manager

    state_manager.set_transition(
        model_name="ecs::task", transition={"progression": "manual", "times": 1_000_000}
    )


STOP_PREFIX = "moto-stop:"


def parse_stop_reason(reason):
    """`moto-stop:code=C;ago=S;exit=N|reason` -> ({"code": C, ...}, reason); any other
    reason -> (None, reason), unchanged."""
    if not reason or not reason.startswith(STOP_PREFIX):
        return None, reason
    head, sep, rest = reason[len(STOP_PREFIX) :].partition("|")
    if not sep:
        return None, reason
    fields = {}
    for part in head.split(";"):
        key, eq, value = part.partition("=")
        if eq:
            fields[key.strip()] = value.strip()
    return fields, rest


def patch_task_created_at() -> None:
    """Every task gets `createdAt`: when moto created it, that is when it received RunTask."""
    from moto.ecs import models

    original = models.Task.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.created_at = utc_now()

    models.Task.__init__ = init


def delete_task_enis(task) -> None:
    """What AWS does to an awsvpc task's ENI when the task stops: deletes it. The attachment
    stays, with status DELETED and its details."""
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[task._account_id][task.region_name]
    for attachment in task.attachments:
        if attachment.get("type") != "ElasticNetworkInterface":
            continue
        for detail in attachment.get("details", []):
            if detail.get("name") == "networkInterfaceId":
                try:
                    ec2.delete_network_interface(detail["value"])
                except Exception:  # already gone: the state is the same
                    pass
        attachment["status"] = "DELETED"


def patch_stop_task() -> None:
    """Every stop leaves AWS's state: stop code and times, containers stopped, ENI deleted."""
    from moto.ecs import models

    original = models.EC2ContainerServiceBackend.stop_task

    def stop_task(self, cluster_str, task_str, reason):
        fields, real_reason = parse_stop_reason(reason)
        task = original(self, cluster_str, task_str, real_reason)
        if getattr(task, "harness_stopped", False):
            return task
        task.harness_stopped = True
        ago = int((fields or {}).get("ago", "0"))
        stopped = utc_now() - datetime.timedelta(seconds=ago)
        task.stop_code = (fields or {}).get("code", "UserInitiated")
        task.stopping_at = stopped
        task.stopped_at = stopped
        task.execution_stopped_at = stopped
        if ago:
            if getattr(task, "created_at", None):
                task.created_at -= datetime.timedelta(seconds=ago)
            CLOUDTRAIL.shift(task.task_arn, ago)
        for container in task.containers:
            container.last_status = "STOPPED"
            if fields is not None:
                container.reason = real_reason
                if "exit" in fields:
                    container.exitCode = int(fields["exit"])
        delete_task_enis(task)
        return task

    models.EC2ContainerServiceBackend.stop_task = stop_task


def new_deployment_id() -> str:
    from moto.moto_api._internal import mock_random

    return f"ecs-svc/{mock_random.randint(0, 32**12)}"


def patch_services() -> None:
    """UpdateService starts a new deployment as AWS does; task sets start their tasks as AWS does."""
    from moto.ecs import models

    original_update = models.EC2ContainerServiceBackend.update_service

    def update_service(self, service_properties):
        force = service_properties.pop("force_new_deployment", False)
        cluster_str = service_properties.get("cluster", "default")
        name = service_properties["service"].split("/")[-1]
        before = self._get_service(cluster_str, name)
        before_network = copy.deepcopy(before.network_configuration)
        before_td = before.task_definition
        service = original_update(self, service_properties)
        new_td = service.task_definition
        if new_td and not str(new_td).startswith("arn:"):
            new_td = self.describe_task_definition(new_td).arn
            service.task_definition = new_td
        changed = force or service.network_configuration != before_network or new_td != before_td
        if changed and service.deployment_controller.get("type", "ECS") == "ECS":
            now = utc_now()
            for d in service.deployments:
                if d.get("status") == "PRIMARY":
                    d["status"] = "ACTIVE"
                    d["updatedAt"] = now
            template = service.deployments[0] if service.deployments else {}
            deployment_id = new_deployment_id()
            deployment = dict(template)
            deployment.update(
                {
                    "id": deployment_id,
                    "status": "PRIMARY",
                    "createdAt": now,
                    "updatedAt": now,
                    "desiredCount": service.desired_count,
                    "pendingCount": 0,
                    "runningCount": 0,
                    "failedTasks": 0,
                    "rolloutState": "IN_PROGRESS",
                    "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
                    "taskDefinition": new_td,
                    "networkConfiguration": copy.deepcopy(service.network_configuration) or None,
                }
            )
            service.deployments.insert(0, deployment)
        return service

    models.EC2ContainerServiceBackend.update_service = update_service

    original_create_task_set = models.EC2ContainerServiceBackend.create_task_set

    def create_task_set(self, service, cluster_str, task_definition, **kwargs):
        scale = kwargs.pop("scale", None)
        task_set = original_create_task_set(
            self, service, cluster_str, task_definition, scale=None, **kwargs
        )
        task_set.scale = scale or {"value": 100.0, "unit": "PERCENT"}
        service_name = service.split("/")[-1]
        service_obj = self._get_service(cluster_str, service_name)
        if task_set.scale.get("unit") == "PERCENT":
            count = int(service_obj.desired_count * (task_set.scale["value"] / 100))
            if count:
                self.run_task(
                    cluster_str=cluster_str,
                    task_definition_str=task_definition,
                    count=count,
                    overrides=None,
                    started_by=task_set.id,
                    tags=kwargs.get("tags") or [],
                    launch_type=kwargs.get("launch_type"),
                    networking_configuration=kwargs.get("network_configuration"),
                    group=f"service:{service_name}",
                )
        return task_set

    models.EC2ContainerServiceBackend.create_task_set = create_task_set


# --- CloudTrail ---------------------------------------------------------------------------

# boto3 sends the long target, the Rust SDK the short one.
LOOKUP_TARGETS = {
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
    "CloudTrail_20131101.LookupEvents",
}
LOOKUP_KEYS = {
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
}
READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "Lookup", "Search", "Head", "Check")
# Query-protocol services: the form's Action is the operation.
EC2_ID = re.compile(
    r"^(sg|rtb|acl|vpce|subnet|vpc|nat|igw|eni|tgw|dopt|i|eipalloc|pl)-[0-9a-f]{8,17}$"
)
EC2_TYPES = {
    "sg": "AWS::EC2::SecurityGroup",
    "rtb": "AWS::EC2::RouteTable",
    "acl": "AWS::EC2::NetworkAcl",
    "vpce": "AWS::EC2::VPCEndpoint",
    "subnet": "AWS::EC2::Subnet",
    "vpc": "AWS::EC2::VPC",
    "nat": "AWS::EC2::NatGateway",
    "igw": "AWS::EC2::InternetGateway",
    "eni": "AWS::EC2::NetworkInterface",
    "tgw": "AWS::EC2::TransitGateway",
    "dopt": "AWS::EC2::DHCPOptions",
    "i": "AWS::EC2::Instance",
    "eipalloc": "AWS::EC2::EIP",
    "pl": "AWS::EC2::PrefixList",
}
NUMERIC_KEY = re.compile(r"(Port|Number|Count|MaxResults|Duration|Size)$")
EFS_OPERATIONS = [
    ("POST", re.compile(r"^/2015-02-01/file-systems$"), "CreateFileSystem"),
    ("POST", re.compile(r"^/2015-02-01/mount-targets$"), "CreateMountTarget"),
    ("PUT", re.compile(r"^/2015-02-01/file-systems/([^/]+)/policy$"), "PutFileSystemPolicy"),
    ("DELETE", re.compile(r"^/2015-02-01/file-systems/([^/]+)/policy$"), "DeleteFileSystemPolicy"),
    ("DELETE", re.compile(r"^/2015-02-01/mount-targets/([^/]+)$"), "DeleteMountTarget"),
    ("DELETE", re.compile(r"^/2015-02-01/file-systems/([^/]+)$"), "DeleteFileSystem"),
    ("GET", re.compile(r"^/2015-02-01/mount-targets$"), "DescribeMountTargets"),
    ("GET", re.compile(r"^/2015-02-01/file-systems$"), "DescribeFileSystems"),
]


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:] if name else name


def scalar(key: str, value: str):
    if value in ("true", "false"):
        return value == "true"
    if NUMERIC_KEY.search(key) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def form_to_parameters(fields: dict, ec2: bool):
    """Query-protocol form fields -> nested lowerCamel parameters (approximate; see the docstring)."""
    root: dict = {}
    for key, value in fields.items():
        if key in ("Action", "Version"):
            continue
        parts = key.split(".")
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value

    def convert(name, node):
        if not isinstance(node, dict):
            return scalar(name, node)
        if "member" in node and len(node) == 1:
            node = node["member"]
        if node and all(k.isdigit() for k in node):
            items = [convert(name, node[k]) for k in sorted(node, key=int)]
            return {"items": items} if ec2 else items
        return {lower_camel(k): convert(k, v) for k, v in node.items()}

    return convert("", root)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xml_to_value(elem, ec2: bool):
    children = list(elem)
    if not children:
        text = (elem.text or "").strip()
        return scalar(local(elem.tag), text)
    if all(local(c.tag) in ("item", "member") for c in children):
        items = [xml_to_value(c, ec2) for c in children]
        return {"items": items} if ec2 else items
    out: dict = {}
    for c in children:
        key = local(c.tag)
        key = "_return" if key == "return" else lower_camel(key)
        value = xml_to_value(c, ec2)
        if key in out:
            if not isinstance(out[key], list):
                out[key] = [out[key]]
            out[key].append(value)
        else:
            out[key] = value
    return out


def query_response_elements(body: bytes, ec2: bool):
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    if ec2:
        value = xml_to_value(root, True)
        return value if isinstance(value, dict) else None
    for child in root:
        if local(child.tag).endswith("Result"):
            value = xml_to_value(child, False)
            return value if isinstance(value, dict) and value else None
    return None


def walk_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from walk_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk_strings(v)


def first(value, *keys):
    """The first of `keys` present in the dict `value` (any case of the first letter)."""
    if not isinstance(value, dict):
        return None
    for key in keys:
        for k in (key, key[:1].upper() + key[1:]):
            if value.get(k):
                return value[k]
    return None


def derive_resources(service, op, read_only, req, resp):
    """Resources [{ResourceType, ResourceName}] of one event (our best reading; see the docstring)."""
    found = []

    def add(kind, name):
        if isinstance(name, str) and name and {"ResourceType": kind, "ResourceName": name} not in found:
            found.append({"ResourceType": kind, "ResourceName": name})

    if service == "ec2":
        sources = [req] if read_only else [req, resp]
        for source in sources:
            for s in walk_strings(source):
                m = EC2_ID.match(s)
                if m:
                    add(EC2_TYPES[m.group(1)], s)
    elif service == "iam":
        add("AWS::IAM::Role", first(req, "roleName"))
        add("AWS::IAM::Policy", first(req, "policyArn"))
        add("AWS::IAM::InstanceProfile", first(req, "instanceProfileName"))
        add("AWS::IAM::User", first(req, "userName"))
    elif service == "ecr":
        add("AWS::ECR::Repository", first(req, "repositoryName"))
        if isinstance(resp, dict):
            add("AWS::ECR::Repository", first(first(resp, "repository") or {}, "repositoryName"))
    elif service == "secretsmanager":
        add("AWS::SecretsManager::Secret", first(req, "SecretId", "Name"))
        add("AWS::SecretsManager::Secret", first(resp, "ARN"))
    elif service == "ssm":
        add("AWS::SSM::Parameter", first(req, "Name"))
        for name in first(req, "Names") or []:
            add("AWS::SSM::Parameter", name)
    elif service == "logs":
        add("AWS::Logs::LogGroup", first(req, "logGroupName"))
    elif service == "kms":
        add("AWS::KMS::Key", first(req, "KeyId"))
        add("AWS::KMS::Key", first(first(resp, "KeyMetadata") or {}, "Arn"))
    elif service == "elasticfilesystem":
        add("AWS::EFS::FileSystem", first(req, "FileSystemId"))
        add("AWS::EFS::FileSystem", first(resp, "FileSystemId"))
    elif service == "ecs":
        if isinstance(resp, dict):
            for task in resp.get("tasks") or []:
                add("AWS::ECS::Task", task.get("taskArn"))
            add("AWS::ECS::Task", (resp.get("task") or {}).get("taskArn"))
            add("AWS::ECS::Service", (resp.get("service") or {}).get("serviceArn"))
            add("AWS::ECS::TaskDefinition", (resp.get("taskDefinition") or {}).get("taskDefinitionArn"))
        add("AWS::ECS::TaskDefinition", first(req, "taskDefinition"))
        add("AWS::ECS::Cluster", first(req, "cluster"))
    return found


def epoch(value) -> float:
    """Epoch seconds from a number or an ISO 8601 string."""
    if isinstance(value, (int, float)):
        return float(value)
    value = str(value).strip()
    try:
        return float(value)
    except ValueError:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def iso(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class CloudTrail:
    """The CloudTrail records of this server, and LookupEvents over them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = []  # dicts: time, seq, event fields, record
        self.seq = 0

    def clear(self):
        with self.lock:
            self.records = []

    def shift(self, resource_name: str, seconds: int):
        """Moves every event naming `resource_name` `seconds` earlier (a backdated stop)."""
        with self.lock:
            for r in self.records:
                if any(res["ResourceName"] == resource_name for res in r["resources"]):
                    r["time"] -= seconds

    def add(self, *, time, service, region, op, read_only, access_key, agent, source_ip,
            request_parameters, response_elements, request_id, error):
        event_id = str(uuid.uuid4())
        resources = derive_resources(service, op, read_only, request_parameters, response_elements)
        record = {
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "IAMUser",
                "principalId": "AIDAHARNESSMOTOUSER0",
                "arn": f"arn:aws:iam::{ACCOUNT}:user/moto",
                "accountId": ACCOUNT,
                "accessKeyId": access_key,
                "userName": "moto",
            },
            "eventSource": f"{service}.amazonaws.com",
            "eventName": op,
            "awsRegion": region,
            "sourceIPAddress": source_ip,
            "userAgent": agent,
            "requestParameters": request_parameters,
            "responseElements": None if (read_only or error) else response_elements,
            "requestID": request_id,
            "eventID": event_id,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Management",
        }
        if error:
            record["errorCode"], record["errorMessage"] = error
        with self.lock:
            self.seq += 1
            self.records.append(
                {
                    "time": time,
                    "seq": self.seq,
                    "id": event_id,
                    "name": op,
                    "read_only": "true" if read_only else "false",
                    "access_key": access_key,
                    "source": record["eventSource"],
                    "username": "moto",
                    "resources": resources,
                    "record": record,
                }
            )

    def event(self, r):
        record = dict(r["record"])
        record["eventTime"] = iso(r["time"])
        return {
            "EventId": r["id"],
            "EventName": r["name"],
            "ReadOnly": r["read_only"],
            "AccessKeyId": r["access_key"],
            "EventTime": r["time"],
            "EventSource": r["source"],
            "Username": r["username"],
            "Resources": r["resources"],
            "CloudTrailEvent": json.dumps(record),
        }

    def lookup(self, body: dict):
        """-> (status, response dict)."""

        def error(kind, message):
            return 400, {"__type": kind, "message": message}

        attributes = body.get("LookupAttributes") or []
        if len(attributes) > 1:
            return error(
                "InvalidLookupAttributesException",
                "You cannot specify more than one lookup attribute.",
            )
        for a in attributes:
            if a.get("AttributeKey") not in LOOKUP_KEYS or not a.get("AttributeValue"):
                return error(
                    "InvalidLookupAttributesException",
                    f"Invalid lookup attribute {a.get('AttributeKey')!r}.",
                )
        max_results = body.get("MaxResults", 50)
        if not isinstance(max_results, int) or not 1 <= max_results <= 50:
            return error("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
        start = epoch(body["StartTime"]) if body.get("StartTime") is not None else None
        end = epoch(body["EndTime"]) if body.get("EndTime") is not None else None
        if start is not None and end is not None and start > end:
            return error("InvalidTimeRangeException", "StartTime is after EndTime.")
        if body.get("EventCategory") == "insight":
            return 200, {"Events": []}
        query = hashlib.sha256(
            json.dumps(
                [attributes, body.get("StartTime"), body.get("EndTime"), body.get("EventCategory")],
                sort_keys=True,
            ).encode()
        ).hexdigest()[:16]
        after = None
        if body.get("NextToken"):
            try:
                token = json.loads(base64.b64decode(body["NextToken"]))
                assert token["q"] == query
                after = (token["t"], token["s"])
            except Exception:
                return error("InvalidNextTokenException", "Invalid NextToken.")

        def matches(r):
            if start is not None and r["time"] < start:
                return False
            if end is not None and r["time"] > end:
                return False
            for a in attributes:
                key, value = a["AttributeKey"], a["AttributeValue"]
                if key == "EventId" and r["id"] != value:
                    return False
                if key == "EventName" and r["name"] != value:
                    return False
                if key == "ReadOnly" and r["read_only"] != value:
                    return False
                if key == "Username" and r["username"] != value:
                    return False
                if key == "EventSource" and r["source"] != value:
                    return False
                if key == "AccessKeyId" and r["access_key"] != value:
                    return False
                if key == "ResourceType" and not any(x["ResourceType"] == value for x in r["resources"]):
                    return False
                if key == "ResourceName" and not any(x["ResourceName"] == value for x in r["resources"]):
                    return False
            return True

        with self.lock:
            chosen = sorted(
                (r for r in self.records if matches(r)),
                key=lambda r: (r["time"], r["seq"]),
                reverse=True,
            )
        if after is not None:
            chosen = [r for r in chosen if (r["time"], r["seq"]) < tuple(after)]
        page, rest = chosen[:max_results], chosen[max_results:]
        out = {"Events": [self.event(r) for r in page]}
        if rest:
            last = page[-1]
            out["NextToken"] = base64.b64encode(
                json.dumps({"t": last["time"], "s": last["seq"], "q": query}).encode()
            ).decode()
        return 200, out


CLOUDTRAIL = CloudTrail()


def signing(environ):
    """(service, region, access key) from the SigV4 Authorization header."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = re.search(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/aws4_request", auth)
    if not m:
        return "unknown", "us-east-1", ""
    return m.group(3), m.group(2), m.group(1)


def read_body(environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def classify(environ, body: bytes):
    """-> (service, region, access key, operation, protocol) or None when not recorded."""
    service, region, access_key = signing(environ)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service, region, access_key, target.rsplit(".", 1)[-1], "json"
    query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
    form = {}
    ctype = environ.get("CONTENT_TYPE", "")
    if body and "x-www-form-urlencoded" in ctype:
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    fields = {**query, **form}
    if fields.get("Action"):
        return service, region, access_key, fields["Action"], "query"
    if service == "elasticfilesystem":
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        for m_, pattern, name in EFS_OPERATIONS:
            if method == m_ and pattern.match(path):
                return service, region, access_key, name, "rest-json"
    return None


def record_request(environ, body, classified, status, response_body):
    service, region, access_key, op, protocol = classified
    read_only = op.startswith(READ_PREFIXES)
    code = int(status.split(" ", 1)[0])
    if protocol in ("json", "rest-json"):
        try:
            req = json.loads(body) if body else {}
        except ValueError:
            req = None
        if protocol == "rest-json" and service == "elasticfilesystem":
            m = re.search(r"/file-systems/([^/]+)", environ.get("PATH_INFO", ""))
            if m and isinstance(req, dict):
                req.setdefault("FileSystemId", m.group(1))
        try:
            resp = json.loads(response_body) if response_body else None
        except ValueError:
            resp = None
        error = None
        if code >= 400:
            kind = (resp or {}).get("__type", "") if isinstance(resp, dict) else ""
            message = (resp or {}).get("message") or (resp or {}).get("Message") if isinstance(resp, dict) else None
            error = (kind.rsplit("#", 1)[-1] or str(code), message or "")
    else:
        ec2 = service == "ec2"
        fields = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        if body:
            fields.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        req = form_to_parameters(fields, ec2)
        resp = query_response_elements(response_body, ec2) if code < 400 else None
        error = None
        if code >= 400:
            m = re.search(rb"<Code>([^<]+)</Code>", response_body or b"")
            msg = re.search(rb"<Message>([^<]*)</Message>", response_body or b"")
            error = (
                m.group(1).decode() if m else str(code),
                msg.group(1).decode() if msg else "",
            )
    # What only emulates ECS acting by itself is not a user's call (see the docstring).
    if service == "ecs" and isinstance(req, dict):
        if op == "StopTask":
            fields_, _ = parse_stop_reason(req.get("reason"))
            if fields_ is not None and fields_.get("code", "UserInitiated") != "UserInitiated":
                return
            if fields_ is not None:
                req["reason"] = parse_stop_reason(req.get("reason"))[1]
        if op == "RunTask" and str(req.get("startedBy", "")).startswith("ecs-svc/"):
            return
    when = environ.get("HTTP_X_TEST_EVENT_TIME")
    time = epoch(when) if when else utc_now().timestamp()
    headers = environ.get("harness.response_headers", {})
    request_id = headers.get("x-amzn-requestid") or headers.get("x-amz-request-id") or str(uuid.uuid4())
    CLOUDTRAIL.add(
        time=time,
        service=service,
        region=region,
        op=op,
        read_only=read_only,
        access_key=access_key,
        agent=environ.get("HTTP_USER_AGENT", ""),
        source_ip=environ.get("REMOTE_ADDR", "127.0.0.1"),
        request_parameters=req,
        response_elements=resp,
        request_id=request_id,
        error=error,
    )


def cloudtrail_middleware(app):
    """Answers LookupEvents and records every other request that is not the tool's."""

    def middleware(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api/"):
            if path.rstrip("/") == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
                CLOUDTRAIL.clear()
            return app(environ, start_response)
        if environ.get("HTTP_X_AMZ_TARGET") in LOOKUP_TARGETS:
            body = read_body(environ)
            try:
                request = json.loads(body) if body else {}
            except ValueError:
                request = {}
            status, out = CLOUDTRAIL.lookup(request)
            payload = json.dumps(out).encode()
            headers = [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", str(uuid.uuid4())),
            ]
            if status != 200:
                headers.append(("x-amzn-ErrorType", out["__type"]))
            start_response("200 OK" if status == 200 else "400 Bad Request", headers)
            return [payload]
        agent = environ.get("HTTP_USER_AGENT", "") + " " + environ.get("HTTP_X_AMZ_USER_AGENT", "")
        if TOOL_MARKER in agent:
            return app(environ, start_response)
        body = read_body(environ)
        try:
            classified = classify(environ, body)
        except Exception:
            traceback.print_exc()
            classified = None
        if classified is None:
            return app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers
            environ["harness.response_headers"] = {k.lower(): v for k, v in headers}
            return start_response(status, headers, exc_info)

        result = app(environ, capture)
        try:
            response_body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        try:
            record_request(environ, body, classified, captured.get("status", "200 OK"), response_body)
        except Exception:
            traceback.print_exc()
        return [response_body]

    return middleware


TOOL_MARKER = "app/ecs-task-doctor"
ALLOWLIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tool-operations.txt")

# EFS and S3 are REST services: their operation is the method and path.
EFS_READS = [
    ("GET", re.compile(r"^/2015-02-01/mount-targets/[^/]+/security-groups$"), "DescribeMountTargetSecurityGroups"),
    ("GET", re.compile(r"^/2015-02-01/mount-targets$"), "DescribeMountTargets"),
    ("GET", re.compile(r"^/2015-02-01/file-systems/[^/]+/policy$"), "DescribeFileSystemPolicy"),
]


def operation(environ: dict, body: bytes) -> str:
    """`service:Operation` of a request, as IAM names the action."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request", auth)
    service = m.group(1) if m else "unknown"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if body else {}
    action = (form.get("Action") or query.get("Action") or [None])[0]
    if action:
        return f"{service}:{action}"
    method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
    if service == "elasticfilesystem":
        for m_, pattern, name in EFS_READS:
            if method == m_ and pattern.match(path):
                return f"{service}:{name}"
    if service == "s3" and method == "PUT" and path.strip("/").count("/") >= 1:
        return "s3:PutObject"
    return f"{service}:{method} {path}"


def guard_tool_requests(app):
    """Refuses, and announces, any operation of the tool outside the allowlist."""
    with open(ALLOWLIST) as f:
        allowed = {line.strip() for line in f if line.strip() and not line.startswith("#")}

    def guarded(environ, start_response):
        agent = environ.get("HTTP_USER_AGENT", "") + " " + environ.get("HTTP_X_AMZ_USER_AGENT", "")
        if TOOL_MARKER not in agent:
            return app(environ, start_response)
        body = read_body(environ)
        op = operation(environ, body)
        if op in allowed:
            return app(environ, start_response)
        print(f"FORBIDDEN {op}", flush=True)
        start_response("403 Forbidden", [("Content-Type", "text/plain")])
        return [f"ecs-task-doctor sent {op}, which is not in tests/support/tool-operations.txt".encode()]

    return guarded


def main() -> None:
    freeze_ecs_tasks()
    patch_task_created_at()
    patch_stop_task()
    patch_services()
    app = guard_tool_requests(
        cloudtrail_middleware(DomainDispatcherApplication(create_backend_app))
    )
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
    )
    port = server.server_port
    # moto builds some URLs (for example presigned ones) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)

    def exit_when_parent_goes() -> None:
        sys.stdin.read()
        try:
            os.remove(RECORDING)
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
