"""The command line: thin typer commands that parse options, call the core, and render."""
