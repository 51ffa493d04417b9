"""Visits keep the network a visitor came from, never their IP address (an IP address is PI, §1.2)."""

from __future__ import annotations

import pytest

from policybound.domain.cookies.visits import source_network


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.0/24"),
        ("203.0.113.255", "203.0.113.0/24"),
        ("2001:db8:1234:5678:9abc::1", "2001:db8:1234::/48"),
        ("::ffff:203.0.113.7", "::/48"),
        (" 198.51.100.23 ", "198.51.100.0/24"),
        ("not-an-ip", None),
        ("", None),
        (None, None),
    ],
)
def test_only_the_network_part_of_an_address_is_kept(address: str | None, network: str | None) -> None:
    assert source_network(address) == network
