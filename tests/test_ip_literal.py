"""diagnostics.ip_literal decides what `ipaddress.ip_address` decides, on any text (it repeats ipaddress's IPv4 rule
so that a diagnosis ending at its DNS step does not import ipaddress)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from diagnostics.ip_literal import check_ip, is_ip


def accepted(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# pieces an address-like string is made of: digits (ASCII and not), separators, leading zeros, scope ids, space
PIECES = st.sampled_from(
    ["0", "00", "1", "01", "9", "25", "255", "256", "999", "1000", "٣", "１", "a", "f", "ff", "ffff", "x"]
    + [".", ".", ".", ":", "::", "%", "%eth0", "/", "/24", " ", "\n", "+", "-", "_", ""]
)
ADDRESS_LIKE = st.lists(PIECES, max_size=12).map("".join)
IPV4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda o: ".".join(map(str, o)))
IPV6 = st.integers(0, 2**128 - 1).map(lambda n: str(ipaddress.IPv6Address(n)))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=40), ADDRESS_LIKE, IPV4, IPV6, IPV6.map(lambda a: a + "%eth0")))
@example("1.2.3.4")
@example("01.2.3.4")
@example("1.2.3.4\n")
@example("1.2.3")
@example("1.2.3.4.5")
@example("256.1.1.1")
@example("1.2.3.٤")
@example("fe80::1%eth0")
@example("fe80::1%")
@example("1.2.3.4%eth0")
@example("::ffff:1.2.3.4")
@example("1.2.3.4/32")
@example("")
def test_is_ip_agrees_with_ipaddress(text: str) -> None:
    assert is_ip(text) is accepted(text)
    if accepted(text):
        check_ip(text)
    else:
        with pytest.raises(ValueError) as mine:
            check_ip(text)
        with pytest.raises(ValueError) as theirs:
            ipaddress.ip_address(text)
        assert str(mine.value) == str(theirs.value)
