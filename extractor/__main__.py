"""``python -m extractor`` is the ``directives`` command."""

import sys

from .cli import main

sys.exit(main())
