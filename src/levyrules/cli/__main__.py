"""`python -m levyrules.cli`: the same as the `levyrules` command."""

import sys

from . import main

sys.exit(main())
