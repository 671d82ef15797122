"""Seed a registry through the real HTTP API v2 (blob uploads + manifest PUTs) and describe what was seeded.

Layers are real gzip-compressed tar archives; their compressed size (what manifests and TCR's console show)
and uncompressed size (what nodes show after extraction) are recorded in `SeedInfo` so tests can assert them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import tarfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .client import RegistryClient

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
ALL_MANIFEST_TYPES = (OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST)
ACCEPT_ALL = ", ".join(ALL_MANIFEST_TYPES)

MANY_TAG_COUNT = 120  # team/many: over the personal edition's 100 tags per repository
NEAR_TAG_COUNT = 95  # team/near: close to it


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Layer:
    digest: str  # sha256 of the gzip blob
    size: int  # compressed size (bytes), as in the manifest
    uncompressed_size: int  # size of the tar after gunzip
    diff_id: str  # sha256 of the uncompressed tar
    media_type: str
    data: bytes = field(repr=False, compare=False, default=b"")


@dataclass
class Image:
    repository: str
    tags: list[str]
    digest: str  # manifest digest (what HEAD returns in Docker-Content-Digest)
    media_type: str
    manifest: bytes = field(repr=False)
    config_digest: str | None = None
    config_size: int = 0
    layers: list[Layer] = field(default_factory=list)
    children: list[Image] = field(default_factory=list)  # for an index: the per-platform manifests
    platform: dict | None = None

    @property
    def manifest_size(self) -> int:
        return len(self.manifest)

    @property
    def compressed_size(self) -> int:
        """Sum of the compressed layer sizes from the manifest (index: of all children)."""
        if self.children:
            return sum(c.compressed_size for c in self.children)
        return sum(layer.size for layer in self.layers)

    @property
    def uncompressed_size(self) -> int:
        if self.children:
            return sum(c.uncompressed_size for c in self.children)
        return sum(layer.uncompressed_size for layer in self.layers)


@dataclass
class SeedInfo:
    repositories: dict[str, dict[str, str]] = field(default_factory=dict)  # repo -> {tag: digest}
    images: dict[str, Image] = field(default_factory=dict)  # "repo:tag" -> Image
    blobs: dict[str, Layer] = field(default_factory=dict)  # digest -> Layer

    def tags(self, repo: str) -> list[str]:
        return sorted(self.repositories.get(repo, {}))

    def digest(self, repo: str, tag: str) -> str:
        return self.repositories[repo][tag]

    def image(self, ref: str) -> Image:
        """'team/app:1.0' -> Image."""
        return self.images[ref]

    def tags_sharing(self, repo: str, tag: str) -> list[str]:
        """All tags of REPO pointing at the same digest as TAG (including TAG)."""
        d = self.repositories[repo][tag]
        return sorted(t for t, dd in self.repositories[repo].items() if dd == d)


# ---- content builders ------------------------------------------------------------------------------------


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def make_layer(files: dict[str, bytes], media_type: str = DOCKER_LAYER) -> Layer:
    raw = _tar(files)
    gz = gzip.compress(raw, compresslevel=6, mtime=0)
    return Layer(
        digest=sha256(gz), size=len(gz), uncompressed_size=len(raw), diff_id=sha256(raw), media_type=media_type, data=gz
    )


def _text_blob(seed: int, size: int) -> bytes:
    """Compressible but not trivial content (words from a small vocabulary)."""
    rnd = random.Random(seed)
    words = [b"registry", b"layer", b"tencent", b"cloud", b"container", b"image", b"node", b"pull", b"push", b"tag"]
    out = bytearray()
    while len(out) < size:
        out += rnd.choice(words) + b" "
    return bytes(out[:size])


def make_config(layers: list[Layer], *, arch: str = "amd64", label: str = "", oci: bool = False) -> bytes:
    cfg = {
        "architecture": arch,
        "os": "linux",
        "config": {"Labels": {"org.opencontainers.image.title": label or "tcr-doctor test image"}, "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in layers]},
        "history": [{"created_by": f"harness layer {i}"} for i in range(len(layers))],
        "created": "2024-01-01T00:00:00Z",
    }
    return json.dumps(cfg, sort_keys=True, separators=(",", ":")).encode()


def make_manifest(config: bytes, layers: list[Layer], *, oci: bool = False) -> bytes:
    m = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST if oci else DOCKER_MANIFEST,
        "config": {"mediaType": OCI_CONFIG if oci else DOCKER_CONFIG, "size": len(config), "digest": sha256(config)},
        "layers": [
            {"mediaType": OCI_LAYER if oci else DOCKER_LAYER, "size": layer.size, "digest": layer.digest}
            for layer in layers
        ],
    }
    return json.dumps(m, indent=3).encode()


# ---- pushing ---------------------------------------------------------------------------------------------


class Seeder:
    def __init__(self, client: RegistryClient, info: SeedInfo | None = None, lock=None):
        self.c = client
        self.info = info if info is not None else SeedInfo()
        self._lock = lock or threading.Lock()
        self._pushed: set[tuple[str, str]] = set()

    def clone(self) -> Seeder:
        """A seeder with its own client/connection, recording into the same SeedInfo (for threads)."""
        return Seeder(self.c.clone(), self.info, self._lock)

    @staticmethod
    def _scope(repo):
        return f"repository:{repo}:pull,push"

    def push_blob(self, repo: str, data: bytes) -> str:
        d = sha256(data)
        if (repo, d) in self._pushed:
            return d
        scope = self._scope(repo)
        if True:  # always upload (no HEAD first): the same blob twice is harmless and it saves a round trip
            r = self.c.post(f"/v2/{repo}/blobs/uploads/", scope=scope)
            if r.status_code != 202:
                raise RuntimeError(f"start upload {repo}: {r.status_code} {r.text[:300]}")
            loc = r.headers["Location"]
            if loc.startswith("/"):
                loc = self.c.url + loc
            sep = "&" if "?" in loc else "?"
            r = self.c.put(
                f"{loc}{sep}digest={d}", scope=scope, data=data, headers={"Content-Type": "application/octet-stream"}
            )
            if r.status_code != 201:
                raise RuntimeError(f"finish upload {repo} {d}: {r.status_code} {r.text[:300]}")
        self._pushed.add((repo, d))
        return d

    def put_manifest(self, repo: str, ref: str, body: bytes, media_type: str) -> str:
        r = self.c.put(
            f"/v2/{repo}/manifests/{ref}", scope=self._scope(repo), data=body, headers={"Content-Type": media_type}
        )
        if r.status_code != 201:
            raise RuntimeError(f"put manifest {repo}:{ref}: {r.status_code} {r.text[:500]}")
        d = r.headers.get("Docker-Content-Digest")
        assert d == sha256(body), (d, sha256(body))
        return d

    def push_image(
        self,
        repo: str,
        tags: list[str],
        layers: list[Layer],
        *,
        oci: bool = False,
        arch: str = "amd64",
        label: str = "",
        record: bool = True,
    ) -> Image:
        for layer in layers:
            self.push_blob(repo, layer.data)
            with self._lock:
                self.info.blobs[layer.digest] = layer
        config = make_config(layers, arch=arch, label=label, oci=oci)
        self.push_blob(repo, config)
        manifest = make_manifest(config, layers, oci=oci)
        mt = OCI_MANIFEST if oci else DOCKER_MANIFEST
        digest = sha256(manifest)
        for tag in tags or [digest]:
            self.put_manifest(repo, tag, manifest, mt)
        img = Image(
            repo,
            list(tags),
            digest,
            mt,
            manifest,
            sha256(config),
            len(config),
            list(layers),
            platform={"architecture": arch, "os": "linux"},
        )
        if record:
            self._record(img)
        return img

    def push_index(self, repo: str, tags: list[str], children: list[Image]) -> Image:
        index = {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {"mediaType": c.media_type, "size": c.manifest_size, "digest": c.digest, "platform": c.platform}
                for c in children
            ],
        }
        body = json.dumps(index, indent=3).encode()
        digest = sha256(body)
        for tag in tags:
            self.put_manifest(repo, tag, body, OCI_INDEX)
        img = Image(repo, list(tags), digest, OCI_INDEX, body, children=list(children))
        self._record(img)
        return img

    def _record(self, img: Image):
        with self._lock:
            self._record_locked(img)

    def _record_locked(self, img: Image):
        tags = self.info.repositories.setdefault(img.repository, {})
        for t in img.tags:
            tags[t] = img.digest
            self.info.images[f"{img.repository}:{t}"] = img
        self.info.images[f"{img.repository}@{img.digest}"] = img


def seed_standard(
    client: RegistryClient, many_tags: int = MANY_TAG_COUNT, near_tags: int = NEAR_TAG_COUNT, workers: int = 4
) -> SeedInfo:
    """The standard content (see README.md)."""
    s = Seeder(client)
    base = make_layer({"etc/os-release": b"NAME=harness\n", "usr/share/base.txt": _text_blob(1, 300_000)})
    app10 = make_layer({"app/app.txt": _text_blob(10, 150_000), "app/VERSION": b"1.0\n"})
    app11 = make_layer({"app/app.txt": _text_blob(11, 160_000), "app/VERSION": b"1.1\n"})
    app12 = make_layer({"app/app.txt": _text_blob(12, 170_000), "app/VERSION": b"1.2.0\n"}, OCI_LAYER)
    base_oci = make_layer(
        {"etc/os-release": b"NAME=harness\n", "usr/share/base.txt": _text_blob(1, 300_000)}, OCI_LAYER
    )

    s.push_image("team/app", ["1.0"], [base, app10], label="team/app 1.0")
    s.push_image("team/app", ["1.1", "latest"], [base, app11], label="team/app 1.1")  # two tags, one digest
    s.push_image("team/app", ["v1.2.0"], [base_oci, app12], oci=True, label="team/app v1.2.0")  # OCI manifest

    amd = s.push_image("team/multi", [], [base_oci, app12], oci=True, arch="amd64", label="multi amd64", record=False)
    arm_layer = make_layer({"app/app.txt": _text_blob(13, 170_000), "app/ARCH": b"arm64\n"}, OCI_LAYER)
    arm = s.push_image(
        "team/multi", [], [base_oci, arm_layer], oci=True, arch="arm64", label="multi arm64", record=False
    )
    s.push_index("team/multi", ["latest"], [amd, arm])  # OCI image index

    small = make_layer({"public/README": b"public base image\n" * 100})
    s.push_image("public/base", ["latest"], [small], label="public/base")
    s.push_image("other/app", ["1.0"], [small], label="other/app")

    many_layer = make_layer({"many.txt": b"many tags\n" * 1000})
    jobs = [("team/many", f"build-{i:03d}") for i in range(many_tags)]
    jobs += [("team/near", f"r-{i:03d}") for i in range(near_tags)]
    for repo in {r for r, _ in jobs}:  # shared layer first, once per repository
        s.push_blob(repo, many_layer.data)

    def run(chunk):
        w = s.clone()
        w._pushed |= {(repo, many_layer.digest) for repo, _ in chunk}
        try:
            for repo, tag in chunk:
                w.push_image(repo, [tag], [many_layer], label=f"{repo} {tag}")
        finally:
            w.c.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for f in [pool.submit(run, jobs[i::workers]) for i in range(workers)]:
            f.result()
    return s.info
