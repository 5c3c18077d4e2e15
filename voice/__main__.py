"""`python -m voice ...`: see voice/cli.py."""

import sys

from .cli import main

sys.exit(main())
