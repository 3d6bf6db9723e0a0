"""Receiving (入库): delivery sheets against purchase orders, counting, flags and
approvals, two-signature posting into stock, QC release and returns to supplier.

Files by step: common (roles, limits, line cleaning), views (what pages show, receipt lists,
alerts), receipts (start, counts, approvals, cancel), posting, qc, supplier_returns."""
from services.receiving.common import (  # noqa: F401
    RECEIVE_ROLES,
    COSIGN_ROLES,
    QC_ROLES,
    RETURN_ROLES,
    CANCEL_ROLES,
    MAX_LINES,
    MAX_LINE_QTY,
    MAX_PRICE,
    ZERO,
)
from services.receiving.views import (  # noqa: F401
    ReceiptLineView,
    ReceiptView,
    get_receipt,
    list_receipts,
    timeliness_alerts,
)
from services.receiving.receipts import (  # noqa: F401
    read_delivery_sheet,
    start_receipt,
    find_receipt_for_note,
    record_count,
    record_counts,
    approve_line,
    cancel_receipt,
)
from services.receiving.supplier_returns import (  # noqa: F401
    SupplierReturnView,
    get_supplier_return,
    list_supplier_returns,
    confirm_supplier_return,
)
from services.receiving.posting import (  # noqa: F401
    BLOCK_CODES,
    post_receipt,
)
from services.receiving.refusals import (  # noqa: F401
    list_refusals,
    refuse_delivery,
)
from services.receiving.qc import (  # noqa: F401
    qc_release,
    quarantine_lines,
)
# Units: the receiver says which unit an UNKNOWN_UNIT line is in.
from services.receiving_units import pick_line_unit  # noqa: F401

__all__ = [
    "read_delivery_sheet",
    "read_delivery_photo",
    "start_receipt",
    "get_receipt",
    "record_count",
    "record_counts",
    "approve_line",
    "post_receipt",
    "qc_release",
    "cancel_receipt",
    "list_receipts",
    "confirm_supplier_return",
    "get_supplier_return",
    "list_supplier_returns",
    "timeliness_alerts",
    "quarantine_lines",
    "find_receipt_for_note",
    "pick_line_unit",
    "refuse_delivery",
    "list_refusals",
]


def read_delivery_photo(images, filenames, *, supplier=None, po_skus=None, progress=None):
    """Photos of a paper delivery note read into a DeliverySheet (the sheet reader's
    second front end: see services.photo.reader). OpenCV and the recogniser load with
    the first photo read, not with every screen that receives goods."""
    from services.photo.reader import read_delivery_photo as read

    return read(images, filenames, supplier=supplier, po_skus=po_skus, progress=progress)
