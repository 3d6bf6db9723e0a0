"""Variance review (库存盘点汇总表): book vs counted, variance by zone, category and
reason, reasons per line, the approval steps and posting."""
import altair as alt
import pandas as pd
import streamlit as st

from services import clock
from services import stocktake as stk
from services.errors import ServiceError
from ui.documents import pdf_download
from ui.i18n import t
from ui.stocktakes import option_label
from ui.session import actor, get_db, require_roles
from ui.format import fmt_qty
from ui.widgets import (compact_table, excel_download, labelled, people, refresh_with, run_action,
                        show_flash, show_service_error)

user = require_roles("finance", "manager", "supervisor")
db = get_db()
st.title(t("nav.variance_review"))
NEXT_STEP = {"open": "submit", "submitted": "review", "reviewed": "approve", "approved": "post"}


def local_time(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def money(value) -> str:
    return f"{value:,.2f}"


def chart_numbers(series: pd.Series) -> pd.Series:
    """Charts need plain numbers; the figures themselves stay Decimal."""
    return pd.to_numeric(series.map(str))


def pick_stocktake() -> str | None:
    rows = [r for r in stk.list_stocktakes(db) if r["status"] != "cancelled"]
    if not rows:
        st.info(t("variance.none"))
        return None
    by_number = {r["number"]: r for r in rows}
    return st.selectbox(
        t("variance.choose"), list(by_number), key="variance_pick",
        format_func=lambda n: option_label(by_number[n]))


def trail(view) -> None:
    st.subheader(t("variance.trail"))
    names = people(db, [s.actor for s in view.steps])
    frame = pd.DataFrame([
        {"step": t("ststep." + s.step), "actor": who, "at": local_time(s.at),
         "comment": s.comment} for s, who in zip(view.steps, names)],
        columns=["step", "actor", "at", "comment"])
    st.dataframe(labelled(frame, "stcol"), hide_index=True, width="stretch")
    if view.status in NEXT_STEP:
        st.caption(t("variance.waiting", step=t("ststep." + NEXT_STEP[view.status])))
    if view.status == "posted":
        st.success(t("variance.posted_docs", gain=view.gain_doc_no or "—",
                     loss=view.loss_doc_no or "—"))


def figures_frame(groups: dict) -> pd.DataFrame:
    return pd.DataFrame([
        {"group": key or "—", "lines": f.lines, "gain_value": f.gain_value,
         "loss_value": f.loss_value, "net_value": f.net_value,
         "absolute_value": f.absolute_value, "accuracy": f"{f.accuracy * 100:.1f}"}
        for key, f in groups.items()],
        columns=["group", "lines", "gain_value", "loss_value", "net_value", "absolute_value",
                 "accuracy"])


def bar_chart(frame: pd.DataFrame, title: str) -> None:
    if frame.empty:
        return
    data = pd.DataFrame({
        "group": frame["group"],
        t("variance.gains"): chart_numbers(frame["gain_value"]),
        t("variance.losses"): chart_numbers(frame["loss_value"]),
    }).melt("group", var_name="kind", value_name="value")
    chart = alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X("value:Q", title=t("stcol.variance_value")),
        y=alt.Y("group:N", title=None),
        color=alt.Color("kind:N", title=None),
        tooltip=["group", "kind", "value"],
    )
    st.altair_chart(chart, width="stretch")


def history_chart() -> None:
    past = stk.history(db)
    if past.empty:
        return
    data = pd.DataFrame({"period": past["period"] + " " + past["number"].str[-4:],
                         "accuracy": chart_numbers(past["accuracy"]) * 100})
    chart = alt.Chart(data, title=t("variance.history")).mark_line(point=True).encode(
        x=alt.X("period:N", title=t("stcol.period")),
        y=alt.Y("accuracy:Q", title=t("stcol.accuracy"), scale=alt.Scale(domain=[0, 100])),
        tooltip=["period", "accuracy"],
    )
    st.altair_chart(chart, width="stretch")


def reason_form(report: pd.DataFrame, number: str) -> None:
    lines = report[report["variance_qty"].notna() & (report["variance_qty"] != 0)]
    if lines.empty:
        return
    st.subheader(t("variance.reason_title"))
    options = [f"{sku}\t{loc}" for sku, loc in zip(lines["sku"], lines["location"])]
    variance = dict(zip(options, lines["variance_qty"]))
    current = dict(zip(options, zip(lines["reason"], lines["note"])))
    # The line is picked outside the form: picking another line loads that line's own
    # reason and note, so a note typed for one line never lands on the next one.
    choice = st.selectbox(
        t("variance.line"), options, key="reason_line", on_change=_load_line_reason,
        args=(current,),
        format_func=lambda o: t("variance.line_option", sku=o.split("\t")[0],
                                location=o.split("\t")[1], variance=fmt_qty(variance[o])))
    if st.session_state.get("reason_loaded_for") != choice:
        _load_line_reason(current)
    with st.form("variance_reason"):
        reason = st.selectbox(t("field.variance_reason"), list(stk.VARIANCE_REASONS),
                              key="reason_code", format_func=lambda r: t("reason." + r))
        note = st.text_input(t("field.variance_note"), key="reason_note")
        if st.form_submit_button(t("common.save"), type="primary", width="stretch"):
            sku, location = choice.split("\t")
            if run_action(lambda: stk.set_reason(db, actor=actor(), stocktake=number, sku=sku,
                                                 location=location, reason=reason, note=note)):
                st.session_state.pop("reason_loaded_for", None)
                refresh_with(t("variance.reason_saved"))


