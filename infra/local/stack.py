"""The local stack: moto's server, the resources, the gateway, pollers, timers and state machines.

One process: ``LocalStack(config).start()`` brings everything up and returns the banner;
``stop()`` takes it down. The data lives in moto's memory for as long as the process runs.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from agentgate.consumers import CONSUMERS, QUEUE_CONSUMERS, QueueConsumer, StreamConsumer
from agentgate.platform.settings import Settings, env_name, settings_env
from agentgate.routes import ROUTES, Route
from agentgate.schedules import SCHEDULES, Schedule
from agentgate.workflows import WORKFLOWS, Workflow
from infra.local.apigw import STAGE
from infra.local.authorization import AuthorizerCache
from infra.local.control_plane import ControlPlane
from infra.local.gateway import Gateway, GatewayServer, LocalActions
from infra.local.handlers import FunctionRunner
from infra.local.limits import UsagePlanDirectory, UsagePlanLimiter
from infra.local.outbox import CognitoMailer, Outbox
from infra.local.queues import QueuePoller
from infra.local.resources import REPO_ROOT, Provisioned, provision
from infra.local.statemachines import LambdaBridge, enable_execution
from infra.local.streams import StreamPoller
from infra.local.stripe_emulator import StripeEmulator, local_emulator
from infra.local.timers import Scheduler

log = logging.getLogger("infra.local")

AUTHORIZER_HANDLER = "authorizer"
# A tier change moves the tenant's key to another usage plan; the gateway sees the move this soon.
PLAN_DIRECTORY_TTL_SECONDS = 2.0


def local_setting_defaults() -> dict[str, str]:
    """The settings the resources do not determine, each with its local value."""
    return settings_env(
        token_audience=Settings.token_audience,
        access_token_ttl_seconds=Settings.access_token_ttl_seconds,
        authorizer_cache_ttl_seconds=Settings.authorizer_cache_ttl_seconds,
        # Stripe is not reachable offline; the emulator signs its events with this secret (so can you).
        stripe_webhook_secret="whsec_" + secrets.token_urlsafe(24),
        # A developer's webhook receiver and a test OIDC issuer run on this machine; an exported value wins.
        allow_loopback_webhooks=True,
        allow_loopback_issuers=True,
    )


def apply_setting_defaults(environ: MutableMapping[str, str]) -> None:
    """Each local default, unless the developer exported the variable: theirs wins."""
    for name, value in local_setting_defaults().items():
        environ.setdefault(name, value)


class PortInUse(RuntimeError):
    pass


def ensure_port_free(host: str, port: int, variable: str) -> None:
    """Fail with a clear message rather than hang: moto's server thread dies silently on a busy port."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(
                f"{host}:{port} is in use; set {variable} to another port (0 picks a free one)"
            ) from exc


@dataclass
class StackConfig:
    host: str = "127.0.0.1"
    port: int = 8000  # 0: any free port
    aws_port: int = 4566  # 0: any free port
    stripe_port: int = 12111  # the Stripe emulator; 0: any free port
    prefix: str = "agentgate"
    region: str = "us-east-1"
    portal_dir: Path = REPO_ROOT / "portal" / "dist"  # `make portal` builds it
    seed: bool = True
    routes: tuple[Route, ...] = ROUTES
    consumers: tuple[StreamConsumer, ...] = CONSUMERS
    queue_consumers: tuple[QueueConsumer, ...] = QUEUE_CONSUMERS
    schedules: tuple[Schedule, ...] = SCHEDULES
    workflows: tuple[Workflow, ...] = WORKFLOWS

    @classmethod
    def from_env(cls) -> StackConfig:
        return cls(
            port=int(os.environ.get("PORT", "8000")),
            aws_port=int(os.environ.get("AWS_PORT", "4566")),
            stripe_port=int(os.environ.get("STRIPE_PORT", "12111")),
        )


@dataclass
class Running:
    api_url: str
    aws_url: str
    provisioned: Provisioned
    seed_lines: list[str] = field(default_factory=list)
    stripe_url: str | None = None  # the emulator; None when a real Stripe key was exported


