"""Words of the tablet screens: cut lists, waiting for approvals, flow hints."""
MESSAGES = {
    "common.showing_of": ("Showing {shown} of {total}: type more to narrow the list.",
                          "显示 {total} 条中的 {shown} 条：请输入更多字词缩小范围。"),
    "common.tap_for_details": ("tap a row for all its details", "点一行查看全部明细"),
    "rcv.fact_price": ("Delivery note price {note} · PO price {po}",
                       "送货单单价 {note} · 采购订单单价 {po}"),
    "rcv.fact_over": ("Delivered {delivered} · still outstanding on the PO {outstanding}",
                      "实到 {delivered} · 采购订单未到数量 {outstanding}"),
    "rcv.fact_expiry": ("Expires {expiry}: {days} days of shelf life left",
                        "有效期至 {expiry}：剩余 {days} 天"),
    "rcv.back_to_list": ("Open receipts", "进行中的验收"),
    "rcv.watching": ("This screen updates by itself every {seconds} s while approvals are pending.",
                     "等待审批期间，本页每 {seconds} 秒自动刷新。"),
}
