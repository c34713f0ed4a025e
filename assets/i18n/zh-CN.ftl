# Frontdesk — 简体中文。此处每条消息在 en.ftl 中都有对应（由测试检查）。

app-name = 前台通
lang-switch-label = 语言
lang-switch-to = English

## Frame
clock-label = 现场当前时间
desk-label = 前台：

## Home
home-new-visitor = 访客登记
home-new-visitor-hint = 临时来访或预约访客
onsite-title = 当前在场
onsite-count = { $count ->
    [0] 暂无访客
   *[other] { $count } 位访客
}
onsite-empty = 目前没有访客在场。
onsite-hidden = 前台闲置时隐藏名单。
onsite-show = 显示名单
onsite-host = 受访人：{ $name }
onsite-since = { $time } 到访
onsite-sign-out = 签离
onsite-load-failed = 无法加载在场名单。
retry = 重试

## Sign-out confirmation
sign-out-title = 为 { $name } 办理签离？
sign-out-detail = 拜访 { $host }，{ $time } 到访。
sign-out-confirm = 确认签离
sign-out-cancel = 暂不签离
sign-out-done = { $name } 已签离。

## Sign-in form
sign-in-title = 访客登记
field-name = 姓名
field-name-hint = 与证件一致，中外文均可
field-company = 单位
field-company-hint = 选填
field-host = 受访人
field-host-placeholder = 请选择受访人…
field-purpose = 来访事由
field-purpose-hint = 选填，如会议、送货、面试
sign-in-submit = 登记
sign-in-cancel = 取消
sign-in-saving = 正在登记…
sign-in-done = { $name } 已登记入场。
host-option = { $name } · { $department } · 分机 { $extension }

## PIN 输入（所有 PIN 输入都用它）
pin-title-admin = 管理员 PIN
pin-title-supervisor = 主管 PIN
pin-label = PIN
pin-hint = 6 到 12 位数字
pin-submit = 确定
pin-cancel = 取消
pin-clear = 清空
pin-backspace = 删除最后一位
pin-wrong = PIN 不正确。再错 { $left } 次将被锁定。
pin-locked = PIN 错误次数过多，请在 { $time } 之后再试。

## 管理界面
admin-open = 管理
admin-title = 管理
admin-close = 退出管理
admin-change-pin-title = 设置新的管理员 PIN
admin-change-pin-first = 本机仍在使用初始 PIN，请先设置自己的 PIN。
admin-new-pin = 新 PIN
admin-confirm-pin = 再次输入新 PIN
admin-change-pin-submit = 保存 PIN
admin-pin-changed = 管理员 PIN 已更改。
admin-tab-hosts = 受访人名录
admin-tab-invitations = 预约邀请
admin-tab-watchlist = 关注名单
admin-tab-visits = 访客记录
admin-tab-settings = 设置
admin-tab-audit = 审计日志
admin-tab-pin = 管理员 PIN
audit-verify = 校验日志链
audit-intact = 审计日志完整：已校验 { $count } 条。
audit-broken = 审计日志已被改动：第 { $seq } 条不匹配。
audit-empty = 暂无记录。
audit-col-time = 时间
audit-col-actor = 操作者
audit-col-action = 操作
audit-col-subject = 对象

## 审计操作
audit-action-sign_in = 访客登记
audit-action-sign_out = 访客离开
audit-action-auto_sign_out = 自动签退
audit-action-badge_print = 打印访客证
audit-action-escort_override = 陪同规则被放行
audit-action-watchlist_hit = 关注名单命中
audit-action-watchlist_false_positive = 命中标记为误报
audit-action-watchlist_change = 关注名单变更
audit-action-export = 导出访客记录
audit-action-purge = 清除个人信息
audit-action-settings_change = 设置变更
audit-action-admin_login = 进入管理
audit-action-pin_failed = PIN 错误
audit-action-pin_lockout = PIN 已锁定
audit-action-pin_changed = 管理员 PIN 已更改
audit-action-hosts_import = 导入受访人名录
audit-action-host_change = 受访人信息变更
audit-action-invitation_created = 创建预约邀请
audit-action-invitation_revoked = 撤销预约邀请
audit-action-invitation_refused = 拒绝预约邀请
audit-action-returning_lookup = 查找老访客

## Field errors
field-error-required = 此项必填。
field-error-too_long = 内容过长：最多 { $limit } 个字符。
field-error-control_characters = 含有不可见字符或控制字符，请重新输入。
field-error-unknown_host = 通讯录中没有此受访人。
field-error-host_inactive = 此受访人已停用，请另选。
field-error-pin_format = PIN 须为 6 到 12 位数字。
field-error-pin_too_simple = PIN 太容易被猜到：不能用初始 PIN、同一数字重复或 123456 这类连续数字。
field-error-pin_mismatch = 两次输入的 PIN 不一致。

