"""Matching: takes the originals and the accused images, gives for each accused image the original it was cut from, the transform and the region (``MatchResult``)."""
