"""Edit the coverage models and the value × needs matrix (admins and managers)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.coverage import MOTIONS
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import CoverageMatrix, CoverageMatrixCell, CoverageModel
from cstier.models.base import utcnow
from cstier.services import audit
from cstier.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work
from cstier.services.versioning import check_version, conflict_message, guarded_write

# The matrix's one version row; a workspace whose matrix was never saved has none (version 0).
MATRIX_ROW_ID = 1

MODEL_FIELDS = (
    "name",
    "motion",
    "accounts_per_csm",
    "arr_per_csm_cents",
    "hard_limit_pct",
    "cadence",
)


def list_models(session: Session) -> list[CoverageModel]:
    """Return the coverage models in display order."""
    return list(
        session.scalars(select(CoverageModel).order_by(CoverageModel.sort_order, CoverageModel.id))
    )


def get_model(session: Session, model_id: int) -> CoverageModel:
    """Return one coverage model, or raise NotFound."""
    model = session.get(CoverageModel, model_id)
    if model is None:
        raise NotFound(f"No coverage model with id {model_id}.")
    return model


def update_model(
    session: Session, actor: Actor, model_id: int, values: dict, expected_version: int
) -> CoverageModel:
    """Change a model's name, motion, ratio, ARR target, hard limit or cadence; audit it."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit coverage models.")
        model = session.get(CoverageModel, model_id)
        if model is None:
            raise NotFound(f"No coverage model with id {model_id}.")
        check_version(model, expected_version, "coverage model")
        errors: dict[str, list[str]] = {}
        if not (values.get("name") or "").strip():
            errors["name"] = ["Give the model a name."]
        if values.get("motion") not in MOTIONS:
            errors["motion"] = [f"Motion must be one of {', '.join(MOTIONS.values())}."]
        if not values.get("accounts_per_csm") or values["accounts_per_csm"] < 1:
            errors["accounts_per_csm"] = ["Accounts per CSM must be at least 1."]
        arr = values.get("arr_per_csm_cents")
        if arr is not None and arr <= 0:
            errors["arr_per_csm"] = ["ARR per CSM must be positive, or left empty."]
        if not values.get("hard_limit_pct") or values["hard_limit_pct"] < 100:
            errors["hard_limit_pct"] = ["The hard limit is a % of target, at least 100."]
        if errors:
            raise ValidationFailed("The coverage model was not saved.", errors)
        before = audit.snapshot(model, MODEL_FIELDS)
        with guarded_write(session, "coverage model"):
            for name in MODEL_FIELDS:
                setattr(model, name, values.get(name))
        audit.record(
            session,
            actor_id=actor.user_id,
            entity_type="coverage_model",
            entity_id=model.id,
            action="update",
            before=before,
            after=audit.snapshot(model, MODEL_FIELDS),
        )
    return model


def matrix(session: Session) -> dict[tuple[str, str], int]:
    """Return the matrix as {(value tier, needs tier): model id}."""
    return {
        (c.value_tier, c.needs_tier): c.coverage_model_id
        for c in session.scalars(select(CoverageMatrixCell))
    }


def matrix_version(session: Session) -> int:
    """Return the matrix's version: what an editor sends back with its cells (0: never saved)."""
    row = session.get(CoverageMatrix, MATRIX_ROW_ID)
    return row.version if row else 0


def save_matrix(
    session: Session, actor: Actor, cells: dict[tuple[str, str], int], expected_version: int
) -> int:
    """Replace the cells given (value tier, needs tier → model id); return how many changed."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins edit the coverage matrix.")
        row = session.get(CoverageMatrix, MATRIX_ROW_ID)
        if (row.version if row else 0) != expected_version:
            raise Conflict(conflict_message("coverage matrix"))
        known = {m.id for m in list_models(session)}
        if any(model_id not in known for model_id in cells.values()):
            raise ValidationFailed("Choose an existing coverage model for every cell.")
        current = {
            (c.value_tier, c.needs_tier): c for c in session.scalars(select(CoverageMatrixCell))
        }
        changed = 0
        with guarded_write(session, "coverage matrix", key_race=True):
            # The version row is written first, so a concurrent save waits on it, then conflicts;
            # two first saves race to insert it and one fails on its key.
            if row is None:
                session.add(CoverageMatrix(id=MATRIX_ROW_ID, updated_at=utcnow()))
            else:
                row.updated_at = utcnow()
            session.flush()
            for key, model_id in cells.items():
                cell = current.get(key)
                if cell is None:
                    session.add(
                        CoverageMatrixCell(
                            value_tier=key[0], needs_tier=key[1], coverage_model_id=model_id
                        )
                    )
                elif cell.coverage_model_id != model_id:
                    cell.coverage_model_id = model_id
                else:
                    continue
                changed += 1
        if changed:
            audit.record(
                session,
                actor_id=actor.user_id,
                entity_type="coverage_matrix",
                entity_id=0,
                action="update",
                before=None,
                after={f"{v} × {n}": m for (v, n), m in cells.items()},
            )
    return changed
