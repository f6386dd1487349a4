"""The scheduler process: scheduled jobs declared as data, and the background-job worker."""
