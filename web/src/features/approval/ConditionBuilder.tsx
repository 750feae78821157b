import { BranchesOutlined, DeleteOutlined, PlusOutlined, StopOutlined } from '@ant-design/icons';
import { Button, Flex, Input, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { type ReactNode } from 'react';
import { useI18n } from '@/i18n';
import {
  childPath,
  type CondNode,
  compatibleTypes,
  type FactType,
  isListOperator,
  newComparison,
  NUMERIC_TYPES,
  type Operand,
  operandForOperator,
  operatorsFor,
} from './rules';
import type { ActionField, AuthorityLimitDef } from './types';
import { choiceLabel } from './vocabulary';

export type NodeErrors = Map<string, { part: string | null; message: string }[]>;

interface Ctx {
  fields: ActionField[];
  limits: AuthorityLimitDef[];
  roles: { value: string; label: string }[];
  errors: NodeErrors;
  disabled: boolean;
}

interface Props {
  value: CondNode;
  onChange: (next: CondNode) => void;
  fields: ActionField[];
  limits: AuthorityLimitDef[];
  roles: { value: string; label: string }[];
  errors: NodeErrors;
  disabled?: boolean;
}

const typeOfField = (fields: ActionField[], name: string) => fields.find((f) => f.name === name)?.type as FactType | undefined;

function NodeErrorsView({ errors, path }: { errors: NodeErrors; path: string }) {
  const { t } = useI18n();
  const list = errors.get(path);
  if (!list?.length) return null;
  const partLabel = (p: string | null) => {
    if (p === 'field') return t('approval.cond.field');
    if (p === 'op') return t('approval.cond.operator');
    if (p === 'value') return t('approval.cond.value');
    return null;
  };
  return (
    <div data-testid="cond-error" data-path={path}>
      {list.map((e) => {
        const label = partLabel(e.part);
        return (
          <div className="cond-error" key={`${e.part}:${e.message}`} role="alert">
            {label ? `${label}：` : ''}
            {e.message}
          </div>
        );
      })}
    </div>
  );
}

function OperandInput({ node, ctx, onChange }: { node: Extract<CondNode, { type: 'compare' }>; ctx: Ctx; onChange: (o: Operand) => void }) {
  const { t, td, locale } = useI18n();
  const en = locale === 'en-US';
  const field = ctx.fields.find((f) => f.name === node.field);
  const type = field?.type as FactType | undefined;
  const o = node.operand;
  const numeric = type ? NUMERIC_TYPES.includes(type) : false;
  const list = isListOperator(node.op);
  const kinds = [
    { value: 'literal', label: t('approval.cond.kind.literal') },
    ...(!list ? [{ value: 'field', label: t('approval.cond.kind.field') }] : []),
    ...(!list && numeric ? [{ value: 'authority', label: t('approval.cond.kind.authority') }] : []),
  ];
  const kind = o.kind === 'list' ? 'literal' : o.kind;
  const setKind = (k: string) => {
    if (k === 'field') onChange({ kind: 'field', field: '' });
    else if (k === 'authority') onChange({ kind: 'authority', role: '', limit: '' });
    else onChange(list ? { kind: 'list', values: [] } : { kind: 'literal', value: type === 'bool' ? 'true' : '' });
  };
  const choices = (field?.choices ?? []).map((c) => ({ value: c, label: choiceLabel(td, node.field, c) }));

  let input: ReactNode = null;
  if (o.kind === 'field') {
    const options = ctx.fields
      .filter((f) => f.name !== node.field && type && compatibleTypes(type, f.type as FactType))
      .map((f) => ({ value: f.name, label: en ? f.label_en : f.label }));
    input = (
      <Select
        value={o.field || undefined}
        onChange={(v: string) => onChange({ kind: 'field', field: v })}
        options={options}
        placeholder={t('approval.cond.field')}
        style={{ width: 180 }}
        disabled={ctx.disabled}
        aria-label={t('approval.cond.kind.field')}
      />
    );
  } else if (o.kind === 'authority') {
    const limitOptions = ctx.limits
      .filter((l) => !type || compatibleTypes(type, l.type as FactType))
      .map((l) => ({ value: l.name, label: en ? l.label_en : l.label }));
    input = (
      <Space.Compact>
        <Select
          value={o.role || undefined}
          onChange={(v: string) => onChange({ ...o, role: v })}
          options={ctx.roles}
          placeholder={t('approval.cond.role')}
          style={{ width: 150 }}
          showSearch
          optionFilterProp="label"
          disabled={ctx.disabled}
          aria-label={t('approval.cond.role')}
          data-testid="cond-authority-role"
        />
        <Select
          value={o.limit || undefined}
          onChange={(v: string) => onChange({ ...o, limit: v })}
          options={limitOptions}
          placeholder={t('approval.cond.limit')}
          style={{ width: 180 }}
          disabled={ctx.disabled}
          aria-label={t('approval.cond.limit')}
          data-testid="cond-authority-limit"
        />
      </Space.Compact>
    );
  } else if (o.kind === 'list') {
    input = (
      <Select
        mode={choices.length ? 'multiple' : 'tags'}
        value={o.values}
        onChange={(v: string[]) => onChange({ kind: 'list', values: v })}
        options={choices}
        placeholder={t('approval.cond.values')}
        style={{ minWidth: 200 }}
        tokenSeparators={[',', '，']}
        disabled={ctx.disabled}
        aria-label={t('approval.cond.value')}
        data-testid="cond-value"
      />
    );
  } else if (type === 'bool') {
    input = (
      <Select
        value={o.value || undefined}
        onChange={(v: string) => onChange({ kind: 'literal', value: v })}
        options={[
          { value: 'true', label: t('approval.yes') },
          { value: 'false', label: t('approval.no') },
        ]}
        style={{ width: 100 }}
        disabled={ctx.disabled}
        aria-label={t('approval.cond.value')}
        data-testid="cond-value"
      />
    );
  } else if (choices.length) {
    input = (
      <Select
        value={o.value || undefined}
        onChange={(v: string) => onChange({ kind: 'literal', value: v })}
        options={choices}
        placeholder={t('approval.cond.value')}
        style={{ width: 160 }}
        disabled={ctx.disabled}
        aria-label={t('approval.cond.value')}
        data-testid="cond-value"
      />
    );
  } else {
    input = (
      <Input
        value={o.value}
        onChange={(e) => onChange({ kind: 'literal', value: e.target.value })}
        placeholder={t('approval.cond.value')}
        inputMode={numeric ? 'decimal' : undefined}
        suffix={<span>{numeric && node.field.endsWith('_pct') ? '%' : ''}</span>}
        style={{ width: 160 }}
        disabled={ctx.disabled}
        aria-label={t('approval.cond.value')}
        data-testid="cond-value"
      />
    );
  }

  return (
    <>
      {kinds.length > 1 ? (
        <Select
          value={kind}
          onChange={setKind}
          options={kinds}
          style={{ width: 120 }}
          disabled={ctx.disabled}
          aria-label={t('approval.cond.valueKind')}
          data-testid="cond-kind"
        />
      ) : null}
      {input}
    </>
  );
}

function ComparisonRow({
  node,
  path,
  ctx,
  onChange,
  tools,
}: {
  node: Extract<CondNode, { type: 'compare' }>;
  path: string;
  ctx: Ctx;
  onChange: (n: CondNode) => void;
  tools: ReactNode;
}) {
  const { t, td, locale } = useI18n();
  const en = locale === 'en-US';
  const type = typeOfField(ctx.fields, node.field);
  const known = ctx.fields.some((f) => f.name === node.field);
  const fieldOptions = [
    ...ctx.fields.map((f) => ({ value: f.name, label: en ? f.label_en : f.label })),
    ...(!known && node.field ? [{ value: node.field, label: node.field }] : []),
  ];
  const hasError = Boolean(ctx.errors.get(path)?.length);
  return (
    <div className={`cond-row${hasError ? ' has-error' : ''}`} data-testid="cond-compare" data-path={path}>
      <Flex gap={6} wrap="wrap" align="center">
        <Select
          value={node.field || undefined}
          onChange={(f: string) => {
            const nextType = typeOfField(ctx.fields, f);
            if (nextType === type) onChange({ ...node, field: f });
            else onChange(newComparison(f, nextType));
          }}
          options={fieldOptions}
          placeholder={t('approval.cond.field')}
          showSearch
          optionFilterProp="label"
          style={{ width: 180 }}
          disabled={ctx.disabled}
          aria-label={t('approval.cond.field')}
          data-testid="cond-field"
        />
        <Select
          value={node.op}
          onChange={(op: string) => onChange({ ...node, op, operand: operandForOperator(node.operand, op) })}
          options={operatorsFor(type).map((op) => ({ value: op, label: td(`approval.op.${op}`, op) }))}
          style={{ width: 96 }}
          disabled={ctx.disabled}
          aria-label={t('approval.cond.operator')}
          data-testid="cond-op"
        />
        <OperandInput node={node} ctx={ctx} onChange={(operand) => onChange({ ...node, operand })} />
        {tools}
      </Flex>
      <NodeErrorsView errors={ctx.errors} path={path} />
    </div>
  );
}

function NodeView({
  node,
  path,
  ctx,
  onChange,
  onRemove,
}: {
  node: CondNode;
  path: string;
  ctx: Ctx;
  onChange: (n: CondNode) => void;
  onRemove?: () => void;
}) {
  const { t } = useI18n();
  const firstField = ctx.fields[0];
  const blank = () => newComparison(firstField?.name ?? '', firstField?.type as FactType | undefined);
  const removeBtn = onRemove ? (
    <Tooltip title={t('approval.cond.remove')}>
      <Button type="text" size="small" danger icon={<DeleteOutlined />} onClick={onRemove} disabled={ctx.disabled} aria-label={t('approval.cond.remove')} />
    </Tooltip>
  ) : null;
  const notBtn = (
    <Tooltip title={t('approval.cond.wrapNot')}>
      <Button type="text" size="small" icon={<StopOutlined />} onClick={() => onChange({ type: 'not', child: node })} disabled={ctx.disabled} aria-label={t('approval.cond.wrapNot')} />
    </Tooltip>
  );

  if (node.type === 'always') {
    return (
      <div className="cond-row" data-path={path}>
        <Flex gap={8} align="center" wrap="wrap">
          <Tag color="blue" data-testid="cond-always">
            {t('approval.cond.always')}
          </Tag>
          {removeBtn}
        </Flex>
        <NodeErrorsView errors={ctx.errors} path={path} />
      </div>
    );
  }

  if (node.type === 'compare') {
    return (
      <ComparisonRow
        node={node}
        path={path}
        ctx={ctx}
        onChange={onChange}
        tools={
          <>
            {notBtn}
            {removeBtn}
          </>
        }
      />
    );
  }

  if (node.type === 'not') {
    return (
      <div className="cond-not" data-path={path}>
        <Flex gap={8} align="center" wrap="wrap" style={{ marginBottom: 4 }}>
          <Tag color="red">{t('approval.cond.not')}</Tag>
          <Button size="small" type="link" onClick={() => onChange(node.child)} disabled={ctx.disabled}>
            {t('approval.cond.unwrapNot')}
          </Button>
          {removeBtn}
        </Flex>
        <NodeErrorsView errors={ctx.errors} path={path} />
        <NodeView node={node.child} path={childPath(path, node, 0)} ctx={ctx} onChange={(child) => onChange({ ...node, child })} />
      </div>
    );
  }

  const setChild = (i: number, child: CondNode) => onChange({ ...node, children: node.children.map((c, k) => (k === i ? child : c)) });
  const removeChild = (i: number) => onChange({ ...node, children: node.children.filter((_, k) => k !== i) });
  return (
    <div className={`cond-group cond-${node.op}`} data-testid="cond-group" data-path={path}>
      <Flex gap={8} align="center" wrap="wrap" style={{ marginBottom: 4 }}>
        <Select
          size="small"
          value={node.op}
          onChange={(op: 'all' | 'any') => onChange({ ...node, op })}
          options={[
            { value: 'all', label: t('approval.cond.all') },
            { value: 'any', label: t('approval.cond.any') },
          ]}
          style={{ width: 120 }}
          disabled={ctx.disabled}
          data-testid="cond-group-op"
        />
        <Button size="small" icon={<PlusOutlined />} onClick={() => onChange({ ...node, children: [...node.children, blank()] })} disabled={ctx.disabled} data-testid="cond-add">
          {t('approval.cond.addCondition')}
        </Button>
        <Button
          size="small"
          icon={<BranchesOutlined />}
          onClick={() => onChange({ ...node, children: [...node.children, { type: 'group', op: node.op === 'all' ? 'any' : 'all', children: [blank()] }] })}
          disabled={ctx.disabled}
        >
          {t('approval.cond.addGroup')}
        </Button>
        {notBtn}
        {removeBtn}
      </Flex>
      <NodeErrorsView errors={ctx.errors} path={path} />
      {node.children.map((c, i) => (
        <NodeView key={i} node={c} path={childPath(path, node, i)} ctx={ctx} onChange={(n) => setChild(i, n)} onRemove={() => removeChild(i)} />
      ))}
    </div>
  );
}

/** The condition as a tree of groups and comparisons, driven by the action's typed fields. */
export function ConditionBuilder({ value, onChange, fields, limits, roles, errors, disabled = false }: Props) {
  const { t } = useI18n();
  const ctx: Ctx = { fields, limits, roles, errors, disabled };
  const firstField = fields[0];
  const blank = () => newComparison(firstField?.name ?? '', firstField?.type as FactType | undefined);
  if (!fields.length) return <Typography.Text type="secondary">{t('approval.cond.pickAction')}</Typography.Text>;
  return (
    <div data-testid="condition-builder">
      <NodeView node={value} path="condition" ctx={ctx} onChange={onChange} />
      <Flex gap={8} wrap="wrap" style={{ marginTop: 8 }}>
        {value.type === 'always' ? (
          <Button size="small" onClick={() => onChange({ type: 'group', op: 'any', children: [blank()] })} disabled={disabled} data-testid="cond-make-rule">
            {t('approval.cond.makeRule')}
          </Button>
        ) : (
          <>
            {value.type !== 'group' ? (
              <Button size="small" icon={<PlusOutlined />} onClick={() => onChange({ type: 'group', op: 'all', children: [value, blank()] })} disabled={disabled}>
                {t('approval.cond.addCondition')}
              </Button>
            ) : null}
            <Button size="small" onClick={() => onChange({ type: 'always' })} disabled={disabled} data-testid="cond-make-always">
              {t('approval.cond.makeAlways')}
            </Button>
          </>
        )}
      </Flex>
    </div>
  );
}
