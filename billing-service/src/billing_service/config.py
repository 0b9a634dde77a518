"""billing-service settings: portal_shared's ServiceConfig, read from the environment with local defaults."""
from __future__ import annotations

from portal_shared.brand import DEFAULT_PRIMARY_COLOR
from portal_shared.config import env_float, env_int, env_str
from portal_shared.service.config import ServiceConfig

# A demo company's RFC in a valid format; a deployment sets its own.
DEFAULT_VENDOR_RFC = "PDM010101AB1"


class Config(ServiceConfig):
    SERVICE_NAME = "billing-service"
    # Under VAR_DIR when DATABASE_URL is not set.
    DATABASE_FILE = "billing.db"

    def __init__(self) -> None:
        super().__init__()
        # Credit status turns from "overdue" to "blocked" after this many days past due.
        self.CREDIT_BLOCK_DAYS = env_int("CREDIT_BLOCK_DAYS", 60)
        # The brand opening each statement (portal_shared.brand checks it when a process starts):
        # left empty, the portal's own name and red. PNG or JPEG logos only: reportlab draws no SVG.
        self.BRAND_NAME = env_str("BRAND_NAME", "")
        self.BRAND_LOGO_PATH = env_str("BRAND_LOGO_PATH", "")
        self.BRAND_PRIMARY_COLOR = env_str("BRAND_PRIMARY_COLOR", DEFAULT_PRIMARY_COLOR)
        # The vendor's RFC (a company's): every imported CFDI must be issued by it.
        self.VENDOR_RFC = env_str("VENDOR_RFC", DEFAULT_VENDOR_RFC)
        # The vendor as issuer of its payment receipts (REP), as its CSD and SAT's records name it.
        self.VENDOR_NAME = env_str("VENDOR_NAME", "PORTAL DEMO MEXICO")
        self.VENDOR_TAX_REGIME = env_str("VENDOR_TAX_REGIME", "601")  # c_RegimenFiscal
        self.VENDOR_POSTAL_CODE = env_str("VENDOR_POSTAL_CODE", "06600")  # LugarExpedicion
        self.RECEIPT_SERIES = env_str("RECEIPT_SERIES", "REP")
        # billing-stamper only: the vendor's CSD (certificate and private key, DER as SAT issues
        # them) and the PAC's contract. Nothing else reads the key.
        self.CSD_CERTIFICATE_PATH = env_str("CSD_CERTIFICATE_PATH", "")
        self.CSD_KEY_PATH = env_str("CSD_KEY_PATH", "")
        self.CSD_KEY_PASSWORD = env_str("CSD_KEY_PASSWORD", "")
        self.PAC_URL = env_str("PAC_URL", "http://127.0.0.1:8201")
        self.PAC_USER = env_str("PAC_USER", "portal-demo")
        self.PAC_PASSWORD = env_str("PAC_PASSWORD", "dev-pac-password")
        self.PAC_TIMEOUT_SECONDS = env_float("PAC_TIMEOUT_SECONDS", 30.0)


SERVICE_NAME = Config.SERVICE_NAME