class LocalStack:
    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config or StackConfig()
        self.runner = FunctionRunner()
        self.bridge = LambdaBridge(self.runner)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._moto: Any = None
        self._server: GatewayServer | None = None
        self.running: Running | None = None
        self.scheduler: Scheduler | None = None
        self.stripe: StripeEmulator | None = None
        self.outbox = Outbox()
        self.mailer = CognitoMailer(self.outbox)

    def start(self) -> Running:
        from moto.server import ThreadedMotoServer

        from infra.local.atomic import make_dynamodb_atomic
        from infra.local.kinesis_shards import make_shard_reads_constant_time
        from infra.local.pauses import freeze_survivors_of_full_collections

        cfg = self.config
        ensure_port_free(cfg.host, cfg.aws_port, "AWS_PORT")
        ensure_port_free(cfg.host, cfg.port, "PORT")
        # A Stripe key exported before `make dev` means Stripe's own test mode: no emulator then.
        use_emulator = not os.environ.get("STRIPE_API_KEY")
        if use_emulator:
            ensure_port_free(cfg.host, cfg.stripe_port, "STRIPE_PORT")
        make_dynamodb_atomic()  # moto serves requests on threads; DynamoDB applies each one whole
        freeze_survivors_of_full_collections()  # one process holds it all: no long collector pauses
        make_shard_reads_constant_time()  # a poll or a put no longer walks every record a shard took
        self._moto = ThreadedMotoServer(ip_address=cfg.host, port=cfg.aws_port, verbose=False)
        self._moto.start()
        aws_port = self._moto.get_host_and_port()[1]
        aws_url = f"http://{cfg.host}:{aws_port}"
        self._set_env(
            AWS_ENDPOINT_URL=aws_url,
            MOTO_PORT=str(aws_port),  # where moto's Step Functions sends its Lambda invokes
            AWS_ACCESS_KEY_ID="local",
            AWS_SECRET_ACCESS_KEY="local",  # moto accepts any credentials
            AWS_REGION=cfg.region,
            AWS_DEFAULT_REGION=cfg.region,
            **settings_env(stage="local"),
        )
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
        enable_execution()
        self.bridge.install()
        self.mailer.install()

        provisioned = provision(
            cfg.prefix,
            cfg.region,
            endpoint_url=aws_url,
            consumers=cfg.consumers,
            queue_consumers=cfg.queue_consumers,
            workflows=cfg.workflows,
        )
        self._set_env(**provisioned.env)
        apply_setting_defaults(os.environ)  # a value the developer exported wins
        if use_emulator:
            self.stripe, stripe_env = local_emulator(
                cfg.host, cfg.stripe_port, os.environ["STRIPE_WEBHOOK_SECRET"]
            )
            for name, value in stripe_env.items():
                os.environ.setdefault(name, value)
        self._reset_caches()

        server = self._server = GatewayServer((cfg.host, cfg.port), self._gateway(provisioned, aws_url))
        api_url = server.url
        # The functions' API Gateway calls come here: the gateway flushes its authorizer cache on
        # FlushStageAuthorizersCache and forwards every other call to moto (infra/local/control_plane.py).
        self._set_env(
            **settings_env(issuer=api_url, portal_url=api_url), AWS_ENDPOINT_URL_API_GATEWAY=api_url
        )
        self._reset_caches()
        self._ensure_signing_key()
        if self.stripe is not None:
            self.stripe.webhook_url = f"{api_url}/webhooks/stripe"
            self.stripe.start()
        self._start_pollers(provisioned)
        scheduler = self.scheduler = Scheduler(
            cfg.schedules, runner=self.runner, region=cfg.region, prefix=cfg.prefix
        )
        server.gateway.actions = LocalActions(
            {name: partial(scheduler.fire, name) for name in scheduler.schedules},
            outbox=self.outbox.newest_first,
        )
        self._spawn("scheduler", partial(scheduler.run, self._stop))
        self._spawn("gateway", partial(server.serve_forever, poll_interval=0.2))

        self.running = Running(
            api_url, aws_url, provisioned, stripe_url=self.stripe.url if self.stripe else None
        )
        if cfg.seed:
            from infra.local.seed import seed_demo

            self.running.seed_lines = seed_demo(api_url)
        return self.running

    def _gateway(self, provisioned: Provisioned, aws_url: str) -> Gateway:
        from agentgate.platform.aws import client
        from agentgate.platform.settings import get_settings

        settings = get_settings()
        runner = self.runner

        def authorizer(event: dict[str, Any], context: Any) -> Any:
            # Through the runner: one invocation at a time, with its own Lambda context.
            return runner.invoke(AUTHORIZER_HANDLER, event)

        authorizer_cache = AuthorizerCache(
            lambda: authorizer,
            settings.authorizer_cache_ttl_seconds,
            on_error=lambda exc: log.error(
                "authorizer failed: %s: %s", type(exc).__name__, exc, exc_info=exc
            ),
        )
        plans = UsagePlanDirectory(
            client("apigateway"),
            list(settings.usage_plan_ids.values()),
            ttl_seconds=PLAN_DIRECTORY_TTL_SECONDS,
        )
        api_id = settings.rest_api_id or "local"
        control_plane = ControlPlane(
            api_id=api_id, stage=STAGE, flush=authorizer_cache.flush, upstream=aws_url
        )
        return Gateway(
            self.config.routes,
            runner=self.runner,
            authorizer=authorizer_cache,
            limiter=UsagePlanLimiter(),
            plans=plans,
            api_id=api_id,
            portal_dir=self.config.portal_dir,
            control_plane=control_plane,
        )

    @staticmethod
    def _ensure_signing_key() -> None:
        """What the deploy's trigger does in AWS: the first key of the signing mode, before any token."""
        from agentgate.auth.rotation import ensure_signing_key

        rotation = ensure_signing_key()
        if rotation is not None:
            log.info("signing key %s (%s) created", rotation.kid, rotation.kind)

    def _start_pollers(self, provisioned: Provisioned) -> None:
        from agentgate.platform.aws import client

        for consumer in self.config.consumers:
            stream_poller = StreamPoller(
                consumer,
                stream_name=provisioned.env[env_name(f"{consumer.stream}_stream")],
                kinesis=client("kinesis"),
                sqs=client("sqs"),
                on_failure_queue_url=provisioned.dead_letter_urls[consumer.name],
                runner=self.runner,
                region=self.config.region,
                wait=self._stop.wait,
            )
            self._spawn(f"stream:{consumer.name}", partial(stream_poller.run, self._stop))
        for queue in self.config.queue_consumers:
            queue_poller = QueuePoller(
                queue,
                queue_url=provisioned.queue_urls[queue.name],
                sqs=client("sqs"),
                runner=self.runner,
                region=self.config.region,
            )
            self._spawn(f"queue:{queue.name}", partial(queue_poller.run, self._stop))

    def _spawn(self, name: str, target: Callable[[], Any]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    @staticmethod
    def _set_env(**values: str) -> None:
        os.environ.update(values)

    @staticmethod
    def _reset_caches() -> None:
        from agentgate.platform.aws import reset_clients
        from agentgate.platform.settings import reset_settings

        reset_settings()
        reset_clients()

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        self.bridge.uninstall()
        if self.stripe is not None:
            self.stripe.stop()
        self.mailer.uninstall()
        if self._moto is not None:
            self._moto.stop()

    def banner(self) -> str:
        assert self.running is not None
        run, cfg = self.running, self.config
        lines = [
            "",
            "AgentGate local stack is ready. Data lives in memory for as long as this process runs.",
            f"  API           {run.api_url}",
            f"  AWS endpoint  {run.aws_url}   (export AWS_ENDPOINT_URL={run.aws_url}, any credentials)",
            f"  Stripe webhook signing secret  {os.environ.get('STRIPE_WEBHOOK_SECRET', '')}",
        ]
        if run.stripe_url:
            lines.append(f"  Stripe emulator {run.stripe_url}   (the stripe SDK's api_base: STRIPE_API_BASE)")
        if (cfg.portal_dir / "index.html").is_file():
            lines.append(f"  Portal        {run.api_url}/")
        for consumer in cfg.consumers:
            lines.append(f"  Stream        {consumer.stream} -> {consumer.handler}")
        for queue in cfg.queue_consumers:
            lines.append(f"  Queue         {queue.name} -> {queue.handler}")
        for schedule in cfg.schedules:
            lines.append(f"  Schedule      {schedule.name} {schedule.expression} -> {schedule.handler}")
        for workflow in cfg.workflows:
            lines.append(f"  State machine {workflow.name} ({workflow.definition})")
        if cfg.schedules:
            port = run.api_url.rsplit(":", 1)[1]
            lines.append(f"  Fire one now: python -m infra.local fire <schedule> --port {port}")
        lines.append(
            f"  Outbox        {run.api_url}/_local/outbox   (emails Cognito would send: invitations...)"
        )
        lines += ["", "Try first:", *run.seed_lines, "", "Ctrl-C stops everything.", ""]
        lines.append(f"READY api={run.api_url} aws={run.aws_url}")
        return "\n".join(lines)
