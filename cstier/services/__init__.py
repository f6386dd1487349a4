"""Use cases. Each owns its transaction and takes its collaborators as arguments."""
