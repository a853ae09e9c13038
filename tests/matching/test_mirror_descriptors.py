"""The mirror set of an accused image is a permutation of its upright descriptors."""

from __future__ import annotations

import cv2
import numpy as np

from appeal_kit.matching import index
from devtools import synthetic as syn


def _gray() -> np.ndarray:
    photo = syn.make_photo(11, (640, 480))
    return np.asarray(cv2.cvtColor(np.asarray(photo), cv2.COLOR_RGB2GRAY), np.uint8)


def test_mirror_set_is_what_sift_sees_on_the_flipped_image() -> None:
    gray = _gray()
    points, descs, m_points, m_descs = index._sift(gray, index.ACCUSED_FEATURES, mirror=True)
    assert m_points is not None and m_descs is not None
    assert np.array_equal(m_points, points)
    # OpenCV describing the flipped image at the reflected keypoints, as before.
    sift = cv2.SIFT.create(nfeatures=index.ACCUSED_FEATURES, contrastThreshold=0.02)
    keypoints, _ = sift.detectAndCompute(gray, None)
    kept = [keypoints[i] for i in np.argsort([-k.response for k in keypoints], kind="stable")]
    width = gray.shape[1]
    flipped = [
        cv2.KeyPoint(
            (width - 0.5) - k.pt[0],
            k.pt[1],
            k.size,
            (180.0 - k.angle) % 360.0,
            k.response,
            k.octave,
            k.class_id,
        )
        for k in kept
    ]
    _, described = sift.compute(np.ascontiguousarray(gray[:, ::-1]), flipped)
    truth = np.clip(described, 0, 255).astype(np.float64)
    error = np.linalg.norm(m_descs.astype(np.float64) - truth, axis=1) / np.linalg.norm(
        truth, axis=1
    )
    # Exact on the first octave; within a few percent elsewhere (a different grid centre).
    assert np.mean(error == 0) > 0.4
    assert np.quantile(error, 0.99) < 0.2
    # Without the permutation the upright descriptors are far from the mirrored ones.
    plain = np.linalg.norm(descs.astype(np.float64) - truth, axis=1) / np.linalg.norm(truth, axis=1)
    assert np.median(plain) > 0.3


def test_mirror_order_is_an_involution() -> None:
    descs = np.random.default_rng(3).integers(0, 256, (5, 128)).astype(np.uint8)
    assert np.array_equal(index.mirror_descriptors(index.mirror_descriptors(descs)), descs)
    assert not np.array_equal(index.mirror_descriptors(descs), descs)
