"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "snapshot_day_passed": (
        "不能为 {day} 生成管道快照：已有 {latest} 的快照（快照只能按日期向后生成）",
        "No pipeline snapshot can be taken for {day}: one for {latest} exists already "
        "(snapshots are written forwards in time)",
    ),
    "pipeline_date_in_future": (
        "日期 {date} 晚于今天（{today}），还没有这一天的管道",
        "{date} is after today ({today}): there is no pipeline for that day yet",
    ),
    "pipeline_range_invalid": (
        "起始日期 {start} 必须早于截止日期 {end}",
        "The start date {start} must be before the end date {end}",
    ),
}
