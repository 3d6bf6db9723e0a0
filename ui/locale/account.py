MESSAGES = {
    "account.signed_in_as": ("Signed in as {name} ({username}).", "当前用户：{name}（{username}）。"),
    "account.roles": ("Roles: {roles}", "角色：{roles}"),
    "account.home_warehouse": ("Home warehouse", "所属仓库"),
    "account.home_warehouse_hint": (
        "Issues, returns and stocktakes start in this warehouse; you can pick another on each screen.",
        "出库、退库和盘点默认在此仓库进行；各页面可另选仓库。"),
    "account.home_warehouse_saved": ("Home warehouse saved.", "所属仓库已保存。"),
    "account.change_password": ("Change password", "修改密码"),
    "account.new_password": ("New password", "新密码"),
    "account.repeat_password": ("Repeat new password", "再次输入新密码"),
    "account.passwords_differ": ("The new passwords do not match.", "两次输入的新密码不一致。"),
    "account.password_changed": ("Password changed.", "密码已修改。"),
    "account.language_hint": ("Switch the language ({languages}) in the sidebar; it is remembered for your account.",
                              "在侧边栏切换语言（{languages}），系统会为您的账户记住该设置。"),
}
