"""Which tokens a revocation covers, and how the verifier's copy of the list is kept."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from portal_shared.auth import Principal, Revocation, RevocationList, RevokedToken, StaticKeySource, TokenVerifier
from portal_shared.auth.signing import TokenSigner, generate_private_key

NOW = 1_800_000_000.0


def principal(*, user="u1", customer="c1", session="s1", issued_at=NOW - 10) -> Principal:
    return Principal(user_id=user, customer_id=customer, roles=frozenset({"billing"}), token_type="access",
                     session_id=session, username="", expires_at=datetime.fromtimestamp(NOW + 600, timezone.utc),
                     issued_at=issued_at)


@pytest.mark.parametrize(
    ("revocation", "token", "covered"),
    [
        (Revocation(NOW, NOW + 900, user_id="u1"), principal(), True),
        (Revocation(NOW, NOW + 900, user_id="u1"), principal(issued_at=NOW + 0.001), False),  # issued after
        (Revocation(NOW, NOW + 900, user_id="u1"), principal(issued_at=NOW), True),  # the same instant
        (Revocation(NOW, NOW + 900, user_id="u2"), principal(), False),
        (Revocation(NOW, NOW + 900, user_id="u1", session_id="s1"), principal(), True),
        (Revocation(NOW, NOW + 900, user_id="u1", session_id="s2"), principal(), False),  # another sign-in
        (Revocation(NOW, NOW + 900, customer_id="c1"), principal(), True),  # every user of the customer
        (Revocation(NOW, NOW + 900, customer_id="c2"), principal(), False),
        (Revocation(NOW, NOW + 900, user_id="u1", customer_id="c9"), principal(), True),  # the user decides
    ],
)
def test_what_a_revocation_covers(revocation, token, covered):
    assert revocation.covers(token) is covered


class Source:
    def __init__(self, *entries: Revocation):
        self.entries = list(entries)
        self.reads = 0
        self.failing = False

    def active(self, now: float):
        self.reads += 1
        if self.failing:
            raise ConnectionError("store down")
        return [entry for entry in self.entries if entry.expires_at > now]


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


def test_the_copy_is_read_again_once_it_is_older_than_the_refresh_interval():
    source, clock = Source(), Clock()
    revocations = RevocationList(source, refresh_seconds=1.0, clock=clock)
    assert not revocations.refused(principal())
    source.entries.append(Revocation(NOW, NOW + 900, user_id="u1"))
    clock.now += 0.5
    assert not revocations.refused(principal()), "within the interval the copy stands"
    clock.now += 0.6
    assert revocations.refused(principal())
    assert source.reads == 2


def test_an_entry_stops_counting_when_it_expires_even_before_the_next_read():
    clock = Clock()
    revocations = RevocationList(Source(Revocation(NOW, NOW + 5, user_id="u1")), refresh_seconds=60, clock=clock)
    assert revocations.refused(principal())
    clock.now += 6
    assert not revocations.refused(principal())


def test_a_store_outage_keeps_the_last_copy():
    source, clock = Source(Revocation(NOW, NOW + 900, user_id="u1")), Clock()
    revocations = RevocationList(source, refresh_seconds=1.0, clock=clock)
    assert revocations.refused(principal())
    source.failing = True
    clock.now += 2
    assert revocations.refused(principal()), "what was known is still refused"
    assert not revocations.refused(principal(user="u2"))


def test_the_verifier_refuses_a_covered_token_even_from_its_cache():
    signer = TokenSigner([generate_private_key()])
    source = Source()
    verifier = TokenVerifier(StaticKeySource(signer.jwks()), revocations=RevocationList(source, refresh_seconds=0))
    token = signer.issue(user_id="u1", customer_id="c1", roles=["billing"], session_id="s1")
    assert verifier.verify(token).user_id == "u1"
    issued_at = verifier.verify(token).issued_at
    assert issued_at == pytest.approx(datetime.now(timezone.utc).timestamp(), abs=5)
    source.entries.append(Revocation(issued_at + 0.0005, issued_at + 900, user_id="u1", session_id="s1"))
    with pytest.raises(RevokedToken):
        verifier.verify(token)
    later = signer.issue(user_id="u1", customer_id="c1", roles=["billing"], session_id="s1",
                         now=datetime.now(timezone.utc) + timedelta(seconds=1))
    assert verifier.verify(later).user_id == "u1", "a token issued after the revocation is not covered"
