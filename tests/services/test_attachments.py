"""Photos as evidence: who may add them to which document and when; never after
posting; cleaned before storage; carried by the backup."""
import io

import pytest
from PIL import Image
from sqlalchemy import select

from db.models import Attachment
from services import attachments, receiving
from services.errors import InvalidState, NotFound, PermissionDenied, ValidationError
from services.reports import check_consistency
from tests.factories import build_world, count_receipt, open_receipt, receive_goods
from tests.photos import GPS_IFD, carton_jpeg, png_bomb, png_bytes


def test_photo_of_a_receipt_line_is_cleaned_and_listed(world):
    db = world.db
    grn = open_receipt(db, [("OF-100", 10, "25"), ("BP-200", 2, "40")])
    photo_id = attachments.add_photo(db, actor="receiver", document=grn, line_no=2,
                                     data=carton_jpeg(), filename="IMG_0001.HEIC")
    attachments.add_photo(db, actor="keeper", document=grn, data=png_bytes(),
                          filename="whole-pallet.png")
    stored = attachments.get_photo(db, photo_id)
    assert Image.open(io.BytesIO(stored)).getexif().get_ifd(GPS_IFD) == {}
    assert b"SERIAL-12345" not in stored
    line_photos = attachments.list_photos(db, grn, line_no=2)
    assert [(p.id, p.line_no, p.stage, p.filename) for p in line_photos] == [
        (photo_id, 2, "receiving", "IMG_0001.jpg")]
    assert Image.open(io.BytesIO(line_photos[0].thumbnail)).format == "JPEG"
    assert len(attachments.list_photos(db, grn)) == 2


def test_who_and_where(world):
    db = world.db
    grn = open_receipt(db, [("OF-100", 10, "25")])
    for actor in ("finance", "purchasing", "manager", "ghost"):
        with pytest.raises(PermissionDenied):
            attachments.add_photo(db, actor=actor, document=grn, data=carton_jpeg(),
                                  filename="a.jpg")
    with pytest.raises(NotFound):
        attachments.add_photo(db, actor="receiver", document=grn, line_no=7,
                              data=carton_jpeg(), filename="a.jpg")
    with pytest.raises(NotFound):
        attachments.add_photo(db, actor="receiver", document="GRN-2099-01-0001",
                              data=carton_jpeg(), filename="a.jpg")
    with pytest.raises(NotFound):
        attachments.add_photo(db, actor="receiver", document="XYZ-1", data=carton_jpeg(),
                              filename="a.jpg")
    with pytest.raises(ValidationError):
        attachments.add_photo(db, actor="receiver", document=grn, line_no=0,
                              data=carton_jpeg(), filename="a.jpg")
    with pytest.raises(ValidationError) as err:
        attachments.add_photo(db, actor="receiver", document=grn, data=png_bomb(7000, 7000),
                              filename="a.png")
    assert err.value.code == "photo_too_many_pixels"
    assert attachments.list_photos(db, grn) == []


def test_no_photo_after_posting_except_qc_while_quarantined(world):
    db = world.db
    grn = open_receipt(db, [("OF-100", 10, "25"), ("EN-500", 1, "900")])
    count_receipt(db, grn, damaged={1: 2})
    attachments.add_photo(db, actor="receiver", document=grn, line_no=1, data=carton_jpeg(),
                          filename="dent.jpg")
    view = receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper")
    with pytest.raises(PermissionDenied):
        attachments.add_photo(db, actor="receiver", document=grn, line_no=1,
                              data=carton_jpeg(colour=(9, 9, 9)), filename="late.jpg")
    with pytest.raises(InvalidState):      # line 1 is not waiting for QC
        attachments.add_photo(db, actor="qc", document=grn, line_no=1,
                              data=carton_jpeg(colour=(9, 9, 9)), filename="late.jpg")
    # the engine assembly waits in quarantine: QC photographs it
    attachments.add_photo(db, actor="qc", document=grn, line_no=2,
                          data=carton_jpeg(colour=(50, 50, 50)), filename="engine.jpg")
    assert [p.stage for p in attachments.list_photos(db, grn, line_no=2)] == ["qc"]
    receiving.qc_release(db, actor="qc", receipt=grn, line_no=2, passed_qty=1, failed_qty=0)
    with pytest.raises(InvalidState):
        attachments.add_photo(db, actor="qc", document=grn, line_no=2,
                              data=carton_jpeg(colour=(70, 70, 70)), filename="after.jpg")
    # the return-to-supplier note takes photos until it is confirmed
    (rts,) = view.return_numbers
    attachments.add_photo(db, actor="keeper", document=rts, data=carton_jpeg(),
                          filename="rts.jpg")
    receiving.confirm_supplier_return(db, actor="keeper", number=rts)
    with pytest.raises(InvalidState):
        attachments.add_photo(db, actor="keeper", document=rts,
                              data=carton_jpeg(colour=(1, 1, 1)), filename="rts2.jpg")
    assert check_consistency(db) == []


def test_rows_are_never_changed_by_the_service(world):
    """Only INSERTs: a second photo leaves the first row byte-identical."""
    db = world.db
    grn = open_receipt(db, [("OF-100", 10, "25")])
    first = attachments.add_photo(db, actor="receiver", document=grn, data=carton_jpeg(),
                                  filename="a.jpg")
    with db.read() as session:
        before = session.get(Attachment, first).content
    attachments.add_photo(db, actor="receiver", document=grn, data=png_bytes(),
                          filename="b.png")
    with db.read() as session:
        assert session.get(Attachment, first).content == before
        assert session.scalar(select(Attachment.uploaded_by).where(
            Attachment.id == first)) == "receiver"


def test_backup_carries_the_photos(db, tmp_path):
    from db.backup import create_backup, restore_backup

    build_world(db)
    grn = open_receipt(db, [("OF-100", 10, "25")])
    photo_id = attachments.add_photo(db, actor="receiver", document=grn, data=carton_jpeg(),
                                     filename="a.jpg")
    content = attachments.get_photo(db, photo_id)
    url = db.engine.url.render_as_string(hide_password=False)
    backup = create_backup(url, tmp_path)
    with db.engine.begin() as conn:
        conn.execute(Attachment.__table__.delete())
    db.engine.dispose()
    restore_backup(backup, url)
    db.engine.dispose()
    assert attachments.get_photo(db, photo_id) == content
    assert attachments.list_photos(db, grn)[0].thumbnail
