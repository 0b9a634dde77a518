"""identity-seed-demo: a demo customer and one active user per role; running it twice changes nothing.

Goes through the service layer, so the events reach the other services through the outbox
exactly as for data entered in the portal.
"""
from __future__ import annotations

import sqlalchemy as sa

from portal_shared.auth import (
    ADMIN,
    AGENT,
    BILLING,
    DEVICE_ADMIN,
    KNOWLEDGE_USER,
    OPERATOR,
    STOCK_ADMIN,
    STOCK_DEVICE_ADMIN,
)
from portal_shared.auth.signing import TokenSigner, generate_private_key
from portal_shared.config import env_str
from portal_shared.db import make_engine, make_session_factory, transaction

from identity_service.adapters.orm import Customer, User
from identity_service.config import load_config
from identity_service.service_layer import customers, users
from identity_service.service_layer.audit import system_actor
from identity_service.service_layer.context import Context, build_context

DEMO_CUSTOMER = {
    "rfc": "CDM850101AB1",
    "name": "Comercializadora Demo SA de CV",
    "system_account_number": "1000053",
    "account_numbers": ["005300", "005301"],
}
# (user name = e-mail, display name, role); customer users first, then the vendor's staff.
CUSTOMER_USERS = [
    ("admin@comercializadora-demo.mx", "Ana Administradora", ADMIN),
    ("facturacion@comercializadora-demo.mx", "Berta Facturación", BILLING),
    ("equipos@comercializadora-demo.mx", "Carlos Equipos", DEVICE_ADMIN),
    ("almacen@comercializadora-demo.mx", "Diana Almacén", STOCK_ADMIN),
    ("almacen-equipos@comercializadora-demo.mx", "Ernesto Almacén y Equipos", STOCK_DEVICE_ADMIN),
    ("consulta@comercializadora-demo.mx", "Fernanda Consulta", KNOWLEDGE_USER),
]
STAFF_USERS = [
    ("agente@proveedor-demo.mx", "Gabriel Agente", AGENT),
    ("operador@proveedor-demo.mx", "Hilda Operadora", OPERATOR),
]
ACTOR = system_actor("identity-seed-demo")


def _existing_customer(ctx: Context) -> str | None:
    with transaction(ctx.session_factory) as db:
        return db.scalar(sa.select(Customer.id).where(Customer.rfc == DEMO_CUSTOMER["rfc"]))


def _user_exists(ctx: Context, username: str) -> bool:
    with transaction(ctx.session_factory) as db:
        return db.scalar(sa.select(User.id).where(User.username == username)) is not None


def seed(ctx: Context, password: str) -> list[tuple[str, str, str, str]]:
    """Create what is missing; return the sign-in table (user name, password, role, note)."""
    customer_id = _existing_customer(ctx)
    if customer_id is None:
        customer_id = customers.register_customer(ctx, ACTOR, **DEMO_CUSTOMER)["id"]
    table = [(DEMO_CUSTOMER["rfc"], DEMO_CUSTOMER["rfc"], ADMIN, "first sign-in (pending activation)")]
    for username, name, role, owner in [(*row, customer_id) for row in CUSTOMER_USERS] + [
        (*row, None) for row in STAFF_USERS
    ]:
        if not _user_exists(ctx, username):
            users.create_active_user(ctx, ACTOR, username=username, name=name, roles=[role], password=password,
                                     customer_id=owner, email=username)
        table.append((username, password, role, "customer" if owner else "staff"))
    return table


def main() -> None:
    settings = load_config()
    password = env_str("DEMO_PASSWORD", "Portal-Demo-2026")
    engine = make_engine(settings["DATABASE_URL"])
    try:
        # Seeding signs nothing; a throw-away key keeps the signing key file untouched.
        ctx = build_context(settings, make_session_factory(engine), TokenSigner([generate_private_key()]))
        table = seed(ctx, password)
    finally:
        engine.dispose()
    print(f"Demo customer: {DEMO_CUSTOMER['name']} (RFC {DEMO_CUSTOMER['rfc']}, accounts "
          f"{', '.join(DEMO_CUSTOMER['account_numbers'])}, system account {DEMO_CUSTOMER['system_account_number']})")
    width = max(len(row[0]) for row in table)
    print(f"{'user name'.ljust(width)}  {'password'.ljust(18)}  {'role'.ljust(18)}  note")
    for username, secret, role, note in table:
        print(f"{username.ljust(width)}  {secret.ljust(18)}  {role.ljust(18)}  {note}")


if __name__ == "__main__":
    main()
