"""Policybound's AWS infrastructure (CDK). Infrastructure only: nothing under lambdas/ imports this package.

Every stack is built from the declarations the Lambda code already reads — `policybound.tables` for
tables and keys, `policybound.policy` for region, consignee and retention, `policybound.settings` for
environment variables — so the deployed account cannot drift from what the code and local mode expect.
"""
