"""Purchase orders: list with status and overdue deliveries, details with
ordered / received / outstanding per line, create, import, approve, cancel, close."""
from decimal import Decimal

import pandas as pd
import streamlit as st

from services import catalog, purchasing
from ui.i18n import t
from ui.session import actor, get_db, require_roles
from ui.units import both_units, unit_label
from ui.widgets import compact_table, labelled, run_action

user = require_roles("purchasing", "manager", "supervisor", "receiver", "keeper")
db = get_db()
st.title(t("po.title"))
can_create = user.has("purchasing")
can_approve = user.has("purchasing", "manager")


def fmt(value) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else ("" if value is None else str(value))


def order_list() -> None:
    left, mid, right = st.columns([2, 1, 1])
    search = left.text_input(t("common.search"), key="po_search")
    statuses = ["", "draft", "approved", "partially_received", "received", "closed", "cancelled"]
    status = mid.selectbox(t("po.status_filter"), statuses, key="po_status",
                           format_func=lambda s: t(f"po_status.{s}") if s else t("common.all"))
    open_only = right.toggle(t("po.open_only"), key="po_open_only")
    rows = purchasing.list_purchase_orders(db, search=search or None, status=status or None,
                                           open_only=open_only)
    if not rows:
        st.info(t("po.none"))
        return
    df = pd.DataFrame([{
        "number": r["number"], "supplier_name": r["supplier_name"],
        "status": t(f"po_status.{r['status']}"), "due_date": r["due_date"],
        "ordered": fmt(r["ordered"]), "received": fmt(r["received"]),
        "outstanding": fmt(r["outstanding"]), "total": fmt(r["total"]),
        "overdue": t("common.yes") if r["overdue"] else ""} for r in rows])
    overdue_label = t("common.yes")

    def highlight(row):
        return ["background-color: #fde2e1" if row.iloc[-1] == overdue_label else ""] * len(row)

    # the columns a 768 px tablet shows; the chosen order below shows every figure
    tablet = df[["number", "supplier_name", "status", "outstanding", "overdue"]]
    st.dataframe(labelled(tablet, "rcv").style.apply(highlight, axis=1), hide_index=True,
                 width="stretch", height=min(420, 38 + 35 * len(df)),
                 column_config={t("rcv.supplier_name"): st.column_config.Column(width="medium")})
    numbers = [r["number"] for r in rows]
    chosen = st.selectbox(t("po.choose"), numbers, key="po_pick")
    order_detail(chosen)


def order_detail(number: str) -> None:
    view = purchasing.get_purchase_order(db, number)
    with st.container(border=True):
        st.subheader(t("po.header", number=view.number, supplier=view.supplier_name,
                       status=t(f"po_status.{view.status}")))
        facts = [t("po.created_by", user=view.created_by)]
        if view.approved_by:
            facts.append(t("po.approved_by", user=view.approved_by))
        if view.due_date:
            facts.append(t("po.due", date=view.due_date.isoformat()))
        st.caption(" · ".join(facts))
        if view.overdue:
            st.error(t("po.overdue", outstanding=fmt(view.outstanding)), icon=":material/schedule:")
        compact_table(pd.DataFrame([{
            "line_no": ln.line_no, "sku": ln.sku, "name": ln.name, "spec": ln.spec,
            **{column: both_units(db, getattr(ln, column), ln.unit, ln.order_unit,
                                  ln.unit_factor)
               for column in ("ordered", "received", "outstanding")},
            "unit_price": _price_text(ln), "amount": fmt(ln.amount)} for ln in view.lines]),
            f"po_lines_{view.number}", ["sku", "name", "ordered", "outstanding", "unit_price"],
            prefix="rcv")
        if view.receipts:
            st.caption(t("po.receipts", numbers=", ".join(view.receipts)))
        if not can_approve:
            return
        cols = st.columns(3)
        if view.status == "draft" and view.created_by != user.username:
            if cols[0].button(t("po.approve"), type="primary", width="stretch", key="po_approve"):
                if run_action(lambda: purchasing.approve_purchase_order(
                        db, actor=actor(), number=number) or True, "po.approved", number=number):
                    st.rerun()
        if view.status in ("draft", "approved"):
            if cols[1].button(t("po.cancel"), width="stretch", key="po_cancel"):
                if run_action(lambda: purchasing.cancel_purchase_order(
                        db, actor=actor(), number=number) or True, "po.cancelled", number=number):
                    st.rerun()
        if view.status in ("partially_received", "received", "approved") and view.received > 0:
            if cols[2].button(t("po.close"), width="stretch", key="po_close"):
                if run_action(lambda: purchasing.close_purchase_order(
                        db, actor=actor(), number=number) or True, "po.closed", number=number):
                    st.rerun()


def _price_text(line) -> str:
    """Per stock unit, and per pack for a line ordered in packs: "10 / 个 (120 / 箱)"."""
    text = f"{fmt(line.unit_price)} / {unit_label(db, line.unit)}"
    if line.order_unit:
        text += f" ({fmt(line.unit_pack_price)} / {unit_label(db, line.order_unit)})"
    return text


def new_order() -> None:
    suppliers = catalog.list_suppliers(db, active_only=True)
    if not suppliers:
        st.info(t("common.none_found"))
        return
    st.caption(t("po.lines_hint") + " " + t("units.po_unit_hint"))
    with st.form("po_new"):
        names = {s["code"]: s["name"] for s in suppliers}
        supplier = st.selectbox(t("field.supplier"), list(names),
                                format_func=names.get)
        left, right = st.columns(2)
        number = left.text_input(t("field.po_number"))
        due = right.date_input(t("field.po_due_date"), None, format="YYYY-MM-DD")
        lines = st.data_editor(
            pd.DataFrame({"sku": pd.Series(dtype="str"), "qty": pd.Series(dtype="str"),
                          "unit": pd.Series(dtype="str"), "unit_price": pd.Series(dtype="str")}),
            num_rows="dynamic", width="stretch", key="po_new_lines",
            column_config={c: st.column_config.TextColumn(t(f"field.{c}"))
                           for c in ("sku", "qty", "unit", "unit_price")})
        if st.form_submit_button(t("po.create"), type="primary", width="stretch"):
            rows = [{k: (str(v).strip() if v is not None else "") for k, v in r.items()}
                    for r in lines.to_dict("records")
                    if any(v not in (None, "") and str(v) != "nan" for v in r.values())]
            created = run_action(lambda: purchasing.create_purchase_order(
                db, actor=actor(), supplier=supplier, lines=rows, number=number or None,
                due_date=due), None)
            if created:
                st.success(t("po.created", number=created))


def import_orders() -> None:
    st.caption(t("po.import_hint"))
    upload = st.file_uploader(t("common.upload"), type=["xlsx", "csv"], key="po_import",
                              max_upload_size=10)
    if upload is not None and st.button(t("po.tab_import"), type="primary", width="stretch",
                                        key="po_import_go"):
        numbers = run_action(lambda: purchasing.import_purchase_orders(
            db, actor=actor(), data=upload.getvalue(), filename=upload.name), None)
        if numbers:
            st.success(t("po.imported", count=len(numbers)) + " " + ", ".join(numbers))


if can_create:
    tab_list, tab_new, tab_import = st.tabs([t("po.tab_list"), t("po.tab_new"), t("po.tab_import")])
    with tab_list:
        order_list()
    with tab_new:
        new_order()
    with tab_import:
        import_orders()
else:
    order_list()
