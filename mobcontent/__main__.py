"""``python -m mobcontent``: the command line."""
from .app.cli import main

main()
