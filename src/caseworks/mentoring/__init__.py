"""The mentoring programme (seed 000): mentors, contacts and the assignments between them."""
