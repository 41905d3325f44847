"""The one data-access layer: tenant-scoped reads and writes, pages, transactions, batches, changes.

Start from ``agentgate.data.tenant.tenant_data(ctx)``. Submodules are imported on demand so a
handler pays only for what it uses: ``tenant`` (the accessor), ``pages`` (limits and the page
shape), ``cursors`` (the one cursor codec), ``transactions``, ``batch``, ``writes``, ``changes``
(write + audit + event), ``lookups`` (global lookup items), ``ids`` (the one id scheme).
"""
