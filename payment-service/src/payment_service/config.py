"""payment-service settings: portal_shared's ServiceConfig plus the banks, read from the environment with local defaults."""
from __future__ import annotations

from portal_shared.config import env_float, env_int, env_str
from portal_shared.service.config import ServiceConfig

DEFAULT_PORTAL_BASE_URL = "http://127.0.0.1:8000"


class Config(ServiceConfig):
    SERVICE_NAME = "payment-service"
    # Under VAR_DIR when DATABASE_URL is not set.
    DATABASE_FILE = "payment.db"

    def __init__(self) -> None:
        super().__init__()
        self.CITIBANAMEX_URL = env_str("CITIBANAMEX_URL", "http://127.0.0.1:8101")
        self.BBVA_URL = env_str("BBVA_URL", "http://127.0.0.1:8102")
        # Development secrets, shared with the bank simulators; deployments set their own.
        self.CITIBANAMEX_SECRET = env_str("CITIBANAMEX_SECRET", "dev-citibanamex-secret")
        self.BBVA_SECRET = env_str("BBVA_SECRET", "dev-bbva-secret")
        # Where the bank sends the customer back, and where it posts its notification.
        self.PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", DEFAULT_PORTAL_BASE_URL).rstrip("/")
        self.PAYMENT_CALLBACK_BASE_URL = env_str("PAYMENT_CALLBACK_BASE_URL", self.PORTAL_BASE_URL).rstrip("/")
        self.BANK_CONNECT_TIMEOUT_SECONDS = env_float("BANK_CONNECT_TIMEOUT_SECONDS", 3.0)
        self.BANK_READ_TIMEOUT_SECONDS = env_float("BANK_READ_TIMEOUT_SECONDS", 10.0)
        # Asked while a person waits on the return page: short, the reconciliation job asks again later.
        self.BANK_STATUS_TIMEOUT_SECONDS = env_float("BANK_STATUS_TIMEOUT_SECONDS", 3.0)
        self.BANK_HTTP_POOL_SIZE = env_int("BANK_HTTP_POOL_SIZE", 20)
        self.CALLBACK_TOLERANCE_SECONDS = env_int("CALLBACK_TOLERANCE_SECONDS", 300)
        self.RECONCILE_INTERVAL_SECONDS = env_float("RECONCILE_INTERVAL_SECONDS", 30.0)
        self.RECONCILE_AFTER_SECONDS = env_int("RECONCILE_AFTER_SECONDS", 120)
        self.PAYMENT_EXPIRE_SECONDS = env_int("PAYMENT_EXPIRE_SECONDS", 1800)


SERVICE_NAME = Config.SERVICE_NAME
