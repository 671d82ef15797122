"""Commands a person typed in the paste (`docker push …`, `helm registry login …`): the tool, the operation in
force, and the image or registry the command names; and which tool printed the output."""

from __future__ import annotations

import functools
import re
import shlex

from .paste import clean_ref

_COMMAND_SRC = (  # compiled on first use (command_rx)
    r"(?:^|[\s$#>%;|&(/`]|(?<=[\u3000-\u9fff\uff00-\uffef]))(sudo\s+)?(docker|podman|skopeo|crictl|ctr|nerdctl|helm|buildah|kubectl|oras)"
    r"((?:\s+-{1,2}[A-Za-z][\w-]{0,30}(?:[= ][^\s-]\S{0,200})?){0,6})"
    r"\s+((?:image|images|i|registry|buildx|compose|container)\s+)?"
    r"(login|logout|pull|push|run|build|copy|inspect|install|upgrade|tag|create|apply|describe|get|template|fetch|events|logs)\b"
    r"([^\n]{0,600})"
)

_TOOL_BINARIES = {
    "ctr": "containerd",
    "nerdctl": "containerd",
    "kubectl": "kubelet",
    "buildah": "podman",
    "oras": "oras",
}


@functools.lru_cache(maxsize=1)
def command_rx() -> re.Pattern[str]:
    """The expression of a typed command (compiled on first use)."""
    return re.compile(_COMMAND_SRC)


def command_info(line: str) -> tuple[str, str, str] | None:
    """(tool, op, argument text) when the line is a command a person typed."""
    m = command_rx().search(line)
    if not m:
        return None
    binary, sub, verb, rest = m.group(2), (m.group(4) or "").strip(), m.group(5), m.group(6) or ""
    if binary == "helm" and sub == "registry" and verb == "login":
        op = "login"
    elif verb == "login" and re.search(r"\s--get-login\b", rest):
        op = None  # containers/common's `login --get-login` prints who is logged in: a query, not a login
    elif verb in ("login", "push", "pull"):
        op = verb
    elif verb in ("run", "create", "install", "upgrade", "apply", "template", "fetch", "copy", "inspect"):
        op = "pull"
    elif verb == "build":
        op = "push" if re.search(r"\s--push\b|\s--output[= ]\S*push=true", rest) else "pull"
    else:
        op = None
    tool = _TOOL_BINARIES.get(binary, binary)
    return tool, op or "", (m.group(3) or "") + " " + rest


def guess_op(lower: str) -> str | None:
    """login, push or pull: the operation a paste (lower-cased) shows when no typed command says it; None when
    unclear."""
    if any(s in lower for s in ("login attempt to", "logging into", "login failed")):
        return "login"
    if any(
        s in lower
        for s in (
            "the push refers to repository",
            "docker push",
            "podman push",
            "push access denied",
            "failed to push",
            "error pushing",
            "pushing ",
            "push failed",
            "unknown blob",
            "blob upload",
            # moby's push progress ("Preparing", "Pushed", "Layer already exists"); a pull prints other words
            ": pushed\n",
            ": preparing\n",
            ": layer already exists",
        )
    ):
        return "push"
    if any(
        s in lower
        for s in ("pull", "resolve reference", "manifest", "initializing source", "back-off", "unable to find image")
    ):
        return "pull"
    return None


# --- entities ----------------------------------------------------------------------------------------------------


_RUN_FLAGS_WITH_VALUE = frozenset(
    (  # flags taking a value after pull/push/run/create… (-t, -d, -a are switches there)
        "-u",
        "--username",
        "-p",
        "--password",
        "--platform",
        "-n",
        "--namespace",
        "--authfile",
        "--creds",
        "--cert-dir",
        "--version",
        "-f",
        "--file",
        "--name",
        "--tag",
        "--config",
        "--address",
        "--dest-creds",
        "--src-creds",
        "--retry-times",
        "-e",
        "--env",
        "-v",
        "--volume",
        "--network",
        "--net",
        "--entrypoint",
        "-w",
        "--workdir",
        "-l",
        "--label",
        "--repo",
        "--values",
        "--set",
        "--restart",
        "-m",
        "--memory",
        "--cpus",
        "--user",
        "-h",
        "--hostname",
        "--add-host",
        "--device",
        "--gpus",
        "--log-driver",
        "--log-opt",
        "--mount",
        "--publish",
        "--expose",
        "--env-file",
        "--runtime",
        "--pull",
        "--shm-size",
        "--ulimit",
        "--cap-add",
        "--cap-drop",
        "--security-opt",
        "--ip",
        "--dns",
        "--link",
        "--tmpfs",
        "--group-add",
        "--pod",
        "--arch",
        "--os",
        "--variant",
        "--snapshotter",
        "--cgroup-parent",
        "--health-cmd",
        "--stop-signal",
        "--timeout",
        "--format",
        "--registry-config",
        "--ca-file",
        "--cert-file",
        "--key-file",
        "--destination",
        "--src-cert-dir",
        "--dest-cert-dir",
        "--override-os",
        "--override-arch",
        "--kubeconfig",
        "--context",
        "--post-renderer",
    )
)
_IMAGE_VERBS = ("pull", "push", "run", "create", "inspect", "tag", "copy")


