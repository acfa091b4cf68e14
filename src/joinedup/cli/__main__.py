"""`python -m joinedup.cli`: the same as the installed `joinedup` command."""

from joinedup.cli import main

main()
