"""Other vendors' container registries, by host suffix: the one list the question reader and the dialogue use."""

from __future__ import annotations

# (host suffix, vendor shown to the user). Any other non-TCR registry host is a self-hosted registry.
VENDOR_HOSTS = (
    ("docker.io", "Docker Hub"),
    ("docker.com", "Docker Hub"),
    ("ghcr.io", "GitHub Container Registry"),
    ("docker.pkg.github.com", "GitHub Packages"),
    ("quay.io", "Quay"),
    ("gcr.io", "Google Container Registry"),
    ("pkg.dev", "Google Artifact Registry"),
    ("amazonaws.com", "Amazon ECR"),
    ("azurecr.io", "Azure Container Registry"),
    ("aliyuncs.com", "Aliyun ACR"),
    ("myhuaweicloud.com", "Huawei Cloud SWR"),
    ("registry.k8s.io", "registry.k8s.io"),
    ("k8s.gcr.io", "registry.k8s.io"),
    ("mcr.microsoft.com", "Microsoft Container Registry"),
    ("nvcr.io", "NVIDIA NGC"),
    ("gitlab.com", "GitLab Container Registry"),
    ("jfrog.io", "JFrog Artifactory"),
    ("volces.com", "Volcengine CR"),
    ("ksyuncs.com", "Kingsoft Cloud KCR"),
    ("baidubce.com", "Baidu CCR"),
    # hosted registries real posts name, that were told "This is a self-hosted registry": the registry's own host,
    # never the vendor's whole domain (a link to devcenter.heroku.com or docs.oracle.com is no registry)
    ("icr.io", "IBM Cloud"),
    ("ocir.io", "Oracle Cloud"),
    ("container-registry.oracle.com", "Oracle"),
    ("registry.redhat.io", "Red Hat"),
    ("registry.access.redhat.com", "Red Hat"),
    ("registry.connect.redhat.com", "Red Hat"),
    ("registry.heroku.com", "Heroku"),
    ("registry.fly.io", "Fly.io"),
    ("registry.digitalocean.com", "DigitalOcean"),
    ("registry.fedoraproject.org", "Fedora"),
    ("registry.suse.com", "SUSE"),
    ("lscr.io", "LinuxServer.io"),
)
