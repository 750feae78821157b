import { App, Button, Checkbox, Col, DatePicker, Divider, Form, Input, InputNumber, Modal, Row, Segmented, Select, Space, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { DuplicateMatch, Lead, LeadConversion } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useDebounced } from '@/components/useDebounced';
import { AccountFields } from '@/features/account/AccountFields';
import { DuplicateMatches } from '@/features/account/DuplicateMatches';
import { claimConflictInfo, type DuplicateRefusal, duplicateRefusal } from '@/features/account/errorDetails';
import { useAccountSearch } from '@/features/account/hooks';
import { LiveDuplicates } from '@/features/account/LiveDuplicates';
import { ClaimConflictAlert } from '@/features/conflict/ClaimConflictAlert';
import { isMaskedValue } from '@/features/contact/hooks';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { type AccountMode, conversionBody, type ConvertValues } from './changes';
import { useConvertLead } from './hooks';

function AccountPicker({ value, onChange, id, initial }: { value?: string; onChange?: (v: string | undefined) => void; id?: string; initial?: { id: string; name: string } | null }) {
  const { t } = useI18n();
  const [term, setTerm] = useState('');
  const q = useDebounced(term, 250);
  const search = useAccountSearch(q);
  const options = useMemo(() => {
    const list = (search.data?.items ?? []).map((a) => ({ value: a.id, label: `${a.name}${a.owner_name ? ` · ${a.owner_name}` : ''}` }));
    if (initial && !list.some((o) => o.value === initial.id)) list.unshift({ value: initial.id, label: initial.name });
    return list;
  }, [search.data, initial]);
  return (
    <Select
      id={id}
      showSearch
      filterOption={false}
      value={value}
      onSearch={setTerm}
      onChange={onChange}
      options={options}
      loading={search.isFetching}
      placeholder={t('lead.pickAccount')}
      notFoundContent={search.isFetching ? undefined : t('common.noMatch')}
      data-testid="convert-existing-account"
    />
  );
}

/**
 * 线索转化: one request makes (or links) the customer, and optionally a contact and an
 * opportunity. The customer's duplicate check applies: a 409 lists the matches, a visible one
 * can be linked instead, and `account.force_create` may create anyway with a reason.
 */
