"""Name rules: TCR instance/namespace/repository, tags, and the distribution/reference grammar."""

import pytest

from diagnostics.names import check_name

SHA = "sha256:" + "a" * 64


@pytest.mark.parametrize("value", ["shop-tcr", "abcde", "a" * 50, "tcr-01-prod", "12345"])
def test_instance_valid(value):
    r = check_name("instance", value)
    assert r["valid"] and r["rule"] is None
    assert r["parts"]["domain"] == f"{value}.tencentcloudcr.com"
    assert r["parts"]["vpc_domain"] == f"{value}-vpc.tencentcloudcr.com"


@pytest.mark.parametrize(
    "value,rule,suggestion",
    [
        ("abcd", "instance.length", "abcd-tcr"),
        ("a" * 51, "instance.length", "a" * 50),
        ("Shop_TCR", "instance.charset", "shop-tcr"),
        ("-shop-tcr", "instance.edge", "shop-tcr"),
        ("shop-tcr-", "instance.edge", "shop-tcr"),
        ("shop.tcr", "instance.charset", "shop-tcr"),
    ],
)
def test_instance_invalid(value, rule, suggestion):
    r = check_name("instance", value)
    assert not r["valid"]
    assert r["rule"] == rule
    assert r["error"]["zh"] and r["error"]["en"]
    assert r["suggestion"] == suggestion
    assert check_name("instance", r["suggestion"])["valid"]


@pytest.mark.parametrize("value", ["ns", "team-01", "a.b_c-d", "x" * 30])
def test_namespace_valid(value):
    assert check_name("namespace", value)["valid"]


@pytest.mark.parametrize(
    "value,rule",
    [
        ("a", "namespace.length"),
        ("x" * 31, "namespace.length"),
        ("Team", "namespace.charset"),
        ("team/app", "namespace.charset"),
        ("_team", "namespace.edge"),
        ("team.", "namespace.edge"),
        ("te..am", "namespace.double-separator"),
        ("te-_am", "namespace.double-separator"),
    ],
)
def test_namespace_invalid(value, rule):
    r = check_name("namespace", value)
    assert not r["valid"] and r["rule"] == rule
    if r["suggestion"]:
        assert check_name("namespace", r["suggestion"])["valid"]


@pytest.mark.parametrize("value", ["app", "team-01/front/nginx", "a.b/c_d"])
def test_repo_valid(value):
    assert check_name("repo", value)["valid"]


@pytest.mark.parametrize(
    "value,rule",
    [
        ("a", "repo.length"),
        ("App", "repo.lowercase"),
        ("app//x", "repo.empty-component"),
        ("/app", "repo.empty-component"),
        ("app/-x", "repo.edge"),
        ("a__b", "repo.double-separator"),
        ("a b", "repo.charset"),
        ("x" * 201, "repo.length"),
    ],
)
def test_repo_invalid(value, rule):
    r = check_name("repo", value)
    assert not r["valid"] and r["rule"] == rule


@pytest.mark.parametrize("value", ["latest", "1.0", "v1.2.0-rc.1", "_x", "A" * 128, "UPPER_lower.9-x"])
def test_tag_valid(value):
    assert check_name("tag", value)["valid"]


@pytest.mark.parametrize(
    "value,rule,suggestion",
    [
        ("", "tag.empty", None),
        ("A" * 129, "tag.length", "A" * 128),
        (".hidden", "tag.first-char", "hidden"),
        ("-x", "tag.first-char", "x"),
        ("v1+build", "tag.charset", "v1-build"),
        ("v1/2", "tag.charset", "v1-2"),
    ],
)
def test_tag_invalid(value, rule, suggestion):
    r = check_name("tag", value)
    assert not r["valid"] and r["rule"] == rule and r["suggestion"] == suggestion


