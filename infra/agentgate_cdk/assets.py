"""Lambda code and layers, built without Docker.

- Function code: the ``functions/`` directory as is (handler ``"<module>.handler"``).
- Domain layer: ``layers/domain`` (holds ``python/agentgate``, so ``/opt/python/agentgate`` on Lambda).
- Dependency layer: pip installs ``layers/dependencies/requirements.txt`` for the Lambda platform
  (manylinux aarch64, CPython 3.14, wheels only) into ``.build/``, once per requirements hash.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.agentgate_cdk.config import REPO_ROOT

RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
PIP_PLATFORM = "manylinux2014_aarch64"
PIP_PYTHON_VERSION = "3.14"

FUNCTIONS_DIR = REPO_ROOT / "functions"
DOMAIN_LAYER_DIR = REPO_ROOT / "layers" / "domain"
REQUIREMENTS = REPO_ROOT / "layers" / "dependencies" / "requirements.txt"
BUILD_DIR = REPO_ROOT / ".build" / "layers"

_NOT_CODE = ["**/__pycache__", "**/*.pyc", "**/*.egg-info", "**/.mypy_cache", "**/.pytest_cache"]
# Run against a deployment from outside it (it needs the dev extras); no function imports it.
_NOT_IN_DOMAIN_LAYER = [*_NOT_CODE, "python/agentgate/conformance"]
# Installed alongside the packages but never imported on Lambda.
_PRUNE = ("bin", "__pycache__")


def handler_exists(module: str) -> bool:
    return (FUNCTIONS_DIR / f"{module}.py").is_file()


def function_code() -> lambda_.Code:
    return lambda_.Code.from_asset(str(FUNCTIONS_DIR), exclude=_NOT_CODE)


def domain_layer(scope: Construct, construct_id: str) -> lambda_.LayerVersion:
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(str(DOMAIN_LAYER_DIR), exclude=_NOT_IN_DOMAIN_LAYER),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description="AgentGate domain package (agentgate)",
    )


def dependencies_layer(scope: Construct, construct_id: str) -> lambda_.LayerVersion:
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(str(build_dependencies())),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description="AgentGate third-party dependencies (layers/dependencies/requirements.txt)",
    )


def requirements_hash(requirements: Path = REQUIREMENTS) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(f"{PIP_PLATFORM}/{PIP_PYTHON_VERSION}".encode())
    return digest.hexdigest()[:16]


def build_dependencies(requirements: Path = REQUIREMENTS, build_dir: Path = BUILD_DIR) -> Path:
    """The layer directory (holding ``python/``) for these requirements, built once per hash.

    The install goes to a temporary directory that is renamed into place, so a concurrent
    synthesis (two test workers) never sees a half-built layer.
    """
    target = build_dir / f"dependencies-{requirements_hash(requirements)}"
    if (target / "python").is_dir():
        return target
    build_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="dependencies-", dir=build_dir))
    try:
        installed = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--platform",
                PIP_PLATFORM,
                "--implementation",
                "cp",
                "--python-version",
                PIP_PYTHON_VERSION,
                "--only-binary=:all:",
                "--no-compile",
                "--target",
                str(staging / "python"),
                "-r",
                str(requirements),
            ],
            check=False,
            capture_output=True,
            text=True,
            env={**os.environ, "PIP_NO_INPUT": "1"},
        )
        if installed.returncode != 0:
            raise RuntimeError(f"building the dependency layer failed:\n{installed.stderr[-4000:]}")
        for name in _PRUNE:
            shutil.rmtree(staging / "python" / name, ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:
            if not (target / "python").is_dir():  # lost a race only if the winner finished
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
