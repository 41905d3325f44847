"""Domain services: what handlers call. They take a TenantContext and typed input."""
