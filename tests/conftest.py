"""Shared pytest configuration: the test helpers' folder, hypothesis profiles, and the
published claims decided once per session.

The tests mirror the packages: ``theory/``, ``numerics/``, ``proofs/``, ``cli/`` and
``project/`` (packaging, the import graph, notebooks, benchmarks); the helpers they
share (exact references, strategies, a user's plugin optimizer) are in ``support/``.

``ci`` (the default) is derandomized and bounded (40 examples per property) so the
suite stays fast and gives the same verdict on every run; ``thorough`` runs 2000
examples per property, randomized (a new search every time, failures saved in the
local example database).  Select it with either

    python -m pytest --thorough tests/*/test_prop_*.py
    ADAMLAB_HYPOTHESIS_PROFILE=thorough python -m pytest

(the option wins over the environment variable).  Print how many examples each
property ran with ``--hypothesis-show-statistics``.
"""
import copy
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

settings.register_profile("ci", max_examples=40, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("ADAMLAB_HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser):
    parser.addoption("--thorough", action="store_true", default=False,
                     help="hypothesis profile 'thorough' (2000 examples per property, "
                          "randomized); same as ADAMLAB_HYPOTHESIS_PROFILE=thorough")


def pytest_configure(config):
    if config.getoption("--thorough", default=False):
        settings.load_profile("thorough")


@pytest.fixture(scope="session", autouse=True)
def _comparator_cache_in_a_temporary_folder(tmp_path_factory):
    """The comparator disk cache (adamlab.numerics.comparator_cache) of this session lives
    in pytest's temporary folder, never in the user's ~/.cache; subprocesses inherit it."""
    old = os.environ.get("ADAMLAB_CACHE_DIR")
    os.environ["ADAMLAB_CACHE_DIR"] = str(tmp_path_factory.mktemp("comparator-cache"))
    yield
    if old is None:
        os.environ.pop("ADAMLAB_CACHE_DIR", None)
    else:
        os.environ["ADAMLAB_CACHE_DIR"] = old


@pytest.fixture(scope="session", autouse=True)
def _published_claims_decided_once():
    """Each *published* claim is decided once per test session and the verdict reused.

    Every method is deterministic (fixed seeds), so deciding ``kb.thm4.1`` again in the
    CLI test, the contract test and a proof page computes the same verdict; the
    subprocess test (``adamlab check``) still decides the whole ledger from scratch.
    Claims built inside tests (toy and user claims) are never cached.  Each caller gets
    its own deep copy, so a test cannot change what another one sees.
    """
    from adamlab.proofs import claims, ledger
    real = ledger.decide
    cache = {}

    def decide(claim, *, thorough=False):
        spec = ledger.resolve(claim)
        published = any(spec is c for c in claims.CLAIMS)
        if not published:
            return real(spec, thorough=thorough)
        key = (spec.id, thorough)
        if key not in cache:
            cache[key] = real(spec, thorough=thorough)
        return copy.deepcopy(cache[key])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ledger, "decide", decide)
        yield
