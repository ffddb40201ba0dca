"""`python -m smolcorpus.cli`."""

import sys

from smolcorpus.cli import main

sys.exit(main())
