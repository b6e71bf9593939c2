"""Records as CSV files: the columns of each kind, and the import of a file."""