def _load_line_reason(current: dict) -> None:
    choice = st.session_state.get("reason_line")
    if choice not in current:
        return
    reason, note = current[choice]
    if reason in stk.VARIANCE_REASONS:
        st.session_state["reason_code"] = reason
    st.session_state["reason_note"] = note or ""
    st.session_state["reason_loaded_for"] = choice


def actions(view, number: str) -> None:
    status = view.status
    buttons = []
    if status == "submitted" and user.has(*stk.REVIEW_ROLES):
        buttons.append(("variance.review_button", stk.review, "variance.reviewed"))
    if status == "reviewed" and user.has(*stk.APPROVE_ROLES):
        buttons.append(("variance.approve_button", stk.approve, "variance.approved"))
    can_send_back = status in stk.SEND_BACK_ROLES and user.has(*stk.SEND_BACK_ROLES[status])
    if not buttons and not can_send_back and not (status == "approved" and user.has(*stk.POST_ROLES)):
        return
    with st.form("variance_actions"):
        comment = st.text_input(t("stocktake.comment"), key="variance_comment")
        for label, action, success in buttons:
            if st.form_submit_button(t(label), type="primary", width="stretch"):
                if run_action(lambda: action(db, actor=actor(), stocktake=number,
                                             comment=comment)):
                    refresh_with(t(success))
        if status == "approved" and user.has(*stk.POST_ROLES):
            if st.form_submit_button(t("variance.post_button"), type="primary", width="stretch"):
                result = run_action(lambda: stk.post(db, actor=actor(), stocktake=number))
                if result:
                    refresh_with(t("variance.posted", gain=result.gain_doc_no,
                                   loss=result.loss_doc_no))
        if can_send_back and st.form_submit_button(t("variance.send_back_button"),
                                                   width="stretch"):
            if run_action(lambda: stk.send_back(db, actor=actor(), stocktake=number,
                                                comment=comment)):
                refresh_with(t("variance.sent_back"))


show_flash()
number = pick_stocktake()
if number:
    try:
        view = stk.get_stocktake(db, number)
        report = stk.variance_report(db, number)
    except ServiceError as exc:
        show_service_error(exc)
        st.stop()
    st.caption(t("stocktake.status_line", status=t("ststatus." + view.status),
                 user=people(db, [view.opened_by])[0], at=local_time(view.opened_at)))
    summary = stk.variance_summary(report)
    total = summary["total"]
    cols = st.columns(4)
    cols[0].metric(t("variance.net"), money(total.net_value))
    cols[1].metric(t("variance.absolute"), money(total.absolute_value))
    cols[2].metric(t("variance.accuracy"), f"{total.accuracy * 100:.1f}%")
    cols[3].metric(t("variance.lines_diff"), total.lines - total.accurate_lines)
    uncounted = int(report["counted_qty"].isna().sum())
    if uncounted:
        st.warning(t("variance.not_counted", count=uncounted))
    missing = int(((report["variance_qty"].notna()) & (report["variance_qty"] != 0)
                   & (report["reason"] == "")).sum())
    if missing:
        st.warning(t("variance.missing_reasons", count=missing))
    trail(view)
    actions(view, number)

    by_zone, by_category = figures_frame(summary["zone"]), figures_frame(summary["category"])
    by_reason = figures_frame({t("reason." + k) if k else "—": v
                               for k, v in summary["reason"].items()})
    # One under the other: side by side they would not fit a portrait tablet.
    st.subheader(t("variance.by_zone"))
    st.dataframe(labelled(by_zone, "stcol"), hide_index=True, width="stretch")
    bar_chart(by_zone, t("variance.by_zone"))
    st.subheader(t("variance.by_category"))
    st.dataframe(labelled(by_category, "stcol"), hide_index=True, width="stretch")
    bar_chart(by_category, t("variance.by_category"))
    left, right = st.columns(2)
    with left:
        st.subheader(t("variance.by_reason"))
        bar_chart(by_reason, t("variance.by_reason"))
    with right:
        history_chart()

    st.subheader(t("variance.lines"))
    st.caption(t("variance.blind_note"))
    only = st.toggle(t("variance.only_diffs"), value=True, key="variance_only")
    shown = report[report["variance_qty"].notna() & (report["variance_qty"] != 0)] if only else report
    shown = shown.assign(reason=shown["reason"].map(lambda r: t("reason." + r) if r else ""))
    # What a reviewer decides on; the rest of a line shows when it is tapped.
    compact_table(shown, "variance_lines", ["sku", "location", "book_qty", "counted_qty",
                                            "variance_value", "reason"], prefix="stcol",
                  widths={"sku": "medium", "location": "small", "book_qty": "small",
                          "counted_qty": "small", "variance_value": "small"})
    if view.status in ("open", "submitted") and user.has(*stk.REASON_ROLES):
        reason_form(report, number)
    export = report.assign(reason=report["reason"].map(lambda r: t("reason." + r) if r else ""))
    excel_download(export, f"{number}-variance.xlsx", number, key="variance_download",
                   prefix="stcol", heading=t("variance.heading", number=number,
                                             period=view.period), signoff=True)
    pdf_download("variance", number, key="variance_pdf", label_key="doc.download_variance")
