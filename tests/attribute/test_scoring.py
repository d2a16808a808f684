"""The one clustering score the demo and the attribution benchmark share."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from castwatch.attribute.scoring import score_clustering, together


def test_a_perfect_clustering_scores_one_whatever_its_operator_ids() -> None:
    truth = {"a": "op1", "b": "op1", "c": "op2", "d": "op2", "decoy": "none-1"}
    found = {"a": 7, "b": 7, "c": 9, "d": 9, "decoy": 11}
    score = score_clustering(found, truth, ["decoy"])
    assert (score.precision, score.recall) == (1.0, 1.0)
    assert score.decoys_merged == ()
    assert score.operators_true == score.operators_found == 3


def test_a_wrong_merge_costs_precision_and_names_the_decoy() -> None:
    truth = {"a": "op1", "b": "op1", "decoy": "x"}
    found = {"a": 1, "b": 1, "decoy": 1}
    score = score_clustering(found, truth, ["decoy"])
    assert score.recall == 1.0
    assert score.precision == 1 / 3
    assert score.decoys_merged == ("decoy",)
    assert score.wrong_pairs == [("a", "decoy"), ("b", "decoy")]


def test_a_service_never_placed_counts_alone_even_if_its_name_is_an_operator_id() -> None:
    # "b" is missing from the clustering; a naive fallback (its own name) would join it to
    # the operator whose id happens to be "b".
    truth = {"a": "op1", "b": "op2", "c": "op1"}
    found = {"a": "b", "c": "b"}
    score = score_clustering(found, truth)
    assert score.missing == ("b",)
    assert score.found_pairs == frozenset({("a", "c")})
    assert (score.precision, score.recall) == (1.0, 1.0)


def test_services_the_truth_does_not_know_are_ignored() -> None:
    score = score_clustering({"a": 1, "b": 1, "stray": 1}, {"a": "x", "b": "x"})
    assert score.found_pairs == frozenset({("a", "b")})
    assert score.to_dict()["pairs_found"] == 1


groups = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 3), min_size=1)


@given(groups, groups)
def test_scores_are_shares_and_the_truth_scores_itself_perfectly(
    found: dict[str, int], truth: dict[str, int]
) -> None:
    score = score_clustering(found, truth)
    assert 0.0 <= score.precision <= 1.0 and 0.0 <= score.recall <= 1.0
    assert score.true_pairs == frozenset(together(truth))
    itself = score_clustering(truth, truth)
    assert (itself.precision, itself.recall, itself.missing) == (1.0, 1.0, ())
