"""Issue slips (出库单): search, open a slip, print it or download it as Excel with
the sign-off block."""
from decimal import Decimal

import pandas as pd
import streamlit as st

from services import clock, issuing, users
from services.errors import ServiceError
from services.export import column_totals, dataframe_sheet, workbook_bytes
from ui.documents import pdf_download
from ui.i18n import t
from ui.session import get_db, require_roles
from ui.format import fmt_time
from ui.widgets import compact_table, labelled, show_service_error, signoff_block

require_roles("keeper", "supervisor", "manager", "finance")
db = get_db()
ss = st.session_state
ALL = ""


def money(value: Decimal, places: int = 2) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places)):,}"


def shown(df: pd.DataFrame) -> pd.DataFrame:
    """Decimals and times as text for the screen (the Excel keeps real numbers)."""
    df = df.copy()
    for column in df.columns:
        if column in ("qty", "lines"):
            df[column] = df[column].map(lambda v: str(issuing.plain(Decimal(v))))
        elif column == "unit_cost":
            df[column] = df[column].map(money)
        elif column in ("value", "total_cost"):
            df[column] = df[column].map(money)
        elif column in ("at", "received_at"):
            df[column] = df[column].map(fmt_time)
        elif column == "purpose":
            df[column] = df[column].map(lambda p: t(f"purpose.{p}"))
    return df


st.title(t("issues.title"))

# --- search -------------------------------------------------------------------
s1, s2, s3, s4 = st.columns([2, 1, 1, 1])
search = s1.text_input(t("common.search"), key="issues_search", icon=":material/search:")
start = s2.date_input(t("common.from"), value=None, key="issues_from")
end = s3.date_input(t("common.to"), value=None, key="issues_to")
purpose = s4.selectbox(t("field.purpose"), [ALL, *issuing.PURPOSES], key="issues_purpose",
                       format_func=lambda p: t(f"purpose.{p}") if p else t("common.all"))
frame, total = issuing.list_issues(db, search=search or None, start=start, end=end,
                                   purpose=purpose or None, limit=500)
if frame.empty:
    st.info(t("common.none_found"))
else:
    compact_table(shown(frame), "issues_table", ["number", "at", "purpose", "requested_by",
                                                 "total_cost"], prefix="iss.col")

# --- one slip -----------------------------------------------------------------
numbers = frame["number"].tolist()
wanted = ss.pop("issues_open", None)
if wanted and wanted not in numbers:
    numbers.insert(0, wanted)
if wanted:
    ss["issues_pick"] = wanted
if not numbers:
    st.stop()
number = st.selectbox(t("issues.open"), numbers, key="issues_pick")
try:
    slip = issuing.get_issue(db, number)
except ServiceError as exc:
    show_service_error(exc)
    st.stop()

heading = t("slip.title", number=slip.number)
header = t("slip.header", purpose=t(f"purpose.{slip.purpose}"), reference=slip.reference or "—",
           requested_by=slip.requested_by, actor=slip.actor,
           at=clock.to_local(slip.at).strftime("%Y-%m-%d %H:%M"))
rows = issuing.issue_slip_frame(slip)
signoff = [t("slip.issued_by"), t("slip.requested_by"), t("slip.approved"), t("signoff.date")]

print_view = st.toggle(t("issues.print"), key="issues_print")
with st.container(border=not print_view):
    st.subheader(heading)
    st.write(header)
    if slip.approved_by:
        st.write(t("slip.approved_by", approver=slip.approved_by))
    if slip.partial:
        st.caption(t("issuing.partial_note"))
    if print_view:          # printing: every column; on the tablet the ones that fit
        st.dataframe(labelled(shown(rows), "iss.col"), hide_index=True, width="stretch")
    else:
        compact_table(shown(rows), "issues_slip_lines", ["sku", "name", "lot_no", "qty",
                                                         "value"], prefix="iss.col")
    st.markdown(f"**{t('issuing.total_cost', total=money(slip.total_cost))}**")
    tags = [f"{line.sku}: {line.old_part_tag}" for line in slip.lines if line.old_part_tag]
    if tags:
        st.write(f"{t('field.old_part_tags')}: " + ", ".join(tags))
    if print_view:
        cols = st.columns(4)
        names = [slip.actor, slip.requested_by, slip.approved_by or "________", "________"]
        for col, label, name in zip(cols, signoff, names):
            col.markdown(f"**{label}**")
            col.write(name)
    else:
        signoff_block()

excel_rows = rows.copy()
excel_rows["received_at"] = excel_rows["received_at"].map(lambda v: v.replace(tzinfo=None))
slip_sheet = dataframe_sheet(
    excel_rows, slip.number, {c: t(f"iss.col.{c}") for c in excel_rows.columns},
    heading=f"{heading} — {header}", signoff=signoff)
people = users.display_names(db, [slip.actor, slip.approved_by])
slip_sheet.signoff_values = [people.get(slip.actor, ""), slip.requested_by,
                             people.get(slip.approved_by, ""),
                             clock.to_local(slip.at).date().isoformat()]
slip_sheet.totals = column_totals(list(excel_rows.columns), slip_sheet.rows, t("doc.total"))
workbook = workbook_bytes([slip_sheet])
st.download_button(t("common.download_excel"), workbook, file_name=f"{slip.number}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/download:", key="issues_xlsx", width="stretch")
pdf_download("issue", slip.number, key="issues_pdf", label_key="doc.download_slip")

returns = issuing.list_returns(db, issue_number=slip.number)
if not returns.empty:
    st.subheader(t("issues.returns"))
    compact_table(shown(returns), "issues_returns", ["number", "at", "sku", "qty", "total_cost"],
                  prefix="iss.col")
