"""Stage 1, load: find the source files, parse front matter, render Markdown to safe HTML."""
