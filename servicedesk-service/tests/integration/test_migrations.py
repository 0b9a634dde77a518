"""The migrations build exactly the schema the models describe, on PostgreSQL and on SQLite."""
from portal_shared.testing.checks import MigrationChecks


class TestMigrations(MigrationChecks):
    """portal_shared's checks, on servicedesk-service's migrations and models."""
