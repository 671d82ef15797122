"""The system's trusted CAs for a verifying TLS context, looked up on demand when that trusts the same certificates.

`ssl.create_default_context()` has OpenSSL read the whole system CA file (144 certificates on Debian): about
240 million instructions with OpenSSL 3, more than starting Python and importing ssl and http.client together
(valgrind --tool=callgrind; 20-40 ms on an idle machine, 100-200 ms on a loaded one). OpenSSL can instead look a
certificate up in the system CA directory by its subject hash when a chain needs it (`capath`), which costs nothing up
front. That trusts the same set exactly when every certificate of the CA file is also in the directory under its hash
name, as `update-ca-certificates` (Debian, Ubuntu, Alpine) and `openssl rehash` keep it. `lazy_capath()` checks that
once, keeps the answer in the cache directory keyed by both locations' sizes and times, and says None when it does not
hold (other layouts, a hand-edited bundle); the caller then loads the CA file as before.
"""

from __future__ import annotations

import binascii
import functools
import os
import re
import ssl
import sys

from .cache import cache_root, write_kept

_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.S)
_HASHED = re.compile(r"[0-9a-f]{8}\.[0-9]+")  # OpenSSL's name for a certificate in a CA directory (.rN are CRLs)


@functools.lru_cache(maxsize=1)
def lazy_capath() -> str | None:
    """The system CA directory to look certificates up in on demand, when that trusts exactly what loading the
    system CA file and directory (OpenSSL's default verify paths) would; else None. Asked once per process."""
    if sys.platform in ("win32", "darwin"):
        return None  # ssl loads those platforms' stores differently
    paths = ssl.get_default_verify_paths()
    capath, cafile = paths.capath, paths.cafile
    if not capath:
        return None
    if not cafile:
        return capath  # the default paths are the directory alone: looking up there is all they do
    try:
        file_stat, dir_stat = os.stat(cafile), os.stat(capath)
    except OSError:
        return None
    key = f"{cafile}\0{file_stat.st_size}\0{file_stat.st_mtime_ns}\0{capath}\0{dir_stat.st_mtime_ns}"
    root = cache_root()  # a str, not cache_dir()'s Path: pathlib costs more than this whole look-up (~6 M instructions)
    if root is None:
        return None  # caches off: comparing the two on every run would cost about what loading the file does
    marker = os.path.join(root, f"truststore-{binascii.crc32(key.encode()):08x}-{len(key)}")
    try:
        with open(marker, encoding="utf-8") as fh:
            verdict = fh.read()
        if verdict.startswith(key + "\n"):
            return capath if verdict.endswith("\nsame\n") else None
    except OSError:
        pass
    same = _directory_holds_file(cafile, capath)
    write_kept(marker, f"{key}\n{'same' if same else 'different'}\n".encode(), "truststore")  # (the last verdict alone)
    return capath if same else None


def _directory_holds_file(cafile: str, capath: str) -> bool:
    """Whether every certificate of CAFILE is in CAPATH under an OpenSSL hash name (and CAFILE holds nothing else)."""
    wanted = _certificates(cafile)
    if not wanted:
        return False
    found: set[bytes] = set()
    try:
        names = [n for n in os.listdir(capath) if _HASHED.fullmatch(n)]
    except OSError:
        return False
    for name in names:
        found |= _certificates(os.path.join(capath, name)) or set()
    return wanted <= found


def _certificates(path: str) -> set[bytes] | None:
    """The DER certificates of a PEM file; None when it holds anything else (a key, a CRL, a trusted-certificate
    block) or cannot be read: such a file is not compared, it is loaded."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    blocks = _PEM.findall(data)
    if not blocks or data.count(b"-----BEGIN ") != len(blocks) or any(kind != b"CERTIFICATE" for kind, _ in blocks):
        return None
    try:
        return {binascii.a2b_base64(body) for _, body in blocks}
    except binascii.Error:
        return None


# A --ca-file checked before the diagnosis (load_ca_file), by (path, file_stamp): the context that read it.
_LOADED: dict[tuple[str, int], ssl.SSLContext] = {}


def file_stamp(path: str | None) -> int:
    """What tells one version of the file at PATH from another (its modification time; 0 for no file, -1 for one
    that cannot be read)."""
    try:
        return os.stat(path).st_mtime_ns if path else 0
    except OSError:
        return -1


def load_ca_file(ca_file: str) -> None:
    """Read CA_FILE into a new verifying client context: raises OSError when it cannot be read and ssl.SSLError
    when it holds no certificate. The context is kept: the diagnosis's verifying context for CA_FILE
    (transport.tls_context) is this one with the system's CAs added, so a --ca-file is read and a context made once
    per diagnosis, not twice (each SSLContext costs ~1.5 M instructions, valgrind)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verify_mode CERT_REQUIRED, check_hostname, as the default's
    context.load_verify_locations(cafile=ca_file)
    _LOADED[(ca_file, file_stamp(ca_file))] = context


def loaded_context(ca_file: str, stamp: int) -> ssl.SSLContext | None:
    """The context load_ca_file read CA_FILE (as of STAMP) into, handed out once; None when it did not."""
    return _LOADED.pop((ca_file, stamp), None)
