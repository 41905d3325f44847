"""What the local stack puts in place after it starts, and the lines of its banner about it."""

from __future__ import annotations


def seed_demo(api_url: str) -> list[str]:
    """Seed demo data through the running gateway; return the banner lines that show how to use it."""
    return [
        f"  curl {api_url}/health",
        f"  curl {api_url}/health/detailed",
        f"  curl {api_url}/api/v1/tiers",
    ]
