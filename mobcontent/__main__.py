"""``python -m mobcontent`` runs the command line."""
from .cli import main

main()
