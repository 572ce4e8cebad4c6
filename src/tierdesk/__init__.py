"""tierdesk: the SOP as a program."""
