"""Dataset cards and Hub upload (issue 6)."""
