"""Realistic synthetic open-banking collection data with known ground truth.

``generate(SampleConfig(...))`` returns a :class:`~collectscore._data.Dataset` in memory;
``write_sample(config, out)`` writes the four contract tables and ``truth/`` to a folder
in bounded memory. The generative model is described in ``docs/synthetic-data.md``.
"""

from collectscore.synthetic._api import generate, write_sample
from collectscore.synthetic._config import SampleConfig, SampleSummary
from collectscore.synthetic._logging import logging_policy

__all__ = ["SampleConfig", "SampleSummary", "generate", "logging_policy", "write_sample"]
