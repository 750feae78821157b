import { describe, expect, it } from 'vitest';
import { factsFromForm } from './dryRun';
import { formatMoney, formatPercent, groupDecimal, isDecimalString } from './format';
import { delegationState, recordPath } from './labels';
import { cellProblem, cellsToLimits, isEmptyRow, limitsToCells, sameCells } from './matrix';
import {
  assignConditionErrors,
  type CondNode,
  compatibleTypes,
  describeCondition,
  type FactType,
  newComparison,
  operandForOperator,
  operatorsFor,
  parseCondition,
  pathText,
  type RuleVocabulary,
  splitPath,
  toConditionJson,
} from './rules';
import { cleanResolution, describeResolution, stepErrorTarget, toStepForms, toStepsJson } from './steps';

const TYPES: Record<string, FactType> = {
  discount_pct: 'number',
  amount_base: 'money',
  below_floor: 'bool',
  'account.tier': 'string',
  payment_days: 'integer',
};
const typeOf = (f: string) => TYPES[f];

describe('decimal and money formatting', () => {
  it('groups digits without going through floats', () => {
    expect(groupDecimal('1234567.50')).toBe('1,234,567.5');
    expect(groupDecimal('1234567.50', 2)).toBe('1,234,567.50');
    expect(groupDecimal('10.005')).toBe('10.005');
    expect(groupDecimal('12345678901234567890.01')).toBe('12,345,678,901,234,567,890.01');
    expect(groupDecimal('-0.00')).toBe('0');
    expect(groupDecimal('007')).toBe('7');
    expect(groupDecimal('abc')).toBe('abc');
  });

  it('formats money with the currency symbol and keeps cents exactly', () => {
    expect(formatMoney('500000.00', 'CNY', 'zh-CN')).toBe('¥500,000');
    expect(formatMoney('1234.5', 'CNY', 'zh-CN')).toBe('¥1,234.50');
    expect(formatMoney('9007199254740993.01', 'CNY', 'en-US')).toBe('CN¥9,007,199,254,740,993.01');
    expect(formatMoney('-20', 'HKD', 'en-US')).toBe('-HK$20');
    expect(formatMoney('100', null, 'zh-CN')).toBe('100');
    expect(formatMoney(null, 'CNY', 'zh-CN')).toBe('');
  });

  it('formats percentages and recognises decimals', () => {
    expect(formatPercent('10.00')).toBe('10%');
    expect(formatPercent('12.5')).toBe('12.5%');
    expect(isDecimalString(' 3.25 ')).toBe(true);
    expect(isDecimalString('1e5')).toBe(false);
    expect(isDecimalString('NaN')).toBe(false);
  });
});

