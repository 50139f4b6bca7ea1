"""Verify: check published badges as a verifier would (a URL, a file, a baked image or a whole output folder),
without trusting anything because of where it was found."""