## Errors (one per code from the core)
error-validation = 部分信息需要修改。
error-visit_not_found = 该来访记录已不存在。
error-already_signed_out = 该访客已签离。
error-keyring_unavailable = 系统密钥环不可用。前台通只在密钥环中保存密钥：请启动或解锁密钥环后重启前台通。
error-keys_missing = 系统密钥环中缺少本终端的密钥。请恢复密钥环或重新注册本终端。
error-schema_too_new = 本终端的数据由更新版本的前台通写入。请安装新版本或恢复备份。
error-site_config = 站点配置文件无效。
error-storage = 终端无法读写数据。
error-startup_failed = 前台通无法启动。
error-no_printer = 尚未选择胸卡打印机，请在“设置”中选择。
error-print_system_unavailable = 本机的打印服务没有响应。请确认打印服务正在运行后重试。
error-printer_not_found = 系统中已找不到这台打印机，请在“设置”中另选一台。
error-print_failed = 打印机拒绝了此任务。请查看详细信息，处理好打印机后重试。
error-print_job_not_found = 该打印任务已不存在。
error-print_job_open = 这份文件仍在打印队列中等待。请先取消该任务或等它打印完成。
error-print_job_state = 该打印任务当前的状态不允许这样操作。
error-render_failed = 无法生成该文件，模板可能已损坏。
error-badge_key_unavailable = 本机无法签发胸卡：没有本场所的签名密钥。请联系管理员为本机登记。
error-admin_required = 管理会话已结束，请重新输入管理员 PIN。
error-pin_change_required = 请先设置新的管理员 PIN。
error-badge_refused = 胸卡未通过核验。
error-unexpected = 发生意外错误。

## Start-up failure screen
fatal-title = 前台通无法启动
fatal-detail = 供管理员参考的技术信息
fatal-retry = 重试

## Emergency cards
cards-open = 应急卡
cards-title = 应急处置卡
cards-choose-role = 请选择您的岗位。
cards-role-hint = 本终端会记住您的选择。
cards-role = 岗位
cards-role-current = 岗位：{ $role }
cards-change-role = 更换岗位
cards-close = 关闭
cards-back = 全部场景
role-receptionist = 前台接待
role-security_guard = 保安
role-fire_warden = 疏散引导员
role-first_aider = 急救员
role-duty_manager = 值班经理
role-all_staff = 全体员工
card-when = 适用情形：
card-first = 立即行动
card-then = 接着
card-call = 拨打
card-say = 通报内容：
card-donts = 切勿
card-switch = 如{ $condition }，请转到“{ $title }”。
card-after = 事后
card-version = 版本 { $version } · 审核于 { $reviewed } · 下次审核 { $due }
card-review-overdue = 已超过审核期限（{ $due }）：请与安全负责人核对本卡。
card-print = 打印此卡
cards-print-deck = 打印“{ $role }”全部应急卡
call-police = 报警
call-fire = 火警
call-ambulance = 急救
call-traffic = 交通事故报警
call-security_control = 安防控制室
call-duty_manager = 值班经理
call-it_helpdesk = IT 服务台
## Site hub: errors
error-hub_address = 这不是有效的中心地址。请按中心显示的格式输入，例如 hub.example.org:8443。
error-hub_unreachable = 无法连接站点中心。请检查地址和网络；本终端照常工作，并会自动重试。
error-hub_refused = 站点中心拒绝了此请求。
error-hub_protocol = 对方不是本终端能识别的前台通中心。请检查地址和版本。
error-hub_identity = 中心无法证明此注册码由它签发，连接可能被截取，因此未保存任何内容。请告知管理员。
error-enrolment_code_format = 注册码由 16 位字母和数字组成，例如 K7QM-2XPA-9CWD-4RTB。
error-enrolment_code_invalid = 中心不接受此注册码。请检查是否输错，或索取新码。
error-enrolment_code_expired = 此注册码已过期（有效期 15 分钟），请索取新码。
error-enrolment_code_used = 此注册码已被使用。每个注册码只能用一次，请索取新码。
error-device_revoked = 中心已吊销本终端。本终端仍可单独使用，但不再同步；请用新注册码重新注册。
error-site_mismatch = 本终端所属站点与该注册码的站点不一致。
error-clock_skew = 本终端的时钟比中心快太多，中心拒收其数据。请校准时钟。
error-not_enrolled = 本终端尚未注册到站点中心。
error-hub_managed = 此数据由站点中心管理，请在中心修改。

