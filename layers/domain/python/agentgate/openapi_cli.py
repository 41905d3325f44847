"""``python -m agentgate.openapi_cli PATH``: write the generated OpenAPI document."""

from __future__ import annotations

import sys
from pathlib import Path

from agentgate.openapi import document_text


def main(argv: list[str]) -> int:
    target = Path(argv[1] if len(argv) > 1 else "docs/openapi.json")
    target.write_text(document_text())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
