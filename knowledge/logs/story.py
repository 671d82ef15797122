"""The credential story a paste tells (labelling conventions C6 and C7, docs/logs.md "Labelling conventions"): a few
facts read from the output and from the user's own sentences, and one decision over them that names the credential
family's cause the way the conventions do, not by the wording alone.

A generic refusal (`unauthorized: authentication required`, a bare `denied`) is printed alike whether nothing was
sent, something was sent and refused, or a known identity lacks a right. What tells them apart is the story around
it: whether credentials reached the failing request (a login that worked, a stored `auth` entry, typed credentials,
the user saying they logged in, a set-up that worked before, a new login that fixed it). Each fact is one function
here; `decide` applies C6 to the reader's first reading.

The decision (only for the generic wordings named below; a specific wording keeps its own cause):

0. The user saying no login reached the failing program ("Docker login action was missing") decides a 401 (patterns with
   a `logged_in_cause` or an `official_cause`): `CREDENTIALS_MISSING`.
1. A generic 401 (patterns with a `logged_in_cause`: `unauthorized`, ACR's `aka.ms/acr/authorization`) is a refusal of
   credentials that were sent (`CREDENTIALS_INVALID`) when the story shows them sent, else a missing login
   (`CREDENTIALS_MISSING`). For the kubelet only its own history counts (it worked before, a new login fixed it): a
   `docker login` on the node is another program's (C6: credentials given to another program are missing).
2. A bare `denied` (pattern `denied`) is a known identity refused (`PERMISSION_DENIED`) only when the story shows
   credentials; with none, it is what a registry answers anyone: a missing login (`CREDENTIALS_MISSING`) on a
   private, masked or other non-Hub host (Docker Hub's own pulls are already read as a wrong name, C3/C6).
3. A 401 for Docker Hub's `library/` namespace reads as a name that does not exist (C3) only when the name is not
   one of Docker's official images (`official_image`): `library/php` exists, so its 401 is the credentials'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..dialogue import LazyRe
from .rules import is_bare, load_rules

# A login that worked, shown in the paste (docker's `Login Succeeded`) or told by the user ("I was able to login"), and
# credentials handed to the failing program itself (labelling convention C6): a typed password or credentials option
# (`helm push -u admin -p …`, `--password-stdin`, `--creds`), a Flux `secretRef`
_LOGIN_SHOWN = LazyRe(
    r"login succeeded!?\W{0,3}$|[`'\"]login succeeded!?[`'\"]|\b(?:able|managed) to (?:successfully )?(?:log ?in|login|sign in)\b|"
    r"登录没有(?:任何)?问题|\blogged in (?:successfully|fine|ok)\b|"
    r"\bsuccessfully logged in\b|\blogin (?:was |is )?(?:successful|fine|working|works)\b|登录成功|登陆成功|"
    r"(?:^|[\s$#>])(?:docker|podman|helm|skopeo|buildah|crictl|nerdctl|oras|crane)\b[^\n]{0,300}\s(?:-p\s\S|--password\b|"
    r"--password-stdin\b|--creds\b|--src-creds\b|--dest-creds\b)|\bsecretref:",
    re.MULTILINE,
)
# Credentials stored for the client where the paste shows them: a docker config.json `auths` entry holding an `auth`
# or identity token (docker sends it with every request to that host), a JSON username/password pair (ECS's engine
# auth data), or a registry password set for the build
# (`DOCKER_REGISTRY_PASSWORD=…`, `REGISTRY_PASSWORD: …`)
_CONFIGURED = LazyRe(
    r"\"(?:auth|identitytoken)\"\s{0,3}:\s{0,3}\"[^\"\s]{8,}\"|"
    # a registry's JSON credentials (ECS_ENGINE_AUTH_DATA={"https://index.docker.io/v1/":{"username":"me","password":…}})
    r"\"username\"\s{0,3}:\s{0,3}\"[^\"\s]{1,100}\"\s{0,3},\s{0,3}\"password\"\s{0,3}:\s{0,3}\"[^\"\s$]{2,}\"|"
    r"\b[a-z_]{0,30}(?:registry|docker|harbor|cr)[a-z_]{0,20}_(?:password|passwd|pass|token)\s{0,2}[=:]\s{0,2}[^\s$]|"
    # a docker config written for the failing program (kaniko's `echo $AUTH > /kaniko/.docker/config.json`)
    r"\becho\s[^\n]{1,200}>\s?\S{0,100}\.docker/config\.json\b"
)
# The user saying the failing program was given credentials: they ran a login before it ("I have tried az acr login,
# docker login": tried, ran, did), or the same token works with that tool's login ("The same access token works fine
# when I connect … using docker login"). A belief alone ("I am logged in", "已经登录过了") is not: the real labels
# read those posts as credentials that did not reach the failing program (a buildx builder, another step).
_SAID_LOGGED_IN = LazyRe(
    r"\b(?:i|we)(?: have| had|'ve)?(?: already| also)? (?:tried|did|done|ran|performed|executed)\b[^.\n]{0,30}"
    r"\b(?:docker|podman|nerdctl|helm registry|az acr|oras|crane|skopeo|buildah) login\b|"
    r"\b(?:same|my) (?:access )?(?:token|credentials|password) works? (?:fine |well )?(?:when|with|for|in)\b|"
    # the act without a subject ("… as a insecure repository, did login and I get this error") and its outcome told
    # in other words ("Login to the registry is successful", "docker login completes successfully")
    r"\b(?:did|ran|performed|executed|done)\s(?:a |the )?(?:docker |podman |helm (?:registry )?|az acr |oras |crane |"
    r"skopeo |buildah |nerdctl )?log ?in\b(?! (?:issue|problem|error|step|page|prompt|command))|"
    r"\blog ?in\b[^.\n]{0,40}\b(?:is|was|were|has been|had been) (?:successful|succeeded|fine|ok|okay|working)\b|"
    r"\blog ?in\b[^.\n]{0,40}\b(?:completes|completed|succeeds|succeeded|went through|goes through)\b|"
    # "I've logged in with success to my docker registry", "(but docker login success)", "successfully logged in"
    r"\blog(?:ged)? ?in (?:with )?success(?:ful(?:ly)?)?\b(?! rates?\b)|\bsuccess(?:ful(?:ly)?)? log(?:ged)? ?in\b|"
    # "Though I could log in and push an image to ACR, I failed to pull it" (not a web console's or a UI's login)
    r"\b(?:could|can) (?:successfully )?(?:log ?in|sign in)\b(?! (?:to |into |in |on )?(?:the |its |a )?(?:web|ui\b|portal|"
    r"console|browser|website|frontend|dashboard|harbor (?:web|ui|portal)))|"
    # the same acts told in Chinese, Japanese and Korean ("我执行了 docker login", "docker login を実行しました",
    # "docker login 했는데"); a state ("已经登录过了", "ログイン済み") is a belief, as in English
    r"(?:我|我们)(?:也|都)?(?:执行|运行|试过|尝试)了?\s?(?:docker|podman|helm|nerdctl) login|"
    r"(?:docker|podman|helm) login\s?(?:を)?(?:実行し|し)(?:ました|た)|(?:docker |podman )?(?:login|로그인)(?:을|도)? ?(?:했|하였)"
)
# The user saying they handed the failing program credentials of its own ("I have tried providing the docker_username &
# auth token but still …", "add TRIVY_AUTH_URL & TRIVY_PASSWORD & TRIVY_USERNAME, but …"): an act told in the past or
# as an attempt, with a subject, naming what was given (a variable's suffix counts: `TRIVY_PASSWORD`). Configuring a
# helper or "using" a secret is not: the labels read those as credentials that did not reach the failing program.
_SAID_GAVE_CREDENTIALS = LazyRe(
    r"\b(?:i|we)(?:'ve| have| had)?(?: already| also| even)?(?: tried| try)?\s(?:[^.,\n]{0,40}\b(?:and|then)\s{1,3})?(?:to )?"
    r"(?:add(?:ed|ing)?|set|provid(?:ed|ing|e)|suppl(?:ied|ying|y)|pass(?:ed|ing)?|gave|giv(?:e|ing)|enter(?:ed|ing)?|"
    r"typ(?:ed|ing|e)|fill(?:ed|ing)? in|specif(?:ied|ying|y))\b[^.\n]{0,60}(?:\b|_)"
    r"(?:username|user name|password|passwd|auth token|access token|credentials)\b"
)
# The user saying it worked before with the same set-up: the credentials existed and were accepted then
_WORKED_BEFORE = LazyRe(
    r"\b(?:was|were) able to (?:do (?:this|it|that)|push|pull|deploy|build)\b[^.\n]{0,20}\b(?:yesterday|before|earlier|last (?:week|month))\b|"
    r"\b(?:worked|was working|used to work)\b(?: fine| well| perfectly| ok)?(?: until| till| up to)? (?:yesterday|last (?:week|month|night)|before|previously|earlier)\b|"
    # "This worked until Wednesday, began to fail on Thursday", "worked fine until the 3rd"
    r"\b(?:worked|was working)\b(?: fine| well| perfectly| ok)? (?:until|till|up to) (?:last |this )?(?:monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|today|this morning|\d{1,2}(?:st|nd|rd|th)\b|(?:the )?\d{1,2}(?:st|nd|rd|th)\b)|"
    r"\b(?:has|had) been (?:running|working)\b[^.\n]{0,30}\b(?:weeks|days|months)\b[^.\n]{0,30}\bwithout\b|"
    r"\b(?:has|had) been (?:running|working) (?:fine |well )?for (?:a couple of |several |a few |\d{1,3} )?(?:weeks|days|months)\b|"
    r"(?:昨天|之前|以前)(?:一直)?(?:还|都)?(?:是)?(?:可以|正常|好的|能用)|"
    r"(?:昨日|先週|以前|前)(?:まで|は)(?:は)?(?:問題なく|普通に)?(?:動いて|使えて|できて|成功して)|"
    r"(?:어제|전에는|이전에는|지난주)[^.\n]{0,10}(?:잘 )?(?:됐|되었|작동했|동작했)"
)
# The user saying a new login fixed it ("docker logout; docker login solved it", "ログインし直して解決"): the old
# credentials were sent and refused
_RELOGIN_FIXED = LazyRe(
    r"\b(?:re-?log(?:ged|ging)? ?in|logging (?:out and )?(?:back )?in again|logged (?:out and )?(?:back )?in again|"
    r"log(?:ging)? out and (?:log(?:ging)? )?(?:back )?in)\b[^.\n]{0,40}\b(?:fixed|solved|resolved|helped|works|worked)\b|"
    r"\b(?:fixed|solved|resolved) (?:it |this |the (?:issue|problem) )?by (?:re-?log|logging (?:out|in) again|docker logout)|"
    r"(?:ログイン|入り)直(?:し|して)[^。\n]{0,30}解決|重新登录[^。\n]{0,10}(?:解决|好了|就可以|成功)|"
    r"다시 로그인[^.\n]{0,15}(?:해결|됐|되었|성공)"
)
# The user saying no login reached the failing program ("Docker login action was missing", "I forgot to docker login",
# "we were not logged in", "忘了登录"): their diagnosis of a 401 whose wording also fits refused credentials
_SAID_NOT_LOGGED_IN = LazyRe(
    r"\b(?:docker )?log ?in (?:action|step)\b[^.\n]{0,20}\b(?:was|is) missing\b|"
    r"\bmissing (?:the |a )?(?:docker )?log ?in (?:step|action)\b|"
    r"\bforg[eo]t(?:ten)? (?:to (?:run |do |use )?)?(?:the |a )?(?:docker )?log ?in\b|"
    r"\b(?:i|we) (?:was|were|am|are|had|have)(?:n't| not) (?:yet )?(?:logged in|authenticated)\b|"
    # a program that did not log in, told of it ("caprover doesn't run `docker login` prior to pulling", "the docker
    # build doesn't try to authenticate with the source ECR repository", "it is not logging in before trying to pull")
    r"\b(?:does ?n[o']t|did ?n[o']t|never)\s(?:even\s)?(?:run\s|do\s|try to\s|attempt to\s|perform\s)?(?:a |the |any )?"
    r"(?:docker |podman )?(?:log ?in|login|authenticate)\b(?! (?:issue|problem|error|step|page|prompt|command|works?))|"
    r"\b(?:is ?n[o']t|was ?n[o']t)\s(?:even\s)?(?:(?:running|doing|performing) (?:a |the |any )?(?:docker |podman )?login\b|"
    r"(?:trying|attempting) to (?:log ?in|login|authenticate)\b|logging in\b|authenticating\b)|"
    r"忘(?:了|记)?登录|没有?(?:先)?(?:执行|运行)?\s?(?:docker )?(?:login|登录)|(?:尚|还)?未(?:先)?登录|"
    r"ログインしていな(?:い|かった)|ログイン(?:を)?(?:し)?忘れ|로그인(?:을)? ?(?:안 ?했|하지 않았|잊)"
)
# Docker Hub's library/ name of a refused request (`Name:library/x`, `repository:library/x:pull`, `/v2/library/x/`)
_HUB_LIBRARY_NAME = LazyRe(r"(?:^|[\s/:=\[]|%3a)library(?:/|%2f)([a-z0-9._-]{1,100})", re.IGNORECASE)


# A negation in the clause before a claim voids it ("i was not able to login", "i don't have any private repository",
# "我没有重新登录"); a hedge keeps it ("not sure if the token is expired": the user's guess is still their account).
# The clause is what follows the last punctuation or conjunction before the claim ("… still won't work as the
# credentials are not sent": the negation is the other clause's).
_CLAUSE_MARK = LazyRe(
    r"[.;:!?,()\n。；，！？]|\b(?:but|however|although|though|yet|and|as|because|since|so|when|while|that|which|if)\b"
)
_NEGATED = LazyRe(
    r"(?:\b(?:not|never|no longer|without|unable to|cannot)\b|n't\b)(?!\s(?:sure|certain|know|think|clear)\b)"
    r"[^\n]{0,40}$|(?:没有?|未|不|並?ない)\S{0,4}$"
)


def asserted(rx: LazyRe | re.Pattern[str], prose: str) -> bool:
    """Whether `prose` (the user's sentences, lower-cased) makes the claim `rx` matches: a match whose own clause does
    not negate it before the match ("i was able to login" is a claim, "i was not able to login" is not)."""
    for m in rx.finditer(prose):
        head = prose[max(0, m.start() - 120) : m.start()]
        marks = list(_CLAUSE_MARK.finditer(head))
        clause = head[marks[-1].end() :] if marks else head
        if not _NEGATED.search(clause):
            return True
    return False


@dataclass(frozen=True)
class Story:
    """What a paste tells about the credentials of the failing request."""

    shown: bool  # the output or its configuration shows credentials reaching the failing program
    told: bool  # the user says they logged in or gave the credentials
    worked: bool  # the user says the same set-up worked before
    relogin: bool  # the user says a new login fixed it
    told_missing: bool = False  # the user says no login reached the failing program

    @property
    def sent(self) -> bool:
        """Whether credentials reached the failing request, as far as the paste tells."""
        return self.shown or self.told or self.worked or self.relogin


def credentials_shown(whole_lower: str) -> bool:
    """Whether the output shows credentials reaching the failing program: a login that worked, typed credentials, a
    Flux `secretRef`, a stored docker `auth` entry, a registry password set for the build (`whole_lower`: the paste,
    lower-cased)."""
    return asserted(_LOGIN_SHOWN, whole_lower) or bool(_CONFIGURED.search(whole_lower))


def said_logged_in(prose: str) -> bool:
    """Whether the user's own sentences (`prose`, lower-cased) say they logged in or gave the failing program
    credentials ("I have tried az acr login, docker login", "the same token works when I use docker login", "I have
    tried providing the username & auth token")."""
    return asserted(_SAID_LOGGED_IN, prose) or asserted(_SAID_GAVE_CREDENTIALS, prose)


def worked_before(prose: str) -> bool:
    """Whether the user's own sentences say the same set-up worked before ("I was able to do this yesterday", "has
    been running for a couple of weeks without any issues")."""
    return asserted(_WORKED_BEFORE, prose)


def relogin_fixed(prose: str) -> bool:
    """Whether the user's own sentences say logging in again fixed it."""
    return asserted(_RELOGIN_FIXED, prose)


# The client's own output saying it sent nothing (drone's "Registry credentials not provided. Guest mode enabled.",
# OpenShift's node "Pulling image X without credentials", "No credentials found for HOST" before a refusal)
_OUTPUT_NO_CREDENTIALS = LazyRe(
    r"\bregistry credentials (?:were )?not provided\b|\bguest mode enabled\b|"
    r"\bpulling image \S{1,300} without credentials\b|\bno credentials (?:found|provided|configured) for\b|"
    # crictl's debug print of the CRI request it sent (`PullImageRequest{Image:…,Auth:nil,…}`)
    r"\bpullimagerequest\b[^\n]{0,600}\bauth:nil\b"
)


def output_sent_none(whole_lower: str) -> bool:
    """Whether the client's own output (`whole_lower`, the paste lower-cased) says it sent no credentials."""
    return bool(_OUTPUT_NO_CREDENTIALS.search(whole_lower))


def said_not_logged_in(prose: str) -> bool:
    """Whether the user's own sentences say no login reached the failing program ("Docker login action was
    missing")."""
    return asserted(_SAID_NOT_LOGGED_IN, prose)


def official_image(line: str) -> bool:
    """Whether the Docker Hub `library/` name the line refers to is one of Docker's official images (the names of
    docker-library/official-images' library/ directory): such a repository exists, so a refusal of it is not a
    wrong name."""
    m = _HUB_LIBRARY_NAME.search(line)
    return m is not None and m.group(1).lower() in load_rules()["official_images"]


# A repository reference the way a tool asks for it: an `oci://` URL (helm, flux) or a token scope
# (`repository:owner/charts/x:pull`, URL-encoded in a token request), with at least three path segments
_OCI_OR_SCOPE = LazyRe(
    r"(?:oci://[a-z0-9.-]{1,253}(?::\d{1,5})?/|repository:)((?:[a-z0-9._-]{1,100}/){2,12}[a-z0-9._-]{1,100})(?=[:@\s'\"`]|$)"
)
# A registry host written twice at the head of a name (`myacr.azurecr.io/myacr.azurecr.io/webapp`): a tool or a setting
# that prefixes the host to a name that already has it
_HOST_TWICE = LazyRe(r"(?<![\w.-])([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,6}(?::\d{1,5})?)/\1/")
# A Flux HelmRepository's `url: oci://…/NAME` and a HelmRelease's `chart: NAME`
_FLUX_OCI_URL = LazyRe(
    r"^\s{0,40}url:\s{0,3}[\"']?oci://[^\s\"']{1,400}/([a-z0-9._-]{1,100})/?[\"']?\s*$", re.MULTILINE
)
_FLUX_CHART = LazyRe(r"^\s{0,40}chart:\s{0,3}[\"']?([a-z0-9._-]{1,100})[\"']?\s*$", re.MULTILINE)


def _decoded(text: str) -> str:
    # a token request's scope, URL-encoded (`%2F`) or as Go's fmt garbles it in an error (`%!F(MISSING)`)
    return re.sub(r"%2f|%!f\(missing\)", "/", re.sub(r"%3a|%!a\(missing\)", ":", text))


def doubled_name(line_lower: str, whole_lower: str) -> bool:
    """Whether the refused name is a path a tool doubled (labelling convention C3): helm and flux append the chart's
    name to an `oci://` repository URL, so a URL that already ends in the chart asks for `…/router/router`, a
    repository that does not exist; a host prefixed to a name that already has it (`acr.azurecr.io/acr.azurecr.io/app`).
    Read from the refused reference on the decisive line (`line_lower`), a host written twice anywhere, or a Flux
    HelmRepository URL ending in its HelmRelease's chart (`whole_lower`); both lower-cased."""
    for m in _OCI_OR_SCOPE.finditer(_decoded(line_lower)):
        parts = m.group(1).split("/")
        if parts[-1] == parts[-2]:
            return True
    if _HOST_TWICE.search(whole_lower):
        return True
    if "oci://" not in whole_lower or "chart:" not in whole_lower:
        return False
    bases = {m.group(1) for m in _FLUX_OCI_URL.finditer(whole_lower)}
    return any(m.group(1) in bases for m in _FLUX_CHART.finditer(whole_lower))


# A request to Docker Hub's registry API for a one-segment repository (`https://index.docker.io/v2/python/manifests/…`):
# Hub's repositories are always namespace/name (docker itself asks for `library/python`), so a tool that sends the bare
# name asks for one that cannot exist (C3)
_HUB_ONE_SEGMENT_PATH = LazyRe(
    r"https?://(?:registry-1\.docker\.io|index\.docker\.io|registry\.hub\.docker\.com)/v2/[a-z0-9._-]{1,100}/"
    r"(?:manifests|blobs|tags)/"
)


def hub_path_without_namespace(whole_lower: str) -> bool:
    """Whether the paste (`whole_lower`, lower-cased) shows a request to Docker Hub's registry API for a repository
    without its namespace (`index.docker.io/v2/python/manifests/3.11`: Hub has `library/python`, not `python`)."""
    return bool(_HUB_ONE_SEGMENT_PATH.search(whole_lower))


# A Swarm service or stack whose tasks run on other nodes (`docker service create`, `docker stack deploy`, tasks
# `rejected`, `--with-registry-auth`): a worker pulls with what the manager passed it, nothing unless asked to
_SWARM_TASKS = LazyRe(
    r"\bdocker (?:service|stack) (?:create|update|deploy|up)\b|--with-registry-auth\b|\bswarm\b|\bstack deploy\b|"
    r"\b(?:tasks?|services?|stacks?)\b[^.\n]{0,60}\b(?:rejected|rejects)\b"
)
# The user saying the image is private ("a private image", "my private repository on Docker Hub"); a negation that
# governs the noun itself voids it ("not a private image", "I don't have any private repository"), one elsewhere in
# the clause does not ("I can't pull my private image")
_TOLD_PRIVATE = LazyRe(
    r"\bprivate (?:docker ?hub |hub |github |ghcr )?(?:images?|repos?|repositor(?:y|ies)|packages?|containers?)\b|"
    r"私有(?:的)?(?:镜像|image)(?!仓库|服务|源|库|registry)"
)
# (the negation must govern the noun phrase: "not a private image", "non-private", "I don't have any private repo";
# "that not use default or private repo"; "I cannot not deploy a private image" negates the verb, the image is still
# private)
_PRIVATE_NEGATED = LazyRe(
    r"(?:\b(?:not|no|non|without|any)|n't)\b(?: (?:use|using|have|having|need|needing))?"
    r"(?: (?:a|an|the|any|my|our|your|their|its|some|default or|public or))?[ -]$|"
    r"(?:不是|没有|非)$"
)


def told_private(prose: str) -> bool:
    """Whether the user's sentences (`prose`, lower-cased) say the image is private: "I can't pull my private image"
    does, "it is not a private image" and "I don't have any private repository" do not."""
    return any(
        not _PRIVATE_NEGATED.search(prose[max(0, m.start() - 30) : m.start()]) for m in _TOLD_PRIVATE.finditer(prose)
    )


# The user saying the same pull or push works from the docker CLI (or the command line) where the failing program fails
# ("pulling images from docker cli works … but it fails … as a part of a stack", "everything works fine if I use docker
# from cli"): the CLI has the credentials, the failing program (Portainer, Watchtower, a CI step) was not given them
# (C6: credentials given to another program); a login that works from the CLI is not this account
_WORKS_FROM_CLI = LazyRe(
    r"\b(?:works?|worked|working|succeeds?|succeeded|is fine)\b[^.\n]{0,30}\b(?:from|with|using|via|in|on|at) (?:the )?"
    r"(?:docker |podman )?(?:cli|command[- ]line|terminal)\b|"
    r"\b(?:from|with|using|via|in|on|at) (?:the )?(?:docker |podman )?(?:cli|command[- ]line|terminal)\b[^.\n]{0,30}"
    r"\b(?:works?|worked|succeeds?|succeeded|is fine|without (?:any )?(?:problems?|issues?))\b"
)
_LOGIN_WORD = LazyRe(r"\blog ?in\b")


def works_from_cli(prose: str) -> bool:
    """Whether the user's own sentences (`prose`, lower-cased) say the same request works from the docker CLI where the
    failing program fails ("pulling images from docker cli works"; not "docker login works from the CLI")."""
    return asserted(_WORKS_FROM_CLI, "\n".join(x for x in prose.splitlines() if not _LOGIN_WORD.search(x)))


def local_lookup_cause(whole_lower: str, prose: str) -> str | None:
    """Why docker's own store lacks an image (`No such image: NAME`, labelling convention C8), when the text tells:
    Swarm tasks on other nodes, which pull with no login unless the manager passes one, or an image the user says is
    private → `CREDENTIALS_MISSING`; otherwise None (a local lookup names no registry cause: the pull's own error, if
    any, has already decided). `whole_lower`: the paste lower-cased; `prose`: the user's sentences."""
    if _SWARM_TASKS.search(whole_lower) or told_private(prose):
        return "CREDENTIALS_MISSING"
    return None


# The user saying the name is wrong (labelling convention C3 told in the user's words): a tag or version that does not
# exist or does not match ("Image Tag Mismatch Between Helm Chart and Repository"), an image or repository that is
# wrong or does not exist ("Incorrect cattle-cluster-agent image being used", "the image does not exist"); docker's
# own "repository does not exist or may require 'docker login'" is output, not the user's finding
_TOLD_WRONG_TAG = LazyRe(
    r"\b(?:wrong|incorrect|invalid|non-?existent|non-?existing)\b (?:[\w.-]{1,40} ){0,2}(?:tag|version)s?\b|"
    r"\btags? mismatch\b|\bmismatch(?:ed|ing)? (?:image )?tags?\b|"
    r"\btag\b[^.\n]{0,30}\b(?:does not|doesn't|did not|didn't|no longer) exists?\b|"
    # "怀疑是镜像版本不对" (the image's version is wrong), "镜像tag写错了", "标签不存在"
    r"(?:镜像|image)?\s?(?:的)?(?:版本|tag|标签)(?:号)?\s?(?:不对|写错|错了|错误|不匹配|不存在)"
)
_TOLD_WRONG_IMAGE = LazyRe(
    r"\b(?:wrong|incorrect|invalid|misspel+ed|misspelt|mistyped|non-?existent|non-?existing)\b (?:[\w./-]{1,60} ){0,3}"
    r"(?:image|repository|repo)\b|"
    # "镜像名写错了", "镜像地址不对", "镜像不存在"
    r"镜像(?:的)?(?:名|名称|名字|地址|路径)?\s?(?:不对|写错|错了|错误|不存在)|"
    r"\b(?:image|repository|repo)(?: (?:name|path|address|url))? (?:is|was) (?:wrong|incorrect|misspel+ed|misspelt)\b|"
    r"\b(?:image|repository|repo)\b[^.\n]{0,30}\b(?:does not|doesn't|did not|didn't|no longer) exists?\b(?! or may)"
)


# The user saying the name is right ("despite … providing the correct image path", "the repository exists"): the
# refusal is not a missing repository's (C3 does not apply); docker's own "repository does not exist" is output
_TOLD_NAME_RIGHT = LazyRe(
    r"\b(?:correct|right|valid|exact)\b (?:image |repository |repo |docker )?(?:path|name|reference|address|url)\b|"
    r"\b(?:image|repository|repo)\b[^.\n]{0,30}(?<!no longer )(?<!not )(?<!never )\b(?:does exist|exists|is there|is present|"
    r"is correct|is right)\b"
)


def told_name_right(prose: str) -> bool:
    """Whether the user's own sentences (`prose`, lower-cased) say the refused name is right ("providing the correct
    image path", "the repository exists"; not "the repository does not exist")."""
    return asserted(_TOLD_NAME_RIGHT, prose)


# The user telling their story (a first person, or a sentence in Chinese, Japanese or Korean): a table of events the
# prose reader takes for sentences tells none
_TOLD_STORY = LazyRe(r"\b(?:i|i'm|i've|we|we're|we've|my|our|me|us)\b|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# What keeps a pull symptom's guess of a missing login: the paste naming pull secrets or the cluster's registry
# credentials (kubelet's `FailedToRetrieveImagePullSecret`, an `imagePullSecrets` the user set or lacks, "added the
# secret", TKE's `qcloudregistrykey`, a `.dockerconfigjson`, `regcred`, 凭证/密钥/免密)
_PULL_SECRETS = LazyRe(
    r"\bimage ?pull ?secrets?\b|\bpull secrets?\b|imagepullsecret|\bsecrets?\b|qcloudregistrykey|dockerconfigjson|"
    r"\bregcred\b|凭证|凭据|密钥|免密"
)


def symptom_guess_stands(whole_lower: str, prose: str) -> bool:
    """Whether a pull symptom with no reason printed (`ErrImagePull`, `Back-off pulling image`) keeps its guess of a
    missing login: the paste is that line alone or output alone (no sentence of the user's: a bare event list), or it
    names pull secrets, or the user says the image is private or that no login reached the puller. Otherwise the user
    told their story and it gives no cause (`whole_lower`: the paste lower-cased; `prose`: the user's sentences)."""
    return (
        is_bare(whole_lower)
        or not _TOLD_STORY.search(prose)
        or bool(_PULL_SECRETS.search(whole_lower))
        or told_private(prose)
        or said_not_logged_in(prose)
    )


def told_wrong_name(prose: str) -> str | None:
    """What the user's own sentences (`prose`, lower-cased) say is wrong with the name: `TAG_NOT_FOUND` for a tag or
    version that does not exist or does not match, `REPO_NOT_FOUND` for an image or repository that is wrong or does
    not exist, else None (a negated claim is none: "the image name is not wrong")."""
    if asserted(_TOLD_WRONG_TAG, prose):
        return "TAG_NOT_FOUND"
    if asserted(_TOLD_WRONG_IMAGE, prose):
        return "REPO_NOT_FOUND"
    return None


def read_story(whole_lower: str, prose: str) -> Story:
    """The facts of the paste (`whole_lower`, lower-cased) and of the user's own sentences (`prose`)."""
    return Story(
        shown=credentials_shown(whole_lower),
        told=said_logged_in(prose),
        worked=worked_before(prose),
        relogin=relogin_fixed(prose),
        told_missing=said_not_logged_in(prose) or output_sent_none(whole_lower),
    )


def needs_story(pattern: dict[str, Any]) -> bool:
    """Whether `decide` can change the reading of this pattern (a 401 whose story decides): the facts are read only
    then."""
    return bool(pattern.get("logged_in_cause") or pattern.get("official_cause"))


# Generic refusals the user's own "I forgot to docker login" decides besides the 401s (C4b: the user's diagnosis refines
# a generic wording): Docker Hub's bare `denied` and the wrappers of a refused pull
_TOLD_MISSING_DECIDES = frozenset({"denied", "pull-access-denied", "denied-and-unauthorized"})


def told_missing(cause: str, also: list[str], pattern: dict[str, Any], prose: str, whole_lower: str = "") -> str:
    """`CREDENTIALS_MISSING` for a generic refusal (a bare `denied`, a refused pull) of which the user's own sentences
    (`prose`) say no login reached the failing program ("I forgot to use docker login"), or the client's own output
    (`whole_lower`) says it sent none ("Registry credentials not provided"), else `cause`; the former cause joins
    `also`. (Read only for these wordings: the 401s get it through `decide`.)"""
    if (
        pattern["id"] in _TOLD_MISSING_DECIDES
        and cause != "CREDENTIALS_MISSING"
        and (said_not_logged_in(prose) or output_sent_none(whole_lower))
    ):
        also.insert(0, cause)
        return "CREDENTIALS_MISSING"
    return cause


def decide(cause: str, also: list[str], pattern: dict[str, Any], story: Story, tool: str | None) -> str:
    """The credential family's cause by convention C6 (the module's docstring), given the reader's first reading
    `cause` of the decisive `pattern`; the former cause joins `also`."""
    if story.told_missing and (pattern.get("logged_in_cause") or pattern.get("official_cause")):
        # the user's own diagnosis of a 401 (a wrong name read from a library/ scope, refused credentials) wins
        if cause != "CREDENTIALS_MISSING":
            also.insert(0, cause)
        return "CREDENTIALS_MISSING"
    if pattern.get("logged_in_cause") and cause == pattern["cause"]:
        sent = (story.worked or story.relogin) if tool == "kubelet" else story.sent
        if sent:
            also.insert(0, cause)
            return str(pattern["logged_in_cause"])
    return cause
