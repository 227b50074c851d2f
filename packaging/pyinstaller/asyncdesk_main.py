"""The bundle's entry point: the ``asyncdesk`` command (``asyncdesk.cli:main``).

With no command it opens the window, as the installed command does. A file of its own
rather than ``asyncdesk/__main__.py``: PyInstaller puts the script's folder on the
import path, and ``asyncdesk/`` there would make ``core``, ``ui``... top-level modules.
"""

import sys

from asyncdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
