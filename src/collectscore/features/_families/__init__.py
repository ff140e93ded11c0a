"""Feature families; importing this package registers every feature."""

from . import _arrears, _balance, _capacity, _income, _spending  # noqa: F401
