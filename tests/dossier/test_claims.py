"""Issue #11: the statement, the summary and the captions claim only what the pages show.

Table-driven: each case flips one fact of a complete base case (an edited original,
no other frames, no URL, no first-seen date, an unmatched image of theirs, a single
original, two cameras, a pair only possibly confirmed, an only original re-framed
after capture). Each is built for real and its PDF read back: the claims (cover and
statement) and the captions must not say what another page disproves, and must say
what is known instead.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import piexif
import pytest
from PIL import Image
from pypdf import PdfReader

from appeal_kit.models import MatchResult
from appeal_kit.options import BuildOptions
from appeal_kit.pipeline import build_dossier
from tests.conftest import exif_bytes, textured_photo

SIZE = (1200, 900)
TOML = """\
platform = "aliexpress"
case_id = "AE-CLAIMS-1"
store = "Claims Test Store"
seller_id = "cn0042"
complainant = "Copy Shop Ltd"
notice_received = 2024-10-10T09:30:00+08:00
violation = "direct-copy"
own_listing_date = 2024-03-20
{timezone}
[[accused]]
{url}
{first_seen}
"""


@dataclass
class Flip:
    """One variation of the base case, and what its pages then show."""

    name: str
    originals: int = 3
    copies: tuple[int, ...] = (0, 1)
    url: bool = True
    first_seen: bool = True
    edited: tuple[int, ...] = ()
    second_camera: tuple[int, ...] = ()
    unrelated_copy: bool = False
    downgrade: bool = False
    # Every pair comes out only 'possible': nothing is confirmed as a copy.
    downgrade_all: bool = False
    # Originals captured two days later: a shoot of their own, matching nothing.
    other_day: tuple[int, ...] = ()
    # The matcher's note on the first pair names this original as also agreeing.
    neighbour_note: int | None = None
    # The first pair is 'possible' with the matcher's note for an ambiguous rival frame.
    rival_note: bool = False
    # An image of theirs that cannot be read (an empty file): excluded, not "matches none".
    unreadable: bool = False
    # Copies of the whole frame (not a crop) among ``copies``.
    whole: tuple[int, ...] = ()
    # Pixel size of each copy (a crop of 3/4 of the frame: 600 x 450 shrinks it).
    copy_size: tuple[int, int] = (600, 450)
    # Patterns no page may show (timeline, other frames...), not only the claims.
    nowhere: tuple[str, ...] = ()
    # The build must be a DRAFT (a check blocker), with this finding code.
    draft: str = ""
    # What the claims must say instead (the known fact), each as a phrase.
    says: tuple[str, ...] = ()
    # Phrases the claims must not contain in this case (besides the general rules).
    never: tuple[str, ...] = field(default_factory=tuple)


FLIPS = [
    Flip(
        "base",
        says=(
            "days before",
            "still match the thumbnails the camera embedded",
            "more frame",
            "Both images of",
        ),
        never=("All 2 images",),
    ),
    Flip(
        "edited-original",
        edited=(0,),
        says=("IMG_0400.JPG was re-saved after capture (its camera thumbnail differs)",),
        never=("All 3 originals still match",),
    ),
    Flip("no-other-frames", originals=2, never=("more frame",)),
    Flip("no-url", url=False, says=("no URL given",), never=("http",)),
    Flip(
        "no-first-seen",
        first_seen=False,
        says=("first seen is not recorded",),
        never=("days before", "days after"),
    ),
    Flip(
        "unmatched-copy",
        unrelated_copy=True,
        says=("1 matches none of our originals",),
        never=("All 3 images",),
    ),
    Flip(
        "single-original",
        originals=1,
        copies=(0,),
        says=("Our original still matches the thumbnail the camera embedded",),
        never=("All 1 ", "1 originals", "more frame"),
    ),
    Flip(
        "two-cameras",
        second_camera=(1,),
        says=("2 cameras", "local clock times"),
        never=("one camera",),
    ),
    Flip(
        "partly-confirmed",
        downgrade=True,
        says=("only possibly matches",),
        never=("All 2 images",),
    ),
    Flip(
        "unreadable-copy",
        unrelated_copy=True,
        unreadable=True,
        says=(
            "1 more could not be analysed and is listed under Excluded files",
            "1 image of the complainant's listing examined in this case matches none",
        ),
    ),
    Flip(
        "ambiguous-rival",
        rival_note=True,
        says=("which of the two was copied is not settled",),
        never=("Pair it", "case.toml"),
    ),
    Flip(
        "one-crop-of-two",
        whole=(1,),
        says=("listing-1.jpg, 1 of the 2 copies, is a crop of our larger frame",),
        never=("The copy is a crop",),
    ),
    Flip(
        "enlarged-copy",
        copies=(0,),
        copy_size=(1200, 900),
        says=("their image has more pixels than our file",),
        never=("cut from the larger original", "crop of our larger frame"),
    ),
    Flip(
        "nothing-confirmed",
        downgrade_all=True,
        says=("none is confirmed as the source of an image of",),
        never=(
            "earliest matched original",
            "matched originals were captured",
            "more frame",
            "only the photographer holds",
        ),
        nowhere=(r"captured \d+ days", r"earliest matched"),
        draft="no-confirmed-match",
    ),
    Flip(
        "frame-of-another-shoot",
        other_day=(2,),
        says=("No other frames from the same shoots were supplied",),
        never=("more frame",),
    ),
    Flip(
        "neighbour-also-agrees",
        neighbour_note=2,
        says=("IMG_0402.JPG also agrees, less closely",),
    ),
    Flip(
        "reframed-only-original",
        originals=1,
        copies=(0,),
        edited=(0,),
        says=("re-saved after capture (its camera thumbnail differs)",),
        never=(
            "the camera embedded in",
            "unchanged",
            "more frame",
            "frames from the same shoot are",
        ),
    ),
]


def _jpeg_with_thumbnail(path: Path, image: Image.Image, thumb: Image.Image, exif: bytes) -> None:
    data = piexif.load(exif)
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=85)
    data["1st"] = {piexif.ImageIFD.JPEGInterchangeFormat: 0}
    data["thumbnail"] = buffer.getvalue()
    image.save(path, "JPEG", quality=90, exif=piexif.dump(data))


def make_case(root: Path, flip: Flip) -> Path:
    (root / "originals").mkdir(parents=True)
    (root / "accused").mkdir()
    (root / "case.toml").write_text(
        TOML.format(
            url='url = "https://www.aliexpress.com/item/1005000000000001.html?spm=a2g0o.tracking"'
            if flip.url
            else "",
            first_seen="first_seen = 2024-09-30" if flip.first_seen else "",
            timezone="",
        ),
        encoding="utf-8",
    )
    for i in range(flip.originals):
        scene = textured_photo(500 + i, SIZE)
        image = scene
        if i in flip.edited:
            # Re-framed after capture: the camera's thumbnail still shows the whole scene.
            image = scene.crop((300, 0, 1200, 900)).resize(SIZE)
        camera = (
            {"make": "NIKON", "model": "NIKON D700", "serial": "2004417", "offset": None}
            if i in flip.second_camera
            else {"make": "Canon", "model": "Canon EOS R6", "serial": "032021004417"}
        )
        day = 12 if i in flip.other_day else 10
        exif = exif_bytes(when=f"2024:03:{day} 14:{2 + i:02d}:11", **camera)  # type: ignore[arg-type]
        _jpeg_with_thumbnail(
            root / "originals" / f"IMG_{400 + i:04d}.JPG", image, scene.resize((160, 120)), exif
        )
        if i in flip.copies:
            w, h = image.size
            box = (0, 0, w, h) if i in flip.whole else (w // 8, h // 8, w * 7 // 8, h * 7 // 8)
            copy = image.crop(box).resize(flip.copy_size)
            copy.save(root / "accused" / f"listing-{i + 1}.jpg", quality=80)
    if flip.unrelated_copy:
        # Noise: nothing in common with any photo.
        noise = np.random.default_rng(9001).integers(0, 255, (600, 900, 3), dtype=np.uint8)
        Image.fromarray(noise).save(root / "accused" / "unrelated.jpg", quality=85)
    if flip.unreadable:
        (root / "accused" / "bad.jpg").write_bytes(b"")
    return root


@dataclass
class Read:
    """The dossier's text, by what it is."""

    pages: list[str]
    claims: str  # cover and statement
    captions: str  # the comparison pages

    @property
    def all(self) -> str:
        return " ".join(self.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def read(pdf: Path) -> Read:
    pages = [_flat(p.extract_text() or "") for p in PdfReader(pdf).pages]
    statement = [p for p in pages if "1. Appeal statement" in p and "Page 1 of" not in p]
    captions = [p for p in pages if re.search(r"Comparison \d+ of \d+", p)]
    return Read(pages, " ".join([pages[0], *statement]), " ".join(captions))


def contradictions(doc: Read) -> list[str]:
    """Claims (cover, statement, captions) that another page of the same dossier disproves."""
    said = doc.claims + " " + doc.captions
    found: list[str] = []

    def rule(page_shows: bool, claim: str, why: str) -> None:
        # ``claim`` is a regular expression over the claims' text.
        if page_shows and re.search(claim, said):
            found.append(f"claims {claim!r} but {why}")

    everything = doc.all
    edited = "embedded thumbnail differs" in everything
    for claim in (
        r"All \d+ originals still match the thumbnails",
        "Our original still matches the thumbnail",
        "unchanged",
    ):
        rule(edited, claim, "an original's thumbnail differs")
    no_frames = "No other frames from the same shoots were supplied" in everything
    for claim in (
        "more frames? of the same shoot",
        r"more frames from \d+ shoots",
        "Other frames from the same shoot are included",
    ):
        rule(no_frames, claim, "the other-frames page has none")
    unmatched = "without a matching original" in everything
    rule(unmatched, r"All \d+ images of", "an image of theirs matches none of our originals")
    rule("possible match" in doc.captions, r"All \d+ images of", "a pair is only possible")
    confirmed = re.search(r"Comparison \d+ of \d+: match\b", doc.captions) is not None
    for claim in ("matched original", "earliest matched", "frames? of the same shoot"):
        rule(not confirmed, claim, "no comparison is a confirmed match")
    for page in doc.pages:
        # 'possible' is not proof: its page must not say how the copy was made.
        possible = re.search(r"Comparison \d+ of \d+: possible match", page)
        if possible and "cut from the larger original" in page:
            found.append("a 'possible match' page says the copy was cut from our original")
    two_bodies = "NIKON D700" in everything and "Canon EOS R6" in everything
    rule(two_bodies, "one camera", "two cameras")
    rule(two_bodies, r"the same camera \(serial [^)]*,", "one camera cannot have two serials")
    no_seen = "first seen: not recorded" in everything or "first seen is not recorded" in said
    rule(no_seen, "days before", "no first-seen date is recorded")
    rule("full resolution" in said, "full resolution", "the build does not know the camera's size")
    # A dossier without the DRAFT mark never shows a placeholder.
    if "DRAFT: not ready to submit" not in everything:
        for placeholder in (
            "[not known",
            "(store name)",
            "(seller id)",
            "(not given)",
            "unknown camera",
        ):
            rule(True, re.escape(placeholder), "a final dossier must not hold placeholders")
    return found


def _downgrade(monkeypatch: pytest.MonkeyPatch, every: bool = False) -> None:
    """The first pair (or ``every`` pair) comes out of the matcher only 'possible'."""
    from appeal_kit.matching.matcher import FeatureMatcher

    real = FeatureMatcher.match

    def weaker(self: FeatureMatcher, *args: object, **kwargs: object) -> list[MatchResult]:
        results: list[MatchResult] = real(self, *args, **kwargs)  # type: ignore[arg-type]
        strong = sorted((r for r in results if r.verdict == "match"), key=lambda r: str(r.accused))
        for result in strong if every else strong[:1]:
            result.verdict = "possible"
        return results

    monkeypatch.setattr(FeatureMatcher, "match", weaker)


def _neighbour(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The first pair's note names ``name`` as a neighbouring frame that also agrees."""
    from appeal_kit.matching.matcher import FeatureMatcher

    real = FeatureMatcher.match

    def noted(self: FeatureMatcher, *args: object, **kwargs: object) -> list[MatchResult]:
        results: list[MatchResult] = real(self, *args, **kwargs)  # type: ignore[arg-type]
        first = min((r for r in results if r.verdict == "match"), key=lambda r: str(r.accused))
        first.note = (
            f"{first.note}; {name}, a neighbouring frame of ours, also agrees, less closely"
        )
        return results

    monkeypatch.setattr(FeatureMatcher, "match", noted)


def _rival(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first pair agrees equally well with another frame: 'possible', with the matcher's
    note, which advises the seller to pair it in case.toml."""
    from appeal_kit.i18n import __
    from appeal_kit.matching.matcher import FeatureMatcher

    real = FeatureMatcher.match

    def rival(self: FeatureMatcher, *args: object, **kwargs: object) -> list[MatchResult]:
        results: list[MatchResult] = real(self, *args, **kwargs)  # type: ignore[arg-type]
        first = min((r for r in results if r.verdict == "match"), key=lambda r: str(r.accused))
        first.verdict = "possible"
        first.note = __(
            "agrees equally well with {name}: another frame of the same shoot? Pair it explicitly in case.toml",
            name="IMG_0402.JPG",
        )
        return results

    monkeypatch.setattr(FeatureMatcher, "match", rival)


@pytest.mark.parametrize("flip", FLIPS, ids=[f.name for f in FLIPS])
def test_no_claim_the_pages_contradict(
    flip: Flip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case(tmp_path / flip.name, flip)
    if flip.downgrade or flip.downgrade_all:
        _downgrade(monkeypatch, every=flip.downgrade_all)
    if flip.rival_note:
        _rival(monkeypatch)
    if flip.neighbour_note is not None:
        _neighbour(monkeypatch, f"IMG_{400 + flip.neighbour_note:04d}.JPG")
    # Deadline states as of the day after the notice (no deadline missed by the clock).
    options = BuildOptions(cache_dir=tmp_path / "cache", as_of=datetime(2024, 10, 11, tzinfo=UTC))
    result = build_dossier(case, options)
    doc = read(result.pdf_path)
    assert contradictions(doc) == []
    said = doc.claims + " " + doc.captions
    for phrase in flip.says:
        assert phrase in said or phrase in doc.all, f"{flip.name}: expected {phrase!r}"
    for phrase in flip.never:
        assert phrase not in said, f"{flip.name}: must not claim {phrase!r}"
    for phrase in flip.nowhere:
        assert not re.search(phrase, doc.all), f"{flip.name}: no page may say {phrase!r}"
    blockers = {f.code for f in result.findings if f.severity == "blocker"}
    if flip.draft:
        # A dossier that proves nothing must not look final.
        assert result.draft and flip.draft in blockers
        assert "DRAFT: not ready to submit" in doc.pages[0]
    else:
        # The dossier is final and holds no placeholder.
        assert not result.draft, blockers
    if "No other frames from the same shoots were supplied" in doc.all:
        # check agrees: no original is counted as a frame of a matched shoot.
        assert not any("more frame" in p for p in doc.pages)


def test_contradiction_rules_catch_the_old_wording() -> None:
    # The statement as it read before issue #11, against pages showing an edited
    # original and no other frames: every rule must fire.
    old = Read(
        pages=[
            "cover",
            "the embedded thumbnail differs from the image: it was edited after capture",
            "No other frames from the same shoots were supplied.",
        ],
        claims="4 camera originals, unchanged. Other frames from the same shoot are included: "
        "only the photographer has the whole shoot. We hold the camera originals at full "
        "resolution. We, (store name) (seller id (seller id))",
        captions="",
    )
    found = contradictions(old)
    assert any("unchanged" in f for f in found)
    assert any("Other frames" in f for f in found)
    assert any("full resolution" in f for f in found)
    assert any("store" in f for f in found)
