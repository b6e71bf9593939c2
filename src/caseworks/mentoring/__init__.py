"""The mentoring programme: mentors, contacts and the assignments between them."""
