"""The facts about the copies themselves: matched or not, cropped, smaller than ours.

Split from ``facts`` (which assembles every fact of a case); each function returns
one ``Fact`` with its whole sentence, said only of confirmed (``match``) pairs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from appeal_kit.dossier.rules import ON_COMPARISONS, Fact, Roles, Say
from appeal_kit.i18n.document import N_

if TYPE_CHECKING:
    from appeal_kit.analysis import Analysis


def match_fact(analysis: Analysis, say: Say, roles: Roles) -> Fact:
    total = len(analysis.accused)
    strong = [m for m in analysis.paired if m.verdict == "match"]
    possible = [m for m in analysis.paired if m.verdict == "possible"]
    unmatched = total - len(strong) - len(possible)
    listing = say(roles.listing)
    if total == 0:
        sentence = say(
            N_("No image of {listing} was supplied, so no comparison is shown."), listing=listing
        )
        return Fact("matched", False, sentence, ON_COMPARISONS)
    sentences: list[str] = []
    if len(strong) == total == 2:
        sentences.append(
            say(
                N_(
                    "Both images of {listing} match our originals geometrically; the comparison "
                    "pages show the matched region of each original."
                ),
                listing=listing,
            )
        )
    elif len(strong) == total:
        sentences.append(
            say.n(
                total,
                N_(
                    "The image of {listing} matches our original geometrically; the comparison "
                    "page shows the matched region of our original."
                ),
                N_(
                    "All {count} images of {listing} match our originals geometrically; the "
                    "comparison pages show the matched region of each original."
                ),
                listing=listing,
            )
        )
    elif strong:
        sentences.append(
            say.n(
                len(strong),
                N_(
                    "1 of the {total} images of {listing} matches our original geometrically; "
                    "its comparison page shows the matched region."
                ),
                N_(
                    "{count} of the {total} images of {listing} match our originals "
                    "geometrically; their comparison pages show the matched regions."
                ),
                total=total,
                listing=listing,
            )
        )
    else:
        sentences.append(
            say.n(
                total,
                N_("The image of {listing} was not confirmed as a match of our originals."),
                N_(
                    "None of the {count} images of {listing} was confirmed as a match of our originals."
                ),
                listing=listing,
            )
        )
    if possible:
        sentences.append(
            say.n(
                len(possible),
                N_("1 more only possibly matches an original; its comparison page says so."),
                N_("{count} more only possibly match an original; their comparison pages say so."),
            )
        )
    unanalysed = sum(e.role == "accused" for e in analysis.excluded)
    if unanalysed:
        # Not "matches none": the file could not be read, the excluded-files page says why.
        sentences.append(
            say.n(
                unanalysed,
                N_("1 more could not be analysed and is listed under Excluded files."),
                N_("{count} more could not be analysed and are listed under Excluded files."),
            )
        )
    if unmatched > 0:
        sentences.append(
            say.n(
                unmatched,
                N_("1 matches none of our originals and is listed after the comparisons."),
                N_("{count} match none of our originals and are listed after the comparisons."),
            )
        )
    holds = bool(strong) and len(strong) == total
    return Fact("matched", holds, say.join(sentences), ON_COMPARISONS, 50 if strong else 0)


def crop_fact(analysis: Analysis, say: Say) -> Fact | None:
    """The copy shows only part of our frame: it was cut from our larger picture."""
    shares: list[tuple[float, str]] = []
    confirmed = [m for m in analysis.paired if m.verdict == "match"]
    for match in confirmed:
        meta = analysis.metadata_for(match.original)
        # An enlarged region (scale over 100 %) is not simply "cut from" ours: not said here.
        if not match.original_contains_more or meta is None or match.scale > 1.005:
            continue
        if match.region and meta.width and meta.height:
            share = match.region[2] * match.region[3] / (meta.width * meta.height)
            shares.append((share, match.accused.name))
    if not shares:
        return None
    share, name = min(shares)
    percent = max(1, round(share * 100))
    if len(confirmed) == 1:
        sentence = say(
            N_("The copy is a crop of our larger frame: it shows {percent} % of our original."),
            percent=percent,
        )
    else:
        # Several copies: say which one, or how many, is a crop.
        sentence = say.n(
            len(shares),
            N_(
                "{name}, 1 of the {total} copies, is a crop of our larger frame: it shows "
                "{percent} % of our original."
            ),
            N_(
                "{count} of the {total} copies are crops of our larger frames; the tightest, "
                "{name}, shows {percent} % of our original."
            ),
            name=name,
            total=len(confirmed),
            percent=percent,
        )
    return Fact("crop", True, sentence, ON_COMPARISONS, 80)


def larger_fact(analysis: Analysis, say: Say) -> Fact | None:
    """Our files have more pixels than the copies made from them (said only when true)."""
    from PIL import Image

    pairs = [m for m in analysis.paired if m.verdict == "match"]
    if not pairs:
        return None
    for match in pairs:
        meta = analysis.metadata_for(match.original)
        if meta is None or not meta.width or not meta.height:
            return None
        if match.accused_rect is not None:
            size = match.accused_rect[2] * match.accused_rect[3]
        else:
            try:
                with Image.open(match.accused) as img:  # reads the header only
                    size = img.width * img.height
            except OSError:
                return None
        if meta.width * meta.height <= size:
            return None
    sentence = say.n(
        len(pairs),
        N_("Our original has more pixels than the copy made from it."),
        N_("Each of our originals has more pixels than the copy made from it."),
    )
    return Fact("larger", True, sentence, ON_COMPARISONS, 30)
