"""The dashboards: the manager's Monday and a CSM's own week."""
