import { ClearOutlined, SaveOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Empty, Flex, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { useAccess, useMe } from '@/features/auth/hooks';
import { useOrgUnits } from '@/features/org/hooks';
import { useRoles } from '@/features/user/hooks';
import { useI18n } from '@/i18n';
import { formatMoney, formatPercent, groupDecimal } from './format';
import { useActionCatalog, useAuthorityMatrix, useDeleteMatrixRow, useSaveMatrixRow } from './hooks';
import { type CellProblem, cellProblem, cellsToLimits, isEmptyRow, type LimitCell, type LimitCells, limitsToCells, sameCells } from './matrix';
import type { MatrixRow } from './types';
import './approval.css';

/** Approval roles first, lowest authority first; other roles after them by name. */
const ROLE_ORDER = ['sales_rep', 'sales_manager', 'sales_director', 'subsidiary_gm', 'group_sales_vp', 'finance'];

interface Line {
  code: string;
  name: string;
  row: MatrixRow | null;
}

function CellEditor({
  cell,
  onChange,
  suffix,
  problem,
  serverError,
  hint,
  testId,
}: {
  cell: LimitCell;
  onChange: (c: LimitCell) => void;
  suffix?: string;
  problem: CellProblem;
  serverError?: string;
  /** The value as it reads (grouped, with the currency) under the input. */
  hint?: string;
  testId: string;
}) {
  const { t, td } = useI18n();
  const error = serverError ?? (problem ? td(`approval.mx.problem.${problem}`, problem) : null);
  return (
    <div className="matrix-cell">
      <Flex gap={6} align="center">
        <Input
          size="small"
          value={cell.unlimited ? '' : cell.text}
          placeholder={cell.unlimited ? '∞' : t('approval.mx.none')}
          disabled={cell.unlimited}
          onChange={(e) => onChange({ ...cell, text: e.target.value })}
          inputMode="decimal"
          // Always a suffix node: adding one while focused would blur the input.
          suffix={<span>{suffix ?? ''}</span>}
          status={error ? 'error' : undefined}
          data-testid={testId}
        />
        <Checkbox checked={cell.unlimited} onChange={(e) => onChange({ text: e.target.checked ? '' : cell.text, unlimited: e.target.checked })}>
          <span style={{ whiteSpace: 'nowrap' }}>{t('approval.mx.unlimited')}</span>
        </Checkbox>
      </Flex>
      {error ? (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {error}
        </Typography.Text>
      ) : hint ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} className="num">
          {hint}
        </Typography.Text>
      ) : null}
    </div>
  );
}

