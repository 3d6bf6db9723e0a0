"""Stocktake (盘点): open a month and freeze it, blind count sheets per zone, count
entry on the tablet, recount, the finance spot check and submission."""
import calendar

import pandas as pd
import streamlit as st

from services import catalog, clock, users
from services import stocktake as stk
from services.errors import ServiceError
from ui.documents import pdf_download
from ui.i18n import t
from ui.stocktakes import option_label
from ui.issuing_warehouse import warehouse_name
from ui.scan import clear as clear_scan
from ui.scan import item_label, scan_box
from ui.session import actor, get_db, require_roles
from ui.stocktake_receipts import confirm_open_receipts, show_open_receipts
from ui.units import confirm_pack_count, has_unit, pack_units_column, with_unit_names
from ui.widgets import (compact_table, excel_download, paged_table, people, person_label, refresh_with,
                        run_action, show_flash, show_service_error, signoff_block)

user = require_roles("supervisor", "keeper", "finance")
db = get_db()
st.title(t("nav.stocktake"))


def local_time(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def open_form() -> None:
    today = clock.today()
    last_day = calendar.monthrange(today.year, today.month)[1]
    first, last = today.replace(day=last_day - 1), today.replace(day=last_day)
    with st.expander(t("stocktake.open_title"), expanded=not stk.list_stocktakes(db),
                     icon=":material/ac_unit:"):
        st.caption(t("stocktake.open_help"))
        if today < first:
            st.warning(t("stocktake.not_last_days", first=first, last=last, today=today))
        warehouse = warehouse_choice()
        all_zones = catalog.zones(db, warehouse=warehouse)
        receipts_waiting = show_open_receipts(db, all_zones)
        with st.form("stocktake_open"):
            period = st.text_input(t("field.stocktake_period"), value=today.strftime("%Y-%m"),
                                   help=t("stocktake.period_help"))
            # keyed by warehouse: another warehouse starts with all of its own zones
            zones = st.multiselect(t("field.stocktake_zones"), all_zones, default=all_zones,
                                   key=f"stocktake_zones_{warehouse or ''}")
            allow_open_receipts = confirm_open_receipts() if receipts_waiting else False
            if st.form_submit_button(t("stocktake.open_button"), type="primary", width="stretch"):
                number = run_action(lambda: stk.open_stocktake(
                    db, actor=actor(), period=period, zones=zones or None,
                    allow_open_receipts=allow_open_receipts, warehouse=warehouse))
                if number:     # redrawn with the form folded and the new stocktake picked
                    st.session_state["stocktake_pick"] = number
                    refresh_with(t("stocktake.opened", number=number))


def warehouse_choice() -> str | None:
    """The warehouse to count (None: every zone); asked only where there are two."""
    houses = [h for h in catalog.list_warehouses(db) if h["active"]]
    if len(houses) <= 1:
        return None
    names = {h["code"]: warehouse_name(h) for h in houses}
    options = ["", *names]
    return st.selectbox(t("stocktake.warehouse"), options, key="stocktake_warehouse",
                        help=t("stocktake.warehouse_help"),
                        format_func=lambda code: f"{code} · {names[code]}" if code
                        else t("stocktake.all_warehouses")) or None


def pick_stocktake() -> str | None:
    rows = [r for r in stk.list_stocktakes(db) if r["status"] != "cancelled"]
    if not rows:
        st.info(t("stocktake.none"))
        return None
    numbers = [r["number"] for r in rows]
    by_number = {r["number"]: r for r in rows}
    if st.session_state.get("stocktake_pick") not in numbers:
        st.session_state["stocktake_pick"] = numbers[0]
    return st.selectbox(
        t("stocktake.choose"), numbers, key="stocktake_pick",
        format_func=lambda n: option_label(by_number[n]))


def progress_table(view) -> None:
    st.subheader(t("stocktake.progress"))
    frame = pd.DataFrame([
        {"zone": p.zone, "lines": p.lines, "counted": p.counted, "recounted": p.recounted,
         "needs_recount": p.needs_recount, "spot_checked": p.spot_checked,
         "forced_recounts": p.forced_recounts}
        for p in view.progress])
    compact_table(frame, "stocktake_progress",
                  ["zone", "lines", "counted", "needs_recount", "spot_checked"], prefix="stcol")


def counter_choice(key: str, round_: str) -> str | None:
    """A supervisor may type in a named counter's sheet; others count as themselves."""
    if round_ == "spot" or not user.has("supervisor"):
        return None
    names = users.users_with_role(db, "keeper", "supervisor")
    me = actor()
    options = [me] + [n for n in names if n != me]
    return st.selectbox(t("stocktake.counter"), options, key=key,
                        format_func=person_label(db, options))


def round_choice(key: str) -> str:
    rounds = ["initial", "recount"]
    return st.segmented_control(t("stocktake.round"), rounds, default="initial", key=key,
                                format_func=lambda r: t("stocktake.round_" + r)) or "initial"


def scanned_bin_and_item(prefix: str) -> tuple[str, str]:
    """Continuous counting: the bin stays while item after item is scanned (any code,
    or a lot label, which also names its bin), its quantity typed, and saved."""
    if st.session_state.pop(f"{prefix}_next", False):
        clear_scan(f"{prefix}_sku")
    left, right = st.columns(2)
    with left:
        bin_scan = scan_box(f"{prefix}_location", want=("bin",), label=t("stocktake.scan_bin"),
                            search=False)
    with right:
        item_scan = scan_box(f"{prefix}_sku", want=("item", "lot"), label=t("stocktake.scan_sku"),
                             keep_camera=True)
    location = bin_scan.hit.location if bin_scan.hit else bin_scan.text
    if item_scan.hit is not None and item_scan.hit.kind == "lot" and not location:
        location = item_scan.hit.location
    sku = item_scan.sku or item_scan.text
    if item_scan.hit is None and item_scan.items:
        labels = {i["sku"]: item_label(i) for i in item_scan.items}
        sku = right.selectbox(t("issuing.pick_item"), list(labels), format_func=labels.get,
                              key=f"{prefix}_pick")
    return location, sku


def next_item(prefix: str) -> None:
    st.session_state[f"{prefix}_next"] = True
    st.rerun()


def count_entry_tab(view, number: str) -> None:
    if view.status != "open":
        st.info(t("stocktake.not_open", status=t("ststatus." + view.status)))
        return
    zone = st.selectbox(t("field.zone"), view.zones, key="count_zone")
    round_ = round_choice("count_round")
    counter = counter_choice("count_counter", round_)
    location, sku = scanned_bin_and_item("count")
    with st.form("count_entry", clear_on_submit=True):
        qty = st.text_input(t("stocktake.count_qty"), key="count_qty")
        found = st.checkbox(t("stocktake.found_item"), key="count_found",
                            disabled=round_ != "initial")
        submitted = st.form_submit_button(t("stocktake.save_count"), type="primary",
                                          width="stretch")
        if submitted and has_unit(qty):     # counted in packs: confirm the conversion first
            st.session_state["count_in_packs"] = {"location": location, "sku": sku,
                                                  "typed": qty, "found": found}
        elif submitted:
            if run_action(lambda: stk.record_counts(
                    db, actor=actor(), stocktake=number, round=round_, counted_by=counter,
                    counts=[{"sku": sku, "location": location, "qty": qty}],
                    allow_new=found and round_ == "initial"), "stocktake.count_saved"):
                next_item("count")
    confirm_pack_count(db, lambda pending, stock_qty: stk.record_counts(
        db, actor=actor(), stocktake=number, round=round_, counted_by=counter,
        counts=[{"sku": pending["sku"], "location": pending["location"], "qty": stock_qty}],
        allow_new=pending["found"] and round_ == "initial"))
    entries = stk.count_entries(db, number, zone, round_)
    waiting = sum(1 for e in entries if e["needs_recount"])
    if waiting:
        st.warning(t("stocktake.needs_recount_info", count=waiting))
        recount_list(entries)
    st.subheader(t("stocktake.my_entries"))
    rows = [{**e, "counted_at": local_time(e["counted_at"]), "counted_by": who}
            for e, who in zip(entries, people(db, [e["counted_by"] for e in entries]))]
    frame = with_unit_names(db, pd.DataFrame(rows, columns=[
        "location", "sku", "name", "name_zh", "spec", "unit", "qty", "counted_by", "counted_at",
        "needs_recount"]))
    # what a 768 px tablet shows at once; the rest of an entry is one tap away
    compact_table(frame, "count_entries",
                  ["location", "sku", "name", "qty", "unit", "needs_recount"], prefix="stcol")


def recount_list(entries: list[dict]) -> None:
    """The lines still waiting for the supervisor's team to recount, for the supervisor
    and the second counter: where and what, never the book or the first count (复盘
    stays blind). A line drops off the list once it is recounted."""
    st.subheader(t("stocktake.recount_list"))
    rows = [{"location": e["location"], "sku": e["sku"], "name": e["name"],
             "name_zh": e["name_zh"], "unit": e["unit"]}
            for e in entries if e["needs_recount"]]
    compact_table(with_unit_names(db, pd.DataFrame(rows)), "recount_list",
                  ["location", "sku", "name", "unit"], prefix="stcol")


def sheets_tab(view, number: str) -> None:
    zone = st.selectbox(t("field.zone"), view.zones, key="sheet_zone")
    rows = stk.count_sheet(db, number, zone)
    frame = pd.DataFrame(rows, columns=["location", "sku", "name", "spec", "unit", "found"])
    frame.insert(5, "pack_units", pack_units_column(db, list(frame["sku"])))
    frame = with_unit_names(db, frame)
    frame["counted_qty"] = None
    frame["counted_by_sign"] = ""
    heading = t("stocktake.sheet_heading", number=number, zone=zone)
    st.markdown(f"**{heading}**")
    st.caption(t("stocktake.sheet_caption") + " " + t("stocktake.print_hint"))
    paged_table(frame, "sheet_table", prefix="stcol")
    signoff_block()
    excel_download(frame, f"{number}-{zone}.xlsx", zone, key="sheet_download", prefix="stcol",
                   heading=heading, signoff=True)
    pdf_download("count_sheet", f"{number}/{zone}", key="sheet_pdf",
                 label_key="doc.download_sheet")
    if view.status != "open":
        return
    st.subheader(t("stocktake.upload_title"))
    upload = st.file_uploader(t("common.upload"), type=["xlsx", "csv"], key="sheet_upload")
    if upload is None:
        return
    try:
        parsed = stk.read_count_sheet(upload.getvalue(), upload.name)
    except ServiceError as exc:
        show_service_error(exc)
        return
    st.caption(t("stocktake.upload_rows", count=len(parsed.lines)))
    if parsed.errors:
        st.warning(t("stocktake.upload_errors", count=len(parsed.errors)))
        from services.errors import ValidationError
        from ui.i18n import error_text

        for error in parsed.errors[:50]:
            st.caption("• " + error_text(ValidationError(error["code"], **error["params"])))
    round_ = round_choice("upload_round")
    counter = counter_choice("upload_counter", round_)
    found = st.checkbox(t("stocktake.found_item"), key="upload_found",
                        disabled=round_ != "initial")
    if st.button(t("stocktake.upload_record"), type="primary", width="stretch",
                 disabled=not parsed.lines, key="upload_record"):
        result = run_action(lambda: stk.record_counts(
            db, actor=actor(), stocktake=number, round=round_, counts=parsed.lines,
            counted_by=counter, allow_new=found and round_ == "initial"))
        if result:
            st.success(t("stocktake.counts_saved", count=result["recorded"]))


def recount_tab(view, number: str) -> None:
    st.subheader(t("stocktake.recount_diffs"))
    diffs = stk.recount_differences(db, number)
    if diffs.empty:
        st.caption(t("stocktake.no_recount_diffs"))
    else:
        paged_table(diffs, "recount_diffs", prefix="stcol")
    if view.status == "open":
        zone = st.selectbox(t("field.zone"), view.zones, key="recount_zone")
        if st.button(t("stocktake.order_recount"), width="stretch", key="order_recount"):
            run_action(lambda: stk.order_recount(db, actor=actor(), stocktake=number, zone=zone),
                       "stocktake.recount_ordered")


def spot_tab(view, number: str) -> None:
    sample = stk.spot_check_sample(db, number)
    done = sum(1 for r in sample.from_sheet if r["spot_qty"] is not None)
    cols = st.columns(3)
    cols[0].metric(t("stocktake.spot_coverage"), f"{sample.coverage * 100:.1f}%",
                   t("stocktake.spot_target", target=f"{sample.target * 100:.0f}"),
                   delta_color="off")
    cols[1].metric(t("stocktake.spot_sample_done"), f"{done} / {len(sample.from_sheet)}")
    cols[2].metric(t("stocktake.spot_shelf_picks"),
                   f"{len(sample.shelf_picks)} / {sample.shelf_target}")
    rates = stk.zone_error_rates(db, number)
    st.subheader(t("stocktake.error_rates"))
    paged_table(pd.DataFrame([
        {"zone": zone, "error_rate": f"{rate * 100:.1f}",
         "status": t("stocktake.over_limit") if rate > stk.ERROR_RATE_LIMIT
         else t("stocktake.within_limit")}
        for zone, rate in rates.items()]), "error_rates", prefix="stcol")
    if view.status == "open" and user.has("finance"):
        st.subheader(t("stocktake.spot_entry"))
        # 盘点: 30% from the sheets and 20% from the shelves are two steps, chosen here
        step = st.segmented_control(t("stocktake.spot_step"), ["sheet", "shelf"],
                                    default="sheet", key="spot_step",
                                    format_func=lambda s: t(f"stocktake.spot_step_{s}")) or "sheet"
        location, sku = scanned_bin_and_item("spot")
        with st.form("spot_entry", clear_on_submit=True):
            qty = st.text_input(t("stocktake.count_qty"), key="spot_qty")
            new = step == "shelf" and st.checkbox(t("stocktake.spot_shelf_new"), key="spot_new")
            if st.form_submit_button(t("stocktake.save_count"), type="primary", width="stretch"):
                result = run_action(lambda: stk.record_counts(
                    db, actor=actor(), stocktake=number, round="spot", allow_new=new,
                    shelf_pick=step == "shelf",
                    counts=[{"sku": sku, "location": location, "qty": qty}]),
                    )
                if result:      # coverage and counters above show this count at once
                    st.session_state["spot_next"] = True        # ready for the next scan
                    zones = result["recount_zones"]
                    refresh_with(t("stocktake.count_saved") + (
                        " " + t("stocktake.recount_ordered_zones", zones=", ".join(zones))
                        if zones else ""))
    st.subheader(t("stocktake.spot_sample_title", seed=sample.seed))
    columns = ["zone", "location", "sku", "name", "spec", "unit", "spot_qty", "spot_by"]
    paged_table(with_unit_names(db, pd.DataFrame(sample.from_sheet, columns=columns)),
                "spot_sample", prefix="stcol")
    if sample.shelf_picks:
        st.subheader(t("stocktake.spot_shelf_picks"))
        paged_table(with_unit_names(db, pd.DataFrame(sample.shelf_picks, columns=columns)),
                    "spot_shelf", prefix="stcol")


def submit_tab(view, number: str) -> None:
    st.caption(t("stocktake.checklist"))
    if view.status == "open" and user.has("supervisor"):
        with st.form("stocktake_submit"):
            comment = st.text_input(t("stocktake.comment"), key="submit_comment")
            if st.form_submit_button(t("stocktake.submit_button"), type="primary",
                                     width="stretch"):
                if run_action(lambda: stk.submit(db, actor=actor(), stocktake=number,
                                                 comment=comment), "stocktake.submitted"):
                    st.rerun()      # the status and the tabs change with it
    if view.status in stk.LIVE and user.has(*stk.CANCEL_ROLES):
        with st.form("stocktake_cancel"):
            comment = st.text_input(t("stocktake.comment"), key="cancel_comment")
            if st.form_submit_button(t("stocktake.cancel_button"), width="stretch"):
                if run_action(lambda: stk.cancel(db, actor=actor(), stocktake=number,
                                                 comment=comment), "stocktake.cancelled"):
                    st.rerun()      # a cancelled stocktake leaves the picker


show_flash()
if user.has("supervisor"):
    open_form()
number = pick_stocktake()
if number:
    try:
        view = stk.get_stocktake(db, number)
    except ServiceError as exc:
        show_service_error(exc)
        st.stop()
    st.caption(t("stocktake.status_line", status=t("ststatus." + view.status),
                 user=people(db, [view.opened_by])[0], at=local_time(view.opened_at)))
    if user.has("supervisor", "finance"):
        progress_table(view)
    tabs = []
    if user.has("keeper", "supervisor"):
        tabs += [("stocktake.tab_count", count_entry_tab), ("stocktake.tab_sheets", sheets_tab)]
    if user.has("supervisor"):
        tabs.append(("stocktake.tab_recount", recount_tab))
    if user.has("finance"):
        tabs.append(("stocktake.tab_spot", spot_tab))
    if user.has("supervisor"):
        tabs.append(("stocktake.tab_submit", submit_tab))
    for container, (_key, render) in zip(st.tabs([t(k) for k, _r in tabs]), tabs):
        with container:
            render(view, number)
