"""``normalize_name`` decides which company names are the same company; the search keys
decide what a search finds. Both are pure functions, tested without a database."""

from __future__ import annotations

import pytest

from flotilla.account.search import (
    digits_only,
    email_key,
    normalize_name,
    prefix_upper_bound,
    query_prefixes,
    search_keys,
)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("华为技术有限公司", "华为技术(深圳)有限公司"),
        ("华为技术有限公司", "华为技术（深圳）有限公司"),
        ("华为技术有限公司", "深圳市华为技术有限公司"),
        ("华为技术有限公司", "华为技术深圳有限公司"),
        ("华为技术有限公司", "华为技术股份有限公司"),
        ("华为技术有限公司", "华为技术集团有限公司"),
        ("华为技术有限公司", "华为技术 有限责任公司"),
        ("华为技术有限公司", "【广东】华为技术有限公司"),
        ("Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES CO LTD"),
        (
            "Huawei Technologies Co., Ltd.",
            "Ｈｕａｗｅｉ　Ｔｅｃｈｎｏｌｏｇｉｅｓ　Ｃｏ．，Ｌｔｄ．",
        ),
        ("Huawei Technologies Co., Ltd.", "Huawei Technologies (Shenzhen) Co., Ltd."),
        ("Apple Inc.", "APPLE INC"),
        ("Acme Corporation", "ACME Corp."),
        ("Acme Group Limited", "acme"),
    ],
)
def test_same_company_normalizes_to_the_same_key(first: str, second: str) -> None:
    assert normalize_name(first) == normalize_name(second)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("华为技术有限公司", "华为技术"),
        ("华为技术(深圳)有限公司", "华为技术"),
        ("Huawei Technologies Co., Ltd.", "huaweitechnologies"),
        ("上海浦东发展银行股份有限公司", "浦东发展银行"),
        ("腾讯科技(深圳)有限公司", "腾讯科技"),
        # A bracketed legal form goes like any legal suffix ...
        ("中国平安保险(集团)股份有限公司", "中国平安保险"),
        # ... but brackets holding neither a region nor a legal form keep their content.
        ("华为技术(研究所)有限公司", "华为技术研究所"),
    ],
)
def test_normalized_form(name: str, expected: str) -> None:
    assert normalize_name(name) == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # A region that *is* the name is not stripped: these are different banks.
        ("北京银行", "上海银行"),
        ("华为技术有限公司", "华为科技有限公司"),
        ("Huawei Technologies", "Huawei Devices"),
    ],
)
def test_different_companies_stay_apart(first: str, second: str) -> None:
    assert normalize_name(first) != normalize_name(second)


def test_name_without_letters_normalizes_to_empty() -> None:
    assert normalize_name("（）——!!") == ""


def test_search_keys_cover_substrings_pinyin_initials_and_english_words() -> None:
    keys = search_keys("华为技术有限公司", "Huawei Technologies Co., Ltd.")
    assert "n:华为技术有限公司" in keys
    assert "n:技术有限公司" in keys
    assert "p:huaweijishuyouxiangongsi" in keys
    assert "p:jishuyouxiangongsi" in keys
    assert "i:hwjsyxgs" in keys
    assert "i:jsyxgs" in keys
    assert "e:huawei technologies co ltd" in keys
    assert "e:technologies co ltd" in keys
    assert "k:华为技术" in keys
    assert "k:huaweitechnologies" in keys
    assert all(len(key) <= 64 for key in keys)


def test_query_matches_its_keys_by_prefix() -> None:
    keys = search_keys("华为技术有限公司", "Huawei Technologies Co., Ltd.")
    for q in ("华为", "技术", "HWJS", "huawei", "jishu", "Technologies", "huawei tech"):
        prefixes = query_prefixes(q)
        assert any(
            prefix <= key < prefix_upper_bound(prefix) for prefix in prefixes for key in keys
        ), q
    for q in ("uawei", "jsh", "三星"):
        prefixes = query_prefixes(q)
        assert not any(
            prefix <= key < prefix_upper_bound(prefix) for prefix in prefixes for key in keys
        ), q


def test_punctuation_only_query_has_no_prefixes() -> None:
    assert query_prefixes(" ,.!") == []


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("(010) 6552-8888", "01065528888"),
        ("", None),
    ],
)
def test_phone_key_is_digits_only(phone: str, key: str | None) -> None:
    assert digits_only(phone) == key


def test_email_key_is_lower_case() -> None:
    assert email_key("  Zhang.San@Example.COM ") == "zhang.san@example.com"
