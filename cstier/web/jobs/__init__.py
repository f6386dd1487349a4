"""The admin jobs page and the background-job progress page."""
