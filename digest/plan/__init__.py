"""Stage 3, plan: the site becomes page jobs, one per output file, each with a hash of its inputs."""
