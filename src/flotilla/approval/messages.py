"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # The gate (guarded actions)
    "approval_pending": (
        "该操作需要审批：审批单已提交，审批通过后才能执行",
        "This action needs approval: a request was raised, and the action can run once it "
        "is approved",
    ),
    "no_approver": (
        "审批步骤「{step}」找不到可用的审批人（申请人和记录负责人不能审批自己的申请），"
        "请联系管理员检查组织负责人或角色授权",
        'No one can approve the step "{step}" (the requester and the record\'s owner '
        "cannot approve it); ask an administrator to check unit heads and role grants",
    ),
    "approval_consumed": (
        "该审批已被使用过一次，请重新发起审批",
        "This approval has already been used once; request a new approval",
    ),
    # Decisions
    "self_approval": (
        "不能审批自己发起的申请或自己负责的记录（代理审批也不可以）",
        "You cannot decide a request you raised or one about a record you own, "
        "not even as a delegate",
    ),
    "approval_not_pending": (
        "该审批单已结束（已通过、已驳回、已撤回或已作废），不能再处理",
        "This request is no longer pending (it was approved, rejected, withdrawn or voided)",
    ),
    "approval_not_assigned": (
        "您不是该审批单当前步骤的审批人，也不是其代理人",
        "You are neither an approver of this request's current step nor their delegate",
    ),
    "approval_comment_required": ("驳回时必须填写审批意见", "A comment is required to reject"),
    "approval_not_requester": (
        "只有申请人可以撤回审批单",
        "Only the requester can withdraw a request",
    ),
    # Why a request was voided (shown on the request page)
    "approval_void_facts_changed": (
        "审批依据的内容已变更（{fields}），原审批单作废",
        "The facts the approval was based on changed ({fields}); the request was voided",
    ),
    "approval_void_not_required": (
        "按当前审批策略已无需审批，原审批单作废",
        "Under the current policies no approval is needed any more; the request was voided",
    ),
    # Delegation (审批代理)
    "delegation_to_self": ("不能委托给自己", "You cannot delegate to yourself"),
    "delegation_ends_before_start": (
        "结束时间必须晚于开始时间",
        "The end must be after the start",
    ),
    "delegation_ended": ("结束时间不能早于当前时间", "The end cannot lie in the past"),
    "delegation_overlap": (
        "与您已有的有效委托时间重叠，请先撤销原委托",
        "This overlaps an active delegation of yours; revoke that one first",
    ),
    "delegation_revoked": ("该委托已撤销", "This delegation has already been revoked"),
}
