"""Shared pytest configuration: hypothesis profiles.

``ci`` (the default) is derandomized and bounded (40 examples per property) so the
suite stays fast and gives the same verdict on every run; ``thorough`` runs 2000
examples per property, randomized (a new search every time, failures saved in the
local example database).  Select it with either

    python -m pytest --thorough tests/test_prop_*.py
    ADAMLAB_HYPOTHESIS_PROFILE=thorough python -m pytest

(the option wins over the environment variable).  Print how many examples each
property ran with ``--hypothesis-show-statistics``.
"""
import os

from hypothesis import HealthCheck, settings

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
