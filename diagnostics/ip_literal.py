"""Whether a string is an IP address literal, as `ipaddress.ip_address` decides, without importing ipaddress for
the common cases.

Why: `import ipaddress` is ~6 M instructions (valgrind callgrind, PYTHONHASHSEED=0: 129.6 -> 123.7 M for
`tcr-doctor diagnose nxdomain... --json` with this module and net's address classes built on first use), and a
diagnosis that ends at its DNS step only ever asks whether a host name or an IPv4 nameserver is an address. A string
without ':' can only be an IPv4 address, and ipaddress's IPv4 rule is short (IPv4Address._ip_int_from_string and
_parse_octet: four dot-separated octets of 1-3 ASCII digits, at most 255, no leading zero); it is repeated here.
Anything with ':' (IPv6, with or without a %scope) is handed to ipaddress itself. tests/test_ip_literal.py checks
both against ipaddress on arbitrary text.
"""

from __future__ import annotations


def _is_ipv4(text: str) -> bool:
    octets = text.split(".")
    return len(octets) == 4 and all(
        o.isascii() and o.isdigit() and len(o) <= 3 and (o == "0" or o[0] != "0") and int(o) <= 255 for o in octets
    )


def is_ip(text: str) -> bool:
    """Whether TEXT is an IPv4 or IPv6 address literal (no brackets), exactly as `ipaddress.ip_address` accepts."""
    if ":" not in text:
        return _is_ipv4(text)
    import ipaddress  # here, not at the top: see the module's docstring

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def check_ip(text: str) -> None:
    """Raise `ipaddress.ip_address`'s ValueError (same message) when TEXT is not an IP address literal."""
    if not is_ip(text):
        import ipaddress  # here, not at the top: see the module's docstring

        ipaddress.ip_address(text)
