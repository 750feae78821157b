import { EditOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Flex, Form, Input, InputNumber, Modal, Row, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { PoolRule } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { PageContainer } from '@/components/PageContainer';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { fetchPoolRule, fetchPoolRulesPage, poolRuleKeys, useSavePoolRule } from './hooks';

interface Values {
  protection_days: number;
  reclaim_after_days: number;
  max_accounts_per_rep: number;
  cooldown_days: number;
}

const FIELDS: { name: keyof Values; min: number; max: number }[] = [
  { name: 'protection_days', min: 1, max: 3650 },
  { name: 'reclaim_after_days', min: 1, max: 3650 },
  { name: 'max_accounts_per_rep', min: 1, max: 100000 },
  { name: 'cooldown_days', min: 0, max: 3650 },
];

function PoolRuleModal({ rule, onClose }: { rule: PoolRule | null; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const [current, setCurrent] = useState<PoolRule | null>(rule);
  const save = useSavePoolRule(rule?.subsidiary_id ?? '');

  useEffect(() => {
    setCurrent(rule);
    if (!rule) return;
    clearError();
    form.setFieldsValue({
      protection_days: rule.protection_days,
      reclaim_after_days: rule.reclaim_after_days,
      max_accounts_per_rep: rule.max_accounts_per_rep,
      cooldown_days: rule.cooldown_days,
    });
  }, [rule, form, clearError]);

  const onOk = async () => {
    if (!current) return;
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await save.mutateAsync({ ...v, version: current.version ?? null });
      message.success(t('common.saved'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  const reload = async () => {
    if (!rule) return;
    const fresh = await fetchPoolRule(rule.subsidiary_id);
    setCurrent(fresh);
    clearError();
    form.setFieldsValue(fresh);
  };

  return (
    <Modal
      open={rule !== null}
      title={rule ? t('poolrule.editTitle', { subsidiary: rule.subsidiary_name }) : ''}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ id: 'poolrule-submit' }}
      confirmLoading={save.isPending}
      forceRender
    >
      {current?.is_default ? <Typography.Paragraph type="secondary">{t('poolrule.defaultHint')}</Typography.Paragraph> : null}
      <FormErrorAlert error={formError} onReload={() => void reload()} />
      <Form form={form} layout="vertical" name="pool-rule" requiredMark="optional">
        <Row gutter={16}>
          {FIELDS.map((f) => (
            <Col xs={24} sm={12} key={f.name}>
              <Form.Item
                name={f.name}
                label={t(`poolrule.${f.name}`)}
                extra={t(`poolrule.${f.name}.hint`)}
                rules={[{ required: true, message: t('poolrule.required') }]}
              >
                <InputNumber min={f.min} max={f.max} precision={0} style={{ width: '100%' }} suffix={f.name === 'max_accounts_per_rep' ? t('poolrule.accounts') : t('poolrule.daysUnit')} />
              </Form.Item>
            </Col>
          ))}
        </Row>
      </Form>
    </Modal>
  );
}

export default function PoolRulesPage() {
  const { t } = useI18n();
  const { can } = useAccess();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  const [editing, setEditing] = useState<PoolRule | null>(null);
  const fetchPage = useCallback((req: PageRequest) => fetchPoolRulesPage(q, req), [q]);
  const canEdit = can('pool.admin');
  const days = (v: number) => t('poolrule.days', { days: v });

  const columns: ColumnsType<PoolRule> = [
    {
      title: t('poolrule.subsidiary'),
      dataIndex: 'subsidiary_name',
      fixed: 'left',
      render: (name: string, r) => (
        <Flex gap={6} align="center" wrap="wrap">
          <span>{name}</span>
          {r.is_default ? <Tag bordered={false}>{t('poolrule.default')}</Tag> : null}
        </Flex>
      ),
    },
    { title: t('poolrule.protection_days'), dataIndex: 'protection_days', render: days },
    { title: t('poolrule.reclaim_after_days'), dataIndex: 'reclaim_after_days', render: days },
    { title: t('poolrule.max_accounts_per_rep'), dataIndex: 'max_accounts_per_rep', responsive: ['sm'] },
    { title: t('poolrule.cooldown_days'), dataIndex: 'cooldown_days', responsive: ['sm'], render: days },
    { title: t('common.updatedAt'), dataIndex: 'updated_at', responsive: ['lg'], render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : t('common.none')) },
    ...(canEdit
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, r: PoolRule) => (
              <Button
                size="small"
                icon={<EditOutlined />}
                data-testid="poolrule-edit"
                onClick={(e) => {
                  e.stopPropagation();
                  setEditing(r);
                }}
              >
                {t('common.edit')}
              </Button>
            ),
          },
        ]
      : []),
  ];

  return (
    <PageContainer title={t('poolrule.title')} subtitle={t('poolrule.subtitle')}>
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap">
          <Input.Search
            allowClear
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              if (!e.target.value) setParams({}, { replace: true });
            }}
            onSearch={(v) => setParams(v.trim() ? { q: v.trim() } : {}, { replace: true })}
            placeholder={t('poolrule.searchPlaceholder')}
            style={{ width: 280 }}
          />
        </Flex>
        <CursorTable<PoolRule>
          testId="poolrule-table"
          queryKey={poolRuleKeys.list(q)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(r) => r.subsidiary_id}
          onRowClick={canEdit ? (r) => setEditing(r) : undefined}
          emptyText={q ? t('common.noMatch') : t('poolrule.empty')}
        />
      </Card>
      <PoolRuleModal rule={editing} onClose={() => setEditing(null)} />
    </PageContainer>
  );
}
