"""Child welfare (the Binti-compatible API): agency workers, children, applications and worker
assignments."""
