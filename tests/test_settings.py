"""The one settings object: types, precedence, clear errors, secrets kept out of repr."""

import pytest

from bot.settings import Settings, SettingsError, documented


def test_defaults_without_environment():
    s = Settings.from_env(environ={})
    assert s.db is None and s.diagnose_timeout == 10.0 and s.registry_ports == (443, 80)
    assert s.cors_origins == ("*",) and s.slack == "auto" and s.test_allow_loopback is False


def test_the_address_policy_defaults_are_declared_once():
    """The public channels' registry domains, ports and refused networks default to diagnostics' one declaration,
    which AddressPolicy defaults to as well (the settings wrote the same values a second time)."""
    import inspect

    import diagnostics
    from diagnostics.policy import AddressPolicy

    s = Settings.from_env(environ={})
    policy = inspect.signature(AddressPolicy).parameters
    assert s.registry_domains is diagnostics.DEFAULT_DOMAINS is policy["domains"].default
    assert s.registry_ports is diagnostics.DEFAULT_PORTS is policy["ports"].default
    assert s.refused_networks is diagnostics.DEFAULT_REFUSED_NETWORKS is policy["refused_networks"].default


def test_environment_text_is_parsed_by_type():
    env = {
        "TCR_DOCTOR_REGISTRY_DOMAINS": " a.example , *.b.example ,",
        "TCR_DOCTOR_REGISTRY_PORTS": "",
        "TCR_DOCTOR_DIAGNOSE_TIMEOUT": "2.5",
        "TCR_DOCTOR_MAX_BODY_BYTES": "1024",
        "TCR_DOCTOR_CA_FILE": "",
        "TCR_DOCTOR_SLACK": "OFF",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "PORT": "9000",
    }
    s = Settings.from_env(environ=env)
    assert s.registry_domains == ("a.example", "*.b.example")
    assert s.registry_ports == ()  # empty = any port
    assert s.diagnose_timeout == 2.5 and s.max_body_bytes == 1024 and s.port == 9000
    assert s.ca_file is None and s.slack == "off" and s.slack_bot_token == "xoxb-1"


def test_config_beats_environment_and_accepts_short_names():
    env = {"TCR_DOCTOR_DB": "/env.sqlite3", "TCR_DOCTOR_RATE_LIMIT_ASK": "1/1"}
    s = Settings.from_env({"DB": "/config.sqlite3", "REGISTRY_PORTS": [5000], "TCR_DOCTOR_MAX_BODY_BYTES": 64}, env)
    assert s.db == "/config.sqlite3" and s.registry_ports == (5000,) and s.max_body_bytes == 64
    assert s.rate_limit_ask == "1/1"
    assert Settings.from_env({"DB": None}, env).db == "/env.sqlite3"  # None = not given


def test_test_only_fields_never_come_from_the_environment(caplog):
    s = Settings.from_env(environ={"TCR_DOCTOR_TEST_ALLOW_LOOPBACK": "1", "TCR_DOCTOR_ASK_FUNC": "x"})
    assert s.test_allow_loopback is False and s.ask_func is None
    assert "TCR_DOCTOR_TEST_ALLOW_LOOPBACK is ignored" in caplog.text
    assert Settings.from_env({"TEST_ALLOW_LOOPBACK": True}, {}).test_allow_loopback is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TCR_DOCTOR_MAX_BODY_BYTES": "lots"}, "TCR_DOCTOR_MAX_BODY_BYTES='lots': expected an integer"),
        ({"TCR_DOCTOR_REGISTRY_PORTS": "443,https"}, "expected comma-separated integers"),
        ({"TCR_DOCTOR_SLACK": "sometimes"}, "expected ('auto', 'on', 'off')"),
        ({"TCR_DOCTOR_DIAGNOSE_TIMEOUT": "soon"}, "expected a number"),
    ],
)
def test_a_bad_value_names_the_variable(env, message):
    with pytest.raises(SettingsError) as err:
        Settings.from_env(environ=env)
    assert message in str(err.value)


