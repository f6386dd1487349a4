"""Use cases of the scheduler process: scheduled runs, background jobs, feeds, operator notices."""
