"""pydantic models for every API boundary: requests are strict (unknown fields are refused)."""
