#!/bin/bash
# The broker's configuration from the official image's variables, then the server in the foreground.
set -eu
{
  echo "loopback_users.guest = false"
  echo "listeners.tcp.default = 5672"
  echo "management.tcp.port = 15672"
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then echo "default_user = $RABBITMQ_DEFAULT_USER"; fi
  if [ -n "${RABBITMQ_DEFAULT_PASS:-}" ]; then echo "default_pass = $RABBITMQ_DEFAULT_PASS"; fi
  if [ -n "${RABBITMQ_DEFAULT_VHOST:-}" ]; then echo "default_vhost = $RABBITMQ_DEFAULT_VHOST"; fi
} >/etc/rabbitmq/rabbitmq.conf
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /etc/rabbitmq
export RABBITMQ_LOGS=-
exec "$@"
