"""Helpers for tests that need the real servers: PostgreSQL and RabbitMQ.

A test that needs a server uses the URL from the environment (DATABASE_URL, AMQP_URL);
without one it starts a container when a Docker engine answers; otherwise it fails and
says what is missing. It never skips: a test that cannot reach what it tests never passes.

For a service's own suite: fixtures (a pytest plugin), checks (test classes every service
subclasses), service (ServiceUnderTest, schema comparison, polling), processes (real relay and
consumer on an isolated exchange) and events (sample events of the contracts).
"""
from portal_shared.testing.servers import amqp_server_url, postgres_server_url, temporary_database, unique_name
from portal_shared.testing.tcp_proxy import TcpProxy

__all__ = ["TcpProxy", "amqp_server_url", "postgres_server_url", "temporary_database", "unique_name"]
