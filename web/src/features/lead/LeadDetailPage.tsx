import { ArrowLeftOutlined, BranchesOutlined, DownOutlined, EditOutlined, StopOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Dropdown, Form, Input, type MenuProps, Modal, Result, Skeleton, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import type { Lead } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { useAccess } from '@/features/auth/hooks';
import { PiiValue } from '@/features/contact/ContactsPanel';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import { useLead, useUpdateLead } from './hooks';
import { LeadConvertModal } from './LeadConvertModal';
import { LeadFormModal } from './LeadFormModal';
import { LeadStatusTag } from './LeadsPage';
import { forwardStatus, isOpenLead, nextStatuses, type SettableLeadStatus } from './status';
import { UserName } from './UserName';
import '@/features/account/account.css';

function DisqualifyModal({ open, lead, onClose }: { open: boolean; lead: Lead; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ disqualify_reason: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  const update = useUpdateLead(lead.id);
  useEffect(() => {
    if (!open) return;
    clearError();
    form.resetFields();
  }, [open, form, clearError]);
  const onOk = async () => {
    let v: { disqualify_reason: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await update.mutateAsync({ version: lead.version, status: 'disqualified', disqualify_reason: v.disqualify_reason.trim() });
      message.success(t('lead.disqualified'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };
  return (
    <Modal
      open={open}
      title={t('lead.disqualifyTitle')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('lead.disqualify')}
      okButtonProps={{ danger: true, 'data-testid': 'disqualify-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={update.isPending}
      forceRender
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="lead-disqualify" requiredMark={false}>
        <Form.Item name="disqualify_reason" label={t('lead.disqualifyReason')} rules={[{ required: true, whitespace: true, message: t('lead.disqualifyReasonRequired') }]}>
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function LeadDetailPage() {
  const { id = '' } = useParams();
  const { t, td } = useI18n();
  const { can } = useAccess();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const lead = useLead(id);
  const update = useUpdateLead(id);
  const { byId } = useOrgUnits({ enabled: can('org.read') });
  const [dialog, setDialog] = useState<'edit' | 'disqualify' | 'convert' | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const back = <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/leads')} aria-label={t('common.back')} />;

  if (lead.isError) {
    if (isApiError(lead.error) && (lead.error.status === 404 || lead.error.status === 422)) {
      return (
        <PageContainer title={t('lead.title')} leading={back}>
          <Card>
            <div data-testid="lead-not-found">
              <Result status="404" title={t('lead.notFound')} subTitle={t('lead.notFoundHint')} />
            </div>
          </Card>
        </PageContainer>
      );
    }
    return (
      <PageContainer title={t('lead.title')} leading={back}>
        <QueryError error={lead.error} onRetry={() => void lead.refetch()} />
      </PageContainer>
    );
  }
  if (!lead.data) {
    return (
      <PageContainer title={t('lead.title')} leading={back}>
        <Card>
          <Skeleton active />
        </Card>
      </PageContainer>
    );
  }
  const l = lead.data;
  const writable = can('lead.write') && l.status !== 'converted';
  const forward = forwardStatus(l.status);
  const moves = nextStatuses(l.status).filter((s) => s !== forward && s !== 'disqualified');
  const none = t('common.none');

  const move = (status: SettableLeadStatus) => {
    setActionError(null);
    update.mutateAsync({ version: l.version, status }).then(
      () => message.success(t('lead.statusChanged', { status: td(`lead.status.${status}`, status) })),
      (e: unknown) => setActionError(e),
    );
  };

  const menu: MenuProps['items'] = moves.map((s) => ({ key: s, label: t('lead.moveTo', { status: td(`lead.status.${s}`, s) }), onClick: () => move(s) }));
  if (nextStatuses(l.status).includes('disqualified')) {
    menu.push({ key: 'disqualified', danger: true, icon: <StopOutlined />, label: t('lead.disqualify'), onClick: () => setDialog('disqualify') });
  }

  return (
    <PageContainer
      title={<span data-testid="lead-title">{l.company_name}</span>}
      documentTitle={l.company_name}
      leading={back}
      extra={
        writable ? (
          <>
            {isOpenLead(l.status) ? (
              <Button type="primary" icon={<BranchesOutlined />} onClick={() => setDialog('convert')} data-testid="lead-convert">
                {t('lead.convert')}
              </Button>
            ) : null}
            {forward ? (
              <Button loading={update.isPending} onClick={() => move(forward)} data-testid="lead-forward">
                {td(`lead.action.${forward}`, forward)}
              </Button>
            ) : null}
            <Button icon={<EditOutlined />} onClick={() => setDialog('edit')} data-testid="lead-edit">
              {t('common.edit')}
            </Button>
            {menu.length ? (
              <Dropdown menu={{ items: menu }} trigger={['click']}>
                <Button data-testid="lead-more">
                  {t('lead.changeStatus')} <DownOutlined />
                </Button>
              </Dropdown>
            ) : null}
          </>
        ) : null
      }
    >
      {actionError ? (
        <Alert type="error" showIcon closable onClose={() => setActionError(null)} style={{ marginBottom: 16 }} message={isApiError(actionError) ? actionError.message : String(actionError)} />
      ) : null}
      {l.status === 'converted' ? (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="lead-converted"
          message={t('lead.convertedOn', { date: l.converted_at ? dayjs(l.converted_at).format('YYYY-MM-DD HH:mm') : '' })}
          description={
            <Space wrap size={16}>
              {l.converted_account_id ? <Link to={`/accounts/${l.converted_account_id}`}>{t('lead.openAccount')}</Link> : null}
              {l.converted_opportunity_id ? <Link to={`/opportunities/${l.converted_opportunity_id}`}>{t('lead.openOpportunity')}</Link> : null}
            </Space>
          }
        />
      ) : null}
      {l.status === 'disqualified' && l.disqualify_reason ? (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('lead.disqualifiedBecause', { reason: l.disqualify_reason })} />
      ) : null}
      <Card>
        <Space style={{ marginBottom: 12 }}>
          <LeadStatusTag status={l.status} />
        </Space>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} colon={false} className="account-facts">
          <Descriptions.Item label={t('lead.contactName')}>{l.contact_name || none}</Descriptions.Item>
          <Descriptions.Item label={t('lead.contactTitle')}>{l.title || none}</Descriptions.Item>
          <Descriptions.Item label={t('contact.phone')}>
            <PiiValue value={l.phone} kind="phone" />
          </Descriptions.Item>
          <Descriptions.Item label={t('contact.email')}>
            <PiiValue value={l.email} kind="email" />
          </Descriptions.Item>
          <Descriptions.Item label={t('lead.source')}>{l.source || none}</Descriptions.Item>
          <Descriptions.Item label={t('account.industry')}>{l.industry || none}</Descriptions.Item>
          <Descriptions.Item label={t('account.region')}>{l.region || none}</Descriptions.Item>
          <Descriptions.Item label={t('account.owner')}>
            <UserName id={l.owner_id} />
          </Descriptions.Item>
          <Descriptions.Item label={t('account.unit')}>{byId.get(l.unit_id)?.name ?? none}</Descriptions.Item>
          <Descriptions.Item label={t('common.createdAt')}>{dayjs(l.created_at).format('YYYY-MM-DD HH:mm')}</Descriptions.Item>
          <Descriptions.Item label={t('common.updatedAt')}>{dayjs(l.updated_at).format('YYYY-MM-DD HH:mm')}</Descriptions.Item>
        </Descriptions>
        {l.notes ? (
          <>
            <Typography.Title level={5} style={{ marginTop: 8 }}>
              {t('lead.notes')}
            </Typography.Title>
            <Typography.Paragraph style={{ whiteSpace: 'pre-line' }}>{l.notes}</Typography.Paragraph>
          </>
        ) : null}
      </Card>
      <LeadFormModal open={dialog === 'edit'} lead={l} onClose={() => setDialog(null)} />
      <DisqualifyModal open={dialog === 'disqualify'} lead={l} onClose={() => setDialog(null)} />
      <LeadConvertModal
        open={dialog === 'convert'}
        lead={l}
        onClose={() => setDialog(null)}
        onConverted={(r) => {
          setDialog(null);
          navigate(`/accounts/${r.account_id}`);
        }}
      />
    </PageContainer>
  );
}
