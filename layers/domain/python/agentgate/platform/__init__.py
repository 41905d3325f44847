"""The one module every layer may import: settings, AWS clients, logging, errors, tenancy, the resolver."""
