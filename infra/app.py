"""CDK entry point: ``make synth`` (``.venv/bin/python infra/app.py``) or ``npx aws-cdk@2 synth``.

Synthesizes offline (no AWS account, no Docker) into ``cdk.out/`` unless the CDK CLI names
another output directory. cdk-nag's AwsSolutions checks run during synthesis; any
unacknowledged finding fails it. ``-c nag=false`` skips them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable as it is in tests
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from infra.agentgate_cdk.application import build_app  # noqa: E402


def main() -> None:
    outdir = None if os.environ.get("CDK_OUTDIR") else ROOT / "cdk.out"
    app, _ = build_app(outdir=outdir)
    app.synth()


if __name__ == "__main__":
    main()
