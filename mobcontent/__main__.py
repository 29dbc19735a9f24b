"""``python -m mobcontent`` and the ``mobcontent`` program: the command line.

The program's modules are imported as objects that last until it ends
(:func:`mobcontent.base.lasting.lasting`): about 10 ms less before any command starts
(WeasyPrint, imported the same way, saves about 30 ms more).
"""
from .base.lasting import lasting

with lasting():
    from .app.cli import main

if __name__ == "__main__":
    main()
