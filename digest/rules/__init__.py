"""Rules used by every stage, each in one place: URLs and paths, slugs and term keys, dates, safe YAML."""
