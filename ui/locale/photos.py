"""Reading photographed delivery notes (随货同行联)."""

MESSAGES = {
    "error.photo_missing": ("Take or choose at least one photo of the delivery note.",
                            "请拍摄或选择至少一张送货单照片。"),
    "error.photo_too_many": ("At most {max} photos per delivery note.", "每张送货单最多 {max} 张照片。"),
    "error.photo_names_mismatch": ("Each photo needs its file name.", "每张照片都需要文件名。"),
    "error.photo_unreadable": ("{filename} is not a JPEG, PNG or HEIC photo, or it is damaged.",
                               "{filename} 不是 JPEG、PNG 或 HEIC 照片，或文件已损坏。"),
    "error.photo_file_too_large": ("{filename} is too large (limit {limit_mb} MB).",
                                   "{filename} 文件过大（上限 {limit_mb} MB）。"),
    "error.photo_too_many_pixels": (
        "{filename} has too many pixels (limit {max_mp} megapixels); use the camera's normal setting.",
        "{filename} 像素过多（上限 {max_mp} 百万像素）；请使用相机的普通分辨率。"),
    "error.photo_too_small": ("{filename} is too small to read; photograph the whole note closer.",
                              "{filename} 太小无法识别；请靠近拍摄整张送货单。"),
    "error.photo_no_table": (
        "No table with a header row (code or name, and quantity) was found in {filename}. "
        "Photograph the whole note, flat and in good light.",
        "在 {filename} 中未找到带表头（编码或品名、数量）的表格。请平放送货单、光线充足地完整拍摄。"),
    "field.photo": ("Photo", "照片"),
    "photo.title": ("Photograph the delivery note", "拍摄送货单"),
    "photo.camera": ("Camera", "相机"),
    "photo.upload": ("Or choose photos (JPEG, PNG, HEIC; one per page)",
                     "或选择照片（JPEG、PNG、HEIC；每页一张）"),
    "photo.add_page": ("Add this page", "添加此页"),
    "photo.pages": ("Pages: {count}", "页数：{count}"),
    "photo.clear": ("Start again", "重新开始"),
    "photo.read": ("Read the photos", "识别照片"),
    "photo.reading": ("Reading page {page} of {pages}…", "正在识别第 {page} 页，共 {pages} 页…"),
    "photo.summary": ("{lines} lines read; {uncertain} cells to confirm (marked ⚠).",
                      "识别出 {lines} 行；{uncertain} 个单元格需确认（标记 ⚠）。"),
    "photo.confirm_help": (
        "Check every ⚠ cell against the paper note and correct it; then confirm.",
        "请对照纸质送货单检查每个 ⚠ 单元格并更正，然后确认。"),
    "photo.check_column": ("To confirm", "待确认"),
    "photo.confirmed": ("I have checked the marked cells", "我已核对标记的单元格"),
    "photo.must_confirm": ("Confirm the marked cells first.", "请先确认标记的单元格。"),
    "photo.evidence": ("Photos of the delivery note", "送货单照片"),
}