@pytest.mark.parametrize(
    "value,normalized,domain,path",
    [
        ("nginx", "docker.io/library/nginx:latest", "docker.io", "library/nginx"),
        ("library/nginx:1.25", "docker.io/library/nginx:1.25", "docker.io", "library/nginx"),
        ("myns/app", "docker.io/myns/app:latest", "docker.io", "myns/app"),
        ("index.docker.io/nginx", "docker.io/library/nginx:latest", "docker.io", "library/nginx"),
        (
            "shop-tcr.tencentcloudcr.com/ns/app:1.0",
            "shop-tcr.tencentcloudcr.com/ns/app:1.0",
            "shop-tcr.tencentcloudcr.com",
            "ns/app",
        ),
        ("localhost/app", "localhost/app:latest", "localhost", "app"),
        ("localhost:5000/a/b/c:v1", "localhost:5000/a/b/c:v1", "localhost:5000", "a/b/c"),
        ("127.0.0.1:5000/ns/app", "127.0.0.1:5000/ns/app:latest", "127.0.0.1:5000", "ns/app"),
        ("[::1]:5000/ns/app:1", "[::1]:5000/ns/app:1", "[::1]:5000", "ns/app"),
        ("[2001:db8::1]/app", "[2001:db8::1]/app:latest", "[2001:db8::1]", "app"),
        (
            f"ccr.ccs.tencentyun.com/ns/app@{SHA}",
            f"ccr.ccs.tencentyun.com/ns/app@{SHA}",
            "ccr.ccs.tencentyun.com",
            "ns/app",
        ),
        (f"host.example/ns/app:1.0@{SHA}", f"host.example/ns/app:1.0@{SHA}", "host.example", "ns/app"),
        ("Registry.Example.COM/ns/app", "Registry.Example.COM/ns/app:latest", "Registry.Example.COM", "ns/app"),
        ("a/b__c/d-e/f.g/h---i", "docker.io/a/b__c/d-e/f.g/h---i:latest", "docker.io", "a/b__c/d-e/f.g/h---i"),
    ],
)
def test_ref_valid(value, normalized, domain, path):
    r = check_name("ref", value)
    assert r["valid"], r
    assert r["parts"]["normalized"] == normalized
    assert r["parts"]["domain"] == domain
    assert r["parts"]["path"] == path


def test_ref_digest_parts():
    p = check_name("ref", f"h.example/ns/app@sha512:{'b' * 128}")["parts"]
    assert p["digest"] == f"sha512:{'b' * 128}" and p["tag"] is None


@pytest.mark.parametrize(
    "value,rule",
    [
        ("", "ref.empty"),
        ("Nginx", "ref.lowercase"),
        ("host.example/NS/app", "ref.lowercase"),
        ("https://host.example/ns/app", "ref.scheme"),
        ("host.example/ns/app:", "tag.empty"),
        ("host.example/ns/app:.x", "tag.first-char"),
        ("host.example/ns/app:" + "x" * 129, "tag.length"),
        ("host.example/ns//app", "ref.empty-component"),
        ("host.example/ns/app/", "ref.empty-component"),
        ("host.example/", "ref.empty-name"),
        ("host.example/ns/-app", "ref.path-component"),
        ("host.example/ns/app_", "ref.path-component"),
        ("host.example/ns/a...b", "ref.path-component"),
        ("host.example/ns/a___b", "ref.path-component"),
        ("ho_st.example/ns/app", "ref.domain"),
        ("-host.example/ns/app", "ref.domain"),
        ("::1:5000/ns/app", "ref.domain"),
        ("host.example:99999/ns/app", "ref.port"),
        ("host.example/ns/app@sha256:abc", "digest.length"),
        ("host.example/ns/app@sha256:" + "a" * 63, "digest.length"),
        ("host.example/ns/app@sha256:" + "a" * 65, "digest.length"),
        ("host.example/ns/app@sha256:" + "A" * 64, "digest.hex"),
        ("host.example/ns/app@sha256:" + "g" * 64, "digest.hex"),
        ("host.example/ns/app@md5:" + "a" * 32, "digest.algorithm"),
        ("host.example/ns/app@sha256", "digest.format"),
        ("host.example/ns/app@" + SHA + "@" + SHA, "ref.format"),
        ("ns/app name", "ref.whitespace"),
    ],
)
def test_ref_invalid(value, rule):
    r = check_name("ref", value)
    assert not r["valid"], r
    assert r["rule"] == rule, r
    assert r["error"]["zh"] and r["error"]["en"]
    assert "parts" not in r