describe('rule model', () => {
  const stored = {
    any: [
      { field: 'discount_pct', op: 'gt', value: { authority: { role: 'sales_rep', limit: 'discount_pct' } } },
      { field: 'below_floor', op: 'eq', value: true },
      { not: { field: 'account.tier', op: 'in', value: ['strategic', 'smb'] } },
      { field: 'amount_base', op: 'gte', value: 10.005 },
      { field: 'payment_days', op: 'gt', value: { field: 'discount_pct' } },
    ],
  };

  it('parses every node and operand kind and writes it back (numbers as decimal strings)', () => {
    const model = parseCondition(stored);
    expect(model).not.toBeNull();
    expect(toConditionJson(model as CondNode, typeOf)).toEqual({
      any: [
        stored.any[0],
        stored.any[1],
        stored.any[2],
        { field: 'amount_base', op: 'gte', value: '10.005' },
        stored.any[4],
      ],
    });
    expect(parseCondition({ always: true })).toEqual({ type: 'always' });
  });

  it('refuses shapes the builder cannot show', () => {
    expect(parseCondition({ always: false })).toBeNull();
    expect(parseCondition({ all: [{ field: 'x' }] })).toBeNull();
    expect(parseCondition({ field: 'x', op: 'eq', value: { weird: 1 } })).toBeNull();
    expect(parseCondition({ all: [], any: [] })).toBeNull();
    expect(parseCondition([1, 2])).toBeNull();
    expect(parseCondition('x')).toBeNull();
  });

  it('leaves an empty value out so the server reports it on that node', () => {
    const node = newComparison('discount_pct', 'number');
    expect(toConditionJson(node, typeOf)).toEqual({ field: 'discount_pct', op: 'gt' });
    expect(toConditionJson(newComparison('below_floor', 'bool'), typeOf)).toEqual({ field: 'below_floor', op: 'eq', value: true });
  });

  it('offers the operators a type allows and checks type compatibility', () => {
    expect(operatorsFor('bool')).toEqual(['eq', 'ne']);
    expect(operatorsFor('string')).toEqual(['eq', 'ne', 'in', 'not_in']);
    expect(operatorsFor('money')).toContain('lte');
    expect(compatibleTypes('number', 'integer')).toBe(true);
    expect(compatibleTypes('money', 'number')).toBe(false);
    expect(compatibleTypes('money', 'money')).toBe(true);
  });

  it('switches operands between single values and lists with the operator', () => {
    expect(operandForOperator({ kind: 'literal', value: 'smb' }, 'in')).toEqual({ kind: 'list', values: ['smb'] });
    expect(operandForOperator({ kind: 'list', values: ['a', 'b'] }, 'eq')).toEqual({ kind: 'literal', value: 'a' });
    const authority = { kind: 'authority', role: 'r', limit: 'l' } as const;
    expect(operandForOperator(authority, 'gte')).toBe(authority);
  });

  it('puts server errors on the node they name', () => {
    const model = parseCondition(stored);
    const { byNode, unmatched } = assignConditionErrors(model, [
      { field: 'condition.any[1].value', message: 'bad value' },
      { field: 'condition.any[2].not.value[1]', message: 'bad choice' },
      { field: 'condition.any[0].value.authority.limit', message: 'unknown limit' },
      { field: 'condition', message: 'too large' },
      { field: 'condition.all[3].field', message: 'nowhere' },
      { field: 'action', message: 'not a condition error' },
    ]);
    expect(byNode.get('condition.any[1]')).toEqual([{ part: 'value', message: 'bad value' }]);
    expect(byNode.get('condition.any[2].not')).toEqual([{ part: 'value', message: 'bad choice' }]);
    expect(byNode.get('condition.any[0]')).toEqual([{ part: 'value', message: 'unknown limit' }]);
    expect(byNode.get('condition')).toEqual([{ part: null, message: 'too large' }]);
    // condition.all[3] is no node of this tree: shown apart.
    expect(unmatched.map((e) => e.field)).toEqual(['condition.all[3].field', 'action']);
  });

  it('splits bracketed paths', () => {
    expect(splitPath('steps[0].approvers[12].ladder[2]')).toEqual(['steps', 0, 'approvers', 12, 'ladder', 2]);
    expect(splitPath('condition.any[1].field')).toEqual(['condition', 'any', 1, 'field']);
    expect(splitPath('limits.discount_pct')).toEqual(['limits', 'discount_pct']);
  });

  it('describes a rule in words', () => {
    const vocab: RuleVocabulary = {
      words: {
        always: '所有情况',
        and: '且',
        or: '或',
        not: '非',
        authority: (r, l) => `${r} 授权上限 ${l}`,
        op: (op) => ({ gt: '>', eq: '=', in: '属于', gte: '≥' })[op] ?? op,
        yes: '是',
        no: '否',
        empty: '（空）',
      },
      fieldLabel: (f) => ({ discount_pct: '整单折扣(%)', below_floor: '低于底价', 'account.tier': '客户分级', amount_base: '金额(本位币)', payment_days: '账期(天)' })[f] ?? f,
      fieldType: typeOf,
      limitLabel: (l) => ({ discount_pct: '折扣上限(%)' })[l] ?? l,
      roleLabel: (r) => ({ sales_rep: '销售代表' })[r] ?? r,
      choiceLabel: (_f, v) => ({ strategic: '战略客户', smb: '中小客户' })[v] ?? v,
    };
    expect(describeCondition(stored.any[0], vocab)).toBe('整单折扣(%) > 销售代表 授权上限 折扣上限(%)');
    expect(describeCondition(stored, vocab)).toBe(
      '整单折扣(%) > 销售代表 授权上限 折扣上限(%) 或 低于底价 = 是 或 非 客户分级 属于 {战略客户, 中小客户} 或 金额(本位币) ≥ 10.005 或 账期(天) > 整单折扣(%)',
    );
    expect(describeCondition({ all: [{ always: true }, { any: [stored.any[1], stored.any[1]] }] }, vocab)).toBe('所有情况 且 (低于底价 = 是 或 低于底价 = 是)');
    expect(describeCondition({ always: true }, vocab)).toBe('所有情况');
  });
});

