"""The conformance suite: checks any AgentGate deployment over HTTP, as a partner or CI would.

``python -m agentgate.conformance URL --client-id ID --client-secret SECRET [--agent TENANT/AGENT]``
prints a pass/fail table and exits 1 on any failure (2 on bad arguments). The card and DID checks
validate with ``a2a-sdk`` and ``pydid``, installed by the project's dev extras
(``pip install -e '.[dev]'``); both are imported only by those checks. The suite is not part of
any Lambda function: the domain layer's asset leaves this package out.
"""
