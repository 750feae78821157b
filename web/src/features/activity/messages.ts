/** UI text of the activities list (zh-CN is the source of keys; en-US must provide every key).
 * Merged into the app dictionaries by src/i18n/zh-CN.ts and en-US.ts. */
export const activityListZh = {
  'activityList.title': '销售活动',
  'activityList.subtitle': '电话、拜访、会议等跟进记录（可按组织、负责人、日期筛选）',
  'activityList.occurredAt': '发生时间',
  'activityList.kind': '类型',
  'activityList.subject': '主题',
  'activityList.related': '关联',
  'activityList.account': '客户',
  'activityList.opportunity': '商机',
  'activityList.owner': '负责人',
  'activityList.unit': '组织',
  'activityList.from': '发生起',
  'activityList.to': '发生止',
  'activityList.empty': '没有销售活动',
} as const;

export const activityListEn: Record<keyof typeof activityListZh, string> = {
  'activityList.title': 'Activities',
  'activityList.subtitle': 'Calls, visits, meetings and other follow-ups (filter by unit, owner and date)',
  'activityList.occurredAt': 'Occurred',
  'activityList.kind': 'Kind',
  'activityList.subject': 'Subject',
  'activityList.related': 'Related to',
  'activityList.account': 'Customer',
  'activityList.opportunity': 'Opportunity',
  'activityList.owner': 'Owner',
  'activityList.unit': 'Unit',
  'activityList.from': 'From',
  'activityList.to': 'To',
  'activityList.empty': 'No activities',
};