def image_from_command(binary: str, verb: str, args: str) -> str | None:
    """The image a typed command names: the first operand of docker/podman/nerdctl/ctr/crictl pull, push, run…;
    the oci:// chart of helm; the first docker:// of skopeo. None for kubectl and build contexts."""
    try:
        tokens = shlex.split(args, comments=False)
    except ValueError:
        tokens = args.split()
    if binary == "helm":
        return next((t for t in tokens if t.startswith("oci://")), None)
    if binary == "skopeo":
        return next((t for t in tokens if t.startswith("docker://")), None)
    if verb == "build":  # docker buildx build -t X --push: the pushed tag
        return _pushed_tag(tokens) if re.search(r"(?:^|\s)--push\b|push=true", args) else None
    if binary == "kubectl" or verb not in _IMAGE_VERBS:
        return None
    tok = _first_operand(tokens)
    if tok is None or ("://" in tok and not tok.startswith(("docker://", "oci://"))):
        return None
    return re.split(r"[^\x21-\x7e]", tok, maxsplit=1)[0]  # "app:1报错" (no space before Chinese text)


def _pushed_tag(tokens: list[str]) -> str | None:
    """The value of the first -t/--tag option of a build command."""
    for flag, value in zip(tokens, tokens[1:] + [""]):
        if flag in ("-t", "--tag"):
            return value
        if flag.startswith(("--tag=", "-t=")):
            return flag.split("=", 1)[1]
    return None


def _first_operand(tokens: list[str]) -> str | None:
    """The first argument of a typed command that is neither an option nor an option's value."""
    skip = False
    for tok in tokens:
        if skip:
            skip = False
            continue
        if tok.startswith("-"):
            if "=" not in tok and tok in _RUN_FLAGS_WITH_VALUE:
                skip = True
            continue
        return tok
    return None


_LOGIN_HOST = re.compile(
    r"(?:https?://)?(?:localhost|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?::\d{1,5})?/?"
)


def login_from_command(args: str) -> str | None:
    """The registry host[:port] a typed `login` names, or None (prose after the command is not a host)."""
    try:
        tokens = shlex.split(args, comments=False)
    except ValueError:
        tokens = args.split()
    tok = _first_operand(tokens)
    host = clean_ref(tok) if tok is not None else None
    # `docker login 报错 …` is prose after the command, not a registry: only a host[:port] counts.
    return host if host and _LOGIN_HOST.fullmatch(host) else None


def detect_tool(lines: list[str], evidence: str, cmd_tool: str | None) -> str | None:
    """The tool that printed the paste (kubelet, docker, podman, containerd, crictl, helm, skopeo ...): from the
    evidence line, the typed command, then the whole paste; None when unclear."""
    ev = evidence.lower()
    kubelet_sigs = (
        "kubelet",
        "failed to pull image",
        "errimagepull",
        "imagepullbackoff",
        "back-off pulling image",
        "invalidimagename",
        "errimageneverpull",
    )
    if any(s in ev for s in kubelet_sigs):
        return "kubelet"
    if cmd_tool:
        return cmd_tool
    whole = "\n".join(lines[-400:]).lower()
    if any(s in whole for s in kubelet_sigs):
        return "kubelet"
    checks = (
        ("crictl", ("crictl", "pulling image: rpc error", "remote_image.go", "validate service connection")),
        ("helm", ("helm ", "error: installation failed", "error: upgrade failed", "oci://", "chart")),
        ("skopeo", ("skopeo", "error parsing image name")),
        (
            "docker",
            (
                "error response from daemon",
                "failed to solve",
                "the push refers to repository",
                "docker: ",
                "error pulling image configuration",
                "error saving credentials",
                "error getting credentials",
                "docker-credential",
                "layer already exists",
                "an image does not exist locally",
                "failed to register layer",
                "received unexpected http status",
                'for "-t, --tag" flag',
                "see 'docker",
                "docker daemon",
                "docker_engine",
                "docker.sock",
                "no basic auth credentials",
                "pull access denied",
                "unable to find image",
                "no matching manifest for",
                ": pulling from ",
            ),
        ),
        (
            "containerd",
            (
                "ctr: ",
                "nerdctl",
                "containerd",
                "failed to resolve reference",
                "failed to do request",
                "failed to pull and unpack",
                "failed to authorize",
                "failed commit on ref",
                "httpreadseeker",
            ),
        ),
        (
            "podman",
            (
                "podman",
                "initializing source docker://",
                "trying to pull",
                "reading manifest",
                "copying blob",
                "writing manifest",
                "getting image source signatures",
                "buildah",
                "writing blob",
                "choosing an image from manifest list",
                "invalid status code from registry",
                "logging into",
                "copying system image",
                "error: initializing source",
            ),
        ),
    )
    for tool, sigs in checks:
        if any(s in ev for s in sigs):
            return tool
    for tool, sigs in checks:
        if any(s in whole for s in sigs):
            return tool
    if ev.startswith("error: "):  # podman / buildah print "Error: <wrapped chain>"; docker prints "Error response…"
        return "podman"
    return None


# --- public API --------------------------------------------------------------------------------------------------
