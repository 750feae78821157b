"""Language negotiation and the message catalogue (zh-CN default, en-US on request)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from flotilla.core.i18n import MESSAGES, VALIDATION_MESSAGES, negotiate, translate

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("header", [None, "", "   "])
def test_no_preference_means_chinese(header: str | None) -> None:
    assert negotiate(header) == "zh-CN"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US", "en-US"),
        ("en", "en-US"),
        ("en-GB", "en-US"),
        ("EN-us", "en-US"),
        ("zh-CN", "zh-CN"),
        ("zh", "zh-CN"),
        ("zh-TW", "zh-CN"),
        ("zh-Hans-CN", "zh-CN"),
    ],
)
def test_a_single_language_picks_its_family(header: str, expected: str) -> None:
    assert negotiate(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en-US"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("zh-CN;q=0.4, en;q=0.8", "en-US"),
        ("en;q=0.2, zh;q=0.3", "zh-CN"),
        ("en;q=0.5, zh;q=0.5", "en-US"),  # equal quality: the first listed wins
        ("zh;q=0.5, en;q=0.5", "zh-CN"),
        ("en;q=1.0, zh", "en-US"),
        ("en ; q=0.7 , zh ; q=0.6", "en-US"),
    ],
)
def test_quality_values_decide_between_languages(header: str, expected: str) -> None:
    assert negotiate(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR, en;q=0.5", "en-US"),
        ("de, fr;q=0.9, zh;q=0.1", "zh-CN"),
        ("fr-FR", "zh-CN"),
        ("*", "zh-CN"),
        ("ja, *;q=0.5", "zh-CN"),
    ],
)
def test_unsupported_languages_are_skipped(header: str, expected: str) -> None:
    assert negotiate(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en;q=0", "zh-CN"),
        ("en;q=0.0, zh;q=0", "zh-CN"),
        ("zh;q=0, en;q=0.1", "en-US"),
        ("en-US;q=0, fr", "zh-CN"),
    ],
)
def test_a_language_with_quality_zero_is_never_chosen(header: str, expected: str) -> None:
    """RFC 9110 §12.4.2: q=0 means "not acceptable"."""
    assert negotiate(header) == expected


@pytest.mark.parametrize(
    "header", ["en;q=abc", ";;;", ",,,", "en;q=", "q=0.5", "en;q=0.5;q=0.9", "\x00en"]
)
def test_malformed_headers_never_fail(header: str) -> None:
    assert negotiate(header) in ("zh-CN", "en-US")


@pytest.mark.parametrize("bad", ["abc", "nan", "2", "-1", ""])
def test_a_malformed_quality_ranks_below_a_valid_one(bad: str) -> None:
    assert negotiate(f"en;q={bad}, zh;q=0.1") == "zh-CN"
    assert negotiate(f"zh;q={bad}, en;q=0.1") == "en-US"


def test_the_quality_parameter_name_is_case_insensitive() -> None:
    assert negotiate("zh;Q=0.1, en;Q=0.9") == "en-US"


def test_the_fallback_is_used_when_nothing_matches() -> None:
    assert negotiate("fr", fallback="en-US") == "en-US"
    assert negotiate(None, fallback="en-US") == "en-US"


def test_every_message_has_chinese_and_english_text() -> None:
    for code, (zh, en) in {**MESSAGES, **VALIDATION_MESSAGES}.items():
        assert CJK.search(zh), f"{code}: the zh-CN text has no Chinese"
        assert en and not CJK.search(en), f"{code}: the en-US text is missing or not English"


def test_message_placeholders_are_the_same_in_both_languages() -> None:
    placeholder = re.compile(r"{(\w+)}")
    for code, (zh, en) in {**MESSAGES, **VALIDATION_MESSAGES}.items():
        assert set(placeholder.findall(zh)) == set(placeholder.findall(en)), code


def test_translate_fills_parameters_in_the_chosen_language() -> None:
    assert translate("login_locked", "zh-CN", minutes=15) == "登录失败次数过多，请 15 分钟后再试"
    assert translate("login_locked", "en-US", minutes=15) == (
        "Too many failed attempts; try again in 15 minutes"
    )


def test_translate_survives_a_missing_parameter_and_an_unknown_code() -> None:
    assert translate("login_locked", "en-US") == (
        "Too many failed attempts; try again in {minutes} minutes"
    )
    assert translate("no_such_code", "en-US") == "Internal server error"
    assert translate("no_such_code", "zh-CN") == "服务器内部错误"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "接口不存在"),
        ("en-US", "No such endpoint"),
        ("zh-CN;q=0.3, en-GB;q=0.7", "No such endpoint"),
        ("en;q=0, zh;q=0.2", "接口不存在"),
    ],
)
def test_http_errors_speak_the_negotiated_language(
    client: TestClient, header: str | None, message: str
) -> None:
    headers = {"Accept-Language": header} if header is not None else {}

    response = client.get("/api/v1/no-such-endpoint", headers=headers)

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "route_not_found",
        "message": message,
        "fields": [],
    }
