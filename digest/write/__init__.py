"""Stage 5, write: stage every output file beside the output folder and move it in atomically."""
