"""An experiment's games sampled once: SampledData and the BlockStore behind it.

The reference is the run without them: every series that takes its game from a
SampledData gives the same result bit for bit, while the data blocks are drawn once.
"""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers, problems, simulate
from adamlab.numerics.optimizers.schedules import InverseSqrt
from adamlab.numerics.problems import BlockStore
from adamlab.numerics.problems.logistic_sparse import SparseLogisticInstance
from calls import count_calls


def _same(a, b):
    assert np.array_equal(a.losses, b.losses)
    assert np.array_equal(a.theta_final, b.theta_final)
    assert set(a.stats) == set(b.stats)
    for k in a.stats:
        assert np.array_equal(a.stats[k], b.stats[k], equal_nan=True), k


def test_series_of_one_game_draw_its_data_once_and_give_the_same_bits(monkeypatch):
    prob = problems.make("logistic-sparse", d=100, density=0.05)
    opts = [optimizers.make("adam", lr=InverseSqrt(0.1)), optimizers.make("sgd", lr=0.05)]
    alone = [simulate.run(prob, o, 300, runs=2, seed=5, progress=False) for o in opts]
    drawn = count_calls(monkeypatch, SparseLogisticInstance, "_run_block")
    data = simulate.SampledData()
    first = simulate.run(prob, opts[0], 300, runs=2, seed=5, progress=False, data=data)
    once = drawn["n"]
    assert once > 0
    second = simulate.run(prob, opts[1], 300, runs=2, seed=5, progress=False, data=data)
    assert drawn["n"] == once                       # the second series drew nothing
    _same(first, alone[0])
    _same(second, alone[1])
    assert data.store.used_bytes > 0
    # another seed is another game, drawn anew
    simulate.run(prob, opts[1], 300, runs=2, seed=6, progress=False, data=data)
    assert drawn["n"] > once


def test_block_store_keeps_the_drawn_arrays_exactly_within_its_budget():
    prob = problems.make("logistic-sparse", d=300, density=0.05)
    inst = prob.sample(2000, 3, 1)
    block = inst._draw_block(0)
    store = BlockStore(10**7)
    assert store.put(inst, 0, block)
    back = store.get(inst, 0)
    assert set(back) == set(block)
    for k in block:
        assert back[k].dtype == block[k].dtype and np.array_equal(back[k], block[k]), k
    assert store.used_bytes < sum(v.nbytes for v in block.values())    # words in 2 bytes
    assert store.get(inst, 1) is None and store.get(prob.sample(2000, 3, 1), 0) is None
    tight = BlockStore(100)
    assert not tight.put(inst, 0, block) and tight.used_bytes == 0
    for bad in (-1, 1.5, True, "1"):
        with pytest.raises(ValueError, match="budget_bytes must be an int >= 0"):
            BlockStore(bad)
    with pytest.raises(TypeError, match="store must be a BlockStore"):
        inst.keep_blocks({})


def test_adaptive_games_and_bad_data_are_not_shared():
    data = simulate.SampledData()
    prob = problems.make("linear-adversarial", d=3)
    a = data.instance(prob, 50, 1, 0, False)
    b = data.instance(prob, 50, 1, 0, False)
    assert a is not b                  # its data depend on the iterates played
    with pytest.raises(TypeError, match="data must be a SampledData"):
        simulate.run("rkk-online", "adam", 10, data={}, progress=False)
