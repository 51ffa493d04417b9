"""Tools for people who run or audit Policybound; never shipped to Lambda."""
