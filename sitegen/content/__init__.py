"""Content: the repository's YAML loaded with line numbers, every field checked, the badge images checked, into
a `model.Site` (the first stage; it imports nothing of the later ones)."""
