import { describe, expect, it } from 'vitest';
import type { ProcessStage } from '@/api/types';
import { isStageInputError, moveItem, newStage, stageIndicesWithErrors, toStageForm, toStageIn } from './designer';

const stage: ProcessStage = {
  id: 's1',
  code: 'needs_analysis',
  name: '需求分析',
  name_en: null,
  position: 2,
  probability: 25,
  kind: 'open',
  max_days: 30,
  playbook: null,
  required_fields: ['amount', 'expected_close_date'],
  checklist: [{ code: 'budget_confirmed', label: '已确认预算', label_en: null }],
  requires_approval: false,
  locked: true,
};

describe('stage form round trip', () => {
  it('keeps every attribute and takes the position from the list order', () => {
    const body = toStageIn(toStageForm(stage), 4);
    expect(body).toEqual({
      code: 'needs_analysis',
      name: '需求分析',
      name_en: null,
      position: 5,
      probability: 25,
      kind: 'open',
      max_days: 30,
      playbook: null,
      required_fields: ['amount', 'expected_close_date'],
      checklist: [{ code: 'budget_confirmed', label: '已确认预算', label_en: null }],
      requires_approval: false,
      locked: true,
    });
  });

  it('trims text, empties to null and drops repeated required fields', () => {
    const body = toStageIn({ code: ' poc ', name: ' 技术验证 ', name_en: '  ', playbook: '\n', required_fields: ['amount', 'amount'], checklist: [{ code: 'a', label: ' A ', label_en: '' }] }, 0);
    expect(body).toMatchObject({ code: 'poc', name: '技术验证', name_en: null, playbook: null, required_fields: ['amount'], probability: 0, kind: 'open', max_days: null });
    expect(body.checklist).toEqual([{ code: 'a', label: 'A', label_en: null }]);
  });
});

describe('designer list helpers', () => {
  it('moves stages up and down', () => {
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b'], 1, 2)).toEqual(['a', 'b']);
  });

  it('gives a new stage an unused code and a probability after the last open stage', () => {
    const fresh = newStage([{ code: 'stage_2', kind: 'open', probability: 40 }, { code: 'won', kind: 'won', probability: 100 }]);
    expect(fresh.code).toBe('stage_3');
    expect(fresh.probability).toBe(50);
  });

  it('finds which stages carry errors and which errors sit under inputs', () => {
    const fields = [
      { field: 'stages', code: 'process_no_lost_stage', message: '' },
      { field: 'stages.3.probability', code: 'x', message: '' },
      { field: 'stages.1.checklist.0.code', code: 'duplicate', message: '' },
      { field: 'stages.3.code', code: 'x', message: '' },
    ];
    expect(stageIndicesWithErrors(fields)).toEqual([1, 3]);
    expect(fields.map((f) => isStageInputError(f.field))).toEqual([false, true, true, true]);
    expect(isStageInputError('stages.2')).toBe(false);
  });
});
