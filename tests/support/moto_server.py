"""Start a moto server for one test binary.

Binds 127.0.0.1 on a port the kernel picks (no race between choosing a port
and binding it), prints that port on the first line of stdout, and serves
until its standard input closes. The test process holds the other end of that
pipe, so the server ends with the test binary even when the tests panic.

Two patches bring moto closer to AWS:

- Tasks stay where the scenario put them (`freeze_ecs_tasks`).
- StopTask can stop a task the way ECS does when a start fails. moto's StopTask
  sets no stopCode, stoppedAt or container reason, while AWS always sets them.
  A scenario asks for them with a harness prefix on the reason:
  `moto-stop:code=TaskFailedToStart;ago=7200;exit=1|<real reason>` sets
  `stopCode`, `stoppedAt` (now minus `ago` seconds, timezone-aware),
  `stoppingAt`, the containers' `reason` and `lastStatus` (and `exitCode` when
  `exit` is given), and stores only `<real reason>` as `stoppedReason`. A reason
  without the prefix behaves exactly as in stock moto.

Every request the tool under test sends carries `app/ecs-task-doctor` in its
user agent. Each one is named `service:Operation` (as IAM names the action) and
checked against tests/support/tool-operations.txt, the read-only allowlist. An
operation outside it is answered 403 and announced on stdout as
`FORBIDDEN <operation>`; the test harness aborts the test binary on that line,
so no test run can pass while the tool sends a write or a value read.

moto's request recorder writes to a temporary file of this server (not to
`moto_recording` in the working directory, which is the crate's root), removed
when the server exits.
"""

import datetime
import io
import os
import re
import sys
import tempfile
import threading
import urllib.parse

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


def patch_stop_task() -> None:
    """Lets a scenario stop a task with the stopCode and stop time AWS would set."""
    from moto.ecs import models

    original = models.EC2ContainerServiceBackend.stop_task

    def stop_task(self, cluster_str, task_str, reason):
        fields, real_reason = parse_stop_reason(reason)
        if fields is None:
            return original(self, cluster_str, task_str, reason)
        task = original(self, cluster_str, task_str, real_reason)
        now = datetime.datetime.now(datetime.timezone.utc)
        stopped = now - datetime.timedelta(seconds=int(fields.get("ago", "0")))
        task.stop_code = fields.get("code", "UserInitiated")
        task.stopping_at = stopped
        task.stopped_at = stopped
        for container in task.containers:
            container.reason = real_reason
            container.last_status = "STOPPED"
            if "exit" in fields:
                container.exitCode = int(fields["exit"])
        return task

    models.EC2ContainerServiceBackend.stop_task = stop_task


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
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        op = operation(environ, body)
        if op in allowed:
            return app(environ, start_response)
        print(f"FORBIDDEN {op}", flush=True)
        start_response("403 Forbidden", [("Content-Type", "text/plain")])
        return [f"ecs-task-doctor sent {op}, which is not in tests/support/tool-operations.txt".encode()]

    return guarded


def main() -> None:
    freeze_ecs_tasks()
    patch_stop_task()
    app = guard_tool_requests(DomainDispatcherApplication(create_backend_app))
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