export function LeadConvertModal({ open, lead, onClose, onConverted }: { open: boolean; lead: Lead; onClose: () => void; onConverted: (r: LeadConversion) => void }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const { message } = App.useApp();
  const [form] = Form.useForm<ConvertValues>();
  const { formError, handleError, clearError } = useFormError(form);
  const convert = useConvertLead(lead.id);
  const [mode, setMode] = useState<AccountMode>('new');
  const [refusal, setRefusal] = useState<DuplicateRefusal | null>(null);
  const [conflict, setConflict] = useState<unknown>(null);
  const [forcing, setForcing] = useState(false);
  const [picked, setPicked] = useState<{ id: string; name: string } | null>(null);
  const withContact = Form.useWatch('with_contact', form) ?? true;
  const withOpportunity = Form.useWatch('with_opportunity', form) ?? true;
  const name = Form.useWatch(['account', 'name'], form) ?? '';
  const nameEn = Form.useWatch(['account', 'name_en'], form) ?? '';
  const uscc = Form.useWatch(['account', 'uscc'], form) ?? '';
  const probe = useMemo(() => ({ name, nameEn, uscc }), [name, nameEn, uscc]);

  useEffect(() => {
    if (!open) return;
    clearError();
    setRefusal(null);
    setConflict(null);
    setForcing(false);
    setPicked(null);
    setMode('new');
    form.resetFields();
    form.setFieldsValue({
      account: { name: lead.company_name, industry: lead.industry ?? undefined, region: lead.region ?? undefined, tier: 'smb', value_class: 'C' },
      with_contact: Boolean(lead.contact_name),
      contact: {
        name: lead.contact_name ?? undefined,
        title: lead.title ?? undefined,
        phone: isMaskedValue(lead.phone) ? undefined : (lead.phone ?? undefined),
        email: isMaskedValue(lead.email) ? undefined : (lead.email ?? undefined),
      },
      with_opportunity: true,
      opportunity: { name: t('account.opp.defaultName', { account: lead.company_name }) },
    });
  }, [open, lead, form, clearError, t]);

  useEffect(() => {
    setRefusal(null);
    setForcing(false);
  }, [name, uscc, nameEn, mode]);

  const pick = (m: DuplicateMatch) => {
    if (!m.id) return;
    setPicked({ id: m.id, name: m.name ?? '' });
    setMode('existing');
    form.setFieldsValue({ existing_account_id: m.id });
  };

  const submit = async (force: boolean) => {
    let v: ConvertValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    setConflict(null);
    try {
      const result = await convert.mutateAsync(conversionBody(mode, v, force));
      message.success(t('lead.converted'));
      onConverted(result);
    } catch (error) {
      const refused = duplicateRefusal(error);
      setRefusal(refused);
      if (claimConflictInfo(error)) setConflict(error);
      else {
        handleError(error);
        if (refused) clearError();
      }
    }
  };

  return (
    <Modal
      open={open}
      title={t('lead.convertTitle', { name: lead.company_name })}
      onCancel={onClose}
      width={760}
      forceRender
      footer={
        <Space wrap>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" danger={forcing} loading={convert.isPending} onClick={() => void submit(forcing)} data-testid="convert-submit">
            {forcing ? t('lead.convertForce') : t('lead.convert')}
          </Button>
        </Space>
      }
    >
      <ClaimConflictAlert error={conflict} />
      <FormErrorAlert error={formError} />
      {refusal ? (
        <DuplicateMatches
          type="error"
          testId="duplicate-refused"
          matches={refusal.matches}
          title={t('account.duplicateRefused')}
          hint={refusal.canForce ? t('lead.duplicatePickOrForce') : can('account.force_create') ? t('account.cannotForceUscc') : t('lead.duplicatePick')}
          onPick={pick}
          action={
            refusal.canForce && !forcing ? (
              <Button size="small" danger onClick={() => setForcing(true)}>
                {t('account.forceStart')}
              </Button>
            ) : undefined
          }
        />
      ) : null}
      <Form form={form} layout="vertical" name="lead-convert" requiredMark="optional" autoComplete="off">
        <Divider orientation="left" orientationMargin={0} style={{ marginTop: 0 }}>
          {t('lead.convertAccount')}
        </Divider>
        <Segmented<AccountMode>
          value={mode}
          onChange={setMode}
          options={[
            { value: 'new', label: t('lead.newAccount') },
            { value: 'existing', label: t('lead.existingAccount') },
          ]}
          style={{ marginBottom: 16 }}
        />
        {mode === 'new' ? (
          <AccountFields prefix={['account']} afterName={<LiveDuplicates probe={probe} paused={Boolean(refusal)} onPick={pick} />} />
        ) : (
          <Form.Item name="existing_account_id" label={t('lead.existingAccount')} rules={[{ required: true, message: t('lead.pickAccountRequired') }]}>
            <AccountPicker initial={picked} />
          </Form.Item>
        )}
        {forcing ? (
          <Form.Item name="force_reason" label={t('account.forceReason')} rules={[{ required: true, whitespace: true, message: t('account.forceReasonRequired') }]}>
            <Input.TextArea rows={2} maxLength={500} showCount />
          </Form.Item>
        ) : null}

        <Divider orientation="left" orientationMargin={0}>
          <Form.Item name="with_contact" valuePropName="checked" noStyle>
            <Checkbox>{t('lead.convertContact')}</Checkbox>
          </Form.Item>
        </Divider>
        {withContact ? (
          <Row gutter={16}>
            <Col xs={24} sm={12}>
              <Form.Item name={['contact', 'name']} label={t('contact.name')} rules={[{ required: true, whitespace: true, message: t('contact.nameRequired') }]}>
                <Input maxLength={100} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name={['contact', 'title']} label={t('contact.title')}>
                <Input maxLength={100} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name={['contact', 'phone']} label={t('contact.phone')} extra={isMaskedValue(lead.phone) ? t('lead.maskedNotCopied') : undefined}>
                <Input maxLength={32} inputMode="tel" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name={['contact', 'email']} label={t('contact.email')} extra={isMaskedValue(lead.email) ? t('lead.maskedNotCopied') : undefined}>
                <Input maxLength={254} inputMode="email" />
              </Form.Item>
            </Col>
          </Row>
        ) : null}

        <Divider orientation="left" orientationMargin={0}>
          <Form.Item name="with_opportunity" valuePropName="checked" noStyle>
            <Checkbox>{t('lead.convertOpportunity')}</Checkbox>
          </Form.Item>
        </Divider>
        {withOpportunity ? (
          <Row gutter={16}>
            <Col span={24}>
              <Form.Item name={['opportunity', 'name']} label={t('account.opp.name')} rules={[{ required: true, whitespace: true, message: t('account.opp.nameRequired') }]}>
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={8}>
              <Form.Item name={['opportunity', 'amount']} label={t('account.opp.amount')}>
                <InputNumber min={0} step={10000} precision={2} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={12} sm={8}>
              <Form.Item name={['opportunity', 'currency']} label={t('account.opp.currency')}>
                <Input maxLength={3} placeholder={t('account.opp.currencyHint')} style={{ textTransform: 'uppercase' }} />
              </Form.Item>
            </Col>
            <Col xs={12} sm={8}>
              <Form.Item name={['opportunity', 'expected_close_date']} label={t('account.opp.closeDate')}>
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
        ) : null}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('lead.convertHint')}
        </Typography.Text>
      </Form>
    </Modal>
  );
}
