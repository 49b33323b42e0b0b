"""`python -m levyrules`: the same as the `levyrules` command."""

import sys

from .cli import main

sys.exit(main())