## Site hub: status and settings
hub-status-label = 与站点中心同步
hub-status-not_enrolled = 单机运行
hub-status-connecting = 正在连接…
hub-status-syncing = 正在同步…
hub-status-waiting = { $count } 条待同步
hub-status-synced = 已同步
hub-status-synced-at = 已同步 { $time }
hub-status-offline = 离线
hub-status-offline-waiting = 离线 · { $count } 条待同步
hub-status-refused = 同步已停止
hub-status-revoked = 已吊销
hub-title = 站点中心
hub-state-not_enrolled = 未注册：本终端单机运行。
hub-state-connecting = 正在连接站点中心…
hub-state-syncing = 正在与站点中心交换数据…
hub-state-synced = 已同步：中心已收到本终端的全部更改，本终端也已收到中心的全部更改。
hub-state-offline = 离线：无法连接站点中心。本终端照常工作，连接恢复后会自动发送更改。
hub-state-refused = 中心拒收本终端的更改，原因见下。
hub-state-revoked = 已吊销：中心不再接受本终端。本终端仍可单独使用；如需恢复，请用新注册码重新注册。
hub-intro = 如需与本站点其他前台共享来访记录，请用管理员提供的一次性注册码，将本终端注册到站点中心。
hub-intro-again = 请输入中心地址和管理员提供的新注册码。
hub-address = 中心地址
hub-address-hint = 按中心显示的格式，例如 hub.example.org:8443
hub-code = 注册码
hub-code-hint = 16 位字母和数字，15 分钟内有效
hub-enrol = 注册
hub-enrolling = 正在注册…
hub-enrol-again = 重新注册
hub-enrol-cancel = 保留当前中心
admin-tab-hub = 站点中心
hub-sync-now = 立即同步
hub-url = 中心
hub-site = 站点
hub-device-name = 本终端名称
hub-last-sync = 上次同步
hub-never = 尚未同步
hub-ops-waiting = 待发送的更改
hub-fingerprint = 中心证书（SHA-256）
audit-action-hub_enrolled = 已注册到站点中心
audit-action-hub_revoked = 站点中心已吊销本终端


## 胸卡（打印内容，尽量简短）
badge-host = 接待人
badge-date = 日期
badge-valid-until = 有效期至
badge-escort-required = 须全程陪同
badge-type-visitor = 访客
badge-type-contractor = 施工人员
badge-type-delivery = 送货
badge-type-interview = 面试

## 胸卡页面
badge-title = { $name }的胸卡
badge-preview-alt = 胸卡预览
badge-loading = 正在生成胸卡…
badge-print = 打印胸卡
badge-reprint = 重新打印
badge-retry = 重试
badge-cancel-job = 取消打印
badge-done = 完成
badge-open-settings = 打印机设置
badge-printer = 打印机：{ $printer }
badge-no-printer = 尚未选择胸卡打印机。
print-state-recorded = 正在发送到打印机…
print-state-sent = 已发送到打印机
print-state-completed = 已打印
print-state-failed = 未能打印
print-state-cancelled = 已取消
print-state-interrupted = 发送中断：请先检查打印机，再决定是否重新打印
print-waiting = 打印机提示：{ $detail }。胸卡会在队列中等待，打印机恢复后自动打印。
print-failure-system_unavailable = 本机的打印服务没有响应。
print-failure-printer_not_found = 系统中找不到这台打印机。
print-failure-rejected = 打印机当前不接受任务。
print-failure-failed = 打印机拒绝了此任务。
print-failure-interrupted = 发送此任务时程序中断了。
print-detail = 详细信息：{ $detail }

## 设置
settings-open = 设置
settings-title = 设置
settings-back = 返回
settings-printer = 胸卡打印机
settings-printer-none = 不使用打印机
settings-printer-default = { $name }（默认）
settings-printer-stopped = { $name }（已暂停）
settings-printers-failed = 无法获取打印机列表。
settings-label-size = 胸卡尺寸
label-size-62x100 = 62 × 100 毫米标签（Brother QL）
label-size-cr80 = CR80 卡片，54 × 86 毫米
label-size-59x102 = 59 × 102 毫米标签（DYMO 30256）
settings-saved = 设置已保存。
settings-jobs = 最近的打印任务
settings-jobs-empty = 还没有打印任务。
settings-badge-key = 胸卡签名密钥
settings-badge-key-hint = 供其他设备站点文件使用的公钥（[badges] public_key）：
settings-badge-key-cannot-issue = 本机可以核验胸卡，但不能签发胸卡。

