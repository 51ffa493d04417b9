import sys

from local.server import main

sys.exit(main())
