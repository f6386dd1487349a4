"""cstier: customer-success account tiering."""

from cstier.app import create_app

__all__ = ["create_app"]
