import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Checkbox, Col, DatePicker, Flex, Form, Input, Modal, Popconfirm, Row, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { UserSelect } from '@/features/account/UserSelect';
import { useAccess, useMe } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { approvalKeys, fetchDelegationsPage, useCreateDelegation, useRevokeDelegation } from './hooks';
import { DELEGATION_COLORS, delegationState } from './labels';
import type { Delegation } from './types';

interface Values {
  delegate_id: string | null;
  starts_at: Dayjs | null;
  ends_at: Dayjs | null;
  reason?: string;
}

function CreateDelegationModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const create = useCreateDelegation();

  useEffect(() => {
    if (!open) return;
    clearError();
    form.resetFields();
    const start = dayjs().startOf('hour').add(1, 'hour');
    form.setFieldsValue({ starts_at: start, ends_at: start.add(7, 'day') });
  }, [open, form, clearError]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await create.mutateAsync({
        delegate_id: v.delegate_id ?? '',
        starts_at: (v.starts_at ?? dayjs()).toISOString(),
        ends_at: (v.ends_at ?? dayjs()).toISOString(),
        reason: v.reason?.trim() || null,
      });
      message.success(t('approval.dlg.created'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('approval.dlg.create')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      okButtonProps={{ 'data-testid': 'delegation-submit' }}
      confirmLoading={create.isPending}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('approval.dlg.hint')}</Typography.Paragraph>
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="delegation" requiredMark="optional">
        <Form.Item name="delegate_id" label={t('approval.dlg.delegate')} rules={[{ required: true, message: t('approval.dlg.delegateRequired') }]}>
          <UserSelect style={{ width: '100%' }} data-testid="delegation-delegate" />
        </Form.Item>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="starts_at" label={t('approval.dlg.startsAt')} rules={[{ required: true, message: t('approval.dlg.periodRequired') }]}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="ends_at" label={t('approval.dlg.endsAt')} rules={[{ required: true, message: t('approval.dlg.periodRequired') }]}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="reason" label={t('approval.dlg.reason')}>
          <Input.TextArea rows={2} maxLength={500} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** My delegations (admins may list everyone's): create, see which are in effect, revoke. */
export function DelegationsPanel() {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const { data: me } = useMe();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const isAdmin = can('approval.admin');
  const all = isAdmin && params.get('all') === '1';
  const [creating, setCreating] = useState(false);
  const revoke = useRevokeDelegation();
  const fetchPage = useCallback((req: PageRequest) => fetchDelegationsPage(all, req), [all]);

  const onRevoke = async (d: Delegation) => {
    try {
      await revoke.mutateAsync(d.id);
      message.success(t('approval.dlg.revoked'));
    } catch (error) {
      message.error(isApiError(error) ? error.message : String(error));
    }
  };

  const nameOrMe = (id: string, name: string | null | undefined) =>
    id === me?.user.id ? <Typography.Text strong>{`${name ?? ''} (${t('account.me')})`}</Typography.Text> : name ?? t('common.none');
  const fmt = (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm');
  const columns: ColumnsType<Delegation> = [
    // The list holds delegations I gave and those given to me (admins: everyone's).
    { title: t('approval.dlg.delegator'), key: 'user', render: (_, d) => nameOrMe(d.user_id, d.user_name) },
    { title: t('approval.dlg.delegate'), key: 'delegate', render: (_, d) => nameOrMe(d.delegate_id, d.delegate_name) },
    {
      title: t('approval.dlg.period'),
      key: 'period',
      render: (_, d) => (
        <span style={{ whiteSpace: 'nowrap' }}>
          {fmt(d.starts_at)} ~ {fmt(d.ends_at)}
        </span>
      ),
    },
    { title: t('approval.dlg.reason'), dataIndex: 'reason', responsive: ['md'], render: (v: string | null) => v || t('common.none') },
    {
      title: t('approval.dlg.status'),
      key: 'state',
      render: (_, d) => {
        const s = delegationState(d);
        return <Tag color={DELEGATION_COLORS[s]}>{td(`approval.dlg.state.${s}`, s)}</Tag>;
      },
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, d) => {
        const s = delegationState(d);
        const mine = me?.user.id === d.user_id;
        if ((s !== 'active' && s !== 'upcoming') || !(mine || isAdmin)) return null;
        return (
          <Popconfirm title={t('approval.dlg.revokeConfirm')} onConfirm={() => void onRevoke(d)} okText={t('approval.dlg.revoke')} cancelText={t('common.cancel')}>
            <Button size="small" danger data-testid="delegation-revoke" loading={revoke.isPending && revoke.variables === d.id}>
              {t('approval.dlg.revoke')}
            </Button>
          </Popconfirm>
        );
      },
    },
  ];

  return (
    <Card
      title={t('approval.dlg.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="delegation-create">
          {t('approval.dlg.create')}
        </Button>
      }
    >
      <Flex gap={12} wrap="wrap" align="center" style={{ marginBottom: 12 }}>
        <Typography.Text type="secondary">{t('approval.dlg.hint')}</Typography.Text>
        {isAdmin ? (
          <Checkbox
            checked={all}
            onChange={(e) =>
              setParams(
                (p) => {
                  if (e.target.checked) p.set('all', '1');
                  else p.delete('all');
                  return p;
                },
                { replace: true },
              )
            }
          >
            {t('approval.dlg.all')}
          </Checkbox>
        ) : null}
      </Flex>
      <CursorTable<Delegation>
        testId="delegations-table"
        queryKey={approvalKeys.delegations(all)}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(d) => d.id}
        emptyText={t('approval.dlg.empty')}
      />
      <CreateDelegationModal open={creating} onClose={() => setCreating(false)} />
    </Card>
  );
}
