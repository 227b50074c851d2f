"""``python -m asyncdesk`` is the ``asyncdesk`` command."""

import sys

from asyncdesk.cli import main

sys.exit(main())
