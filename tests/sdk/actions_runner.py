"""Runs a composite action's steps as GitHub's runner would, on this machine.

Inputs get their defaults, required ones are enforced, ``${{ inputs.* }}``, ``${{ steps.*.outputs.* }}``
and ``${{ github.action_path }}`` are substituted (an unknown expression fails, as on GitHub), each
``shell: bash`` step runs with ``bash --noprofile --norc -eo pipefail`` and its own ``GITHUB_OUTPUT``
file, and the action's outputs are read back from the steps'. ``::add-mask::`` lines are collected
so a test can check what the job's log would show.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


@dataclass
class ActionRun:
    returncode: int
    outputs: dict[str, str]
    log: str
    masks: list[str] = field(default_factory=list)

    def masked_log(self) -> str:
        """The log as the job shows it: mask commands hidden, masked values as ***."""
        lines = [line for line in self.log.splitlines() if not line.startswith("::add-mask::")]
        text = "\n".join(lines)
        for value in sorted(self.masks, key=len, reverse=True):
            text = text.replace(value, "***")
        return text


def parse_output_file(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            outputs[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        name, _, value = line.partition("=")
        outputs[name] = value
        index += 1
    return outputs


def _lookup(expression: str, context: dict[str, Any]) -> str:
    value: Any = context
    for part in expression.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"unknown expression ${{{{ {expression} }}}}")
        value = value[part]
    return "" if value is None else str(value)


def substitute(text: str, context: dict[str, Any]) -> str:
    return EXPRESSION.sub(lambda match: _lookup(match.group(1), context), text)


def run_action(name: str, inputs: dict[str, str], env: dict[str, str], workdir: Path) -> ActionRun:
    action_dir = REPO_ROOT / "actions" / name
    workdir.mkdir(parents=True, exist_ok=True)
    spec = yaml.safe_load((action_dir / "action.yml").read_text())
    declared = spec.get("inputs", {})
    unknown = set(inputs) - set(declared)
    if unknown:
        raise ValueError(f"{name} has no inputs {sorted(unknown)}")
    resolved = {key: inputs.get(key, str(meta.get("default", ""))) for key, meta in declared.items()}
    missing = [key for key, meta in declared.items() if meta.get("required") and not resolved[key]]
    if missing:
        raise ValueError(f"{name} needs inputs {missing}")
    assert spec["runs"]["using"] == "composite"
    context: dict[str, Any] = {"inputs": resolved, "steps": {}, "github": {"action_path": str(action_dir)}}
    log: list[str] = []
    base_env = {
        "PATH": os.environ["PATH"],
        "HOME": str(workdir),
        "GITHUB_ACTIONS": "true",
        "RUNNER_TEMP": str(workdir),
    }
    returncode = 0
    for number, step in enumerate(spec["runs"]["steps"]):
        assert step["shell"] == "bash", "steps need nothing but bash and python3"
        output_file = workdir / f"github_output_{number}"
        output_file.touch()
        step_env = {key: substitute(str(value), context) for key, value in (step.get("env") or {}).items()}
        process = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", substitute(step["run"], context)],
            env={
                **base_env,
                **env,
                **step_env,
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_ACTION_PATH": str(action_dir),
            },
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        log.append(process.stdout + process.stderr)
        context["steps"][step.get("id", f"step{number}")] = {"outputs": parse_output_file(output_file)}
        if process.returncode != 0:
            returncode = process.returncode
            break
    outputs = {}
    if returncode == 0:
        outputs = {
            key: substitute(str(meta["value"]), context) for key, meta in spec.get("outputs", {}).items()
        }
    text = "".join(log)
    masks = [
        line.removeprefix("::add-mask::") for line in text.splitlines() if line.startswith("::add-mask::")
    ]
    return ActionRun(returncode, outputs, text, masks)
