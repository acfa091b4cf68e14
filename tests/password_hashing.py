"""Argon2 at its cheapest, for tests only.

Production hashes with Django's Argon2 defaults (about 0.16 s and 100 MB a password, slow on
purpose against guessing). Tests create hundreds of staff and log them in, so they hash with
the same algorithm and format ("argon2$...") at the lowest cost argon2 allows.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8  # KiB: argon2's minimum for one lane
    parallelism = 1
