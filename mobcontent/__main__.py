"""``python -m mobcontent`` and the ``mobcontent`` program: the command line.

The program's modules are imported as objects that last until it ends
(:func:`mobcontent.base.lasting.lasting`): 30 ms less before any command starts.
"""
from .base.lasting import lasting

with lasting():
    from .app.cli import main

if __name__ == "__main__":
    main()
