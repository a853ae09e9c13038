"""One JPEG decode for two steps: the metadata's thumbnail view and an original's features.

On a cold build every original is decoded twice at the same 1/8 draft scale: in
colour at 256 px, to compare it with its EXIF thumbnail (``evidence.metadata``),
and in grey at 640 px for SIFT (``matching.index``). ``shared_decode`` decodes
the JPEG once in YCbCr instead: the Y plane is exactly libjpeg's grey decode, and
the colour image is converted with libjpeg's own fixed-point arithmetic, so both
are bit for bit what the two ``open_image`` calls give (tests check it on the
camera corpus). It declines (returns None) whenever that cannot be promised.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from appeal_kit.evidence.images import LoadedImage, check_file
from appeal_kit.evidence.workers import decode_slot

# libjpeg's YCbCr -> RGB (jdcolor.c, build_ycc_rgb_table): 16-bit fixed point, rounded.
_BITS = 16
_HALF = 1 << (_BITS - 1)
_CENTRED = np.arange(256, dtype=np.int64) - 128


def _fix(value: float) -> int:
    return int(value * (1 << _BITS) + 0.5)


_CR_R = ((_fix(1.40200) * _CENTRED + _HALF) >> _BITS).astype(np.int16)
_CB_B = ((_fix(1.77200) * _CENTRED + _HALF) >> _BITS).astype(np.int16)
# Green takes both chroma planes before its one rounding shift: a 256 x 256 table.
_CB_CR_G = (
    (-_fix(0.34414) * _CENTRED[:, None] + _HALF - _fix(0.71414) * _CENTRED[None, :]) >> _BITS
).astype(np.int16)

U8 = NDArray[np.uint8]


def ycc_to_rgb(ycc: U8) -> U8:
    """YCbCr -> RGB of an (h, w, 3) uint8 array, bit for bit as libjpeg converts it."""
    y = ycc[:, :, 0].astype(np.int16)
    cb, cr = ycc[:, :, 1], ycc[:, :, 2]
    out = np.empty(ycc.shape, np.uint8)
    np.clip(y + _CR_R[cr], 0, 255, out=out[:, :, 0], casting="unsafe")
    np.clip(y + _CB_CR_G[cb, cr], 0, 255, out=out[:, :, 1], casting="unsafe")
    np.clip(y + _CB_B[cb], 0, 255, out=out[:, :, 2], casting="unsafe")
    return out


def _draft_box(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """The box ``open_image`` asks draft() for (see there)."""
    ratio = max_side / max(size)
    return math.ceil(size[0] * ratio), math.ceil(size[1] * ratio)


def _plain_ycc_jpeg(img: Image.Image) -> bool:
    """A three-plane JFIF-style JPEG whose planes libjpeg treats as Y, Cb, Cr."""
    layers = getattr(img, "layer", None)
    return (
        img.mode == "RGB"
        and layers is not None
        and [layer[0] for layer in layers] == [1, 2, 3]
        and img.info.get("adobe_transform", 1) != 0
        and len(getattr(img, "tile", ())) == 1
    )


def shared_decode(
    path: Path, *, rgb_side: int, gray_side: int
) -> tuple[LoadedImage, LoadedImage] | None:
    """Two ``open_image`` results from one decode, or None when it cannot give both exactly.

    The first is ``open_image(path, max_side=rgb_side)``, the second
    ``open_image(path, max_side=gray_side, gray=True)``. None also for files ``open_image`` would refuse or fail on: the caller then
    decodes as usual, which raises the explained error.
    """
    try:
        if check_file(path) != "JPEG":
            return None
        with Image.open(path) as probe:
            if not _plain_ycc_jpeg(probe):
                return None
            probe.draft("L", _draft_box(probe.size, gray_side))
            gray_scale = probe.decoderconfig
        with Image.open(path) as img:
            orientation = img.getexif().get(0x0112, 1)
            width, height = img.size
            full = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
            img.draft("YCbCr", _draft_box(img.size, rgb_side))
            if img.decoderconfig != gray_scale or img.mode != "YCbCr":
                return None  # different draft scales: nothing to share
            with decode_slot(width * height):
                img.load()
                upright = ImageOps.exif_transpose(img) if orientation != 1 else img
                ycc = np.asarray(upright)
    except Exception:  # the caller's own decode reports what went wrong
        return None
    gray = Image.fromarray(np.ascontiguousarray(ycc[:, :, 0]), mode="L")
    rgb = Image.fromarray(ycc_to_rgb(ycc), mode="RGB")
    for image, side in ((rgb, rgb_side), (gray, gray_side)):
        if max(image.size) > side:
            image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return (
        LoadedImage(image=rgb, full_width=full[0], full_height=full[1], format="JPEG"),
        LoadedImage(image=gray, full_width=full[0], full_height=full[1], format="JPEG"),
    )
