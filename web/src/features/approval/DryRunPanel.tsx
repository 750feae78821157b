import { ExperimentOutlined } from '@ant-design/icons';
import { Alert, Button, Col, Descriptions, Empty, Form, Input, List, Row, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { isApiError } from '@/api/errors';
import { FormErrorAlert } from '@/components/FormErrorAlert';
import type { FormErrorState } from '@/components/formErrors';
import { useI18n } from '@/i18n';
import { factsFromForm } from './dryRun';
import { useEvaluatePolicy } from './hooks';
import { NUMERIC_TYPES, type FactType } from './rules';
import type { EvaluateResult, GuardedAction } from './types';
import { choiceLabel, type Vocabulary } from './vocabulary';

interface Props {
  action: GuardedAction | null;
  subsidiaries: { value: string; label: string }[];
  vocab: Vocabulary;
  /** The policy being edited, to point it out in the result. */
  policyId?: string | null;
}

interface Values {
  subsidiary_id?: string;
  facts?: Record<string, string | undefined>;
}

/** Dry run: which stored policy would govern these facts in a subsidiary, and who would decide. */
export function DryRunPanel({ action, subsidiaries, vocab, policyId }: Props) {
  const { t, td, locale } = useI18n();
  const en = locale === 'en-US';
  const [form] = Form.useForm<Values>();
  const evaluate = useEvaluatePolicy();
  const [result, setResult] = useState<EvaluateResult | null>(null);
  const [error, setError] = useState<FormErrorState | null>(null);
  const fields = useMemo(() => action?.fields ?? [], [action]);

  const hasAction = Boolean(action);
  useEffect(() => {
    setResult(null);
    setError(null);
    if (hasAction) form.setFieldsValue({ facts: {} });
  }, [action?.code, hasAction, form]);
  useEffect(() => {
    if (hasAction && !form.getFieldValue('subsidiary_id') && subsidiaries[0]) form.setFieldsValue({ subsidiary_id: subsidiaries[0].value });
  }, [subsidiaries, hasAction, form]);

  const run = async () => {
    if (!action) return;
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setError(null);
    form.setFields(fields.map((f) => ({ name: ['facts', f.name], errors: [] })));
    try {
      const r = await evaluate.mutateAsync({ action: action.code, subsidiary_id: v.subsidiary_id ?? '', facts: factsFromForm(v.facts, fields) });
      setResult(r);
    } catch (e) {
      setResult(null);
      if (!isApiError(e)) {
        setError({ message: String(e), details: [], code: 'client_error', status: 0, placedOnFields: 0 });
        return;
      }
      // `facts.account.tier`: the fact name itself may hold dots.
      const placed = e.fields.filter((f) => f.field.startsWith('facts.') && fields.some((x) => x.name === f.field.slice(6)));
      form.setFields(placed.map((f) => ({ name: ['facts', f.field.slice(6)], errors: [f.message] })));
      const rest = e.fields.filter((f) => !placed.includes(f));
      if (rest.some((f) => f.field === 'subsidiary_id')) form.setFields([{ name: 'subsidiary_id', errors: rest.filter((f) => f.field === 'subsidiary_id').map((f) => f.message) }]);
      const details = rest.filter((f) => f.field !== 'subsidiary_id').map((f) => (f.field ? `${f.field}: ${f.message}` : f.message));
      setError({ message: e.message, details, code: e.code, status: e.status, placedOnFields: placed.length + (rest.length - details.length) });
    }
  };

  if (!action) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('approval.cond.pickAction')} />;

  const input = (f: (typeof fields)[number]) => {
    const type = f.type as FactType;
    if (type === 'bool') {
      return (
        <Select
          allowClear
          options={[
            { value: 'true', label: t('approval.yes') },
            { value: 'false', label: t('approval.no') },
          ]}
        />
      );
    }
    if (f.choices.length) return <Select allowClear options={f.choices.map((c) => ({ value: c, label: choiceLabel(td, f.name, c) }))} />;
    return <Input inputMode={NUMERIC_TYPES.includes(type) ? 'decimal' : undefined} allowClear />;
  };

  return (
    <div data-testid="dry-run">
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('approval.eval.hint')}
      </Typography.Paragraph>
      <FormErrorAlert error={error} />
      <Form form={form} layout="vertical" size="small" name="dry-run" onFinish={() => void run()}>
        <Form.Item name="subsidiary_id" label={t('approval.eval.subsidiary')} rules={[{ required: true, message: t('approval.mx.pickSubsidiary') }]}>
          <Select options={subsidiaries} showSearch optionFilterProp="label" data-testid="dry-run-subsidiary" />
        </Form.Item>
        <Row gutter={8}>
          {fields.map((f) => (
            <Col xs={24} sm={12} key={f.name}>
              <Form.Item name={['facts', f.name]} label={en ? f.label_en : f.label} style={{ marginBottom: 8 }}>
                {input(f)}
              </Form.Item>
            </Col>
          ))}
        </Row>
        <Button type="primary" htmlType="submit" icon={<ExperimentOutlined />} loading={evaluate.isPending} data-testid="dry-run-submit">
          {t('approval.eval.run')}
        </Button>
      </Form>
      {result ? (
        <div style={{ marginTop: 16 }} data-testid="dry-run-result">
          {result.matched && result.policy ? (
            <Alert
              type="warning"
              showIcon
              message={t('approval.eval.conditionTrue')}
              description={
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label={t('approval.eval.matched')}>
                    <Space size={4} wrap>
                      <span>{(en && result.policy.name_en) || result.policy.name}</span>
                      <Typography.Text type="secondary">({result.policy.code})</Typography.Text>
                      {policyId && result.policy.id === policyId ? <Tag color="blue">{t('approval.eval.thisPolicy')}</Tag> : null}
                    </Space>
                  </Descriptions.Item>
                  {result.approvers.length ? (
                    <Descriptions.Item label={t('approval.eval.approvers')}>
                      <Space direction="vertical" size={0}>
                        {result.approvers.map((a, i) => (
                          <span key={i}>
                            {a.step_name} · {td(`approval.step.type.${a.type}`, a.type)}
                            {a.role ? ` · ${vocab.roleLabel(a.role)}` : ''}
                          </span>
                        ))}
                      </Space>
                    </Descriptions.Item>
                  ) : null}
                </Descriptions>
              }
            />
          ) : (
            <Alert type="success" showIcon message={t('approval.eval.noMatch')} />
          )}
          {result.candidates.length ? (
            <List
              size="small"
              style={{ marginTop: 8 }}
              header={<Typography.Text type="secondary">{t('approval.eval.candidates')}</Typography.Text>}
              dataSource={result.candidates}
              rowKey="policy_id"
              renderItem={(c) => (
                <List.Item extra={<Tag color={c.matched ? 'orange' : 'default'}>{c.matched ? t('approval.eval.holds') : t('approval.eval.notHolds')}</Tag>}>
                  <Space size={4} wrap>
                    <Typography.Text strong={c.policy_id === policyId}>{c.name}</Typography.Text>
                    <Typography.Text type="secondary">
                      #{c.priority} · {c.subsidiary_id ? subsidiaries.find((s) => s.value === c.subsidiary_id)?.label ?? '' : t('approval.pol.scopeGroupShort')}
                    </Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
