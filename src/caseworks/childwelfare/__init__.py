"""Child welfare (seed 004): agency workers, children, applications and worker assignments."""