describe('steps', () => {
  const stored = [
    { name: '财务', mode: 'any', approvers: [{ type: 'role', role: 'finance', at: 'subsidiary' }] },
    {
      name: '授权审批',
      name_en: 'Authority',
      mode: 'all',
      approvers: [
        { type: 'authority', ladder: ['sales_manager', 'sales_director'], limits: ['discount_pct', 'amount_base'] },
        { type: 'line_manager', levels: 2 },
        { type: 'user', user_id: 'u-1' },
      ],
    },
  ];

  it('round-trips stored steps through the form and sends only what each type uses', () => {
    expect(toStepsJson(toStepForms(stored))).toEqual(stored);
    expect(cleanResolution({ type: 'role', role: 'finance', at: 'group', levels: 3, user_id: 'x', ladder: ['a'] })).toEqual({
      type: 'role',
      role: 'finance',
      at: 'group',
    });
    expect(cleanResolution({ type: 'user', user_id: null })).toEqual({ type: 'user' });
    expect(toStepsJson([{ name: ' 审批 ', name_en: ' ', mode: 'any', approvers: [] }])).toEqual([{ name: '审批', mode: 'any', approvers: [] }]);
  });

  it('describes approver rules', () => {
    const words = {
      user: (n: string) => `用户 ${n}`,
      lineManager: (n: number) => `上${n}级主管`,
      role: (r: string, at: string) => `${at}的${r}`,
      authority: (ladder: string, limits: string) => `授权阶梯 ${ladder}（按 ${limits}）`,
      atLabel: (at: string) => ({ subsidiary: '子公司', group: '集团' })[at] ?? at,
      listSeparator: '、',
    };
    const labels = { user: (id: string) => (id === 'u-1' ? '张三' : id), role: (c: string) => ({ sales_manager: '销售经理', sales_director: '销售总监', finance: '财务' })[c] ?? c, limit: (l: string) => l };
    expect(describeResolution(stored[1]?.approvers[0], words, labels)).toBe('授权阶梯 销售经理 → 销售总监（按 discount_pct、amount_base）');
    expect(describeResolution(stored[0]?.approvers[0], words, labels)).toBe('子公司的财务');
    expect(describeResolution({ type: 'line_manager', levels: 2 }, words, labels)).toBe('上2级主管');
    expect(describeResolution({ type: 'user', user_id: 'u-1' }, words, labels)).toBe('用户 张三');
  });

  it('finds the input for a step error', () => {
    const forms = toStepForms(stored);
    expect(stepErrorTarget('steps', forms)).toEqual(['steps']);
    expect(stepErrorTarget('steps[1].name', forms)).toEqual(['steps', 1, 'name']);
    expect(stepErrorTarget('steps[1].approvers', forms)).toEqual(['steps', 1, 'approvers']);
    expect(stepErrorTarget('steps[1].approvers[0].ladder[1]', forms)).toEqual(['steps', 1, 'approvers', 0, 'ladder']);
    expect(stepErrorTarget('steps[1].approvers[2]', forms)).toEqual(['steps', 1, 'approvers', 2, 'type']);
    expect(stepErrorTarget('steps[1].approvers[5].levels', forms)).toBeNull();
    expect(stepErrorTarget('steps[0].extra', forms)).toBeNull();
    expect(stepErrorTarget('steps[7].name', forms)).toBeNull();
    expect(stepErrorTarget('condition', forms)).toBeNull();
  });
});

