"""`python -m meeting` runs the command line."""

from meeting.cli import main

main()
