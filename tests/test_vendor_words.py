"""Which other vendor's registry a message is about (knowledge.dialogue's vendor reader) where it was misread (tidy10,
qa10): Azure's CLI and a bare "ACR", and a CI step's own image (Drone's and Woodpecker's `image: plugins/ecr`) taken
for the image that failed."""

from __future__ import annotations

import pytest

import knowledge
from knowledge.dialogue import named_vendors, other_vendor


@pytest.mark.parametrize(
    ("text", "vendor"),
    [
        ("az acr login --name myreg fails with unauthorized: authentication required", "Azure Container Registry"),
        (
            "az acr build -r myreg . fails: denied: requested access to the resource is denied",
            "Azure Container Registry",
        ),
        ("pushing to our ACR from the pipeline gives 401 unauthorized", "Azure Container Registry"),
        ("ACR 企业版 推送镜像失败 denied", "Aliyun ACR"),  # Aliyun's registry is "ACR" in Chinese posts
        ("阿里云 ACR 登录失败", "Aliyun ACR"),
        ("Azure Container Registry login fails", "Azure Container Registry"),
    ],
)
def test_azure_and_a_bare_acr_are_read_as_their_vendor(text, vendor):
    assert other_vendor(text) == vendor
    assert knowledge.ask(text)["refusal"] == {"kind": "other_registry", "vendor": vendor}


def test_acr_beside_tcr_is_a_vendor_named_but_the_message_is_about_tcr():
    assert other_vendor("migrate our images from ACR to TCR") is None
    assert named_vendors("migrate our images from ACR to TCR") == ["Azure Container Registry"]
    assert named_vendors("the AcrPull role is missing") == []  # inside a word it is no vendor


_ECR = "347501067673.dkr.ecr.eu-central-1.amazonaws.com"
_DRONE_ECR = f"""I tested drone and had a problem with this pipeline, I got an error name unknown:

- the aws key has full access and permission on ecr

```
pipeline:
  ecr:
    image: plugins/ecr
    repo: {_ECR}/sample-web-app
    registry: {_ECR}
    tags:
      - 1.0
```
"""
_WOODPECKER_HARBOR = """I keep getting an authentication error pushing to my harbor registry:

```
Error response from daemon: Get "https://harbor.example.com/v2/": unauthorized: authentication required
time="2023-11-22T15:22:05Z" level=fatal msg="error authenticating: exit status 1"
```

steps:
  - name: publish
    image: plugins/docker
    settings:
      registry: harbor.example.com
      repo: app-web/app-web
"""


@pytest.mark.parametrize(
    ("paste", "host", "vendor"),
    [(_DRONE_ECR, _ECR, "Amazon ECR"), (_WOODPECKER_HARBOR, "harbor.example.com", "Harbor")],
)
def test_a_ci_steps_own_image_is_not_the_failing_registry(paste, host, vendor):
    """The step's `image: plugins/ecr` was read as the failing image: "This is Docker Hub's registry … diagnose
    docker.io/plugins/ecr" for a post about ECR (and a Harbor push read as Docker Hub's)."""
    result = knowledge.ask(paste)
    log = result["log"]
    assert log is not None and log["host"] == host and "plugins/" not in str(log.get("diagnose"))
    assert log["image"] is None or "plugins/" not in log["image"]
    assert result["refusal"] == {"kind": "other_registry", "vendor": vendor}
    explained = knowledge.explain_paste(paste)
    assert explained is not None and explained["host"] == host and "docker.io" not in str(explained["diagnose"])
