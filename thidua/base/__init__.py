"""The base every layer stands on: model, errors, settings, ledger, atomic writes, Vietnamese text and numbers."""
