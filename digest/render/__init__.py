"""Stage 4, render: themes and the Jinja environment that turns page jobs into bytes."""
