"""``python -m siianalysis.sample OUT_DIR [--n N] [--seed S]``: writes the sample network."""

import sys

from siianalysis.sample import main

sys.exit(main())
