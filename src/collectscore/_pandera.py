"""pandera, imported without what its import does to Spark.

Importing ``pandera.pandas`` sets ``SPARK_LOCAL_IP=127.0.0.1`` and
``PYARROW_IGNORE_TIMEZONE=1`` in the process environment when they are unset, and imports
``pyspark.pandas`` when pyspark is installed (a second or more, and a warning about pandas
3). The first would keep the executors of a real Spark cluster from reaching a driver that
imported collectscore. Here the environment is left as it was and pandas-on-Spark is not
imported, not even by a validation after pyspark was loaded (collectscore never uses it);
pandera works the same.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_VARIABLES = ("SPARK_LOCAL_IP", "PYARROW_IGNORE_TIMEZONE")


@contextmanager
def _spark_untouched() -> Iterator[None]:
    before = {name: os.environ.get(name) for name in _VARIABLES}
    block = "pyspark.pandas" not in sys.modules
    if block:
        sys.modules["pyspark.pandas"] = None  # type: ignore[assignment]  # import fails: skipped
    try:
        yield
    finally:
        if block and sys.modules.get("pyspark.pandas", 0) is None:
            del sys.modules["pyspark.pandas"]
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


with _spark_untouched():
    # builtin_checks is imported by the first validation otherwise, when pyspark may be
    # loaded (MLflow loads it), and then imports pandas-on-Spark
    import pandera.backends.pandas.builtin_checks  # noqa: F401
    import pandera.pandas as pa

__all__ = ["pa"]
