"""``python -m collectscore`` runs the command line."""

from ._cli import main

main()
