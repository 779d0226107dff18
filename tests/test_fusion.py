"""Reciprocal rank fusion as a pure function."""

import pytest

from index.fusion import reciprocal_rank_fusion


def test_item_in_both_lists_beats_items_in_one():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "d", "a"]], k=60)
    assert [key for key, _ in fused][:2] == ["a", "c"]


def test_scores_are_sums_of_reciprocal_ranks():
    fused = dict(reciprocal_rank_fusion([["a", "b"], ["b"]], k=10))
    assert fused["a"] == pytest.approx(1 / 11)
    assert fused["b"] == pytest.approx(1 / 12 + 1 / 11)


def test_empty_rankings_give_nothing():
    assert reciprocal_rank_fusion([[], []]) == []


def test_single_ranking_keeps_its_order():
    assert [k for k, _ in reciprocal_rank_fusion([["x", "y", "z"]])] == ["x", "y", "z"]


def test_ties_keep_first_seen_order():
    fused = reciprocal_rank_fusion([["a"], ["b"]], k=60)
    assert [k for k, _ in fused] == ["a", "b"]


def test_duplicates_within_one_list_count_once():
    fused = dict(reciprocal_rank_fusion([["a", "a", "b"]], k=1))
    assert fused["a"] == pytest.approx(1 / 2)
    assert fused["b"] == pytest.approx(1 / 4)


def test_weights_scale_each_list():
    fused = reciprocal_rank_fusion([["a"], ["b"]], k=1, weights=[1.0, 3.0])
    assert fused[0][0] == "b"


def test_limit_truncates():
    assert len(reciprocal_rank_fusion([list("abcdef")], limit=3)) == 3


@pytest.mark.parametrize("k", [0, -5])
def test_k_must_be_positive(k):
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=k)


def test_weights_must_match_rankings():
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])


def test_smaller_k_favours_top_ranks_more():
    lists = [["a", "b"], ["b", "c"]]
    low = dict(reciprocal_rank_fusion(lists, k=1))
    high = dict(reciprocal_rank_fusion(lists, k=1000))
    assert low["a"] / low["c"] > high["a"] / high["c"]
