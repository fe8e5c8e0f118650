#!/usr/bin/env python3
"""Run every tests/cli/test_*.py against a built binary; one closing line.

Usage (from the repository root): tests/cli/run.py BINARY
"""
import os
import sys
import unittest


def main():
    os.environ["NFQG_BIN"] = os.path.abspath(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
    res = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    # a bug marked expectedFailure that is fixed must lose its mark
    failed = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
    print("cli: %d passed, %d failed, %d skipped, %d known bugs"
          % (res.testsRun - failed - len(res.skipped) - len(res.expectedFailures), failed,
             len(res.skipped), len(res.expectedFailures)))
    return 1 if failed or res.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
