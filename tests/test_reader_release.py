"""The data behind the reader's choice of Keras: each claim's outcome by stack."""

from __future__ import annotations

import reader_release


def test_a_claim_of_the_matrix_lists_the_stacks_where_it_does_not_hold():
    results = {
        "keras3-tf": {"claims": {"A": {"status": "holds"}}},
        "keras2-tf": {
            "claims": {"A": {"status": "differs", "observed": "1", "expected": "2"}}
        },
    }
    data = reader_release.outcomes(results)
    assert data["claims"] == {
        "A": {"keras2-tf": ["differs", "observed 1, the page expects 2"]}
    }
    assert data["site"] == "keras3-tf"
    assert [stack["id"] for stack in data["stacks"]] == ["keras3-tf", "keras2-tf"]
    assert data["stacks"][1]["label"] == "Keras 2 (tf-keras) on TensorFlow"
