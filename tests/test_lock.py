"""One batch or delivery per folder: a second one is refused at once with what to do."""

from __future__ import annotations

import pytest

from leadkit.delivery.ledger import delivering
from leadkit.exceptions import LeadkitError
from leadkit.lock import only_one
from leadkit.pipeline.batch import _locked


def test_a_second_holder_is_refused_at_once_and_the_folder_is_free_afterwards(tmp_path):
    lock = tmp_path / "x" / ".lock"
    with only_one(lock, "busy: wait"), pytest.raises(LeadkitError, match="busy: wait"), only_one(lock, "busy: wait"):
        pass
    with only_one(tmp_path / "x" / ".lock", "busy: wait"):  # released when the first block ended
        pass


def test_two_batches_or_two_deliveries_on_one_folder_are_refused(tmp_path):
    with _locked(tmp_path), pytest.raises(LeadkitError, match="another leadkit batch is writing to"), _locked(tmp_path):
        pass
    refused = pytest.raises(LeadkitError, match="another leadkit deliver or alert")
    with delivering(tmp_path), refused, delivering(tmp_path):
        pass
    with _locked(tmp_path), delivering(tmp_path):  # a batch and a delivery use separate locks
        pass
