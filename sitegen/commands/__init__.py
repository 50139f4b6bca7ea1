"""Commands: what the CLI runs besides build and verify (the pull-request check, issue/revoke, new, serve)."""
