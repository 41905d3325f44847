"""One module per endpoint or consumer: a thin handler (parse, call the domain, respond).

On Lambda this folder is the function code's root, so each module is imported as
``health``, ``tiers_list``...; tests import them as ``functions.health``.
"""
