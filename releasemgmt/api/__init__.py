"""What every API endpoint shares: the translation of errors to JSON and their schema."""
