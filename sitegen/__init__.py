"""sitegen: compile a repository of YAML badge definitions into a static Open Badges site."""

__version__ = "0.1.0"
