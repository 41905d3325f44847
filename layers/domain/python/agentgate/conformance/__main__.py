"""``python -m agentgate.conformance URL --client-id ID --client-secret SECRET [--agent TENANT/AGENT]``."""

from __future__ import annotations

import argparse
import json
import sys

from agentgate.conformance.checks import Options, Result, run


def _table(results: list[Result]) -> str:
    width = max(len(r.name) for r in results)
    lines = [f"{'check'.ljust(width)}  result  detail", f"{'-' * width}  ------  ------"]
    lines += [f"{r.name.ljust(width)}  {'PASS' if r.passed else 'FAIL':6}  {r.detail}" for r in results]
    failed = sum(not r.passed for r in results)
    lines.append(f"\n{len(results) - failed} passed, {failed} failed")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agentgate.conformance", description="Check an AgentGate deployment's conformance."
    )
    parser.add_argument("url", help="the deployment's base URL, e.g. https://agentgate.example.com")
    parser.add_argument("--client-id", required=True, help="an agent's client id")
    parser.add_argument("--client-secret", required=True, help="that client's secret")
    parser.add_argument(
        "--agent", help="TENANT_ID/AGENT_ID of a published agent (default: the marketplace's first)"
    )
    parser.add_argument("--output", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    if args.agent is not None and "/" not in args.agent:
        parser.error("--agent is TENANT_ID/AGENT_ID")
    results = run(Options(args.url, args.client_id, args.client_secret, args.agent))
    if args.output == "json":
        print(json.dumps([r.__dict__ for r in results], indent=2))
    else:
        print(_table(results))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
