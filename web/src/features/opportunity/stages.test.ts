import { describe, expect, it } from 'vitest';
import {
  classifyMove,
  fixSection,
  formatMoney,
  nextStage,
  onlyReasonsMissing,
  parseRefusal,
  playbookFor,
  requiredFieldMet,
  sortStages,
  type StageLike,
} from './stages';

// The demo's standard process, deliberately out of order.
const stages: StageLike[] = [
  { code: 'won', position: 5, kind: 'won' },
  { code: 'qualify', position: 1, kind: 'open' },
  { code: 'needs', position: 2, kind: 'open' },
  { code: 'lost', position: 6, kind: 'lost' },
  { code: 'quote', position: 3, kind: 'open' },
  { code: 'nego', position: 4, kind: 'open' },
];

describe('stage order', () => {
  it('sorts by position then code', () => {
    expect(sortStages(stages).map((s) => s.code)).toEqual(['qualify', 'needs', 'quote', 'nego', 'won', 'lost']);
  });

  it('finds the next stage, and won after the last open stage', () => {
    expect(nextStage(stages, 'qualify')?.code).toBe('needs');
    expect(nextStage(stages, 'nego')?.code).toBe('won');
    expect(nextStage(stages, 'won')).toBeNull();
    expect(nextStage(stages, 'nope')).toBeNull();
  });
});

describe('classifyMove mirrors the server', () => {
  it('one step forward checks gates and needs no reason', () => {
    expect(classifyMove(stages, 'qualify', 'needs')).toMatchObject({ isSkip: false, isBackward: false, checksGates: true, needsReason: false });
  });

  it('jumping over a stage is a skip that needs a reason', () => {
    expect(classifyMove(stages, 'qualify', 'quote')).toMatchObject({ isSkip: true, needsReason: true, checksGates: true });
  });

  it('moving back needs a reason and checks no gates', () => {
    expect(classifyMove(stages, 'quote', 'needs')).toMatchObject({ isBackward: true, needsReason: true, checksGates: false });
  });

  it('winning from the last open stage is a plain step; from earlier, a skip', () => {
    expect(classifyMove(stages, 'nego', 'won')).toMatchObject({ isSkip: false, needsReason: false, checksGates: true });
    expect(classifyMove(stages, 'needs', 'won')).toMatchObject({ isSkip: true, needsReason: true });
  });

  it('losing needs a loss reason from any open stage, never a skip reason', () => {
    expect(classifyMove(stages, 'qualify', 'lost')).toMatchObject({ isSkip: false, isBackward: false, needsReason: false, needsLossReason: true });
  });

  it('reopening a closed deal is a move back; reopening into won checks gates', () => {
    expect(classifyMove(stages, 'lost', 'nego')).toMatchObject({ isBackward: true, needsReason: true, checksGates: false });
    expect(classifyMove(stages, 'lost', 'won')).toMatchObject({ isBackward: true, checksGates: true });
  });

  it('same or unknown stages are no move', () => {
    expect(classifyMove(stages, 'needs', 'needs')).toBeNull();
    expect(classifyMove(stages, 'needs', 'ghost')).toBeNull();
  });
});

describe('refusals', () => {
  const fields = [
    { field: 'to_stage', code: 'skip_not_allowed', message: '跳过或回退阶段需要相应权限' },
    { field: 'reason', code: 'reason_required', message: '请填写原因' },
    { field: 'amount', code: 'gate_required_field', message: '进入该阶段前必须填写此项' },
    { field: 'members.SR', code: 'gate_required_field', message: '进入该阶段前必须填写此项' },
    { field: 'checklist.budget_confirmed', code: 'gate_checklist', message: '进入该阶段前必须完成此检查项' },
    { field: 'approval', code: 'gate_approval', message: '进入该阶段需要审批通过' },
    { field: 'to_stage', code: 'same_stage', message: '商机已处于该阶段' },
  ];

  it('lists every unmet gate with its kind and subject', () => {
    expect(parseRefusal(fields).map((g) => [g.kind, g.subject])).toEqual([
      ['skip_not_allowed', 'to_stage'],
      ['reason_required', 'reason'],
      ['required_field', 'amount'],
      ['required_field', 'members.SR'],
      ['checklist', 'budget_confirmed'],
      ['approval', 'approval'],
      ['other', 'to_stage'],
    ]);
  });

  it('points each gate at the section of the detail page that fixes it', () => {
    const sections = parseRefusal(fields).map(fixSection);
    expect(sections).toEqual([null, null, 'fields', 'team', 'checklist', null, null]);
    expect(fixSection({ kind: 'required_field', subject: 'contact' })).toBe('contacts');
  });

  it('knows when only a reason is missing', () => {
    expect(onlyReasonsMissing(parseRefusal([fields[1]!]))).toBe(true);
    expect(onlyReasonsMissing(parseRefusal(fields.slice(0, 2)))).toBe(false);
    expect(onlyReasonsMissing([])).toBe(false);
  });
});

describe('required fields', () => {
  const deal = { amount: '0.00', expected_close_date: '2027-01-01', source: '  ', competitors: [], members: [{ role: 'SR' }], hasContact: null };
  it('checks facts the way the server does', () => {
    expect(requiredFieldMet('amount', deal)).toBe(false);
    expect(requiredFieldMet('amount', { ...deal, amount: '12.50' })).toBe(true);
    expect(requiredFieldMet('expected_close_date', deal)).toBe(true);
    expect(requiredFieldMet('source', deal)).toBe(false);
    expect(requiredFieldMet('competitors', deal)).toBe(false);
    expect(requiredFieldMet('members', deal)).toBe(true);
    expect(requiredFieldMet('members.SR', deal)).toBe(true);
    expect(requiredFieldMet('members.AR', deal)).toBe(false);
    expect(requiredFieldMet('contact', deal)).toBeNull();
    expect(requiredFieldMet('contact', { ...deal, hasContact: true })).toBe(true);
  });
});

describe('text', () => {
  it('picks the playbook part of the UI language', () => {
    const text = '目标：确认机会。\n1. 联系客户\n---\nGoal: confirm.\n1. Call';
    expect(playbookFor(text, 'zh-CN')).toBe('目标：确认机会。\n1. 联系客户');
    expect(playbookFor(text, 'en-US')).toBe('Goal: confirm.\n1. Call');
    expect(playbookFor('只有中文', 'en-US')).toBe('只有中文');
    expect(playbookFor(null, 'zh-CN')).toBe('');
  });

  it('formats money with its currency', () => {
    expect(formatMoney('97000.00', 'CNY', 'zh-CN')).toBe('¥97,000');
    expect(formatMoney('1234.5', 'USD', 'en-US')).toBe('$1,234.50');
    expect(formatMoney('1500000', 'CNY', 'zh-CN', true)).toMatch(/150万/);
    expect(formatMoney('10', 'XX1', 'zh-CN')).toMatch(/XX1/);
  });
});