@pytest.mark.parametrize(
    "value,suggestion",
    [
        ("admin:Pl4nted-Pw@shop.tencentcloudcr.com/ns/app:1", "shop.tencentcloudcr.com/ns/app:1"),
        ("https://admin:Pl4nted-Pw@shop.tencentcloudcr.com/ns/app", "shop.tencentcloudcr.com/ns/app"),
        ("admin:Pl4nted-Pw@registry/ns/app", "registry/ns/app"),
        ("admin:Pl4nted-Pw@shop.tencentcloudcr.com/NS/App:1", "shop.tencentcloudcr.com/ns/app:1"),
        ("admin:Pl4nted-Pw@localhost:5000", None),
        ("Pl4nted-Pw@shop.tencentcloudcr.com/ns/app", "shop.tencentcloudcr.com/ns/app"),
    ],
)
def test_a_reference_with_credentials_says_so_and_never_echoes_them(value, suggestion):
    """It was read as a bad digest (`admin:Pl4nted-Pw@host/ns/app:1`: the digest value is too short), the value was
    echoed, and the suggestion was the user name."""
    import json

    r = check_name("ref", value)
    assert not r["valid"] and r["rule"] == "ref.credentials", r
    assert r["error"]["en"].startswith("credentials in a reference") and "凭证" in r["error"]["zh"]
    assert "Pl4nted-Pw" not in json.dumps(r, ensure_ascii=False) and "admin" not in json.dumps(r, ensure_ascii=False)
    assert r["value"].startswith("****@")
    assert r["suggestion"] == suggestion


@pytest.mark.parametrize(
    "value,rule",
    [("nginx@latest", "digest.format"), ("nginx:1.25@sha256:abc", "digest.length"), ("app@sha256:12", "digest.length")],
)
def test_an_at_sign_for_a_digest_is_not_credentials(value, rule):
    assert check_name("ref", value)["rule"] == rule


def test_name_too_long():
    path = "/".join(["a" * 60] * 5)  # 304 characters
    r = check_name("ref", f"host.example/{path}")
    assert not r["valid"] and r["rule"] == "ref.name-too-long"
    assert "255" in r["error"]["en"]
    ok = "h.io/" + "a" * 250  # exactly 255
    assert check_name("ref", ok)["valid"]
    assert check_name("ref", ok + "b")["rule"] == "ref.name-too-long"


@pytest.mark.parametrize(
    "value,suggestion",
    [
        ("Nginx", "nginx"),
        ("host.example/NS/My App:1.0", "host.example/ns/my-app:1.0"),
        ("https://shop-tcr.tencentcloudcr.com/ns/app:1.0", "shop-tcr.tencentcloudcr.com/ns/app:1.0"),
        ("host.example/ns/app_:v1+x", "host.example/ns/app:v1-x"),
        ("Foo/Bar", "foo/bar"),
    ],
)
def test_ref_suggestions(value, suggestion):
    r = check_name("ref", value)
    assert not r["valid"]
    assert r["suggestion"] == suggestion
    assert check_name("ref", suggestion)["valid"]


@pytest.mark.parametrize("kind", ["instance", "namespace", "repo", "tag", "ref"])
@pytest.mark.parametrize("value", ["x" * 100_000, "a\x00b", "\x1b[31mred", "\ud800", "名字", "🙂🙂🙂🙂🙂"])
def test_hostile_input_never_raises(kind, value):
    r = check_name(kind, value)
    assert r["valid"] is False
    assert set(r) >= {"value", "valid", "error", "rule", "suggestion"}
    assert len(r["value"]) <= 2000


def test_unknown_kind():
    with pytest.raises(ValueError):
        check_name("bucket", "x")


@pytest.mark.parametrize(
    ("kind", "value", "en", "zh"),
    [
        ("instance", "-Team_Registry-", "(found 'T', '_', 'R')", "（出现了“T”“_”“R”）"),
        ("instance", "MyRegistry", "(found 'M', 'R')", "（出现了“M”“R”）"),
        ("instance", "团队仓库01", "(found '团', '队', '仓', '库')", "（出现了“团”“队”“仓”“库”）"),
        ("namespace", "team a", "(found ' ')", "（出现了“ ”）"),
        ("repo", "Team/App", "(found 'T', 'A')", "（出现了“T”“A”）"),
    ],
)
def test_the_characters_a_rule_refuses_are_named_one_by_one(kind, value, en, zh):
    """'found 'T_R'' read as one token that is not in the name; each character is named, in the language's quotes."""
    r = check_name(kind, value)
    assert r["error"]["en"].endswith(en) and r["error"]["zh"].endswith(zh), r["error"]
