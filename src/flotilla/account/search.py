"""Name normalization for duplicate detection, and the keys of the account search index.

Two foldings, for two purposes:

* ``normalize_name`` is the *identity* of a company name for duplicate prevention: width
  and case folded, punctuation and whitespace removed, legal suffixes (有限公司, Co., Ltd. …)
  and region prefixes/inserts (北京, (深圳) …) removed. ``华为技术(深圳)有限公司`` and
  ``华为技术有限公司`` normalize to the same ``华为技术``; ``Huawei Technologies Co., Ltd.``
  and ``HUAWEI TECHNOLOGIES CO LTD`` both to ``huaweitechnologies``.
* ``search_fold`` only folds width/case and drops punctuation, so a search for ``有限`` or
  ``深圳`` still finds what the user sees in the name.

``search_keys`` produces the rows of ``account_search_key``. Every key starts with its kind:

==========  ===============================================================================
``n:``      every suffix (up to ``SUFFIX_LENGTH`` characters) of the folded name: substrings
``p:``      the full pinyin starting at each syllable (``huaweijishu…``, ``jishu…``)
``i:``      the pinyin initials starting at each syllable (``hwjs…``, ``js…``)
``e:``      the English words starting at each word, space separated (``technologies co``)
``k:``      the normalized name (``normalize_name``), for duplicate candidates by prefix
==========  ===============================================================================

A query is one prefix range per kind (``key >= p AND key < p_next``): an index seek on both
backends (PostgreSQL stores the key with ``COLLATE "C"``, so ordering is by code point, as
in SQLite's binary collation).
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import lazy_pinyin

KEY_LENGTH = 64
SUFFIX_LENGTH = 20
KIND_SUBSTRING = "n:"
KIND_PINYIN = "p:"
KIND_INITIALS = "i:"
KIND_ENGLISH = "e:"
KIND_NAME_KEY = "k:"
_PAYLOAD_LENGTH = KEY_LENGTH - 2

# Longest first, so 股份有限公司 is removed whole rather than leaving 股份.
_LEGAL_SUFFIXES_ZH = sorted(
    {
        "集团股份有限公司",
        "集团有限责任公司",
        "股份有限公司",
        "有限责任公司",
        "集团有限公司",
        "控股有限公司",
        "有限公司",
        "责任公司",
        "股份公司",
        "集团公司",
        "总公司",
        "公司",
        "集团",
    },
    key=len,
    reverse=True,
)

_LEGAL_WORDS_EN = frozenset(
    {
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "pte",
        "pty",
        "group",
    }
)

# Provinces, municipalities and special regions; then the major cities.
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|"
    "湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_MAJOR_CITIES = (
    "深圳|广州|杭州|南京|苏州|武汉|成都|西安|长沙|郑州|青岛|大连|厦门|宁波|沈阳|济南|合肥|"
    "福州|东莞|佛山|无锡|昆明|哈尔滨|长春|石家庄|太原|南昌|南宁|贵阳|兰州|海口|珠海|常州|"
    "温州|烟台|中山|惠州|乌鲁木齐|呼和浩特|银川|西宁|拉萨|三亚|嘉兴|绍兴|南通|徐州|泉州"
)
_ADMIN_SUFFIXES = "特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|省|市"
_REGION_ZH = "|".join(sorted(f"{_PROVINCES}|{_MAJOR_CITIES}".split("|"), key=len, reverse=True))
_REGION_ZH_PATTERN = f"(?:{_REGION_ZH})(?:{_ADMIN_SUFFIXES})?"
_LEADING_REGION = re.compile(f"^{_REGION_ZH_PATTERN}")
_TRAILING_REGION = re.compile(f"{_REGION_ZH_PATTERN}$")
# What may stand alone inside brackets as a region insert: 华为技术(深圳)有限公司.
_BRACKET_REGION = re.compile(
    f"^(?:中国|中华人民共和国|中国香港|中国澳门|中国台湾)?(?:{_REGION_ZH_PATTERN})?$"
    "|^(?:china|prc|beijing|shanghai|shenzhen|guangzhou|hangzhou|tianjin|chongqing|"
    "nanjing|suzhou|wuhan|chengdu|xian|hong ?kong|hk|macau|macao|taiwan)"
    "(?: ?(?:china|prc))?$"
)
_BRACKETED = re.compile(r"[(\[【〔{<《]([^)\]】〕}>》]*)[)\]】〕}>》]")
_NON_WORD = re.compile(r"[\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_]+")
# A leading region is removed only when this much name remains (北京银行 stays 北京银行).
_MIN_REST_AFTER_LEADING_REGION = 3
_MIN_REST_AFTER_TRAILING_REGION = 2


def _fold(text: str) -> str:
    """Full-width → half-width (NFKC) and case folding."""
    return unicodedata.normalize("NFKC", text).casefold()


def search_fold(text: str) -> str:
    """Width and case folded, every non-word character removed: the substring-search form."""
    return _NON_WORD.sub("", _fold(text))


def _drop_region_brackets(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        if not inner or _BRACKET_REGION.match(inner):
            return " "
        return f" {inner} "

    return _BRACKETED.sub(replace, text)


def _strip_legal_suffixes_zh(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_SUFFIXES_ZH:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
                break
    return text


def _strip_regions_zh(text: str) -> str:
    match = _TRAILING_REGION.search(text)
    if match and match.start() >= _MIN_REST_AFTER_TRAILING_REGION:
        text = _strip_legal_suffixes_zh(text[: match.start()])
    match = _LEADING_REGION.match(text)
    if match and len(text) - match.end() >= _MIN_REST_AFTER_LEADING_REGION:
        text = text[match.end() :]
    return text


def normalize_name(name: str) -> str:
    """The duplicate-detection identity of a company name (see the module docstring).

    Never returns more than the input's letters and digits; returns ``""`` only for a name
    without any letter or digit.
    """
    text = _drop_region_brackets(_fold(name))
    words = _NON_WORD.sub(" ", text).split()
    while len(words) > 1 and words[-1] in _LEGAL_WORDS_EN:
        words.pop()
    joined = "".join(words)
    if not _HAN.search(joined):
        return joined
    return _strip_regions_zh(_strip_legal_suffixes_zh(joined))


def syllables(text: str) -> list[str]:
    """Pinyin syllables of the Chinese characters and the Latin/digit words, in order."""
    out: list[str] = []
    for run in _RUNS.findall(_fold(text)):
        if _HAN.match(run):
            out.extend(s for s in lazy_pinyin(run) if s.isalnum())
        else:
            out.append(run)
    return out


def english_words(text: str) -> list[str]:
    """The Latin/digit words of a name (Chinese characters are left out)."""
    return [run for run in _RUNS.findall(_fold(text)) if not _HAN.match(run)]


def _clip(kind: str, payload: str) -> str:
    return kind + payload[:_PAYLOAD_LENGTH]


def search_keys(name: str, name_en: str | None) -> set[str]:
    """Every index key for an account with this name (and English name)."""
    keys: set[str] = set()
    folded = search_fold(name)
    for start in range(len(folded)):
        keys.add(KIND_SUBSTRING + folded[start : start + SUFFIX_LENGTH])
    if _HAN.search(name):
        name_syllables = syllables(name)
        for start in range(len(name_syllables)):
            keys.add(_clip(KIND_PINYIN, "".join(name_syllables[start:])))
    for source in (name, name_en or ""):
        source_syllables = syllables(source)
        for start in range(len(source_syllables)):
            keys.add(_clip(KIND_INITIALS, "".join(s[0] for s in source_syllables[start:])))
        words = english_words(source)
        for start in range(len(words)):
            keys.add(_clip(KIND_ENGLISH, " ".join(words[start:])))
        normalized = normalize_name(source)
        if normalized:
            keys.add(_clip(KIND_NAME_KEY, normalized))
    return keys


def query_prefixes(q: str) -> list[str]:
    """The key prefixes a search text matches (one per kind that applies)."""
    folded = search_fold(q)
    if not folded:
        return []
    prefixes = [KIND_SUBSTRING + folded[:SUFFIX_LENGTH]]
    if folded.isascii():
        prefixes.append(_clip(KIND_PINYIN, folded))
        prefixes.append(_clip(KIND_INITIALS, folded))
    words = english_words(q)
    if words:
        prefixes.append(_clip(KIND_ENGLISH, " ".join(words)))
    return prefixes


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def name_key_prefix(normalized: str) -> str | None:
    """The ``k:`` prefix used to find fuzzy duplicate candidates of a normalized name:
    the first two characters of a Chinese name, the first four of a Latin one."""
    length = 2 if _HAN.match(normalized[:1]) else 4
    if len(normalized) < length:
        return None
    return KIND_NAME_KEY + normalized[:length]


def digits_only(phone: str | None) -> str | None:
    """The phone key: digits only; a mainland number's +86 country code is dropped."""
    if not phone:
        return None
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", phone) if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits or None


def email_key(email: str | None) -> str | None:
    """The e-mail key: trimmed and lower-cased."""
    if not email:
        return None
    return email.strip().lower() or None
