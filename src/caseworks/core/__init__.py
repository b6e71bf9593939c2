"""What every layer uses: ids, time, errors, input types, JSON, logging."""
