"""``python -m extractor`` is the ``directives`` command."""

import sys

from extractor.cli import main

sys.exit(main())