/** Per subsidiary: each role's approval ceilings (discount, amount, payment days, credit override), saved a row at a time. */
export default function AuthorityMatrixPage() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const { can } = useAccess();
  const { data: me } = useMe();
  const canAdmin = can('approval.admin');
  const [params, setParams] = useSearchParams();
  const { units, isLoading: unitsLoading } = useOrgUnits();
  const roles = useRoles();
  const catalog = useActionCatalog();
  const subsidiaries = useMemo(() => units.filter((u) => u.kind === 'subsidiary'), [units]);
  const mine = me?.positions.find((p) => p.is_primary)?.subsidiary_id ?? null;
  const subsidiaryId = params.get('subsidiary_id') ?? null;

  // Open the user's own subsidiary (or the first one) when none is chosen.
  useEffect(() => {
    if (subsidiaryId || !subsidiaries.length) return;
    const pick = subsidiaries.find((s) => s.id === mine)?.id ?? subsidiaries[0]?.id;
    if (pick) setParams({ subsidiary_id: pick }, { replace: true });
  }, [subsidiaryId, subsidiaries, mine, setParams]);

  const matrix = useAuthorityMatrix(subsidiaryId);
  const save = useSaveMatrixRow(subsidiaryId ?? '');
  const clear = useDeleteMatrixRow(subsidiaryId ?? '');
  const [drafts, setDrafts] = useState<Record<string, LimitCells>>({});
  const [rowErrors, setRowErrors] = useState<Record<string, { general: string | null; cells: Record<string, string> }>>({});
  useEffect(() => {
    setDrafts({});
    setRowErrors({});
  }, [subsidiaryId]);

  const limits = catalog.limits;
  const names = useMemo(() => limits.map((l) => l.name), [limits]);
  const types = useMemo(() => Object.fromEntries(limits.map((l) => [l.name, l.type])), [limits]);
  const currency = matrix.data?.currency ?? null;

  const lines = useMemo<Line[]>(() => {
    const byCode = new Map((matrix.data?.rows ?? []).map((r) => [r.role_code, r]));
    const all = new Map<string, Line>();
    for (const r of roles.data ?? []) {
      all.set(r.code, { code: r.code, name: locale === 'en-US' && r.name_en ? r.name_en : r.name, row: byCode.get(r.code) ?? null });
    }
    for (const r of matrix.data?.rows ?? []) {
      if (!all.has(r.role_code)) all.set(r.role_code, { code: r.role_code, name: locale === 'en-US' && r.role_name_en ? r.role_name_en : r.role_name, row: r });
    }
    const rank = (l: Line) => {
      const i = ROLE_ORDER.indexOf(l.code);
      return i >= 0 ? i : ROLE_ORDER.length + (l.row ? 0 : 1);
    };
    return [...all.values()].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  }, [roles.data, matrix.data, locale]);

  const baseCells = (l: Line) => limitsToCells(l.row?.limits ?? null, names);
  const cellsOf = (l: Line) => drafts[l.code] ?? baseCells(l);
  const dirty = (l: Line) => Boolean(drafts[l.code]) && !sameCells(drafts[l.code] as LimitCells, baseCells(l));

  const setCell = (l: Line, name: string, cell: LimitCell) => {
    setDrafts((d) => ({ ...d, [l.code]: { ...cellsOf(l), [name]: cell } }));
    setRowErrors((e) => {
      const cur = e[l.code];
      if (!cur) return e;
      const cells = { ...cur.cells };
      delete cells[name];
      return { ...e, [l.code]: { general: null, cells } };
    });
  };

  const fail = (l: Line, error: unknown) => {
    if (!isApiError(error)) {
      setRowErrors((e) => ({ ...e, [l.code]: { general: String(error), cells: {} } }));
      return;
    }
    const cells: Record<string, string> = {};
    const other: string[] = [];
    for (const f of error.fields) {
      const name = f.field.startsWith('limits.') ? f.field.slice(7) : null;
      if (name && names.includes(name)) cells[name] = cells[name] ? `${cells[name]}；${f.message}` : f.message;
      else other.push(f.field ? `${f.field}: ${f.message}` : f.message);
    }
    setRowErrors((e) => ({ ...e, [l.code]: { general: Object.keys(cells).length && !other.length ? null : [error.message, ...other].join(' · '), cells } }));
    if (error.status === 409) void matrix.refetch();
  };

  const onSave = async (l: Line) => {
    const cells = cellsOf(l);
    if (names.some((n) => cellProblem(cells[n] as LimitCell, types[n]))) return;
    try {
      if (isEmptyRow(cells) && l.row) {
        await clear.mutateAsync(l.code);
      } else {
        await save.mutateAsync({ roleCode: l.code, body: { limits: cellsToLimits(cells, types), version: l.row?.version ?? null } });
      }
      setDrafts((d) => {
        const next = { ...d };
        delete next[l.code];
        return next;
      });
      setRowErrors((e) => ({ ...e, [l.code]: { general: null, cells: {} } }));
      message.success(t('approval.mx.saved', { role: l.name }));
    } catch (error) {
      fail(l, error);
    }
  };

  const onClear = async (l: Line) => {
    try {
      await clear.mutateAsync(l.code);
      setDrafts((d) => {
        const next = { ...d };
        delete next[l.code];
        return next;
      });
      message.success(t('approval.mx.cleared', { role: l.name }));
    } catch (error) {
      fail(l, error);
    }
  };

  const display = (name: string, cell: LimitCell) => {
    if (cell.unlimited) return <Tag color="gold">{t('approval.mx.unlimited')}</Tag>;
    if (!cell.text) return <Typography.Text type="secondary">{t('approval.mx.none')}</Typography.Text>;
    const type = types[name];
    if (type === 'money') return <span className="num">{formatMoney(cell.text, currency, locale)}</span>;
    if (name.endsWith('_pct')) return <span className="num">{formatPercent(cell.text)}</span>;
    return <span className="num">{groupDecimal(cell.text)}</span>;
  };

  const suffixOf = (name: string) => (types[name] === 'money' ? currency ?? undefined : name.endsWith('_pct') ? '%' : types[name] === 'integer' ? t('poolrule.daysUnit') : undefined);

  const columns: ColumnsType<Line> = [
    {
      title: t('approval.mx.role'),
      key: 'role',
      fixed: 'left',
      render: (_, l) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{l.name}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {l.code}
          </Typography.Text>
          {dirty(l) ? <Tag color="orange">{t('approval.mx.changed')}</Tag> : null}
        </Space>
      ),
    },
    ...limits.map((def) => ({
      title: locale === 'en-US' ? def.label_en : def.label,
      key: def.name,
      render: (_: unknown, l: Line) => {
        const cell = cellsOf(l)[def.name] ?? { text: '', unlimited: false };
        if (!canAdmin) return display(def.name, cell);
        return (
          <CellEditor
            cell={cell}
            onChange={(c) => setCell(l, def.name, c)}
            suffix={suffixOf(def.name)}
            problem={cellProblem(cell, def.type)}
            serverError={rowErrors[l.code]?.cells[def.name]}
            hint={def.type === 'money' && !cell.unlimited && cell.text.trim() ? formatMoney(cell.text, currency, locale) : undefined}
            testId={`matrix-${l.code}-${def.name}`}
          />
        );
      },
    })),
    ...(canAdmin
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, l: Line) => {
              const general = rowErrors[l.code]?.general;
              return (
                <Space direction="vertical" size={4}>
                  <Space size={4}>
                    <Button
                      size="small"
                      type="primary"
                      icon={<SaveOutlined />}
                      disabled={!dirty(l)}
                      loading={(save.isPending && save.variables?.roleCode === l.code) || (clear.isPending && clear.variables === l.code)}
                      onClick={() => void onSave(l)}
                      data-testid={`matrix-save-${l.code}`}
                    >
                      {t('approval.mx.save')}
                    </Button>
                    {l.row ? (
                      <Popconfirm title={t('approval.mx.clearConfirm')} onConfirm={() => void onClear(l)} okText={t('approval.mx.clear')} cancelText={t('common.cancel')}>
                        <Button size="small" icon={<ClearOutlined />} aria-label={t('approval.mx.clear')} />
                      </Popconfirm>
                    ) : null}
                  </Space>
                  {general ? (
                    <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="matrix-row-error">
                      {general}
                    </Typography.Text>
                  ) : null}
                </Space>
              );
            },
          },
        ]
      : []),
  ];

  return (
    <PageContainer title={t('approval.mx.title')} subtitle={t('approval.mx.subtitle')}>
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap" align="center">
          <Select
            value={subsidiaryId ?? undefined}
            onChange={(v: string) => setParams({ subsidiary_id: v }, { replace: true })}
            options={subsidiaries.map((s) => ({ value: s.id, label: s.name }))}
            placeholder={t('approval.mx.pickSubsidiary')}
            loading={unitsLoading}
            showSearch
            optionFilterProp="label"
            style={{ width: 280 }}
            data-testid="matrix-subsidiary"
          />
          {currency ? <Tag>{t('approval.mx.currency', { currency })}</Tag> : null}
        </Flex>
        {!canAdmin ? <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('approval.mx.readOnly')} /> : null}
        {!subsidiaryId ? (
          <Empty description={t('approval.mx.noSubsidiary')} />
        ) : matrix.isError ? (
          <QueryError error={matrix.error} onRetry={() => void matrix.refetch()} />
        ) : (
          <Table<Line>
            data-testid="matrix-table"
            size="middle"
            rowKey="code"
            columns={columns}
            dataSource={lines}
            loading={matrix.isFetching || roles.isLoading || catalog.isLoading}
            pagination={false}
            scroll={{ x: 'max-content' }}
            rowClassName={(l) => (dirty(l) ? 'matrix-row-dirty' : '')}
            onRow={(l) => ({ 'data-testid': `matrix-row-${l.code}` }) as React.HTMLAttributes<HTMLElement>}
          />
        )}
      </Card>
    </PageContainer>
  );
}
