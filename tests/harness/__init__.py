"""Real parts for tests: token server, registry, TLS material, DNS server, misbehaving servers.

Everything listens on loopback only. See README.md in this directory for the fixture API.
"""
