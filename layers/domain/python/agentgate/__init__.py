"""AgentGate's domain package: models, data access, services, auth, tiers, pricing.

Shipped as a Lambda layer (``/opt/python/agentgate``). Nothing here reaches AWS at
import time: clients, tables and settings are created lazily, once per warm container.
"""
