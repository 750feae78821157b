import { ArrowLeftOutlined, SaveOutlined, StopOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Empty, Flex, Form, Input, InputNumber, Popconfirm, Result, Row, Select, Skeleton, Switch, Tabs, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { fieldPath, type FormErrorState } from '@/components/formErrors';
import { FormErrorAlert } from '@/components/FormErrorAlert';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { useAccess } from '@/features/auth/hooks';
import { useOrgUnits } from '@/features/org/hooks';
import { type I18n, type MessageKey, useI18n } from '@/i18n';
import { ConditionBuilder, type NodeErrors } from './ConditionBuilder';
import { DryRunPanel } from './DryRunPanel';
import { useCreatePolicy, useDeactivatePolicy, usePolicy, useUpdatePolicy } from './hooks';
import {
  assignConditionErrors,
  type CondNode,
  describeCondition,
  type FactType,
  newComparison,
  parseCondition,
  type PathWords,
  pathText,
  toConditionJson,
} from './rules';
import { type StepForm, stepErrorTarget, toStepForms, toStepsJson } from './steps';
import { StepsEditor } from './StepsEditor';
import type { Policy, PolicyCreate, PolicyUpdate } from './types';
import { useVocabulary } from './vocabulary';
import './approval.css';

const GROUP = '__group__';
const BASIC_FIELDS = new Set(['code', 'name', 'name_en', 'description', 'action', 'subsidiary_id', 'priority', 'is_active']);

interface Values {
  code: string;
  name: string;
  name_en?: string | null;
  description?: string | null;
  action?: string;
  scope: string;
  priority: number;
  is_active?: boolean;
  steps: StepForm[];
}

const SEGMENTS: Record<string, MessageKey> = {
  condition: 'approval.cond.path.condition',
  steps: 'approval.cond.path.steps',
  approvers: 'approval.cond.path.approvers',
  all: 'approval.cond.all',
  any: 'approval.cond.any',
  not: 'approval.cond.not',
  field: 'approval.cond.field',
  op: 'approval.cond.operator',
  value: 'approval.cond.value',
  authority: 'approval.cond.kind.authority',
  limit: 'approval.cond.limit',
  name: 'approval.step.name',
  name_en: 'approval.step.nameEn',
  mode: 'approval.step.mode',
  type: 'approval.step.type',
  user_id: 'approval.step.user',
  levels: 'approval.step.levels',
  role: 'approval.step.role',
  at: 'approval.step.at',
  ladder: 'approval.step.ladder',
  limits: 'approval.step.limits',
  code: 'approval.pol.code',
  action: 'approval.pol.action',
  subsidiary_id: 'approval.pol.scope',
  priority: 'approval.pol.priority',
};

export function pathWords(t: I18n['t']): PathWords {
  return {
    segment: (s) => (SEGMENTS[s] ? t(SEGMENTS[s]) : null),
    item: (n) => t('approval.cond.path.item', { n }),
    step: (n) => t('approval.cond.path.step', { n }),
  };
}

const defaultCondition = (fields: { name: string; type: string }[]): CondNode => {
  const f = fields.find((x) => x.type === 'number' || x.type === 'money') ?? fields[0];
  return { type: 'group', op: 'any', children: [newComparison(f?.name ?? '', f?.type as FactType | undefined)] };
};

function initialValues(p: Policy | undefined): Values {
  if (!p) {
    return { code: '', name: '', name_en: '', description: '', scope: GROUP, priority: 100, steps: toStepForms([{ name: '直属上级', name_en: 'Line manager', mode: 'any', approvers: [{ type: 'line_manager', levels: 1 }] }]) };
  }
  return {
    code: p.code,
    name: p.name,
    name_en: p.name_en ?? '',
    description: p.description ?? '',
    action: p.action,
    scope: p.subsidiary_id ?? GROUP,
    priority: p.priority,
    is_active: p.is_active,
    steps: toStepForms(p.steps),
  };
}

export default function PolicyEditorPage() {
  const { id = 'new' } = useParams();
  const creating = id === 'new';
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { can } = useAccess();
  const canAdmin = can('approval.admin');
  const policy = usePolicy(creating ? null : id);
  const { units } = useOrgUnits();
  const subsidiaries = useMemo(() => units.filter((u) => u.kind === 'subsidiary').map((u) => ({ value: u.id, label: u.name })), [units]);
  const [form] = Form.useForm<Values>();
  const action = Form.useWatch('action', form) as string | undefined;
  const vocab = useVocabulary(action ?? policy.data?.action ?? null);
  const actionDef = action ? vocab.catalog.byCode.get(action) ?? null : null;
  const fields = useMemo(() => actionDef?.fields ?? [], [actionDef]);
  const typeOf = useCallback((f: string) => fields.find((x) => x.name === f)?.type as FactType | undefined, [fields]);
  const stepLimits = useMemo(
    () => vocab.catalog.limits.filter((l) => !actionDef || actionDef.fields.some((f) => f.name === l.covers_fact)),
    [vocab.catalog.limits, actionDef],
  );

  const [cond, setCond] = useState<CondNode>({ type: 'always' });
  const [mode, setMode] = useState<'builder' | 'json'>('builder');
  const [raw, setRaw] = useState('');
  const [rawError, setRawError] = useState<string | null>(null);
  const [nodeErrors, setNodeErrors] = useState<NodeErrors>(new Map());
  const [condDetails, setCondDetails] = useState<string[]>([]);
  const [formError, setFormError] = useState<FormErrorState | null>(null);
  const loaded = useRef<string | null>(null);

  const create = useCreatePolicy();
  const update = useUpdatePolicy(creating ? '' : id);
  const deactivate = useDeactivatePolicy();
  const saving = create.isPending || update.isPending;
  const words = useMemo(() => pathWords(t), [t]);

  const load = useCallback(
    (p: Policy | undefined) => {
      form.resetFields();
      form.setFieldsValue(initialValues(p) as Parameters<typeof form.setFieldsValue>[0]);
      const parsed = p ? parseCondition(p.condition) : null;
      if (p && !parsed) {
        setMode('json');
        setRaw(JSON.stringify(p.condition, null, 2));
      } else {
        setMode('builder');
        setCond(parsed ?? { type: 'always' });
      }
      setRawError(null);
      setNodeErrors(new Map());
      setCondDetails([]);
      setFormError(null);
    },
    [form],
  );

  useEffect(() => {
    const key = creating ? 'new' : policy.data ? `${policy.data.id}:${policy.data.version}` : null;
    if (key === null || loaded.current === key) return;
    loaded.current = key;
    load(creating ? undefined : policy.data);
  }, [creating, policy.data, load]);

  const changeCond = (next: CondNode) => {
    setCond(next);
    if (nodeErrors.size) setNodeErrors(new Map());
  };

  const switchMode = (next: string) => {
    if (next === mode) return;
    if (next === 'json') {
      setRaw(JSON.stringify(toConditionJson(cond, typeOf), null, 2));
      setRawError(null);
      setMode('json');
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      setRawError(t('approval.cond.rawInvalid', { error: e instanceof Error ? e.message : String(e) }));
      return;
    }
    const parsed = parseCondition(value);
    if (!parsed) {
      setRawError(t('approval.cond.rawNotBuilder'));
      return;
    }
    setCond(parsed);
    setRawError(null);
    setNodeErrors(new Map());
    setMode('builder');
  };

  const conditionJson = (): { ok: true; value: unknown } | { ok: false } => {
    if (mode === 'builder') return { ok: true, value: toConditionJson(cond, typeOf) };
    try {
      return { ok: true, value: JSON.parse(raw) };
    } catch (e) {
      setRawError(t('approval.cond.rawInvalid', { error: e instanceof Error ? e.message : String(e) }));
      return { ok: false };
    }
  };

  const showError = (error: unknown) => {
    if (!isApiError(error)) {
      setFormError({ message: error instanceof Error ? error.message : String(error), details: [], code: 'client_error', status: 0, placedOnFields: 0 });
      return;
    }
    const steps = (form.getFieldValue('steps') as StepForm[] | undefined) ?? [];
    const isCond = (f: string) => f === 'condition' || f.startsWith('condition.') || f.startsWith('condition[');
    const condErrors = error.fields.filter((f) => isCond(f.field));
    const { byNode, unmatched } = mode === 'builder' ? assignConditionErrors(cond, condErrors) : { byNode: new Map(), unmatched: condErrors };
    setNodeErrors(byNode);
    setCondDetails(unmatched.map((f) => `${pathText(f.field, words)}：${f.message}`));
    const fieldData = new Map<string, { name: (string | number)[]; errors: string[] }>();
    const details: string[] = [];
    for (const f of error.fields) {
      if (isCond(f.field)) continue;
      let target: (string | number)[] | null = null;
      if (f.field === 'steps' || f.field.startsWith('steps')) target = stepErrorTarget(f.field, steps);
      else if (BASIC_FIELDS.has(String(fieldPath(f.field)[0]))) target = f.field === 'subsidiary_id' ? ['scope'] : fieldPath(f.field);
      if (!target) {
        details.push(f.field ? `${pathText(f.field, words)}：${f.message}` : f.message);
        continue;
      }
      const key = target.join('\u0000');
      const entry = fieldData.get(key) ?? { name: target, errors: [] };
      if (!entry.errors.includes(f.message)) entry.errors.push(f.message);
      fieldData.set(key, entry);
    }
    if (fieldData.size) form.setFields([...fieldData.values()] as Parameters<typeof form.setFields>[0]);
    const placed = fieldData.size + byNode.size + unmatched.length;
    setFormError({ message: error.message, details, code: error.code, status: error.status, placedOnFields: placed });
    if (error.status === 422) message.error(t('approval.pol.invalid'));
  };

  const save = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const c = conditionJson();
    if (!c.ok) return;
    setFormError(null);
    setNodeErrors(new Map());
    setCondDetails([]);
    const steps = toStepsJson(v.steps);
    const subsidiaryId = v.scope === GROUP ? null : v.scope;
    const opt = (s: string | null | undefined) => (s && s.trim() ? s.trim() : null);
    try {
      if (creating) {
        const body: PolicyCreate = {
          code: v.code.trim(),
          name: v.name.trim(),
          name_en: opt(v.name_en),
          description: opt(v.description),
          action: v.action ?? '',
          subsidiary_id: subsidiaryId,
          priority: v.priority,
          condition: c.value as PolicyCreate['condition'],
          steps: steps as PolicyCreate['steps'],
        };
        const created = await create.mutateAsync(body);
        message.success(t('approval.pol.created'));
        loaded.current = null;
        navigate(`/admin/approval-policies/${created.id}`, { replace: true });
        return;
      }
      const p = policy.data;
      if (!p) return;
      const body: PolicyUpdate = { version: p.version };
      if (v.code.trim() !== p.code) body.code = v.code.trim();
      if (v.name.trim() !== p.name) body.name = v.name.trim();
      if (opt(v.name_en) !== (p.name_en ?? null)) body.name_en = opt(v.name_en);
      if (opt(v.description) !== (p.description ?? null)) body.description = opt(v.description);
      if (subsidiaryId !== (p.subsidiary_id ?? null)) body.subsidiary_id = subsidiaryId;
      if (v.priority !== p.priority) body.priority = v.priority;
      if (typeof v.is_active === 'boolean' && v.is_active !== p.is_active) body.is_active = v.is_active;
      const parsed = parseCondition(p.condition);
      const before = parsed ? toConditionJson(parsed, typeOf) : p.condition;
      if (JSON.stringify(c.value) !== JSON.stringify(before)) body.condition = c.value as PolicyUpdate['condition'];
      if (JSON.stringify(steps) !== JSON.stringify(toStepsJson(toStepForms(p.steps)))) body.steps = steps as PolicyUpdate['steps'];
      if (Object.keys(body).length > 1) await update.mutateAsync(body);
      message.success(t('approval.pol.saved'));
    } catch (error) {
      showError(error);
    }
  };

  const onDeactivate = async () => {
    const p = policy.data;
    if (!p) return;
    try {
      await deactivate.mutateAsync({ id: p.id, version: p.version });
      message.success(t('approval.pol.deactivated'));
      void policy.refetch();
    } catch (error) {
      showError(error);
    }
  };

  const back = <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/admin/approval-policies')} aria-label={t('approval.pol.back')} />;
  const pageTitle = creating ? t('approval.pol.createTitle') : t('approval.pol.editTitle');

  if (!creating && policy.isError) {
    const notFound = isApiError(policy.error) && policy.error.status === 404;
    return (
      <PageContainer title={pageTitle} leading={back}>
        {notFound ? (
          <Card>
            <Result
              status="404"
              title={t('approval.pol.notFound')}
              extra={
                <Link to="/admin/approval-policies">
                  <Button type="primary">{t('approval.pol.back')}</Button>
                </Link>
              }
            />
          </Card>
        ) : (
          <QueryError error={policy.error} onRetry={() => void policy.refetch()} />
        )}
      </PageContainer>
    );
  }
  if (!creating && !policy.data) {
    return (
      <PageContainer title={pageTitle} leading={back}>
        <Card>
          <Skeleton active />
        </Card>
      </PageContainer>
    );
  }

  const p = policy.data;
  const disabled = !canAdmin;
  const preview = mode === 'builder' && fields.length ? describeCondition(toConditionJson(cond, typeOf), vocab) : null;
  const actionOptions = vocab.catalog.actions.map((a) => ({ value: a.code, label: locale === 'en-US' ? a.name_en : a.name }));

  return (
    <PageContainer
      leading={back}
      documentTitle={p ? p.name : pageTitle}
      title={
        <Flex gap={8} wrap="wrap" align="center">
          <span>{p ? (locale === 'en-US' && p.name_en) || p.name : pageTitle}</span>
          {p && !p.is_active ? <Tag>{t('approval.pol.inactive')}</Tag> : null}
        </Flex>
      }
      subtitle={p ? p.code : undefined}
      extra={
        canAdmin ? (
          <>
            {p && p.is_active ? (
              <Popconfirm title={t('approval.pol.deactivateConfirm')} onConfirm={() => void onDeactivate()} okText={t('approval.pol.deactivate')} cancelText={t('common.cancel')}>
                <Button icon={<StopOutlined />} loading={deactivate.isPending} data-testid="policy-deactivate">
                  {t('approval.pol.deactivate')}
                </Button>
              </Popconfirm>
            ) : null}
            <Button type="primary" icon={<SaveOutlined />} loading={saving} onClick={() => void save()} data-testid="policy-save">
              {t('common.save')}
            </Button>
          </>
        ) : null
      }
    >
      {!canAdmin ? <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('approval.pol.readOnly')} /> : null}
      <FormErrorAlert
        error={formError}
        onReload={() => {
          loaded.current = null;
          void policy.refetch();
        }}
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Form
            form={form}
            layout="vertical"
            name="approval-policy"
            requiredMark="optional"
            autoComplete="off"
            disabled={disabled}
            onValuesChange={(changed: Partial<Values>) => {
              if ('action' in changed && changed.action) {
                const next = vocab.catalog.byCode.get(changed.action)?.fields ?? [];
                setCond(defaultCondition(next));
                setMode('builder');
                setNodeErrors(new Map());
              }
            }}
          >
            <Flex vertical gap={16}>
              <Card title={t('approval.pol.basics')} size="small">
                <Row gutter={12}>
                  <Col xs={24} sm={12}>
                    <Form.Item name="action" label={t('approval.pol.action')} rules={[{ required: true, message: t('approval.pol.actionRequired') }]}>
                      <Select options={actionOptions} disabled={disabled || !creating} data-testid="policy-action" />
                    </Form.Item>
                  </Col>
                  <Col xs={24} sm={12}>
                    <Form.Item name="scope" label={t('approval.pol.scope')}>
                      <Select
                        options={[{ value: GROUP, label: t('approval.pol.scopeGroup') }, ...subsidiaries]}
                        showSearch
                        optionFilterProp="label"
                        data-testid="policy-scope"
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={24} sm={12}>
                    <Form.Item
                      name="code"
                      label={t('approval.pol.code')}
                      rules={[
                        { required: true, whitespace: true, message: t('approval.pol.codeRequired') },
                        { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: t('approval.pol.codePattern') },
                      ]}
                    >
                      <Input maxLength={64} data-testid="policy-code" />
                    </Form.Item>
                  </Col>
                  <Col xs={12} sm={6}>
                    <Form.Item name="priority" label={t('approval.pol.priority')} tooltip={t('approval.pol.priorityHint')}>
                      <InputNumber min={0} max={100000} precision={0} style={{ width: '100%' }} data-testid="policy-priority" />
                    </Form.Item>
                  </Col>
                  {!creating ? (
                    <Col xs={12} sm={6}>
                      <Form.Item name="is_active" label={t('approval.pol.isActive')} valuePropName="checked">
                        <Switch />
                      </Form.Item>
                    </Col>
                  ) : null}
                  <Col xs={24} sm={12}>
                    <Form.Item name="name" label={t('approval.pol.name')} rules={[{ required: true, whitespace: true, message: t('approval.pol.nameRequired') }]}>
                      <Input maxLength={100} data-testid="policy-name" />
                    </Form.Item>
                  </Col>
                  <Col xs={24} sm={12}>
                    <Form.Item name="name_en" label={t('approval.pol.nameEn')}>
                      <Input maxLength={100} />
                    </Form.Item>
                  </Col>
                  <Col xs={24}>
                    <Form.Item name="description" label={t('approval.pol.description')}>
                      <Input.TextArea rows={2} maxLength={500} />
                    </Form.Item>
                  </Col>
                </Row>
              </Card>

              <Card title={t('approval.cond.title')} size="small" data-testid="policy-condition">
                <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                  {t('approval.cond.hint')}
                </Typography.Paragraph>
                {condDetails.length ? (
                  <Alert
                    type="error"
                    showIcon
                    style={{ marginBottom: 12 }}
                    data-testid="cond-error-list"
                    message={
                      <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                        {condDetails.map((d) => (
                          <li key={d}>{d}</li>
                        ))}
                      </ul>
                    }
                  />
                ) : null}
                <Tabs
                  size="small"
                  activeKey={mode}
                  onChange={switchMode}
                  items={[
                    {
                      key: 'builder',
                      label: t('approval.cond.builder'),
                      children: <ConditionBuilder value={cond} onChange={changeCond} fields={fields} limits={vocab.catalog.limits} roles={vocab.roleOptions} errors={nodeErrors} disabled={disabled} />,
                    },
                    {
                      key: 'json',
                      label: <span data-testid="cond-json-tab">{t('approval.cond.json')}</span>,
                      children: (
                        <div className="cond-json">
                          <Input.TextArea
                            value={raw}
                            onChange={(e) => {
                              setRaw(e.target.value);
                              setRawError(null);
                            }}
                            autoSize={{ minRows: 6, maxRows: 24 }}
                            spellCheck={false}
                            disabled={disabled}
                            status={rawError ? 'error' : undefined}
                            aria-label={t('approval.cond.json')}
                            data-testid="cond-json"
                          />
                          {rawError ? (
                            <Typography.Text type="danger" style={{ fontSize: 12 }}>
                              {rawError}
                            </Typography.Text>
                          ) : null}
                          <div style={{ marginTop: 8 }}>
                            <Button size="small" onClick={() => switchMode('builder')} disabled={disabled}>
                              {t('approval.cond.applyJson')}
                            </Button>
                          </div>
                        </div>
                      ),
                    },
                  ]}
                />
                {preview ? (
                  <Typography.Paragraph style={{ marginTop: 12, marginBottom: 0 }} className="approval-condition">
                    <Typography.Text type="secondary">{t('approval.cond.preview')}：</Typography.Text>
                    <span data-testid="cond-preview">{preview}</span>
                  </Typography.Paragraph>
                ) : null}
              </Card>

              <Card title={t('approval.step.title')} size="small">
                <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                  {t('approval.step.hint')}
                </Typography.Paragraph>
                <StepsEditor roles={vocab.roleOptions} limits={stepLimits} disabled={disabled} />
              </Card>
            </Flex>
          </Form>
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t('approval.eval.title')} size="small">
            {canAdmin ? (
              <DryRunPanel action={actionDef} subsidiaries={subsidiaries} vocab={vocab} policyId={p?.id ?? null} />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('approval.pol.readOnly')} />
            )}
          </Card>
        </Col>
      </Row>
    </PageContainer>
  );
}
