"""Why a use case refused: identity's codes, each a situation a person can be told about.

Plain field validation is the common `invalid(...)` and a role check the common FORBIDDEN
(portal_shared.errors); what only identity refuses is here. The shared app builder turns each
into a problem document and lists the codes in the OpenAPI document.
"""
from __future__ import annotations

from portal_shared.errors import COMMON, ErrorCatalogue, UseCaseError

from identity_service.domain.passwords import RULES as PASSWORD_RULES, PasswordProblem

ERRORS = ErrorCatalogue(COMMON)

# Signing in and staying signed in.
INVALID_CREDENTIALS = ERRORS.define("identity.invalid_credentials", 401, "Invalid credentials")
ACCOUNT_INACTIVE = ERRORS.define("identity.account_inactive", 401, "Account cannot sign in")
REFRESH_TOKEN_INVALID = ERRORS.define("identity.refresh_token_invalid", 401, "Invalid refresh token")
LOCKED = ERRORS.define("identity.locked", 429, "Too many attempts")

# Passwords.
WEAK_PASSWORD = ERRORS.define("identity.weak_password", 422, "Password rules not met")
for _rule, _message in PASSWORD_RULES.items():
    ERRORS.define_field(_rule, _message)
SAME_PASSWORD = ERRORS.define("identity.same_password", 422, "New password same as current")
WRONG_CURRENT_PASSWORD = ERRORS.define("identity.wrong_current_password", 422, "Current password not correct")

# Mailed links and activation.
# A dead link says why, so its holder knows the next step; all 400, as clients of the links expect.
INVALID_LINK = ERRORS.define("identity.invalid_link", 400, "Invalid or expired link")
LINK_USED = ERRORS.define("identity.link_used", 400, "Link already used")
LINK_SUPERSEDED = ERRORS.define("identity.link_superseded", 400, "Link replaced by a newer one")
LINK_EXPIRED = ERRORS.define("identity.link_expired", 400, "Link expired")
ALREADY_ACTIVATED = ERRORS.define("identity.already_activated", 409, "Account already activated")
EMAIL_ALREADY_VERIFIED = ERRORS.define("identity.email_already_verified", 409, "E-mail already verified")

# Users and customers.
USER_NOT_FOUND = ERRORS.define("identity.user_not_found", 404, "User not found")
CUSTOMER_NOT_FOUND = ERRORS.define("identity.customer_not_found", 404, "Customer not found")
EMAIL_IN_USE = ERRORS.define("identity.email_in_use", 409, "E-mail address in use")
USERNAME_TAKEN = ERRORS.define("identity.username_taken", 409, "User name taken")
ALREADY_REGISTERED = ERRORS.define("identity.already_registered", 409, "Already registered")
LAST_ADMIN = ERRORS.define("identity.last_admin", 409, "Last admin of the customer")
CANNOT_DISABLE_SELF = ERRORS.define("identity.cannot_disable_self", 409, "Cannot disable own account")
# Who changes what of a user: customer service corrects e-mails, a customer's admin the rest.
AGENT_CHANGE_NOT_ALLOWED = ERRORS.define("identity.agent_change_not_allowed", 403,
                                         "Customer service corrects e-mail only")
EMAIL_CHANGE_NOT_ALLOWED = ERRORS.define("identity.email_change_not_allowed", 403,
                                         "E-mail corrected by customer service only")


def locked(retry_after: int) -> UseCaseError:
    # Retry-After for HTTP clients; retry_after for those that read only the problem document.
    return LOCKED(f"Too many failed attempts. Try again in {retry_after} seconds.",
                  headers={"Retry-After": str(retry_after)}, retry_after=retry_after)


def invalid_link() -> UseCaseError:
    """A mailed link that is unknown or no longer applies (the password was reset with another
    link, the address changed, the user was disabled)."""
    return INVALID_LINK("This link is not valid any more. Ask for a new one.",
                        errors={"token": ["The link is invalid or no longer applies."]})


def link_used() -> UseCaseError:
    return LINK_USED("This link was already used. Ask for a new one if you need it.",
                     errors={"token": ["The link was already used."]})


def link_superseded() -> UseCaseError:
    return LINK_SUPERSEDED("A newer link was sent. Use the link in the latest message.",
                           errors={"token": ["A newer link replaced this one."]})


def link_expired() -> UseCaseError:
    return LINK_EXPIRED("This link has expired. Ask for a new one.",
                        errors={"token": ["The link has expired."]})


def already_activated() -> UseCaseError:
    return ALREADY_ACTIVATED("This account is already activated: sign in with your password.")


def email_already_verified() -> UseCaseError:
    return EMAIL_ALREADY_VERIFIED("Your e-mail address is already verified.")


def email_in_use() -> UseCaseError:
    return EMAIL_IN_USE("Another user already has this e-mail address.", errors={"email": ["Already in use."]})


def weak_password(field: str, problems: list[PasswordProblem]) -> UseCaseError:
    """Every rule the password breaks, each message with its rule's code."""
    return WEAK_PASSWORD("The password does not meet the password rules.",
                         errors={field: [problem.message for problem in problems]},
                         field_codes={field: [problem.code for problem in problems]})
