"""Local mode: the same Lambda entry points served on 127.0.0.1:3000 against a moto server on :5000."""
