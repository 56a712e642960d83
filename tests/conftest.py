"""Shared pytest configuration: hypothesis profiles.

``ci`` (the default) is derandomized and bounded so the suite stays fast;
``thorough`` runs many more examples.  Select with
``ADAMLAB_HYPOTHESIS_PROFILE=thorough python -m pytest``.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=40, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("ADAMLAB_HYPOTHESIS_PROFILE", "ci"))
