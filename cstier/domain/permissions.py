"""Who may do what: roles and the CSM's own book."""

from dataclasses import dataclass

ROLES = {
    "admin": "Admin",
    "cs_manager": "CS manager",
    "csm": "CSM",
    "viewer": "Viewer",
}


@dataclass(frozen=True)
class Actor:
    """The person acting: enough to decide permissions without the database."""

    user_id: int | None
    role: str


# The CLI, the demo and the scheduler act as the system: admin rights, no user behind them.
SYSTEM_ACTOR = Actor(user_id=None, role="admin")


def can_manage_settings(actor: Actor) -> bool:
    """Only admins change system settings and users."""
    return actor.role == "admin"


def can_manage_book(actor: Actor) -> bool:
    """Admins and managers create, edit and assign anything in the book."""
    return actor.role in ("admin", "cs_manager")


def sees_whole_book(actor: Actor) -> bool:
    """Everyone but a CSM reads every account."""
    return actor.role in ("admin", "cs_manager", "viewer")


def can_view_account(actor: Actor, account_csm_id: int | None) -> bool:
    """A CSM sees only the accounts in their own book."""
    return sees_whole_book(actor) or account_csm_id == actor.user_id


def can_edit_account(actor: Actor, account_csm_id: int | None) -> bool:
    """Managers edit any account, a CSM only their own, a viewer none."""
    if can_manage_book(actor):
        return True
    return actor.role == "csm" and account_csm_id == actor.user_id
