"""`python -m tierdesk ...`: the same CLI as the `tierdesk` command."""

from tierdesk.cli.main import main

main()
