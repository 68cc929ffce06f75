import sys

from siianalysis.cli import main

sys.exit(main())
