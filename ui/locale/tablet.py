"""Words of the tablet screens: cut lists, waiting for approvals, flow hints."""
MESSAGES = {
    "common.showing_of": ("Showing {shown} of {total}: type more to narrow the list.",
                          "显示 {total} 条中的 {shown} 条：请输入更多字词缩小范围。"),
}