describe('authority matrix rows', () => {
  const names = ['discount_pct', 'amount_base', 'payment_days', 'credit_override_base'];
  const types = { discount_pct: 'number', amount_base: 'money', payment_days: 'integer', credit_override_base: 'money' };

  it('tells “no authority” (absent) from “unlimited” (null)', () => {
    const cells = limitsToCells({ discount_pct: '10.00', amount_base: null, payment_days: 60 }, names);
    expect(cells).toEqual({
      discount_pct: { text: '10.00', unlimited: false },
      amount_base: { text: '', unlimited: true },
      payment_days: { text: '60', unlimited: false },
      credit_override_base: { text: '', unlimited: false },
    });
    expect(cellsToLimits(cells, types)).toEqual({ discount_pct: '10.00', amount_base: null, payment_days: 60 });
    expect(isEmptyRow(limitsToCells({}, names))).toBe(true);
    expect(isEmptyRow(cells)).toBe(false);
  });

  it('compares rows by value', () => {
    const a = limitsToCells({ discount_pct: '10.00' }, names);
    const b = limitsToCells({ discount_pct: '10' }, names);
    expect(sameCells(a, b)).toBe(true);
    expect(sameCells(a, limitsToCells({ discount_pct: null }, names))).toBe(false);
  });

  it('checks a cell before saving', () => {
    expect(cellProblem({ text: '10.5', unlimited: false }, 'number')).toBeNull();
    expect(cellProblem({ text: '10.555', unlimited: false }, 'number')).toBe('too_precise');
    expect(cellProblem({ text: '-1', unlimited: false }, 'money')).toBe('negative');
    expect(cellProblem({ text: 'abc', unlimited: false }, 'money')).toBe('not_a_number');
    expect(cellProblem({ text: '30.5', unlimited: false }, 'integer')).toBe('not_integer');
    expect(cellProblem({ text: '', unlimited: true }, 'integer')).toBeNull();
  });
});

describe('labels', () => {
  it('links records to their pages', () => {
    expect(recordPath('quote', 'q1')).toBe('/quotes/q1');
    expect(recordPath('opportunity', 'o1')).toBe('/opportunities/o1');
    expect(recordPath('unknown', 'x')).toBeNull();
  });

  it('tells where a delegation stands', () => {
    const d = { is_active: true, starts_at: '2025-01-01T00:00:00Z', ends_at: '2025-01-10T00:00:00Z' };
    expect(delegationState(d, new Date('2024-12-31T23:59:59Z'))).toBe('upcoming');
    expect(delegationState(d, new Date('2025-01-01T00:00:00Z'))).toBe('active');
    expect(delegationState(d, new Date('2025-01-10T00:00:00Z'))).toBe('ended');
    expect(delegationState({ ...d, is_active: false }, new Date('2025-01-05T00:00:00Z'))).toBe('revoked');
  });
});

describe('error paths in words', () => {
  it('spells out a path', () => {
    const words = {
      segment: (s: string) => ({ condition: '条件', any: '任一满足', value: '值', steps: '审批步骤', approvers: '审批人', levels: '向上层数' })[s] ?? null,
      item: (n: number) => `第 ${n} 项`,
      step: (n: number) => `第 ${n} 步`,
    };
    expect(pathText('condition.any[1].value', words)).toBe('条件 › 任一满足 › 第 2 项 › 值');
    expect(pathText('steps[1].approvers[0].levels', words)).toBe('审批步骤 › 第 2 步 › 审批人 › 第 1 项 › 向上层数');
    expect(pathText('code', words)).toBe('code');
  });
});

describe('dry-run facts', () => {
  it('types the entered facts and leaves blanks out', () => {
    const fields = [
      { name: 'discount_pct', type: 'number' },
      { name: 'below_floor', type: 'bool' },
      { name: 'account.tier', type: 'string' },
      { name: 'payment_days', type: 'integer' },
    ];
    expect(factsFromForm({ discount_pct: ' 15.5 ', below_floor: 'false', 'account.tier': 'smb', payment_days: '' }, fields)).toEqual({
      discount_pct: '15.5',
      below_floor: false,
      'account.tier': 'smb',
    });
    expect(factsFromForm(undefined, fields)).toEqual({});
  });
});
