"""Words in and under the comparison pictures, in the dossier's language(s).

Every sentence is one catalog message with named fields (``appeal_kit.i18n``,
domain ``dossier``); a zh+en dossier gets each line in Chinese and, where it
reads differently, in English under it. The English wording is the one the
tests and the comparison pages have always shown.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from appeal_kit.comparison.captions import format_day, format_time, printable
from appeal_kit.i18n.document import (
    N_,
    DocLang,
    TextLang,
    format_date,
    text_langs,
    translate,
)
from appeal_kit.i18n.document import format_day as day_in

if TYPE_CHECKING:
    from appeal_kit.case.config import AccusedListing
    from appeal_kit.models import ImageMetadata, MatchResult

OUR_TITLE = N_("OUR ORIGINAL")
# "Accused" would name the complainant in an appeal; "their" fits both modes.
THEIR_TITLE = N_("THEIR LISTING IMAGE")
CONTAINS_MORE_WARNING = N_(
    "WARNING: their image shows more of the scene than our original, so ours "
    "may be the copy. Check that you have the full-size original before submitting."
)
PROOF_LABELS = (
    N_("Our original (matched region)"),
    N_("Their image, warped onto it"),
    N_("Detail, our original"),
    N_("Detail, their image"),
)


def merged(per_lang: list[list[str]]) -> list[str]:
    """Lines of several languages as one list: each line, then its English where it differs."""
    if len(per_lang) == 1:
        return per_lang[0]
    out: list[str] = []
    for lines in zip(*per_lang, strict=True):
        out += [line for number, line in enumerate(lines) if line not in lines[:number]]
    return out


def in_langs(doc_lang: DocLang, message: str, **fields: str) -> list[str]:
    """``message`` in each language shown, Chinese first, once when they read the same."""
    texts: list[str] = []
    for lang in text_langs(doc_lang):
        text = translate(message, lang, **fields)
        if text not in texts:
            texts.append(text)
    return texts


def _size(lang: TextLang, width: int, height: int) -> str:
    return translate(N_("{w} × {h} px"), lang, w=f"{width:,}", h=f"{height:,}")


def _time(value: datetime | None, lang: TextLang) -> str:
    if lang == "en" or value is None:
        return format_time(value) if value is not None else translate(N_("no capture time"), lang)
    text = format_date(value, "zh", seconds=True)
    return (
        text if value.tzinfo is not None else translate(N_("{time} (no offset)"), lang, time=text)
    )


def original_caption(
    original: Path,
    meta: ImageMetadata | None,
    full: tuple[int, int],
    lang: TextLang = "en",
) -> list[str]:
    """Lines under the original: file name, pixel size, capture time, camera."""
    width, height = full
    lines = [printable(meta.display_path if meta else original.name), _size(lang, width, height)]
    if meta is not None:
        taken = _time(meta.captured_at, lang)
        if meta.captured_at is not None and meta.captured_at_tag:
            taken = translate(N_("{time} ({tag})"), lang, time=taken, tag=meta.captured_at_tag)
        lines.append(translate(N_("captured {time}"), lang, time=taken))
        if meta.camera and meta.serial:
            camera = translate(
                N_("{camera} serial {serial}"), lang, camera=meta.camera, serial=meta.serial
            )
        else:
            camera = meta.camera or ""
        if camera:
            lines.append(printable(camera))
    return lines


def _first_seen(value: datetime | None, lang: TextLang) -> str:
    if lang == "en":
        return format_day(value)
    if value is None:
        return translate(N_("date not recorded"), lang)
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        return day_in(value, lang)
    return format_date(value, lang, seconds=True)


def accused_caption(
    accused: Path,
    listing: AccusedListing | None,
    full: tuple[int, int],
    lang: TextLang = "en",
) -> list[str]:
    """Lines under their image: URL (or file name), first-seen date, file."""
    width, height = full
    size = _size(lang, width, height)
    if listing is not None and listing.url:
        seen = _first_seen(listing.first_seen, lang)
        return [
            printable(listing.url, url=True),
            translate(N_("first seen {day}"), lang, day=seen),
            printable(translate(N_("file {name}, {size}"), lang, name=accused.name, size=size)),
        ]
    if listing is not None and listing.first_seen is not None:
        # A listing without a URL may still have its first-seen date: never hide it.
        seen = _first_seen(listing.first_seen, lang)
        return [printable(accused.name), size, translate(N_("first seen {day}"), lang, day=seen)]
    return [printable(accused.name), size, translate(N_("first seen: not recorded"), lang)]


def _percent(value: float) -> str:
    return f"{value * 100:.0f} %" if value >= 0.1 else f"{value * 100:.1f} %"


def describe_match(match: MatchResult, original_name: str, lang: TextLang = "en") -> str:
    """The plain-language sentence for a pair.

    e.g. "Their image is the region 2,310×2,310 px at (1,120, 640) of
    IMG_4412.JPG, mirrored, scaled to 38 %; 412 matching points."
    """

    def say(message: str, **fields: str) -> str:
        return translate(message, lang, **fields)

    if match.original is None or match.verdict == "none" or match.homography is None:
        return say(
            N_(
                "No geometric match was found between their image and {original}; "
                "they are shown side by side for visual comparison only."
            ),
            original=original_name,
        )
    if match.region:
        x, y, w, h = match.region
        where = say(
            N_("the region {w}×{h} px at ({x}, {y}) of {original}"),
            w=f"{w:,}",
            h=f"{h:,}",
            x=f"{x:,}",
            y=f"{y:,}",
            original=original_name,
        )
    else:
        where = say(N_("a part of {original}"), original=original_name)
    how: list[str] = []
    if match.mirrored:
        how.append(say(N_("mirrored")))
    if abs(match.rotation) >= 0.5:
        how.append(say(N_("rotated {angle}°"), angle=f"{match.rotation:.1f}"))
    if match.scale > 0 and abs(match.scale - 1.0) >= 0.005:
        how.append(say(N_("scaled to {percent}"), percent=_percent(match.scale)))
    comma = "，" if lang == "zh" else ", "
    transform = "".join(comma + item for item in how)
    points = (
        say(N_("1 matching point"))
        if match.inliers == 1
        else say(N_("{count} matching points"), count=f"{match.inliers:,}")
    )
    fields = {"where": where, "how": transform, "points": points}
    screenshot = match.is_screenshot and match.accused_rect
    if screenshot:
        ax, ay, aw, ah = match.accused_rect  # type: ignore[misc]
        fields["photo"] = f"{aw:,}×{ah:,}"
        fields["at"] = f"({ax:,}, {ay:,})"
    if match.verdict == "possible":
        # Partly confirmed, with the figures: never an argument against the seller.
        fields["agreement"] = _percent(match.agreement)
        fields["covered"] = _percent(match.covered)
        text = say(
            N_(
                "Partly confirmed: the photo inside the screenshot ({photo} px at {at}) may be "
                "{where}{how}; {agreement} of its visible picture agrees with ours and "
                "{covered} is covered by overlays; {points}. Not yet proof."
            )
            if screenshot
            else N_(
                "Partly confirmed: their image may be {where}{how}; {agreement} of its "
                "visible picture agrees with ours and {covered} is covered by overlays; "
                "{points}. Not yet proof."
            ),
            **fields,
        )
    else:
        text = say(
            N_("The photo inside the screenshot ({photo} px at {at}) is {where}{how}; {points}.")
            if screenshot
            else N_("Their image is {where}{how}; {points}."),
            **fields,
        )
    space = "" if lang == "zh" else " "
    if match.original_contains_more and match.verdict != "match":
        # Not confirmed as a copy: what the geometry shows, no claim of how it was made.
        text += space + say(N_("Our original shows more of the scene than their image."))
    elif match.original_contains_more and match.scale > 1.005:
        # Their pixels are denser than ours in that region: "cut from" alone would hide it.
        text += space + say(
            N_(
                "Our original shows more of the scene than their image; in the part they "
                "share, their image has more pixels than our file (scaled to {percent})."
            ),
            percent=_percent(match.scale),
        )
    elif match.original_contains_more:
        text += space + say(
            N_(
                "Our original shows more of the scene than their image: "
                "the copy was cut from the larger original."
            )
        )
    if match.accused_contains_more:
        text += space + say(CONTAINS_MORE_WARNING)
    return text
