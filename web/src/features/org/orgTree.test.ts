import { describe, expect, it } from 'vitest';
import { ancestorIds, buildOrgTree, searchTree, subtreeIds, type UnitLike } from './orgTree';

const units: UnitLike[] = [
  { id: 'sh-ka', parent_id: 'sh', kind: 'department', code: 'SH-KA', name: '大客户部' },
  { id: 'g', parent_id: null, kind: 'group', code: 'XH', name: '星海控股集团' },
  { id: 'sh', parent_id: 'g', kind: 'subsidiary', code: 'SH', name: '星海智造(上海)有限公司', name_en: 'Xinghai Shanghai' },
  { id: 'bj', parent_id: 'g', kind: 'subsidiary', code: 'BJ', name: '星海科技(北京)有限公司' },
  { id: 'hq', parent_id: 'g', kind: 'department', code: 'XH-HQ', name: '集团销售管理部' },
  { id: 'sh-ka-1', parent_id: 'sh-ka', kind: 'team', code: 'SH-KA-1', name: '大客户一组' },
];

describe('org tree helpers', () => {
  it('builds one rooted tree, subsidiaries before departments, then by code', () => {
    const [root, ...others] = buildOrgTree(units);
    expect(others).toHaveLength(0);
    expect(root?.unit.id).toBe('g');
    expect(root?.children.map((c) => c.unit.code)).toEqual(['BJ', 'SH', 'XH-HQ']);
    expect(root?.children[1]?.children[0]?.children[0]?.unit.id).toBe('sh-ka-1');
  });

  it('treats units whose parent is out of sight as roots', () => {
    const roots = buildOrgTree(units.filter((u) => u.id !== 'g'));
    expect(roots.map((r) => r.unit.id)).toEqual(['bj', 'sh', 'hq']);
  });

  it('finds a subtree (for refusing moves into it) and the path to the root', () => {
    expect([...subtreeIds(units, 'sh')].sort()).toEqual(['sh', 'sh-ka', 'sh-ka-1']);
    expect(ancestorIds(new Map(units.map((u) => [u.id, u])), 'sh-ka-1')).toEqual(['g', 'sh', 'sh-ka']);
  });

  it('search keeps matches with their ancestors and opens the path', () => {
    const hit = searchTree(units, '一组');
    expect(hit && [...hit.visible].sort()).toEqual(['g', 'sh', 'sh-ka', 'sh-ka-1']);
    expect(hit && [...hit.expand].sort()).toEqual(['g', 'sh', 'sh-ka']);
    expect(searchTree(units, 'shanghai')?.visible.has('sh')).toBe(true);
    expect(searchTree(units, '  ')).toBeNull();
  });
});
