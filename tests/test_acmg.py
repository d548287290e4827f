"""Bayesian points (Tavtigian 2018/2020): strengths, directions, thresholds, BA1 stand-alone."""

from __future__ import annotations

import pytest

from hshpipe.acmg import Criterion, class_from_points, combine


def crit(code, strength, direction="pathogenic"):
    return Criterion(code, strength, direction, "test")


@pytest.mark.parametrize(
    ("points", "cls"),
    [
        (10, "pathogenic"),
        (9, "likely_pathogenic"),
        (6, "likely_pathogenic"),
        (5, "uncertain_significance"),
        (0, "uncertain_significance"),
        (-1, "likely_benign"),
        (-6, "likely_benign"),
        (-7, "benign"),
    ],
)
def test_thresholds(points, cls):
    assert class_from_points(points) == cls


def test_pvs1_alone_is_uncertain_and_with_pm2_supporting_likely_pathogenic():
    assert combine([crit("PVS1", "very_strong")]) == ("likely_pathogenic", 8)
    assert combine([crit("PVS1", "very_strong"), crit("PM2", "supporting")]) == ("likely_pathogenic", 9)
    assert combine([crit("PVS1", "very_strong"), crit("PM3", "strong")]) == ("pathogenic", 12)
    assert combine([crit("PVS1", "moderate")]) == ("uncertain_significance", 2)


def test_benign_points_count_negative_and_ba1_stands_alone():
    assert combine([crit("BS1", "strong", "benign"), crit("BP4", "supporting", "benign")]) == ("likely_benign", -5)
    assert combine([crit("BA1", "stand_alone", "benign"), crit("PVS1", "very_strong")])[0] == "benign"


def test_labels_show_a_changed_strength():
    assert crit("PVS1", "very_strong").label == "PVS1"
    assert crit("PVS1", "strong").label == "PVS1_Strong"
    assert crit("PM2", "supporting").label == "PM2_Supporting"
    assert crit("BA1", "stand_alone", "benign").label == "BA1"


def test_bad_strength_is_refused():
    with pytest.raises(ValueError):
        crit("PVS1", "huge")
