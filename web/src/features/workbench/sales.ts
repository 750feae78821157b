/** Pure helpers behind the workbench's sales cards (tasks due today, pipeline by stage). */

export interface DatedTask {
  due_at: string | null;
  completed_at: string | null;
}

/** Open tasks due from now until the end of the local day of `now`, soonest first. */
export function dueToday<T extends DatedTask>(tasks: readonly T[], now: Date): T[] {
  const endOfDay = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime();
  return tasks
    .filter((task) => !task.completed_at && task.due_at !== null)
    .filter((task) => {
      const due = Date.parse(task.due_at ?? '');
      return !Number.isNaN(due) && due < endOfDay;
    })
    .sort((a, b) => Date.parse(a.due_at ?? '') - Date.parse(b.due_at ?? ''));
}

export interface StagedDeal {
  amount: string;
  currency: string;
  stage: { id: string; code: string; name: string; name_en?: string | null; position: number; probability: number };
}

export interface StageGroup {
  code: string;
  name: string;
  nameEn: string | null;
  position: number;
  probability: number;
  count: number;
  /** Amount per currency (deals of one rep may be in more than one). */
  amounts: Map<string, number>;
}

/**
 * Deals grouped by stage, in process order. Stages of different process versions that share a
 * code (the same step of the standard process) are counted together.
 */
export function groupByStage(deals: readonly StagedDeal[]): StageGroup[] {
  const groups = new Map<string, StageGroup>();
  for (const deal of deals) {
    const s = deal.stage;
    const group = groups.get(s.code) ?? {
      code: s.code,
      name: s.name,
      nameEn: s.name_en ?? null,
      position: s.position,
      probability: s.probability,
      count: 0,
      amounts: new Map<string, number>(),
    };
    group.count += 1;
    const value = Number(deal.amount);
    if (Number.isFinite(value)) group.amounts.set(deal.currency, (group.amounts.get(deal.currency) ?? 0) + value);
    groups.set(s.code, group);
  }
  return [...groups.values()].sort((a, b) => a.position - b.position || a.code.localeCompare(b.code));
}

/** Sums the amounts of several groups per currency. */
export function totalAmounts(groups: readonly StageGroup[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const g of groups) for (const [c, v] of g.amounts) total.set(c, (total.get(c) ?? 0) + v);
  return total;
}
