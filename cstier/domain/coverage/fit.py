"""Who may serve whom: coverage models served (directly or through a pool), region and vertical."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class CsmFit:
    """Boolean masks over the active CSMs (in csm_id order) for the suggester's eligibility."""

    csm_ids: np.ndarray
    fte: np.ndarray
    serves: dict[int, np.ndarray]
    pool_of: dict[tuple[int, int], int]
    pooled_models: set[int]
    regions: list[set]
    verticals: list[set]
    _region_cache: dict = field(default_factory=dict)
    _vertical_cache: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Return how many CSMs can be chosen."""
        return len(self.csm_ids)

    def serving(self, model_id: int) -> np.ndarray:
        """Return the mask of CSMs serving a model, directly or as a pool member."""
        return self.serves.get(model_id, np.zeros(self.size, dtype=bool))

    def region_fit(self, region: str) -> np.ndarray:
        """Return the mask of CSMs covering a region (no regions listed means any; '' is unknown)."""
        if region not in self._region_cache:
            self._region_cache[region] = _fit(self.regions, region)
        return self._region_cache[region]

    def vertical_fit(self, vertical: str) -> np.ndarray:
        """Return the mask of CSMs covering a vertical (no verticals listed means any)."""
        if vertical not in self._vertical_cache:
            self._vertical_cache[vertical] = _fit(self.verticals, vertical)
        return self._vertical_cache[vertical]


def _fit(lists: list[set], value: str) -> np.ndarray:
    if not value:
        return np.ones(len(lists), dtype=bool)
    return np.fromiter((not s or value in s for s in lists), dtype=bool, count=len(lists))


def build_fit(csms: pd.DataFrame, pools: pd.DataFrame) -> CsmFit:
    """Index the active CSMs with positive FTE and what they serve, deterministically by id."""
    active = csms[csms["active"].astype(bool) & (csms["fte"].astype(float) > 0)]
    active = active.sort_values("csm_id", kind="stable", ignore_index=True)
    position = {int(c): i for i, c in enumerate(active["csm_id"])}
    size = len(active)
    serves: dict[int, np.ndarray] = {}
    for i, model_ids in enumerate(active["model_ids"]):
        for model_id in model_ids:
            serves.setdefault(int(model_id), np.zeros(size, dtype=bool))[i] = True
    pool_of: dict[tuple[int, int], int] = {}
    pooled_models: set[int] = set()
    for pool in pools.sort_values("pool_id", kind="stable").itertuples():
        model_id = int(pool.coverage_model_id)
        pooled_models.add(model_id)
        for member in pool.member_ids:
            if int(member) in position:
                serves.setdefault(model_id, np.zeros(size, dtype=bool))[position[int(member)]] = (
                    True
                )
                pool_of.setdefault((model_id, int(member)), int(pool.pool_id))
    return CsmFit(
        csm_ids=active["csm_id"].to_numpy(dtype="int64"),
        fte=active["fte"].astype(float).to_numpy(),
        serves=serves,
        pool_of=pool_of,
        pooled_models=pooled_models,
        regions=[set(r or ()) for r in active["regions"]],
        verticals=[set(v or ()) for v in active["verticals"]],
    )
