"""Creates the deployment's resources in moto from the same definitions CDK uses.

Used by the local stack (against moto's server) and by the integration tests (in-process moto).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

from agentgate.consumers import STREAMS
from agentgate.platform.table import create_table

TOKEN_SIGNING_KEY_ALIAS = "alias/agentgate-token-signing"


@dataclass
class Provisioned:
    """What was created: the environment the functions need to find it."""

    env: dict[str, str] = field(default_factory=dict)


def stream_names(prefix: str) -> dict[str, str]:
    return {stream: f"{prefix}-{stream}" for stream in STREAMS}


def provision(
    prefix: str = "agentgate", region: str = "us-east-1", endpoint_url: str | None = None
) -> Provisioned:
    session = boto3.session.Session(region_name=region)

    def aws(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)

    out = Provisioned()
    table_name = prefix
    create_table(aws("dynamodb"), table_name)
    out.env["TABLE_NAME"] = table_name

    kinesis = aws("kinesis")
    existing = set(kinesis.list_streams().get("StreamNames", []))
    for stream, name in stream_names(prefix).items():
        if name not in existing:
            kinesis.create_stream(StreamName=name, ShardCount=STREAMS[stream])
        out.env[f"{stream.upper()}_STREAM_NAME"] = name

    kms = aws("kms")
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases().get("Aliases", [])}
    if TOKEN_SIGNING_KEY_ALIAS not in aliases:
        key = kms.create_key(
            KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY", Description="AgentGate token signing"
        )
        kms.create_alias(AliasName=TOKEN_SIGNING_KEY_ALIAS, TargetKeyId=key["KeyMetadata"]["KeyId"])
    out.env["SIGNING_KEY_ALIAS"] = TOKEN_SIGNING_KEY_ALIAS
    return out
