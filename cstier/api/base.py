"""What every API resource shares: an authenticated blueprint, pagination, documented errors."""

import json

from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters
from sqlalchemy import Select

from cstier.api.auth import authenticate_request
from cstier.api.body import check_json_body
from cstier.api.errors import handle_service_error
from cstier.api.fields import MAX_INT
from cstier.extensions import db
from cstier.services import paging
from cstier.services.errors import ServiceError

API_PREFIX = "/api/v1"
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class ApiBlueprint(Blueprint):
    """A blueprint whose X-Pagination says `"more": true` when rows remain past those counted."""

    def _set_pagination_metadata(self, page_params, result, headers):
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        if getattr(page_params, "more", False):
            metadata = json.loads(headers[self.PAGINATION_HEADER_NAME])
            metadata["more"] = True
            metadata["next_page"] = page_params.page + 1
            metadata.pop("last_page", None)
            metadata.pop("total_pages", None)
            headers[self.PAGINATION_HEADER_NAME] = json.dumps(metadata)
        return result, headers


def api_blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    """Return a blueprint under /api/v1 whose views need a bearer token and a checked body."""
    blp = ApiBlueprint(
        f"api-{name}", __name__, url_prefix=f"{API_PREFIX}{url_prefix}", description=description
    )
    blp.before_request(authenticate_request)
    blp.before_request(check_json_body)
    blp.register_error_handler(ServiceError, handle_service_error)
    return blp


def paginate(blp: Blueprint):
    """Paginate a view with page/page_size query arguments and an X-Pagination header."""
    return blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)


def page_of(stmt: Select, pagination: PaginationParameters) -> list:
    """Count the query as far as X-Pagination needs and return one page of its rows."""
    page = paging.read_page(db.session, stmt, pagination.first_item, pagination.page_size)
    counted(pagination, page.total, page.more)
    return page.rows


def counted(pagination: PaginationParameters, total: int, more: bool) -> None:
    """Tell X-Pagination how many rows were counted and whether more exist past them."""
    pagination.item_count = total
    pagination.more = more


def id_in_path(name: str) -> str:
    """Return a URL rule part for an id; ids beyond the column's range are 404 before any query."""
    return f"<int(min=1, max={MAX_INT}):{name}>"
