"""Data-access helpers shared by the services: cursors for paginated queries."""
