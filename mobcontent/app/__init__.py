"""The command line and the officer's tools on top of the library: the click CLI
(parse, call one library function, print, exit), ``serve``, ``show`` and the
interface language. May import every other package; nothing imports ``app``.
"""
