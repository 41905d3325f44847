"""Operator commands: replaying dead-lettered records, feeding a stream to its consumer."""
