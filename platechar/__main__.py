import sys

from platechar.cli import main

sys.exit(main())
