import sys

from solewatch.cli import main

sys.exit(main())
