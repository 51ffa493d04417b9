"""Evidence an auditor can reconcile: the consent ledger, reconciliation and destruction reports."""