def _settings_errors(tmp_path):
    """Every kind of SettingsError the service can raise at start-up, each raised by the code that raises it."""
    from bot.slack import SlackSettings
    from bot.web import create_app

    def web(**config):
        return lambda: create_app({"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off", **config})

    return {
        "integer": lambda: Settings.from_env(environ={"TCR_DOCTOR_MAX_BODY_BYTES": "lots"}),
        "integers": lambda: Settings.from_env(environ={"TCR_DOCTOR_REGISTRY_PORTS": "443,https"}),
        "choice": lambda: Settings.from_env(environ={"TCR_DOCTOR_SLACK": "sometimes"}),
        "number": lambda: Settings.from_env(environ={"TCR_DOCTOR_DIAGNOSE_TIMEOUT": "soon"}),
        "unknown": lambda: Settings.from_env({"MAX_BODY_BYTE": 1}, {}),
        "networks": web(REFUSED_NETWORKS="9.1.0.0/8"),
        "checks": web(DIAGNOSE_CHECKS="dns,cloud_instance"),
        "rate": web(RATE_LIMIT_ASK="often"),
        "proxies": web(TRUSTED_PROXIES=1, TRUSTED_PROXY_ADDRESSES="gateway"),
        "slack": lambda: SlackSettings.from_settings(
            Settings.from_env(environ={"SLACK_BOT_TOKEN": "xoxb-1", "TCR_DOCTOR_DIAGNOSE_CHECKS": "credentials"}),
            socket_mode=True,
        ),
    }


@pytest.mark.parametrize(
    "kind", ["integer", "integers", "choice", "number", "unknown", "networks", "checks", "rate", "proxies", "slack"]
)
def test_a_settings_error_gives_its_reason_in_chinese_too(tmp_path, kind):
    """`tcr-doctor serve` in Chinese printed "设置无效：TCR_DOCTOR_MAX_BODY_BYTES='lots': expected an integer（见 README
    的配置表）": every SettingsError but two had no `zh`. Each says its reason in Chinese, naming the variable or the
    value as the English one does; the English message is unchanged."""
    import re

    with pytest.raises(SettingsError) as err:
        _settings_errors(tmp_path)[kind]()
    zh = err.value.zh
    assert zh and re.search(r"[\u4e00-\u9fff]", zh), (str(err.value), zh)
    assert not re.search(r"\b(expected|unknown|not|never|is|use)\b", zh), zh
    named = re.findall(r"TCR_DOCTOR_[A-Z_]+|MAX_BODY_BYTE", str(err.value))
    assert named and all(n in zh for n in named), (str(err.value), zh)


def test_an_unknown_config_key_is_an_error_not_ignored():
    with pytest.raises(SettingsError, match="MAX_BODY_BYTE"):
        Settings.from_env({"MAX_BODY_BYTE": 1}, {})


def test_secrets_stay_out_of_repr():
    s = Settings.from_env(environ={"SLACK_BOT_TOKEN": "xoxb-SECRET", "TCR_DOCTOR_METRICS_TOKEN": "m-SECRET"})
    assert "SECRET" not in repr(s)
    assert "registry_domains" in repr(s)


def test_flask_config_keys_that_are_not_settings_are_left_alone():
    s = Settings.from_mapping({"DEBUG": True, "SLACK_BOT_TOKEN": "xoxb-2", "MAX_CONTENT_LENGTH": 5}, environ={})
    assert s.slack_bot_token == "xoxb-2"


def test_every_documented_setting_has_a_variable_and_a_meaning():
    for f in documented():
        assert f.metadata["env"].isupper() and f.metadata["doc"], f.name


