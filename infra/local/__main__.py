"""``python -m infra.local`` runs the local stack (``make dev``); ``fire <schedule>`` fires a timer now."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import urllib.error
import urllib.request
import warnings
from typing import Any


def serve() -> int:
    from infra.local.stack import LocalStack, PortInUse, StackConfig

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    for noisy in ("werkzeug", "botocore", "urllib3", "moto", "stripe"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    config = StackConfig.from_env()
    print(f"Starting moto on 127.0.0.1:{config.aws_port or '(a free port)'} ...", flush=True)
    stack = LocalStack(config)
    try:
        try:
            stack.start()
        except PortInUse as exc:
            print(f"Cannot start: {exc}", file=sys.stderr, flush=True)
            return 2
        print(stack.banner(), flush=True)
        while not stop.wait(0.5):
            pass
        print("Stopping ...", flush=True)
    finally:
        stack.stop()
    print("Stopped.", flush=True)
    return 0


def fire(name: str, port: int) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/_local/schedules/{name}", method="POST", data=b""
    )
    try:
        with urllib.request.urlopen(request, timeout=900) as reply:  # noqa: S310 - a fixed loopback URL
            print(json.dumps(json.loads(reply.read()), indent=2))
            return 0
    except urllib.error.HTTPError as error:
        print(error.read().decode(), file=sys.stderr)
        return 1
    except urllib.error.URLError as error:
        print(f"No local stack on port {port}: {error.reason}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    fire_parser = commands.add_parser("fire", help="fire one schedule now on a running stack")
    fire_parser.add_argument("name")
    fire_parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if args.command == "fire":
        return fire(args.name, args.port)
    return serve()


if __name__ == "__main__":
    sys.exit(main())
