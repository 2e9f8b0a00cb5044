"""Start a moto server for one test binary.

Binds 127.0.0.1 on a port the kernel picks (no race between choosing a port
and binding it), prints that port on the first line of stdout, and serves
until its standard input closes. The test process holds the other end of that
pipe, so the server ends with the test binary even when the tests panic.
"""

import os
import sys
import threading

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


def main() -> None:
    freeze_ecs_tasks()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
    )
    port = server.server_port
    # moto builds some URLs (for example presigned ones) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)

    def exit_when_parent_goes() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
