"""`opendata-mh publish` and `opendata-mh dcat`: thin commands over the library (exit codes,
the JSON envelope, the token never printed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from opendata_mh.cli import main
from opendata_mh.report import Report
from tests.unit.dcat_fixture import add_dcat

SECRET = "eyJ-test-token-never-printed"


@pytest.fixture
def pkg(package_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("opendata_mh.validate.check", lambda path, **_kw: Report())
    monkeypatch.setenv("OPENDATA_MH_CKAN_TOKEN", SECRET)
    return add_dcat(package_dir)


def _run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_refused_is_exit_1_with_the_issues(pkg: Path) -> None:
    add_dcat(pkg, license="CC0-1.0")
    code, out, _ = _run(
        "publish", str(pkg), "--portal", "http://127.0.0.1:9", "--organization", "x", "--json"
    )
    assert code == 1
    env = json.loads(out)
    assert env["command"] == "publish" and env["ok"] is False
    assert env["summary"]["refused"] is True
    assert [(i["code"], i["field"]) for i in env["issues"]] == [
        ("dcat.not-in-value-list", "license_id")
    ]


def test_unreachable_portal_is_exit_3_and_never_shows_the_token(pkg: Path) -> None:
    code, out, err = _run(
        "publish", str(pkg), "--portal", "http://127.0.0.1:9", "--organization", "x", "--json"
    )
    assert code == 3
    env = json.loads(out)
    assert env["error"]["code"] == "portal.unreachable"
    assert env["error"]["action"] == "organization_list_for_user"
    assert SECRET not in out and SECRET not in err


def test_token_env_names_the_variable(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENDATA_MH_CKAN_TOKEN")
    code, out, _ = _run(
        "publish",
        str(pkg),
        "--portal",
        "http://127.0.0.1:9",
        "--organization",
        "x",
        "--token-env",
        "MY_TOKEN",
        "--json",
    )
    assert code == 3
    assert json.loads(out)["error"]["code"] == "portal.not-authorized"


def test_help_ends_with_an_example() -> None:
    for cmd in ("publish", "dcat"):
        code, out, _ = _run(cmd, "--help")
        assert code == 0 and "Example:" in out and f"opendata-mh {cmd}" in out


def _args(pkg: Path, *extra: str) -> list[str]:
    return ["publish", str(pkg), "--portal", "http://127.0.0.1:9", "--organization", "x", *extra]


def test_server_text_is_printed_literally(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A value list in [...] must not vanish and a '[/]' must not crash the printer."""
    from opendata_mh.errors import PortalError

    said = "package_create: format: must be one of [CSV, JSON] [/] [bold]x"

    def refuse(*a: object, **k: object) -> object:
        raise PortalError(said, code="portal.validation")

    monkeypatch.setattr("opendata_mh.publish.publish", refuse)
    code, _out, err = _run(*_args(pkg))
    assert code == 3
    assert said in " ".join(err.split())


def test_ctrl_c_is_exit_3(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*a: object, **k: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr("opendata_mh.publish.publish", interrupt)
    code, out, _ = _run(*_args(pkg, "--json"))
    assert code == 3
    assert json.loads(out)["error"]["code"] == "interrupted"


@pytest.mark.parametrize("suffix", ["\n", "\r\n", " "])
def test_a_token_with_a_newline_never_reaches_any_output(
    pkg: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    token = SECRET + suffix
    monkeypatch.setenv("OPENDATA_MH_CKAN_TOKEN", token)
    for extra in (("--json",), ("--dry-run", "--json"), ()):
        code, out, err = _run(*_args(pkg, *extra))
        assert code == 2  # a configuration error found before any request
        for form in (token, SECRET, repr(token), repr(token)[1:-1], json.dumps(token)):
            assert form not in out and form not in err
        assert "portal.bad-token" in out + err


def test_link_mode_without_base_url_is_a_usage_error(
    pkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENDATA_MH_BASE_URL", raising=False)
    code, out, _ = _run(*_args(pkg, "--files", "link", "--json"))
    assert code == 2
    err = json.loads(out)["error"]
    assert (err["code"], err["option"]) == ("publish.no-base-url", "--base-url")
    code, _out, err_text = _run(*_args(pkg, "--files", "link"))
    assert code == 2 and "--base-url" in err_text


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--portal", "notaurl"),
        ("--portal", "ckan.example.org"),
        ("--base-url", "example.org/mh"),
        ("--base-url", "not a url"),
        ("--base-url", "http://example.org/mh"),
        ("--portal", "http://ckan.example.org"),
        ("--portal", "http://data.overheid.nl/data"),
    ],
)
def test_a_bad_url_option_is_a_usage_error_before_any_request(
    pkg: Path, monkeypatch: pytest.MonkeyPatch, option: str, value: str
) -> None:
    def no_request(*a: object, **k: object) -> object:
        raise AssertionError("a request was sent")

    monkeypatch.setattr("opendata_mh.publish.RemoteClient", no_request)
    args = ["publish", str(pkg), "--organization", "x", "--files", "link", "--json"]
    args += ["--portal", "http://127.0.0.1:9", "--base-url", "https://example.org/mh"]
    args[args.index(option) + 1] = value
    code, out, _ = _run(*args)
    assert code == 2
    err = json.loads(out)["error"]
    assert (err["code"], err["option"]) == ("publish.bad-url", option)
    assert option in err["message"] and SECRET not in out