## 扫描胸卡
scan-title = 扫描胸卡
scan-hint = 将胸卡上的二维码对准扫描枪，或输入胸卡代码后按回车。
scan-label = 胸卡代码
scan-valid = 胸卡有效
scan-refused = 胸卡无效
scan-refusal-malformed = 这不是本系统的胸卡，或无法识别。
scan-refusal-forged = 签名不符：此胸卡系伪造或已被篡改。
scan-refusal-wrong_site = 此胸卡属于其他场所（{ $site }）。
scan-refusal-expired = 此胸卡已过期。
scan-refusal-not_yet_valid = 此胸卡尚未生效，请检查本机时钟。
scan-refusal-signed_out = 该访客已签离，胸卡已失效。
scan-visit = 拜访 { $host } · { $time } 到访
scan-visit-unknown = 胸卡真实有效；该来访记录尚未同步到本机。
scan-expires = 有效期至 { $time }
scan-sign-out = 为该访客签离
scan-dismiss = 关闭
onsite-badge = 胸卡
## 疏散点名、纸质应急包、事后补录与备份（议题 8）
audit-action-backup_created = 已创建备份
audit-action-backup_restored = 已恢复备份
audit-action-backup_refused = 拒绝恢复备份
audit-action-evacuation_started = 疏散开始
audit-action-rollcall_marked = 点名标记
audit-action-evacuation_ended = 疏散结束
audit-action-rollcall_printed = 已打印点名表
audit-action-fallback_kit_printed = 已打印纸质应急包
audit-action-back_entry = 补录纸质登记
field-error-in_future = 时间不能晚于现在。
field-error-out_before_in = 离开时间必须晚于到达时间。
field-error-bad_time = 请按“2026-05-04 09:30”的格式填写日期和时间。
error-backup_not_a_backup = 该文件不是 Frontdesk 备份。
error-backup_damaged = 该备份已损坏或不完整。未做任何更改，请选择其他备份。
error-backup_foreign = 该备份属于其他场所或其他终端。未做任何更改。
error-backup_wrong_key = 该备份使用了其他密钥。未做任何更改；请在命令行中用恢复密钥恢复。
error-backup_too_new = 该备份由更新版本的 Frontdesk 创建。未做任何更改。
error-backup_in_use = 数据库正被另一个 Frontdesk 程序使用。请先关闭它再试。
error-backup_not_found = 该备份已不存在。
error-backup_failed = 无法创建或恢复备份，详见说明；未做任何更改。
error-no_evacuation = 当前没有进行中的疏散。
error-no_document_printer = 尚未选择文档打印机（A4）。请在“设置”中选择。
visit-back-entered = 纸质补录
rollcall-status-accounted = 已清点
rollcall-status-missing = 失联
rollcall-status-refuge = 在避难区
rollcall-status-unmarked = 尚未核对
rollcall-added-later = 后加入
rollcall-left-at = { $time } 已签离
rollcall-not-synced = （详细信息尚未同步）
rollcall-drill-banner = 演练——非真实疏散
rollcall-print-title = 疏散点名表
rollcall-print-started = 开始时间 { $time }
rollcall-print-printed = 打印时间 { $time }
rollcall-print-counts = 总人数 { $total } · 已清点 { $accounted } · 失联 { $missing } · 在避难区 { $refuge }
rollcall-print-assembly = 集合点：{ $place }
rollcall-print-footer = 在集合点见到一人就勾选一人。如有人员失联，请立即报告消防负责人。
rollcall-col-tick = ✓
rollcall-col-name = 姓名
rollcall-col-company = 单位
rollcall-col-host = 被访人
rollcall-col-status = 状态
rollcall-col-notes = 备注
kit-title = 纸质应急包
kit-printed = 打印时间 { $time }
kit-emergency-title = 紧急电话与重要位置
kit-numbers = 紧急电话
kit-places = 重要位置
kit-place-assembly_point = 集合点
kit-place-refuge_area = 避难区
kit-place-exits = 安全出口
kit-place-security_office = 安防控制室
kit-place-first_aid_kit = 急救箱
kit-place-aed = AED（自动体外除颤器）
kit-place-fire_extinguishers = 灭火器
kit-place-shelter_area = 就地避险室
kit-howto-1 = 终端或网络故障时，请在纸质登记表上为访客登记，并如实填写时间。
kit-howto-2 = 登记表放在前台。疏散时，请将登记表和在场名单一并带到集合点。
kit-howto-3 = 恢复后，请在 Frontdesk 中逐条补录纸质登记（管理 → 补录纸质登记），补录记录会标为“纸质补录”。
kit-sheet-title = 访客登记表（纸质）
kit-sheet-date = 日期：____________________    前台：____________________    第 ____ 页
kit-sheet-hint = 请字迹清楚，时间按“时:分”填写。发放纸质访客证时在“访客证”栏打勾。
kit-sheet-footer = 系统恢复后，请将以上访客补录到 Frontdesk（管理 → 补录纸质登记）。
kit-col-no = 序号
kit-col-name = 姓名
kit-col-company = 单位
kit-col-host = 被访人
kit-col-purpose = 来访事由
kit-col-in = 到达时间
kit-col-out = 离开时间
kit-col-badge = 访客证
kit-col-signature = 签名
kit-onsite-title = 当前在场人员
kit-onsite-count = 共 { $count } 人在场
