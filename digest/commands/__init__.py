"""What each CLI command does beyond a build: check, new, import, publish. cli.py only parses arguments."""
