"""The auditor's CLI: `python -m tools.audit --help`. Reads CloudTrail files and the application's ledger."""