def test_web_service_uses_the_settings(tmp_path):
    from bot.web import create_app

    app = create_app({"DB": str(tmp_path / "s.sqlite3"), "SLACK": "off", "REGISTRY_DOMAINS": "only.example"})
    settings = app.config["TCR"]
    assert isinstance(settings, Settings)
    assert app.extensions["tcr_doctor"].policy.domains == ("only.example",)
    assert app.config["MAX_CONTENT_LENGTH"] == settings.max_body_bytes


@pytest.mark.parametrize(
    "variable,value,en,zh",
    [
        ("TCR_DOCTOR_DNS_NAMESERVER", "notanip", "expected ip[:port]", "应为 IP[:端口]"),
        ("TCR_DOCTOR_DNS_NAMESERVER", "10.0.0.2:99999", "expected ip[:port]", "应为 IP[:端口]"),
        ("TCR_DOCTOR_CA_FILE", "{tmp}/missing.pem", "no such file or directory", "文件或目录不存在"),
        ("TCR_DOCTOR_CA_FILE", "{tmp}/not-pem.txt", "no PEM certificate in it", "其中没有 PEM 格式的证书"),
    ],
)
def test_a_resolver_or_ca_file_that_cannot_be_used_stops_the_start_not_the_first_diagnosis(
    tmp_path, monkeypatch, capsys, variable, value, en, zh
):
    """`serve` (the web API) and Slack in Socket Mode refuse to start with a DNS server that is not ip[:port] or a CA
    bundle they cannot read: one line in the command line's language, exit 2 (they started, and every diagnosis
    then failed on it)."""
    from bot.cli import main
    from bot.slack import SlackSettings
    from bot.web import create_app

    (tmp_path / "not-pem.txt").write_text("not a certificate\n")
    value = value.format(tmp=tmp_path)
    with pytest.raises(SettingsError, match=variable):
        create_app({"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off", variable.removeprefix("TCR_DOCTOR_"): value})
    with pytest.raises(SettingsError, match=variable):
        SlackSettings.from_settings(
            Settings.from_env(environ={"SLACK_BOT_TOKEN": "xoxb-1", variable: value}), socket_mode=True
        )

    # `serve` exports its database URL for its workers: set-then-delete makes monkeypatch restore it
    for name in ("TCR_DOCTOR_DATABASE_URL", "DATABASE_URL", "TCR_DOCTOR_DB", "TCR_DOCTOR_LOG_LEVEL"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv(variable, value)
    for lang, words in (("en", en), ("zh", zh)):
        assert main(["serve", "--db", str(tmp_path / "s.sqlite3"), "--lang", lang]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and variable in err and words in err and "Traceback" not in err, err


def test_a_usable_resolver_and_ca_file_are_what_the_anonymous_diagnosis_gets(tmp_path):
    import trustme

    ca = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca))
    environ = {"TCR_DOCTOR_DNS_NAMESERVER": "127.0.0.1:5353", "TCR_DOCTOR_CA_FILE": str(ca)}
    anonymous = Settings.from_env(environ=environ).anonymous_diagnosis()
    assert (anonymous.nameserver, anonymous.ca_file) == ("127.0.0.1:5353", str(ca))


def test_slack_names_its_own_nameserver_option_when_it_is_not_an_address(monkeypatch, capsys):
    """`tcr-doctor slack --nameserver x:99999` is a usage error in the option's words, as `diagnose` says it (it was
    reported as the setting TCR_DOCTOR_DNS_NAMESERVER it overrides, or not at all before the tokens were checked)."""
    from bot.cli import main

    for variable in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "TCR_DOCTOR_DNS_NAMESERVER"):
        monkeypatch.setenv(variable, "")
        monkeypatch.delenv(variable)
    for command in (["slack"], ["diagnose", "x.tencentcloudcr.com"]):
        assert main([*command, "--nameserver", "x:99999", "--lang", "en"]) == 2
        err = capsys.readouterr().err
        assert "--nameserver 'x:99999' is not IP[:PORT]" in err and "TCR_DOCTOR" not in err, err
