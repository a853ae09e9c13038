"""The document translator's pure parts: languages, bilingual versions, Chinese dates."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from appeal_kit.i18n.document import (
    both,
    format_date,
    format_day,
    parse_doc_lang,
    set_document_catalog,
    text_langs,
    translate,
    zone_name,
)

BEIJING = timezone(timedelta(hours=8))


class _Fake(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return {"Deadlines": "期限", "{count} frames": "{count} 张照片"}.get(message, message)


@pytest.fixture
def fake_zh() -> Iterator[None]:
    set_document_catalog("zh", _Fake())
    yield None
    set_document_catalog("zh", None)


def test_chinese_date_in_beijing_time() -> None:
    moment = datetime(2024, 10, 15, 1, 30, tzinfo=UTC)
    assert format_date(moment, "zh", "Asia/Shanghai") == "2024年10月15日 09:30（北京时间）"


def test_english_date_keeps_the_offset() -> None:
    moment = datetime(2024, 10, 15, 9, 30, tzinfo=BEIJING)
    assert format_date(moment, "en", "Asia/Shanghai") == "2024-10-15 09:30 +08:00"


def test_chinese_date_converts_and_names_the_seller_zone() -> None:
    moment = datetime(2024, 10, 15, 9, 30, tzinfo=BEIJING)
    assert format_date(moment, "zh", "Europe/Berlin") == "2024年10月15日 03:30（柏林时间）"


def test_zone_without_chinese_name_reads_as_its_offset() -> None:
    assert zone_name("Africa/Nairobi", "zh") == "UTC+3"
    assert zone_name("Asia/Kathmandu", "zh") == "UTC+5:45"
    assert zone_name("Asia/Shanghai", "en") == "Asia/Shanghai"


def test_camera_time_without_offset_names_no_zone() -> None:
    naive = datetime(2024, 3, 10, 14, 5, 9)
    assert format_date(naive, "zh", "Asia/Shanghai", seconds=True) == "2024年3月10日 14:05:09"


def test_day_formats() -> None:
    assert format_day(date(2024, 3, 9), "zh") == "2024年3月9日"
    assert format_day(date(2024, 3, 9), "en") == "2024-03-09"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("zh+en", "zh+en"), ("ZH-EN", "zh+en"), ("en+zh", "zh+en"), ("zh", "zh"), ("fr", None)],
)
def test_parse_doc_lang(text: str, expected: str | None) -> None:
    assert parse_doc_lang(text) == expected


def test_bilingual_versions_put_chinese_first(fake_zh: object) -> None:
    assert text_langs("zh+en") == ("zh", "en")
    assert both("Deadlines", "zh+en") == [("zh", "期限"), ("en", "Deadlines")]
    assert both("Deadlines", "en") == [("en", "Deadlines")]
    assert both("Deadlines", "zh") == [("zh", "期限")]


def test_fields_may_be_worded_per_language(fake_zh: object) -> None:
    day = date(2024, 3, 9)
    assert translate("{count} frames", "zh", count=3) == "3 张照片"
    versions = both("{count} frames", "zh+en", count=lambda lang: format_day(day, lang))
    assert versions == [("zh", "2024年3月9日 张照片"), ("en", "2024-03-09 frames")]


def test_same_text_in_both_languages_is_shown_once() -> None:
    assert both("IMG_0412.JPG", "zh+en") == [("zh", "IMG_0412.JPG")]


def test_console_text_is_retold_in_the_dossier_language() -> None:
    from appeal_kit.i18n.console import Translated
    from appeal_kit.i18n.document import retell

    note = Translated("ignored", "{name} is not here", {"name": "x.jpg"})
    assert retell(note, "en") == "x.jpg is not here"
    assert retell("plain text", "zh") == "plain text"
