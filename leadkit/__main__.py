"""``python -m leadkit`` is the ``leadkit`` command."""

import sys

from leadkit.cli import main

sys.exit(main())
