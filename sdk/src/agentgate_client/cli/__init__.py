"""The ``agentgate`` command line."""
